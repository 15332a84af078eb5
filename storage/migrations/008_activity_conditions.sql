-- 008: per report, how it stands against its commitment's conditions (the promise text's
-- own: who took part, where, planned in advance, for whom; see bot.domain.conditions).
-- A JSON object of condition id → "met" | "not_met"; a condition not in it is unknown.
-- Reports saved before this migration never recorded it: they get '{}', all unknown, never
-- "met". A report with a condition "not_met" is kept and shown, but does not count.
ALTER TABLE activities ADD COLUMN conditions TEXT NOT NULL DEFAULT '{}';
-- Only the reports that answered any condition (few, next to all the others): the pace
-- engine reads their answers through this; the rest it counts from activities_counted alone.
CREATE INDEX activities_answered ON activities (commitment, date)
    WHERE retracted_at IS NULL AND conditions <> '{}';
