-- 009: residents' suggestions and unsafe places ("Ni sa – vi gjorde"). A suggestion is kept
-- without any chat id: `text` is what the resident wrote after the personal-data check
-- (personnummer, phone numbers and e-mail addresses removed), read only by coordinators and
-- never published. `grp` is the group it was sorted into by the language machinery
-- ("theme.<theme>" or "area.<area>"), `event_id` the planned event whose poster link it came
-- in through, if any.
CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('theme', 'wish', 'unsafe_place')),
    grp TEXT NOT NULL,
    theme TEXT,
    area TEXT,
    place TEXT,
    time_of_day TEXT,
    reasons TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    locale TEXT NOT NULL,
    event_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX suggestions_by_group ON suggestions (grp, created_at);
-- What staff decided about a group: new, planned (linked to an event), done, or declined
-- ("not now") with a reason code the residents' languages have a sentence for.
CREATE TABLE suggestion_groups (
    grp TEXT PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'planned', 'done', 'declined')),
    reason TEXT NOT NULL DEFAULT '',
    event_id INTEGER,
    updated_at TEXT NOT NULL,
    updated_by INTEGER
);
-- Only when the resident asked to be told what happens: her chat id and language, until she
-- has been told plus 30 days (`keep_until`), or /delete_me.
CREATE TABLE suggestion_followers (
    suggestion_id INTEGER PRIMARY KEY REFERENCES suggestions (id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL,
    locale TEXT NOT NULL,
    told_at TEXT,
    keep_until TEXT
);
CREATE INDEX suggestion_followers_by_chat ON suggestion_followers (chat_id);
