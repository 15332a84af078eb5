"""The rendering layer: presenters turn domain data into text plus typed buttons.

A presenter takes a translator and plain data and returns a :class:`Screen`; handlers, jobs
and the CLI send it. Services return data and ids, never text or callback strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.render.callbacks import CallbackData


@dataclass(frozen=True)
class Button:
    label: str
    data: CallbackData


@dataclass(frozen=True)
class Screen:
    text: str
    rows: list[list[Button]] = field(default_factory=list)
