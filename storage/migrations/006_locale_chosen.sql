-- 006: whether a user chose their language (/language) or the bot took it from their Telegram
-- app's setting when they first subscribed, asked for a reminder or followed a commitment.
-- /privacy tells which. NULL: a row from before this migration, when it was not recorded.
ALTER TABLE users ADD COLUMN locale_chosen INTEGER CHECK (locale_chosen IN (0, 1));
