-- 003: residents and seniors may choose Finnish, Arabic, Persian, Somali or Polish too.
-- SQLite cannot change a CHECK constraint in place, so the two tables with a locale column
-- are rebuilt with the same columns and their rows copied (nothing references them).

CREATE TABLE users_new (
    user_id     INTEGER PRIMARY KEY,
    locale      TEXT CHECK (locale IN ('sv', 'en', 'fi', 'ar', 'fa', 'so', 'pl')),
    created_at  TEXT NOT NULL
);
INSERT INTO users_new (user_id, locale, created_at) SELECT user_id, locale, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE subscriptions_new (
    chat_id     INTEGER PRIMARY KEY,
    locale      TEXT NOT NULL CHECK (locale IN ('sv', 'en', 'fi', 'ar', 'fa', 'so', 'pl')),
    cadence     TEXT NOT NULL CHECK (cadence IN ('weekly', 'biweekly', 'monthly')),
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    slot        TEXT NOT NULL CHECK (slot IN ('morning', 'midday', 'afternoon')),
    anchor      TEXT NOT NULL,
    cursor      INTEGER NOT NULL DEFAULT 0,
    next_at     TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    stopped_at  TEXT,
    stop_reason TEXT
);
INSERT INTO subscriptions_new (chat_id, locale, cadence, weekday, slot, anchor, cursor, next_at,
                               active, created_at, stopped_at, stop_reason)
    SELECT chat_id, locale, cadence, weekday, slot, anchor, cursor, next_at,
           active, created_at, stopped_at, stop_reason FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_new RENAME TO subscriptions;
CREATE INDEX subscriptions_due ON subscriptions (active, next_at);
