"""/delete_me leaves no row that names the chat, in any table of the schema."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.conftest import Harness

RESIDENT = 555_000_111
OTHER = 555_000_222
NOW = "2024-03-12T10:00:00+01:00"


async def _footprint(harness: Harness, chat_id: int) -> None:
    db = harness.services.db
    event_id = await db.insert(
        "INSERT INTO events (commitment, title, starts_at, ends_at, visibility, created_at, "
        "updated_at) VALUES ('theme_meeting', 'Tematräff', ?, ?, 'public', ?, ?)",
        ("2024-03-20T18:00:00+01:00", "2024-03-20T20:00:00+01:00", NOW, NOW),
    )
    for sql, params in (
        ("INSERT INTO users (user_id, locale, created_at) VALUES (?, 'en', ?)", (chat_id, NOW)),
        (
            "INSERT INTO subscriptions (chat_id, locale, cadence, weekday, slot, anchor, "
            "created_at) VALUES (?, 'sv', 'weekly', 1, 'morning', ?, ?)",
            (chat_id, NOW, NOW),
        ),
        (
            "INSERT INTO event_reminders (event_id, chat_id, created_at) VALUES (?, ?, ?)",
            (event_id, chat_id, NOW),
        ),
        (
            "INSERT INTO follows (chat_id, commitment, created_at) VALUES (?, 'theme_meeting', ?)",
            (chat_id, NOW),
        ),
        (
            "INSERT INTO deliveries (chat_id, kind, batch, payload, not_before, status, "
            "created_at, sent_at) VALUES (?, 'alert', 'alert:1', ?, ?, 'sent', ?, ?)",
            (chat_id, json.dumps({"text": "Varning: falska bankmän ringer"}), NOW, NOW, NOW),
        ),
        (
            "INSERT INTO deliveries (chat_id, kind, payload, not_before, created_at) "
            "VALUES (?, 'tip', '{}', ?, ?)",
            (chat_id, NOW, NOW),
        ),
        (
            "INSERT INTO audit_log (at, actor_id, action, target, detail) "
            "VALUES (?, NULL, 'staff.revoke', ?, ?)",
            (NOW, f"user:{chat_id}", json.dumps({"chat": chat_id})),
        ),
    ):
        await db.execute(sql, params)


def _naming(rows: list[Any], chat_id: int) -> list[tuple[str, Any]]:
    token = re.compile(rf"(?<!\d){chat_id}(?!\d)")
    return [
        (table, tuple(row))
        for table, row in rows
        if any(
            value == chat_id or (isinstance(value, str) and token.search(value)) for value in row
        )
    ]


async def test_delete_me_leaves_no_row_naming_the_chat(harness: Harness) -> None:
    await _footprint(harness, RESIDENT)
    await _footprint(harness, OTHER)
    await harness.say(RESIDENT, "/start", lang="en")
    await harness.press(RESIDENT, "tips:nonsense", lang="en")  # may add audit rows too
    await harness.press(RESIDENT, "admin:staff:1", lang="en")  # refused: audited with the id
    await harness.press(RESIDENT, "me:delete:yes", lang="en")
    assert "deleted" in harness.tg.last(RESIDENT).text

    db = harness.services.db
    tables = [
        r["name"]
        for r in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    assert {"users", "deliveries", "audit_log", "subscriptions"} <= set(tables)
    rows = [(t, r) for t in tables for r in await db.fetchall(f'SELECT * FROM "{t}"')]
    assert _naming(rows, RESIDENT) == []
    # Everyone else's rows are untouched.
    assert {t for t, _ in _naming(rows, OTHER)} >= {
        "users", "subscriptions", "event_reminders", "follows", "deliveries", "audit_log",
    }  # fmt: skip
