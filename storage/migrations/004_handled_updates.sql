-- 004: updates a stopping bot had handled above the offset it could confirm to Telegram (other
-- chats ran ahead of one left unhandled). Telegram delivers them again after the restart and
-- the bot skips them instead of answering twice; each row goes once its id is confirmed.
CREATE TABLE handled_updates (
    update_id   INTEGER PRIMARY KEY
);
