-- 010: several promises in one deployment (bot.domain.promise_set). Every activity, event,
-- milestone, follow and suggestion belongs to one promise: `promise_id` is the promise
-- file's id. Rows from before this migration get '' here; at start-up the bot gives each of
-- them to the promise it belongs to (storage.promises.adopt_rows: the home kommun's
-- promise whose window holds the row's date, else the home kommun's current one), so
-- nothing is lost and nothing is counted twice.
ALTER TABLE activities ADD COLUMN promise_id TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN promise_id TEXT NOT NULL DEFAULT '';
ALTER TABLE suggestions ADD COLUMN promise_id TEXT NOT NULL DEFAULT '';
-- Every read of activities names its promise: the indexes of 001 and 002 lead with it now.
DROP INDEX activities_counted;
CREATE INDEX activities_by_promise ON activities (promise_id, commitment, date)
    WHERE retracted_at IS NULL;
DROP INDEX activities_recent;
CREATE INDEX activities_recent ON activities (promise_id, date DESC, id DESC)
    WHERE retracted_at IS NULL;
CREATE INDEX events_by_promise ON events (promise_id, starts_at);
-- The pace engine reads one promise's answered reports through this (see 008), not through
-- activities_by_promise, which would visit every report.
DROP INDEX activities_answered;
CREATE INDEX activities_answered ON activities (promise_id, commitment, date)
    WHERE retracted_at IS NULL AND conditions <> '{}';

-- A milestone and a follow are one per promise and commitment: the same commitment id can
-- continue in the next promise.
CREATE TABLE milestones_new (
    promise_id   TEXT NOT NULL DEFAULT '',
    commitment   TEXT NOT NULL,
    reached_on   TEXT NOT NULL,
    confirmed_by INTEGER NOT NULL,
    confirmed_at TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (promise_id, commitment)
);
INSERT INTO milestones_new (commitment, reached_on, confirmed_by, confirmed_at, note)
    SELECT commitment, reached_on, confirmed_by, confirmed_at, note FROM milestones;
DROP TABLE milestones;
ALTER TABLE milestones_new RENAME TO milestones;

CREATE TABLE follows_new (
    chat_id    INTEGER NOT NULL,
    promise_id TEXT NOT NULL DEFAULT '',
    commitment TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, promise_id, commitment)
);
INSERT INTO follows_new (chat_id, commitment, created_at)
    SELECT chat_id, commitment, created_at FROM follows;
DROP TABLE follows;
ALTER TABLE follows_new RENAME TO follows;

-- Kommun beside kommun: a resident's chosen kommun (NULL: not asked yet, the home kommun's
-- promise is shown); a staff member's kommun (NULL: the whole police area, every kommun's
-- promise), and the kommun an invitation gives.
ALTER TABLE users ADD COLUMN municipality TEXT;
ALTER TABLE staff ADD COLUMN municipality TEXT;
ALTER TABLE invites ADD COLUMN municipality TEXT;
