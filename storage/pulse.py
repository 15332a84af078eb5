"""The safety pulse's tables (migration 011): anonymous polls by area and quarter, the
official survey figures, and per resident only whether and when she is asked."""

from __future__ import annotations

import json
from datetime import date, datetime

from bot.domain.pulse import OfficialFigure
from bot.domain.records import to_db
from storage.db import Database


class PulseRepo:
    """One promise's polls and official figures; the residents' asking is shared."""

    def __init__(self, db: Database, promise_id: str) -> None:
        self._db = db
        self.promise_id = promise_id

    # --- polls: never with a chat --------------------------------------------------------------

    async def add_poll(self, poll_id: str, area: str, quarter: str) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO pulse_polls (poll_id, promise_id, area, quarter) "
            "VALUES (?, ?, ?, ?)",
            (poll_id, self.promise_id, area, quarter),
        )

    async def record(self, poll_id: str, counts: list[int]) -> bool:
        """Telegram's latest voter counts of a poll of ours (any promise's); False: not ours."""
        changed = await self._db.execute(
            "UPDATE pulse_polls SET counts = ? WHERE poll_id = ?", (json.dumps(counts), poll_id)
        )
        return changed > 0

    async def counts(self, answers: int) -> dict[tuple[str, str], list[int]]:
        """(area, quarter) → voters per answer, summed over its polls in SQLite (only polls
        with ``answers`` answers: one of ours)."""
        sums = ", ".join(f"SUM(json_extract(counts, '$[{i}]'))" for i in range(answers))
        rows = await self._db.fetchall(
            f"SELECT area, quarter, {sums} FROM pulse_polls WHERE promise_id = ? "
            "AND json_valid(counts) AND json_array_length(counts) = ? "
            "GROUP BY area, quarter ORDER BY quarter, area",
            (self.promise_id, answers),
        )
        return {(r[0], r[1]): [int(n or 0) for n in tuple(r)[2:]] for r in rows}

    # --- official figures -------------------------------------------------------------------

    async def add_official(self, figures: list[OfficialFigure], now: datetime) -> int:
        """Adds the figures (one of the same area, period and source is replaced)."""
        async with self._db.transaction() as conn:
            for f in figures:
                await conn.execute(
                    "INSERT INTO safety_figures (promise_id, area, period_start, period_end, "
                    "source, respondents, unsafe_share, imported_at) VALUES (?,?,?,?,?,?,?,?) "
                    "ON CONFLICT (promise_id, area, period_start, period_end, source) DO UPDATE "
                    "SET respondents = excluded.respondents, "
                    "unsafe_share = excluded.unsafe_share, imported_at = excluded.imported_at",
                    (
                        self.promise_id,
                        f.area,
                        f.period_start.isoformat(),
                        f.period_end.isoformat(),
                        f.source,
                        f.respondents,
                        f.unsafe_share,
                        to_db(now),
                    ),
                )
        return len(figures)

    async def official(self) -> list[OfficialFigure]:
        rows = await self._db.fetchall(
            "SELECT * FROM safety_figures WHERE promise_id = ? ORDER BY area, period_end, source",
            (self.promise_id,),
        )
        return [
            OfficialFigure(
                r["area"],
                date.fromisoformat(r["period_start"]),
                date.fromisoformat(r["period_end"]),
                r["source"],
                r["respondents"],
                float(r["unsafe_share"]),
            )
            for r in rows
        ]

    # --- who is asked (not what she answered) -----------------------------------------------

    async def opt_in(self, user_id: int) -> int | None:
        row = await self._db.fetchone(
            "SELECT pulse_opt_in FROM users WHERE user_id = ?", (user_id,)
        )
        return None if row is None else row["pulse_opt_in"]

    async def set_opt_in(self, user_id: int, value: int, locale: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO users (user_id, locale, created_at, pulse_opt_in) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET pulse_opt_in = excluded.pulse_opt_in",
            (user_id, locale, to_db(now), value),
        )

    async def sent_quarter(self, user_id: int) -> str | None:
        row = await self._db.fetchone("SELECT pulse_sent FROM users WHERE user_id = ?", (user_id,))
        return None if row is None else row["pulse_sent"]

    async def claim_quarter(
        self, user_id: int, quarter: str, locale: str, now: datetime
    ) -> str | bool | None:
        """Marks the question sent to ``user_id`` this quarter; False when it already was,
        else the quarter it was last sent before (to give back if the send fails)."""
        before = await self.sent_quarter(user_id)
        if before == quarter:
            return False
        changed = await self._db.execute(
            "INSERT INTO users (user_id, locale, created_at, pulse_sent) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET pulse_sent = excluded.pulse_sent "
            "WHERE users.pulse_sent IS NOT excluded.pulse_sent",
            (user_id, locale, to_db(now), quarter),
        )
        return before if changed else False

    async def give_back(self, user_id: int, before: str | None) -> None:
        await self._db.execute(
            "UPDATE users SET pulse_sent = ? WHERE user_id = ?", (before, user_id)
        )

    async def invite(self, user_id: int, quarter: str, locale: str, now: datetime) -> bool:
        """Marks ``user_id`` invited this quarter; False when she already was or was sent it."""
        changed = await self._db.execute(
            "INSERT INTO users (user_id, locale, created_at, pulse_invited) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET pulse_invited = excluded.pulse_invited "
            "WHERE users.pulse_invited IS NOT excluded.pulse_invited "
            "AND users.pulse_sent IS NOT excluded.pulse_invited",
            (user_id, locale, to_db(now), quarter),
        )
        return changed > 0

    async def quarterly_due(
        self, quarter: str, municipality: str, home: bool, limit: int = 500
    ) -> list[tuple[int, str | None]]:
        """Residents of ``municipality`` (``home``: and those whose kommun is not known) who
        opted in and were neither invited nor asked this quarter (staff are left out by the
        caller, who knows the roles)."""
        rows = await self._db.fetchall(
            "SELECT user_id, locale FROM users WHERE pulse_opt_in = 1 "
            "AND pulse_invited IS NOT ? AND pulse_sent IS NOT ? "
            "AND (municipality = ? OR (? AND municipality IS NULL)) ORDER BY user_id LIMIT ?",
            (quarter, quarter, municipality, int(home), limit),
        )
        return [(r[0], r[1]) for r in rows]

    # --- events whose residents are asked ---------------------------------------------------

    async def ended_events(
        self, commitments: tuple[str, ...], since: datetime, now: datetime
    ) -> list[int]:
        if not commitments:
            return []
        marks = ",".join("?" * len(commitments))
        rows = await self._db.fetchall(
            f"SELECT id FROM events WHERE promise_id = ? AND commitment IN ({marks}) "
            "AND status IN ('planned', 'happened') AND ends_at <= ? AND ends_at > ? "
            "AND pulse_sent_at IS NULL ORDER BY ends_at",
            (self.promise_id, *commitments, to_db(now), to_db(since)),
        )
        return [r[0] for r in rows]

    async def mark_event(self, event_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE events SET pulse_sent_at = ? WHERE id = ? AND pulse_sent_at IS NULL",
            (to_db(now), event_id),
        )
        return changed > 0
