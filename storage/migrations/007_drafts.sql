-- 007: report cards not saved yet. One row per card, so a second one-liner opens a second
-- card instead of changing the first; they survive a restart. `data` is the card as JSON
-- (the draft's fields, what the guided /report still asks, the text it was read from).
-- A card is kept at least 24 hours after it was last touched; its owner is told
-- (`warned_at`) before it is dropped. Nothing here counts for the promise: only a saved
-- activity does.
CREATE TABLE drafts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    touched_at TEXT NOT NULL,
    warned_at TEXT,
    -- Which card was touched last, also within one second: the open card is the highest.
    touch INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX drafts_by_user ON drafts (user_id, touch);
CREATE INDEX drafts_by_age ON drafts (touched_at);
