"""A sentence a user reads is written in a presenter (``bot/render``), never in a handler.

Handlers parse the update, call a service, ask a presenter for the text and its buttons and
send them; so no module in ``handlers/`` calls a gettext function, holds a reference to one
(``_ = tr.gettext``) or marks a message for later translation (``N_``). A short AST scan of
the source (no imports run), and the catalogue's own extraction as a second net: no message
in the template is located in ``handlers/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import catalog
from bot.render.menu import COMMAND_DESCRIPTIONS
from handlers.menus import ALL_COMMANDS

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = sorted((ROOT / "handlers").rglob("*.py"))

# The translation functions and markers, by the name they are called or imported under.
GETTEXT = frozenset(
    {"_", "N_", "gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext", "ugettext"}
)


def gettext_uses(source: str) -> list[tuple[int, str]]:
    """(line, name) of every call to, reference to or import of a gettext function."""
    found: set[tuple[int, str]] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in GETTEXT:
                found.add((node.lineno, node.func.id))
        elif isinstance(node, ast.Attribute) and node.attr in GETTEXT:
            # tr.gettext(...), actor.tr.ngettext(...), and `_ = tr.gettext` alike.
            found.add((node.lineno, "." + node.attr))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in GETTEXT or (alias.asname or "") in GETTEXT:
                    found.add((node.lineno, f"import {alias.name}"))
    return sorted(found)


@pytest.mark.parametrize(
    "source",
    [
        '_("Hello")',
        'tr.gettext("Hello")',
        'context.actor.tr.ngettext("{n} day", "{n} days", n)',
        "_ = actor.tr.gettext",
        'LABEL = N_("Once a week")',
        "from bot.i18n import N_",
        "from gettext import gettext as _",
        'pgettext("menu", "Help")',
    ],
)
def test_the_scan_finds_every_way_of_translating(source: str) -> None:
    assert gettext_uses(source)


@pytest.mark.parametrize(
    "source",
    [
        "match x:\n    case _:\n        pass",  # the wildcard pattern is no call
        "for _ in range(3):\n    pass",
        "text = render.stale_button(tr)",
        "error.render(tr)",
    ],
)
def test_the_scan_leaves_other_code_alone(source: str) -> None:
    assert gettext_uses(source) == []


def test_no_handler_translates_a_message() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in HANDLERS
        for line, name in gettext_uses(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "user-facing text belongs in a presenter (bot/render):\n" + "\n".join(found)


def test_no_catalogue_message_is_written_in_a_handler() -> None:
    in_handlers = sorted(
        f"{filename}: {catalog._singular(message.id)!r}"
        for message in catalog.extract()
        if message.id
        for filename, _line in message.locations
        if filename.startswith("handlers/")
    )
    assert in_handlers == []


def test_every_command_in_the_menu_has_its_description() -> None:
    assert {c.en for c in ALL_COMMANDS} == set(COMMAND_DESCRIPTIONS)
