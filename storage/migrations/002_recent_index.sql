-- 002: "recent activities" (progress, follow-up) reads the newest counted activities across
-- all commitments; without this index SQLite sorts the whole table for every /progress.
CREATE INDEX activities_recent ON activities (date DESC, id DESC) WHERE retracted_at IS NULL;
