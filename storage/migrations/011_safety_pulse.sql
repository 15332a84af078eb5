-- 011: the safety pulse (bot.domain.pulse) and the official survey figures beside it.
--
-- The question is a native anonymous Telegram poll, one per resident asked: Telegram tells
-- the bot only how many chose each answer. A poll is kept with its promise, area (chosen by
-- a tap) and quarter, never with a chat: no table says who answered what.
CREATE TABLE pulse_polls (
    poll_id    TEXT PRIMARY KEY,
    promise_id TEXT NOT NULL,
    area       TEXT NOT NULL,
    quarter    TEXT NOT NULL,            -- '2025Q1', local time
    counts     TEXT NOT NULL DEFAULT '[]' -- voters per answer, in the answers' order
);
CREATE INDEX pulse_by_area ON pulse_polls (promise_id, area, quarter);

-- Published survey figures (`trygghetsbot import-safety`), kept apart from the pulse.
CREATE TABLE safety_figures (
    id           INTEGER PRIMARY KEY,
    promise_id   TEXT NOT NULL,
    area         TEXT NOT NULL,            -- an area id of the promise, or '' for the whole kommun
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    source       TEXT NOT NULL,
    respondents  INTEGER NOT NULL CHECK (respondents > 0),
    unsafe_share REAL NOT NULL CHECK (unsafe_share BETWEEN 0 AND 1),
    imported_at  TEXT NOT NULL,
    UNIQUE (promise_id, area, period_start, period_end, source)
);

-- Per resident, only whether she is asked: NULL never asked to opt in, -1 asked (no answer
-- yet), 1 yes (once a quarter), 0 no (never again); and the last quarter she was invited
-- and sent the question (never more than once a quarter). /delete_me removes the row.
ALTER TABLE users ADD COLUMN pulse_opt_in INTEGER;
ALTER TABLE users ADD COLUMN pulse_invited TEXT;
ALTER TABLE users ADD COLUMN pulse_sent TEXT;

-- An event whose residents were asked after it ended.
ALTER TABLE events ADD COLUMN pulse_sent_at TEXT;
