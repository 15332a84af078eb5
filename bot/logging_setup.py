"""Logging that cannot leak the bot token, nor what people wrote.

python-telegram-bot puts the token in every request URL (``.../bot<id>:<secret>/getMe``), and
httpx logs URLs at INFO; exceptions may quote URLs too. We silence httpx/httpcore below WARNING
and mask anything shaped like a token in every record, arguments and exception text included.

PTB also logs whole updates and request parameters (message texts, names) in a few places, at
DEBUG and, when it cannot parse an update, at CRITICAL. Those records keep their update ids
and lose everything else, at every level (:class:`UpdateContentFilter`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TOKEN_PATTERN = re.compile(r"(bot)?\d{5,}:[A-Za-z0-9_-]{20,}")
MASK = "bot<token>"


def mask_tokens(text: str) -> str:
    return TOKEN_PATTERN.sub(MASK, text)


class TokenMaskFilter(logging.Filter):
    """Rewrites the record in place so every handler downstream sees the masked text."""

    def filter(self, record: logging.LogRecord) -> bool:
        strip_update_content(record)
        message = record.getMessage()
        masked = mask_tokens(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now and mask it; handlers then use exc_text as is.
            formatter = logging.Formatter()
            record.exc_text = mask_tokens(formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        if masked != message or record.args:
            record.msg = masked
            record.args = None
        return True


_UPDATE_ID = re.compile(r"""['"]update_id['"]:\s*(\d+)|update_id=(\d+)""")

# PTB log messages (format strings) whose arguments carry raw updates or request parameters.
_CONTENT_MESSAGES = (
    "Processing update %s",
    "Dropping pending update: %s",
    "Webhook received data: %s",
    "Calling Bot API endpoint `%s` with parameters `%s`",
    "Call to Bot API endpoint `%s` finished with return value `%s`",
    "Request had the wrong secret token: %s",
    "Error while parsing updates! Received data was %r",
    "Received data was: %r",
)


def _update_ids(args: Any) -> str:
    ids = [a or b for a, b in _UPDATE_ID.findall(repr(args))]
    return ", ".join(dict.fromkeys(ids)) or "-"


def strip_update_content(record: logging.LogRecord) -> None:
    """Strips update contents from PTB's records; what is left is the event and update ids."""
    msg = record.msg if isinstance(record.msg, str) else ""
    if not record.name.startswith("telegram") or not msg.endswith(_CONTENT_MESSAGES):
        return
    if "Bot API endpoint" in msg and isinstance(record.args, tuple):
        record.msg = msg.split("`%s`", 1)[0] + "`%s` (parameters and result not logged)"
        record.args = record.args[:1]
    else:
        head = msg.rsplit(":", 1)[0] if ":" in msg else msg.rsplit(" ", 1)[0]
        record.msg = f"{head} (content not logged; update ids: %s)"
        record.args = (_update_ids(record.args),)
    if record.exc_info and record.exc_info[1] is not None:
        # Parsing errors quote the offending values; their type is enough.
        record.msg += f" [{type(record.exc_info[1]).__name__}]"
        record.exc_info = None
        record.exc_text = None


_FILTER = TokenMaskFilter()


def install_token_filter(logger: logging.Logger | None = None) -> None:
    """Attach the mask to the root logger's handlers and to ``logger`` itself.

    Filters on a logger do not apply to records from child loggers, so we attach to every
    handler of the root logger, which all propagated records pass through."""
    root = logging.getLogger()
    for handler in root.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    target = logger or root
    if _FILTER not in target.filters:
        target.addFilter(_FILTER)


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    install_token_filter()


@contextmanager
def quiet_telegram() -> Iterator[None]:
    """Silence PTB while we make a call whose failure we report ourselves in one line (PTB
    logs an unreadable answer, such as a proxy's HTML 404 page, with a traceback)."""
    logger = logging.getLogger("telegram")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)
