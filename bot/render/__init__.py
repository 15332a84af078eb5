"""The rendering layer: presenters turn domain data into text plus typed buttons.

A presenter takes a translator and plain data and returns a :class:`Screen`; handlers, jobs
and the CLI send it. Services return data and ids, never text or callback strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.render.callbacks import CallbackData

# A button wider than this is cut on a phone by Telegram wherever it likes; cut here, with
# "…", the start of the label (the part that tells buttons apart) is what shows.
LABEL_MAX = 40


def fit_label(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


@dataclass(frozen=True)
class Button:
    label: str
    data: CallbackData

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", fit_label(self.label))


@dataclass(frozen=True)
class Screen:
    text: str
    rows: list[list[Button]] = field(default_factory=list)

    def wire_rows(self) -> list[list[tuple[str, str]]] | None:
        """The buttons as (label, encoded data) pairs, for the outbox; None when none."""
        if not self.rows:
            return None
        return [[(b.label, b.data.encode()) for b in row] for row in self.rows]
