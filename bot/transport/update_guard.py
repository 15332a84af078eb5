"""Skip updates the installed python-telegram-bot cannot read, instead of stalling on them.

PTB parses a whole ``getUpdates`` batch at once: one update it cannot read (a new Bot API
field of an unexpected shape, say) fails the batch, which is fetched again at the same offset
forever, and PTB logs the raw batch — texts, names — at CRITICAL on every try. This request
wrapper checks each update of a ``getUpdates`` answer on its own and replaces an unreadable
one by a bare ``{"update_id": N}``: PTB confirms it (the offset moves on), the handlers see
an update without content and ignore it, and only its id is logged.

``GuardedApplication`` is the other half, for updates PTB *can* read but Telegram could never
have sent (a message text that is a number, a user id of 2**64 or a list): it drops them at
the one door every transport passes (polling, the webhook, the sandbox, tests), before any
handler — or PTB's own bookkeeping, which hashes chat ids — reads a field.

With an :class:`~bot.transport.offsets.OffsetLedger` it also keeps long polling from confirming what
is not handled: a ``getUpdates`` whose offset would confirm an unhandled update waits until
that update is handled (PTB's ``Updater`` sends it as soon as it has queued the previous
batch, so without this a batch is forgotten by Telegram before it is answered), for at most
``POLL_HOLD``: then it asks from the first unhandled update instead and passes on only the
updates it has not fetched before, so one slow handler does not hold up the other chats; an
update an earlier run already handled is reduced to its id the same way as an unreadable one;
and while the bot stops, ``getUpdates`` is answered here with no updates, without asking
Telegram, so neither the polling loop nor the Updater's last call on stop (``offset`` = last
fetched + 1) confirms anything. The runner then confirms exactly the handled part itself
(``bot.runner``), with the ledger ``final``, when this wrapper passes ``getUpdates`` through
untouched.

A poll that fails (HTTP 5xx, a refused or dropped connection) is answered here as an empty
one a second later: PTB's polling loop waits longer after each failure (up to 30 s), which
left residents waiting half a minute after Telegram was back.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeGuard

from telegram import CallbackQuery, Chat, Message, MessageEntity, TelegramObject, Update, User
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.transport.offsets import OffsetLedger
from bot.transport.outage import WrappedRequest

log = logging.getLogger("trygghetsbot.updates")

EMPTY = b'{"ok":true,"result":[]}'  # a getUpdates answer with no updates
POLL_RETRY = 1.0  # seconds between polls while Telegram cannot be reached
# The longest a poll waits for the handlers of the last batch before it asks from below the
# slowest one: a handler that takes long holds up its own chat, not everyone.
POLL_HOLD = 1.0


def skip_unreadable(payload: bytes, handled: Callable[[int], bool] | None = None) -> bytes:
    """The ``getUpdates`` answer ``payload`` with every unreadable update reduced to its id,
    and every update for which ``handled(update_id)`` is true (answered by an earlier run)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return payload  # PTB reports a broken answer itself, without its content
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, list):
        return payload
    kept: list[Any] = []
    for raw in result:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if handled is not None and isinstance(update_id, int) and handled(update_id):
            kept.append({"update_id": update_id})
            continue
        try:
            Update.de_json(raw, None)
        except Exception as exc:
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


class UpdateGuard(WrappedRequest):
    """Wraps the request object used for ``getUpdates`` (all other calls pass through); an
    HTML error page instead of JSON costs no traceback per poll (``bot.transport.outage``)."""

    def __init__(
        self, inner: BaseRequest | None = None, ledger: OffsetLedger | None = None
    ) -> None:
        # PTB's own default for getUpdates: a single connection.
        super().__init__(inner if inner is not None else HTTPXRequest(connection_pool_size=1))
        self.ledger = ledger

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
        polling = url.rstrip("/").endswith("/getUpdates")
        ledger = self.ledger
        refetch = 0  # ids below this were passed on already (a poll from below a slow one)
        if polling and ledger is not None and not ledger.final:
            if ledger.stopping:
                return 200, EMPTY
            offset = _offset(request_data)
            try:
                await asyncio.wait_for(ledger.wait_confirmable(offset), POLL_HOLD)
            except TimeoutError:
                # A handler is slow: ask from below its update, which stays unconfirmed,
                # and pass on only what is new, so the other chats are not held up.
                offset = ledger.safe_offset()
                request_data = _with_offset(request_data, offset)
                refetch = ledger.next_fetch
            if ledger.stopping:  # the stop came while this poll waited for handlers
                return 200, EMPTY
            ledger.confirmed(offset)
        try:
            code, payload = await self._inner.do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except NetworkError as exc:
            if not polling or isinstance(exc, TimedOut) or (ledger is not None and ledger.final):
                raise
            code, payload = 0, b""
        if polling and (code == 0 or code >= 500) and (ledger is None or not ledger.final):
            # Telegram is out of reach (bot.transport.outage says so once). PTB's polling loop would
            # wait longer after every failed poll, up to 30 s, and so answer late after the
            # outage; a failed poll counts here as an empty one, and the next is asked
            # ``POLL_RETRY`` seconds later, for as long as it lasts.
            await asyncio.sleep(POLL_RETRY)
            return 200, EMPTY
        if code == 200 and polling:
            if ledger is None or ledger.final:
                return code, skip_unreadable(payload)
            if refetch:
                payload = _from(payload, refetch)
            payload = skip_unreadable(payload, ledger.is_handled)
            ledger.fetched(_update_ids(payload))
        return code, payload


# Telegram's documented ranges: user and chat ids fit in 52 bits (and a double), user ids are
# positive, group and channel ids negative. Offsets count UTF-16 units of at most 4096 chars.
ID_LIMIT = 2**53
_SMALL = 2**31

# What handlers read, by the class PTB builds: fields that must be strings (when present),
# and integer fields with their allowed range [low, high).
_STRINGS: dict[type[TelegramObject], tuple[str, ...]] = {
    User: ("first_name", "last_name", "username", "language_code"),
    Chat: ("type", "title", "username", "first_name", "last_name"),
    Message: ("text", "caption"),
    CallbackQuery: ("id", "data", "chat_instance"),
    MessageEntity: ("type",),
}
_INTEGERS: dict[type[TelegramObject], tuple[tuple[str, int, int], ...]] = {
    User: (("id", 1, ID_LIMIT),),
    Chat: (("id", -ID_LIMIT + 1, ID_LIMIT),),
    Message: (("message_id", 0, _SMALL),),
    MessageEntity: (("offset", 0, _SMALL), ("length", 0, _SMALL)),
}


def _nodes(update: Update) -> Iterator[TelegramObject]:
    """Every Telegram object inside ``update`` (users, chats, replied-to messages …)."""
    stack: list[TelegramObject] = [update]
    while stack:
        node = stack.pop()
        yield node
        for slot in _public_slots(type(node)):
            value = getattr(node, slot, None)
            if isinstance(value, TelegramObject):
                stack.append(value)
            elif isinstance(value, tuple):
                stack.extend(item for item in value if isinstance(item, TelegramObject))


_SLOTS: dict[type, tuple[str, ...]] = {}


def _public_slots(cls: type) -> tuple[str, ...]:
    """A class's public slots, through its bases, worked out once per class (every update
    passes here)."""
    found = _SLOTS.get(cls)
    if found is None:
        found = tuple(
            slot
            for base in cls.__mro__
            for slot in getattr(base, "__slots__", ())
            if not slot.startswith("_")
        )
        _SLOTS[cls] = found
    return found


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def refusal(update: Update) -> str | None:
    """Why Telegram could not have sent ``update``: the offending field's name (never its
    value, which may be what someone wrote), or None when its shape is possible."""
    if not _whole(update.update_id) or update.update_id < 0:
        return "update_id"
    for node in _nodes(update):
        for base, names in _STRINGS.items():
            if isinstance(node, base):
                for name in names:
                    value = getattr(node, name, None)
                    if value is not None and not isinstance(value, str):
                        return f"{base.__name__}.{name}"
        for base, ranges in _INTEGERS.items():
            if isinstance(node, base):
                for name, low, high in ranges:
                    value = getattr(node, name, None)
                    if not _whole(value) or not low <= value < high:
                        return f"{base.__name__}.{name}"
        if isinstance(node, User) and not isinstance(node.is_bot, bool):
            return "User.is_bot"
    return None


class GuardedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, with impossible updates dropped before anything reads them
    (installed through ``ApplicationBuilder.application_class``)."""

    async def process_update(self, update: object) -> None:
        if isinstance(update, Update):
            bad = refusal(update)
            if bad is not None:
                # The id and the field's name only: the rest may be what someone wrote.
                update_id = update.update_id if bad != "update_id" else None
                log.warning("dropped update %s: impossible %s", update_id, bad)
                return
        await super().process_update(update)


def _with_offset(request_data: RequestData | None, offset: int) -> RequestData:
    parameters = dict(request_data.parameters) if request_data is not None else {}
    parameters["offset"] = offset
    return RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()])


def _from(payload: bytes, first: int) -> bytes:
    """The ``getUpdates`` answer without the updates below ``first``."""
    try:
        data = json.loads(payload)
    except ValueError:
        return payload
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, list):
        return payload
    data["result"] = [
        raw for raw in result
        if not (isinstance(raw, dict) and isinstance(raw.get("update_id"), int)
                and raw["update_id"] < first)
    ]  # fmt: skip
    return json.dumps(data).encode()


def _offset(request_data: RequestData | None) -> int:
    value = request_data.parameters.get("offset") if request_data is not None else None
    return value if isinstance(value, int) else 0


def _update_ids(payload: bytes) -> list[int]:
    try:
        result = json.loads(payload).get("result")
    except (ValueError, AttributeError):
        return []
    if not isinstance(result, list):
        return []
    return [
        r["update_id"]
        for r in result
        if isinstance(r, dict) and isinstance(r.get("update_id"), int)
    ]
