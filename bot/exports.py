"""Exports that are safe to open: CSV cells a spreadsheet will not run, Markdown that shows
staff text as text.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel and LibreOffice (CSV injection); it gets a leading apostrophe, which spreadsheets show
as a plain-text marker, and the activity import takes it off again. Markdown escapes its
markup characters and HTML, so a place like ``<img src=x onerror=…>`` or ``**Bro**`` is
printed as typed.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterable
from typing import IO, Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Inline markup anywhere (emphasis, code, links, table cells, strikethrough); block markup
# (headings, lists, quotes) only where a line starts.
_INLINE = re.compile(r"([\\`*_\[\]|~])")
_BLOCK_START = re.compile(r"^(\s*)([#+\-])|^(\s*\d+)([.)])")


def neutralise_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will show it, never run it. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    """Undo :func:`neutralise_cell` when a file we exported is imported again."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through :func:`neutralise_cell`."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise_cell(cell) for cell in row])


def md_escape(text: str) -> str:
    """Staff or file text for a Markdown document: HTML escaped, markup characters escaped,
    line breaks kept as spaces so a table row or list item stays one line."""
    flat = " ".join(text.split())
    escaped = _INLINE.sub(r"\\\1", html.escape(flat, quote=False))
    return _BLOCK_START.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}",
        escaped,
    )
