"""The progress chart: promised versus done per commitment, as a PNG readable on a phone."""

from __future__ import annotations

import io
from dataclasses import dataclass

# High-contrast colours that also work for the common kinds of colour blindness.
DONE_COLOUR = "#0b5394"
TARGET_COLOUR = "#c9d7e8"
TEXT_COLOUR = "#1a1a1a"


@dataclass(frozen=True)
class Bar:
    label: str
    done: int
    target: int


def render_chart(bars: list[Bar], title: str, done_label: str, target_label: str) -> bytes:
    """A horizontal bar per commitment: the target as a light bar, done as a dark one.

    Built on a ``Figure`` of its own (no pyplot global state), so it is safe to render in a
    worker thread while the bot keeps answering others."""
    # Imported here: matplotlib costs ~40 MB and a second at start, and most processes
    # (the sender, the CLI, tests of other features) never draw.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = 1.2 + 0.75 * max(1, len(bars))
    fig = Figure(figsize=(7.2, height), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    positions = list(range(len(bars)))[::-1]
    targets = [b.target for b in bars]
    done = [min(b.done, b.target) if b.target else b.done for b in bars]
    ax.barh(positions, targets, color=TARGET_COLOUR, height=0.6, label=target_label)
    ax.barh(positions, done, color=DONE_COLOUR, height=0.35, label=done_label)
    for pos, bar in zip(positions, bars, strict=True):
        ax.text(
            max(bar.target, bar.done) + 0.1, pos, f"{bar.done}/{bar.target}",
            va="center", fontsize=12, color=TEXT_COLOUR,
        )  # fmt: skip
    ax.set_yticks(positions, [b.label for b in bars], fontsize=12, color=TEXT_COLOUR)
    ax.set_xlim(0, max([b.target for b in bars] + [b.done for b in bars] + [1]) * 1.25)
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, fontsize=13, color=TEXT_COLOUR, loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, fontsize=11, frameon=False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
