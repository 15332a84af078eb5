"""One table from intent to action: every intent has exactly one answer in the service's table
(``bot.services.answers.ANSWERS``), the chat acts itself on a few from one table of its own
(``handlers.questions.CHAT_ACTIONS``), every button that asks something carries an intent,
and no other handler code branches on an intent."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

from bot.language.questions import Intent
from bot.render.callbacks import AskTopic, Meant
from bot.services.answers import ANSWERS, PAST_CRIME
from handlers.questions import ASKED, CHAT_ACTIONS
from tests.conftest import Harness

ROOT = Path(__file__).parent.parent
HANDLERS = ROOT / "handlers"
SERVICES = ROOT / "bot" / "services"
RESIDENT = 8401


def _table_keys(path: Path, table: str) -> Counter[str]:
    """The keys of a module-level dict literal, as written (a repeated key would silently
    replace the first at run time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == table:
            literal = next(n for n in ast.walk(node) if isinstance(n, ast.Dict))
            return Counter(ast.unparse(k) for k in literal.keys if k is not None)
    raise AssertionError(f"no table {table} in {path}")


def test_every_intent_has_exactly_one_answer() -> None:
    assert set(ANSWERS) == set(Intent), "an intent without an answer, or one that is not one"
    written = _table_keys(SERVICES / "answers.py", "ANSWERS")
    assert written == Counter(f"Intent.{i.name}" for i in Intent)
    chat = _table_keys(HANDLERS / "questions.py", "CHAT_ACTIONS")
    assert all(n == 1 for n in chat.values())


def test_the_chat_acts_itself_only_on_intents_the_service_also_answers() -> None:
    # In the chat each intent has one action: the chat's own where it has one, else the
    # service's answer. The command line (``answer``) shows the service's answer for all.
    assert set(CHAT_ACTIONS) <= set(Intent)
    assert set(CHAT_ACTIONS) <= set(ANSWERS)
    in_chat = {i: "chat" if i in CHAT_ACTIONS else "service" for i in Intent}
    assert {i for i, where in in_chat.items() if where == "chat"} == set(CHAT_ACTIONS)


def test_every_button_that_asks_names_an_intent() -> None:
    assert set(ASKED) == set(AskTopic)
    assert set(ASKED.values()) <= set(Intent)
    # A "Did you mean …?" offer is an intent, or a crime that has happened (contact the police).
    assert {m.value for m in Meant} <= {i.value for i in Intent} | {PAST_CRIME}


def _intent_uses(path: Path) -> list[tuple[int, str]]:
    """Where ``Intent.X`` appears outside the module-level tables of ``handlers.questions``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tables: set[int] = set()
    if path.name == "questions.py":
        for node in tree.body:
            targets = [node.target] if isinstance(node, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and t.id in ("CHAT_ACTIONS", "ASKED") for t in targets):
                tables |= {id(n) for n in ast.walk(node)}
    return [
        (node.lineno, ast.unparse(node))
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("Intent", "Meant")
        and id(node) not in tables
    ] + [
        (node.lineno, "Match(…)")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "Match"
    ]


def test_no_handler_branches_on_an_intent_outside_the_table() -> None:
    found = {p.name: uses for p in sorted(HANDLERS.glob("*.py")) if (uses := _intent_uses(p))}
    assert found == {}


@pytest.mark.parametrize("meant", list(Meant))
async def test_every_offer_is_answered_when_tapped(harness: Harness, meant: Meant) -> None:
    await harness.press(RESIDENT, f"mean:{meant.value}:en:0", lang="en")
    sent = harness.tg.sent(RESIDENT)
    assert sent, meant
    assert all("went wrong" not in str(c.params.get("text", "")) for c in sent)


@pytest.mark.parametrize("topic", list(AskTopic))
async def test_every_menu_button_is_answered(harness: Harness, topic: AskTopic) -> None:
    await harness.press(RESIDENT, f"ask:{topic.value}:0", lang="en")
    assert harness.tg.sent(RESIDENT), topic
