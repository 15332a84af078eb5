"""Logging that cannot leak the bot token.

python-telegram-bot puts the token in every request URL (``.../bot<id>:<secret>/getMe``), and
httpx logs URLs at INFO; exceptions may quote URLs too. We silence httpx/httpcore below WARNING
and mask anything shaped like a token in every record, arguments and exception text included.
"""

from __future__ import annotations

import logging
import re

TOKEN_PATTERN = re.compile(r"(bot)?\d{5,}:[A-Za-z0-9_-]{20,}")
MASK = "bot<token>"


def mask_tokens(text: str) -> str:
    return TOKEN_PATTERN.sub(MASK, text)


class TokenMaskFilter(logging.Filter):
    """Rewrites the record in place so every handler downstream sees the masked text."""

    def filter(self, record: logging.LogRecord) -> bool:
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
