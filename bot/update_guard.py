"""Skip updates the installed python-telegram-bot cannot read, instead of stalling on them.

PTB parses a whole ``getUpdates`` batch at once: one update it cannot read (a new Bot API
field of an unexpected shape, say) fails the batch, which is fetched again at the same offset
forever, and PTB logs the raw batch — texts, names — at CRITICAL on every try. This request
wrapper checks each update of a ``getUpdates`` answer on its own and replaces an unreadable
one by a bare ``{"update_id": N}``: PTB confirms it (the offset moves on), the handlers see
an update without content and ignore it, and only its id is logged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger("trygghetsbot.updates")


def skip_unreadable(payload: bytes) -> bytes:
    """The ``getUpdates`` answer ``payload`` with every unreadable update reduced to its id."""
    try:
        data = json.loads(payload)
    except ValueError:
        return payload  # PTB reports a broken answer itself, without its content
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, list):
        return payload
    kept: list[Any] = []
    for raw in result:
        try:
            Update.de_json(raw, None)
        except Exception as exc:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int):
                log.warning("skipped an update without an id: %s", type(exc).__name__)
                continue
            # The id only: the rest of the update may hold message texts and names.
            log.warning(
                "skipped update %d: this python-telegram-bot cannot read it (%s)",
                update_id,
                type(exc).__name__,
            )
            kept.append({"update_id": update_id})
        else:
            kept.append(raw)
    if kept == result:
        return payload
    return json.dumps({**data, "result": kept}).encode("utf-8")


class UpdateGuard(BaseRequest):
    """Wraps the request object used for ``getUpdates`` (all other calls pass through)."""

    def __init__(self, inner: BaseRequest | None = None) -> None:
        # PTB's own default for getUpdates: a single connection.
        self._inner = inner if inner is not None else HTTPXRequest(connection_pool_size=1)

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await self._inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if code == 200 and url.rstrip("/").endswith("/getUpdates"):
            payload = skip_unreadable(payload)
        return code, payload
