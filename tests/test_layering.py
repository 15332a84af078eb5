"""The layers keep one import direction (a short AST scan of the source, no imports run).

- the domain (every module directly under ``bot/`` and any new subpackage, except the
  composition root, the command line and the Telegram-facing helpers named in NOT_DOMAIN)
  imports neither Telegram nor storage, services, presenters or handlers;
- presenters (``bot/render``) import neither Telegram nor handlers: jobs and the CLI use them;
- services (``bot/services``) import neither Telegram nor handlers nor the callback codecs,
  and hold no callback-data literal: buttons are made by presenters;
- storage imports nothing from ``bot`` or ``handlers``;
- the command line (``bot/cli*.py``) imports neither handlers nor Telegram;
- handlers use services, not repositories (``storage.records`` data types are fine), and
  never reach a repository through the storage container (``context.services.events``);
- no callback-data literal anywhere in ``bot``, ``handlers`` or ``storage`` outside the codecs
  (``bot/render/callbacks.py``); docstrings may name the shapes.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.render.callbacks import CallbackData

ROOT = Path(__file__).resolve().parent.parent

# Modules under bot/ that are not domain: the composition root and what runs it, the command
# line, Telegram-facing helpers, and tooling.
NOT_DOMAIN = {
    "app",  # the composition root knows every layer
    "runner",  # `trygghetsbot run`
    "bot_api",  # the CLI's Telegram lookups (bot username, failure explanations)
    "update_guard",  # a PTB request wrapper
    "outage",  # a PTB request wrapper that logs outages once
    "webhook",  # the webhook server in front of PTB
    "doctor",  # operator checks
    "catalog",  # translation tooling
    "logging_setup",
    "__main__",
}
LAYER_PACKAGES = {"services", "render", "sandbox", "promises"}

TELEGRAM = ("telegram",)
STORAGE = ("storage", "aiosqlite", "sqlite3")
UPPER = ("bot.services", "bot.render", "bot.app", "handlers")


def _module_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def domain_files() -> list[Path]:
    found = []
    for path in _module_files("bot"):
        rel = path.relative_to(ROOT / "bot")
        top = rel.parts[0]
        if len(rel.parts) == 1:
            name = rel.stem
            if name in NOT_DOMAIN or name.startswith("cli") or name == "__init__":
                continue
        elif top in LAYER_PACKAGES:
            continue
        found.append(path)
    return found


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every imported module name (function-level imports included)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _matches(module: str, banned: tuple[str, ...]) -> bool:
    return any(module == b or module.startswith(b + ".") for b in banned)


def violations(files: list[Path], banned: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in imports(path)
        if _matches(module, banned)
    ]


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


def test_the_domain_imports_neither_telegram_nor_storage_nor_upper_layers() -> None:
    files = domain_files()
    assert any(p.name == "promise.py" for p in files) and len(files) > 10
    assert violations(files, TELEGRAM + STORAGE + UPPER) == []


def test_presenters_import_neither_telegram_nor_handlers() -> None:
    assert violations(_module_files("bot/render"), (*TELEGRAM, "handlers", "bot.app")) == []


def test_services_import_neither_telegram_nor_handlers_nor_codecs() -> None:
    banned = (*TELEGRAM, "handlers", "bot.app", "bot.render.callbacks")
    assert violations(_module_files("bot/services"), banned) == []


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


def test_storage_imports_no_upper_layer() -> None:
    assert violations(_module_files("storage"), ("bot", "handlers", "telegram")) == []


def test_the_command_line_imports_neither_handlers_nor_telegram() -> None:
    files = sorted((ROOT / "bot").glob("cli*.py"))
    assert len(files) >= 5
    assert violations(files, (*TELEGRAM, "handlers", "bot.app")) == []


def test_handlers_use_services_not_repositories() -> None:
    hits = [
        v
        for v in violations(_module_files("handlers"), STORAGE)
        if not v.endswith(("storage.records", "storage.deliveries"))
    ]
    assert hits == []


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
