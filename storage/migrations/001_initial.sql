-- 001: the whole first schema. Times are UTC ISO-8601 text ("2024-03-12T17:00:00+00:00"),
-- dates are local calendar dates ("2024-03-12"): both sort correctly as text.

-- Anyone who has chosen something: a language, a subscription, a reminder.
-- Residents are stored as chat id + language + their subscriptions, nothing more.
CREATE TABLE users (
    user_id     INTEGER PRIMARY KEY,
    locale      TEXT CHECK (locale IN ('sv', 'en')),
    created_at  TEXT NOT NULL
);

-- Staff joined through an invite. Admins come from TRYGGHETSBOT_ADMIN_IDS and may also be here.
CREATE TABLE staff (
    user_id      INTEGER PRIMARY KEY,
    org          TEXT NOT NULL CHECK (org IN ('police', 'municipality', 'other')),
    name         TEXT NOT NULL,
    joined_at    TEXT NOT NULL,
    invited_by   INTEGER,
    revoked_at   TEXT,
    revoked_by   INTEGER,
    reminders_paused_until TEXT
);

CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    code_hash   TEXT NOT NULL UNIQUE,
    org         TEXT NOT NULL CHECK (org IN ('police', 'municipality', 'other')),
    created_by  INTEGER,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     INTEGER,
    used_at     TEXT,
    revoked_at  TEXT
);

CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    commitment   TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    place        TEXT NOT NULL DEFAULT '',
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    visibility   TEXT NOT NULL CHECK (visibility IN ('public', 'after', 'count_only')),
    organiser_id INTEGER,
    status       TEXT NOT NULL DEFAULT 'planned'
                 CHECK (status IN ('planned', 'cancelled', 'happened', 'not_happened')),
    followup_sent_at TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (ends_at >= starts_at)
);
CREATE INDEX events_by_start ON events (starts_at);
CREATE INDEX events_by_commitment ON events (commitment, starts_at);

CREATE TABLE activities (
    id           INTEGER PRIMARY KEY,
    commitment   TEXT NOT NULL,
    date         TEXT NOT NULL,
    place        TEXT,
    count        INTEGER CHECK (count IS NULL OR count >= 0),
    description  TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT 'chat'
                 CHECK (source IN ('chat', 'import', 'event', 'tips', 'alert', 'milestone')),
    event_id     INTEGER REFERENCES events (id) ON DELETE SET NULL,
    reported_by  INTEGER,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    retracted_at TEXT
);
CREATE INDEX activities_counted ON activities (commitment, date) WHERE retracted_at IS NULL;
CREATE INDEX activities_by_reporter ON activities (reported_by, created_at);

-- A milestone commitment is reached once, confirmed by an admin.
CREATE TABLE milestones (
    commitment   TEXT PRIMARY KEY,
    reached_on   TEXT NOT NULL,
    confirmed_by INTEGER NOT NULL,
    confirmed_at TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT ''
);

-- "Remind me" on an event, per resident chat.
CREATE TABLE event_reminders (
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (event_id, chat_id)
);

CREATE TABLE subscriptions (
    chat_id     INTEGER PRIMARY KEY,
    locale      TEXT NOT NULL CHECK (locale IN ('sv', 'en')),
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
CREATE INDEX subscriptions_due ON subscriptions (active, next_at);

CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    text_sv     TEXT NOT NULL,
    text_en     TEXT NOT NULL,
    urgent      INTEGER NOT NULL DEFAULT 0,
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'pending', 'approved', 'rejected', 'sent')),
    approved_by INTEGER,
    approved_at TEXT
);

-- The outbox: every message the bot sends on its own initiative goes through here.
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    batch       TEXT,
    dedupe_key  TEXT UNIQUE,
    payload     TEXT NOT NULL,
    not_before  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'blocked', 'dropped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    sent_at     TEXT
);
CREATE INDEX deliveries_queue ON deliveries (status, not_before);
CREATE INDEX deliveries_batch ON deliveries (batch, status);

-- Residents following commitments for progress news.
CREATE TABLE follows (
    chat_id    INTEGER NOT NULL,
    commitment TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, commitment)
);

-- Anonymous counts of red flags found by "is this a scam?" (never the message itself).
CREATE TABLE scam_flag_counts (
    month    TEXT NOT NULL,
    category TEXT NOT NULL,
    count    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, category)
);

-- Scheduled work that must happen once per key (a weekly digest per ISO week, an escalation
-- per missed period): the row is the proof it was done.
CREATE TABLE job_runs (
    job      TEXT NOT NULL,
    run_key  TEXT NOT NULL,
    done_at  TEXT NOT NULL,
    PRIMARY KEY (job, run_key)
);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor_id INTEGER,
    action   TEXT NOT NULL,
    target   TEXT,
    detail   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_time ON audit_log (at);
