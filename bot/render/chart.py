"""The progress chart: promised versus done per commitment.

As a PNG for Telegram, and as an SVG for the published page: the SVG keeps its text as text
and has a ``viewBox``, so it scales to any screen and stays sharp in a printed PDF.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Literal

# High-contrast colours that also work for the common kinds of colour blindness.
DONE_COLOUR = "#0b5394"
TARGET_COLOUR = "#c9d7e8"
TEXT_COLOUR = "#1a1a1a"


@dataclass(frozen=True)
class Bar:
    label: str
    done: int
    target: int


def render_chart(
    bars: list[Bar],
    title: str,
    done_label: str,
    target_label: str,
    fmt: Literal["png", "svg"] = "png",
) -> bytes:
    """A horizontal bar per commitment, scaled to its own target: the target as a full-width
    light bar, the share done as a dark one inside it (capped at the whole), and "done/target"
    after it. So a finished 1 of 1 is a full bar like a finished 6 of 6, and a half-done 1 of 2
    is half a bar. The name (with its period) is written above its bar so the bars get the full
    width of a phone screen.

    Built on a ``Figure`` of its own (no pyplot global state), so it is safe to render in a
    worker thread while the bot keeps answering others."""
    # Imported here: matplotlib costs ~40 MB and a second at start, and most processes
    # (the sender, the CLI, tests of other features) never draw.
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # 5 inches = 360 pt: shown at a phone's 360 px the 15 pt text is about 15 px tall.
    height = 1.1 + 0.75 * max(1, len(bars))
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "trygghetsbot"}):
        fig = Figure(figsize=(5.0, height), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        positions = [float(i) for i in range(len(bars))][::-1]
        ax.barh(positions, [1.0] * len(bars), color=TARGET_COLOUR, height=0.42, label=target_label)
        ax.barh(
            positions, [share(b) for b in bars], color=DONE_COLOUR, height=0.22, label=done_label
        )
        for pos, bar in zip(positions, bars, strict=True):
            ax.text(
                0, pos + 0.25, bar.label, va="bottom", ha="left", fontsize=15, color=TEXT_COLOUR
            )
            ax.text(
                1.02,
                pos,
                f"{bar.done}/{bar.target}",
                va="center",
                fontsize=15,
                color=TEXT_COLOUR,
            )
        ax.set_yticks([])
        ax.set_xlim(0, 1.3)
        ax.set_ylim(-0.5, len(bars) - 0.2)
        ax.xaxis.set_visible(False)
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.set_title(title, fontsize=14, color=TEXT_COLOUR, loc="left", wrap=True)
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.0), ncol=2, fontsize=14, frameon=False)
        fig.tight_layout()
        out = io.BytesIO()
        if fmt == "svg":
            fig.savefig(out, format="svg", metadata={"Date": None})
        else:
            fig.savefig(out, format="png")
    return out.getvalue()


def share(bar: Bar) -> float:
    """How much of its target a bar has done, 0 to 1 (more than the target is still 1)."""
    if bar.target <= 0:
        return 1.0 if bar.done else 0.0
    return min(bar.done / bar.target, 1.0)


_SVG_ROOT = re.compile(r"<svg\b[^>]*>", re.S)
_SIZE = re.compile(r'\s(width|height)="[^"]*"')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


@dataclass(frozen=True)
class InlineSvg:
    """The chart ready to sit inside an HTML page, in two parts: the page's template puts
    the chart's name (a ``title`` element with ``element_id``, escaped there) between them."""

    start: str  # the root element's start tag, announced as one image named by its title
    rest: str  # the drawing and the end tag
    element_id: str


def inline_svg(svg: bytes, element_id: str) -> InlineSvg:
    """No XML prolog, no metadata, no fixed size (CSS sizes it from its ``viewBox``)."""
    text = svg.decode("utf-8")
    text = _METADATA.sub("", text[text.index("<svg") :], count=1)
    root = _SVG_ROOT.search(text)
    if root is None or "viewBox" not in root.group(0):
        raise ValueError("not an SVG with a viewBox")
    tag = _SIZE.sub("", root.group(0))
    tag = tag.replace(
        "<svg",
        f'<svg role="img" aria-labelledby="{element_id}" focusable="false"',
        1,
    )
    return InlineSvg(tag, text[root.end() :], element_id)
