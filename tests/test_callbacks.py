"""Callback data: every button namespace has a codec (prefix, encode, strict decode, the
64-byte limit), and anything a client sends that does not decode gets a kind "no longer
valid" — never a crash, never an action."""

from __future__ import annotations

import contextlib
import enum
import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.callbacks import CALLBACK_MAX, CallbackData, MalformedCallback
from tests.conftest import ADMIN_ID, Harness

STALE_SV = "Den knappen gäller inte längre."
CODECS = sorted(CallbackData._registry.values(), key=lambda kind: kind.prefix)


def example(kind: type[CallbackData]) -> CallbackData:
    """One value of each field: the first choice of an enum, 7 for a number, "x" for text."""
    values: dict[str, object] = {}
    for name, hint in kind._types():
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            values[name] = next(iter(hint))
        else:
            values[name] = 7 if hint is int else "x"
    return kind(**values)


def test_every_namespace_is_registered_once() -> None:
    prefixes = [kind.prefix for kind in CODECS]
    assert len(prefixes) == len(set(prefixes))
    for expected in ("ev", "plan", "st", "pause", "fol", "lang", "me", "invite", "staff",
                     "ask", "tips", "alert", "rep", "evc", "evo", "ms", "my"):  # fmt: skip
        assert expected in prefixes


@pytest.mark.parametrize("kind", CODECS, ids=lambda kind: kind.prefix)
def test_round_trip_and_limits(kind: type[CallbackData]) -> None:
    value = example(kind)
    data = value.encode()
    assert data.startswith(kind.prefix + ":") or data == kind.prefix
    assert kind.decode(data) == value
    for bad in ("", "nope:1", data + ":extra", data.replace(kind.prefix, "zz", 1), "x" * 65):
        with pytest.raises(MalformedCallback):
            kind.decode(bad)
    assert kind.parse("garbage") is None


def test_encoding_refuses_what_telegram_would_refuse() -> None:
    kind = next(k for k in CODECS if k.prefix == "plan")
    too_long = kind(next(iter(typing.get_type_hints(kind)["action"])), "y" * CALLBACK_MAX)
    with pytest.raises(ValueError, match="64 bytes"):
        too_long.encode()


@given(st.text(max_size=80))
def test_decoding_untrusted_text_only_ever_refuses(data: str) -> None:
    for kind in CODECS:
        with contextlib.suppress(MalformedCallback):
            kind.decode(data)


MALFORMED = [
    "ev:rem:abc",
    "ev:explode:1",
    "ev:rem",
    "plan:when:99",
    "st:show:no_such_commitment",
    "pause:set:99999",
    "pause:set:-7",
    "fol:on:no_such_commitment",
    "lang:set:xx",
    "me:delete:maybe",
    "invite:new:mafia",
    "staff:ask:not-a-number",
    "ask:weather:0",
    "tips:start",
    "alert:ok:zero",
    "rep:fly:0",
    "ms:ok",
    "my:cancel:-",
    "evc:1",
    "😀:1:2",
    "x" * 64,
]


@pytest.mark.parametrize("data", MALFORMED)
async def test_malformed_button_data_is_refused_kindly(harness: Harness, data: str) -> None:
    # As an admin, so no role gate answers first: the data itself must be refused.
    await harness.press(ADMIN_ID, data)
    said = " ".join(str(c.params.get("text", "")) for c in harness.tg.calls)
    assert STALE_SV in said, (data, said)
