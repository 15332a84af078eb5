import os as _os

# Opt in to python-telegram-bot's future behaviour: time periods (such as RetryAfter's
# retry_after) are timedeltas. Without this, PTB 22.2+ warns on every flood-control error.
_os.environ.setdefault("PTB_TIMEDELTA", "1")
