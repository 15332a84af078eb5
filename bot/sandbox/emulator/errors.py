"""Error answers in Telegram's shape, and the ones the emulated methods give."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer in Telegram's shape."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


def blocked() -> ApiError:
    return ApiError(403, "Forbidden: bot was blocked by the user")


def not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message"
    )


def cant_parse(what: str) -> ApiError:
    return bad_request(f"can't parse entities: {what}")
