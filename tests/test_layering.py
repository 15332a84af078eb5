"""The layers keep one import direction, and buttons are made in one place.

The import rules are a contract in ``pyproject.toml`` (``[tool.importlinter]``), checked by
import-linter (``lint-imports``, also run by ``make check``): the layers from the command line
down to the domain with render and storage apart, no import cycle between siblings at any depth,
nothing below the handlers importing Telegram, storage knowing only the domain's records, and
handlers reaching repositories only through services. This file runs that contract and adds
what an import graph cannot see:

- handlers never reach a repository through the storage container (``context.services.events``);
- no callback-data literal anywhere in ``bot``, ``handlers`` or ``storage`` outside the codecs
  (``bot/render/callbacks.py``); docstrings may name the shapes.
"""

from __future__ import annotations

import ast
import enum
import subprocess
import sys
from pathlib import Path

import pytest

from bot.render.callbacks import CallbackData

ROOT = Path(__file__).resolve().parent.parent


def _module_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_the_import_contract_is_kept() -> None:
    """Every contract in pyproject.toml kept, read from the source (no cache)."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout and "kept" in done.stdout


def test_the_contract_names_every_layer() -> None:
    """``ls bot`` shows the layers the contract orders; a new subpackage is placed in it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    named = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    packages = {f"bot.{p.name}" for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    assert packages <= named, packages - named


def _action_values(kind: type[CallbackData]) -> set[str]:
    """The values of a codec's first field, when it is an enum (e.g. EventAction)."""
    field_types = kind._types()
    if not field_types:
        return set()
    first = field_types[0][1]
    if isinstance(first, type) and issubclass(first, enum.Enum):
        return {str(m.value) for m in first}
    return set()


def callback_literals(source: str, where: str) -> list[str]:
    """String literals (or an f-string's leading text) shaped like ``<prefix>:<action>…``
    for a registered codec (any ``<prefix>:…`` when its first field is not a choice):
    callback data built by hand."""
    registry = CallbackData._registry
    found = []
    tree = ast.parse(source)
    docstrings = {
        id(body[0].value)
        for holder in ast.walk(tree)
        if (body := getattr(holder, "body", None))
        and isinstance(body, list)
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                text = head.value
        if not text or ":" not in text:
            continue
        prefix, _, rest = text.partition(":")
        kind = registry.get(prefix)
        if kind is None:
            continue
        actions = _action_values(kind)
        if not actions or rest.split(":", 1)[0] in actions:
            found.append(f"{where}:{node.lineno} {text!r}")
    return found


def _callback_literals_in(path: Path) -> list[str]:
    return callback_literals(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))


def test_services_build_no_callback_data() -> None:
    assert [hit for p in _module_files("bot/services") for hit in _callback_literals_in(p)] == []


def test_no_callback_string_outside_its_codec() -> None:
    files = [
        path
        for package in ("bot", "handlers", "storage")
        for path in _module_files(package)
        if path != ROOT / "bot" / "render" / "callbacks.py"
    ]
    assert [hit for p in files for hit in _callback_literals_in(p)] == []


REPOSITORIES = {"users", "staff", "invites", "audit", "activities", "milestones", "events",
                "deliveries", "db"}  # fmt: skip


def test_handlers_reach_storage_only_through_services() -> None:
    """``context.services.events.upcoming(...)`` in a handler is a query without a service."""
    hits = [
        f"{path.relative_to(ROOT)}:{node.lineno} services.{node.attr}"
        for path in _module_files("handlers")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr in REPOSITORIES
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "services"
    ]
    assert hits == []


@pytest.mark.parametrize(
    ("source", "hit"),
    [
        ('x = f"ev:rem:{event.id}"', True),
        ('x = "tips:stop"', True),
        ('x = "plan:new:" + c', True),
        ('x = f"alert:{alert.id}"', False),  # an audit target, not a button
        ('x = f"tips:{day}"', False),  # a batch key
        ('x = "evrem:1:2"', False),
        ('x = f"evc:{activity}:5"', True),  # a codec whose first field is not a choice
        ('def f():\n    """ev:rem:<id> from a button."""', False),  # a docstring
    ],
)
def test_the_callback_literal_scan(source: str, hit: bool) -> None:
    assert bool(callback_literals(source, "probe")) is hit
