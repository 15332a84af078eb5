-- 005: interactive replies that could not be sent at once wait in the outbox too. A reply
-- goes ahead of every bulk send (``priority``: 0 an answer carrying 112, 1 another reply,
-- 2 the bulk outbox) and is retried until it is sent or its ``deadline`` passes (NULL: the
-- outbox's own attempt limit).
ALTER TABLE deliveries ADD COLUMN priority INTEGER NOT NULL DEFAULT 2;
ALTER TABLE deliveries ADD COLUMN deadline TEXT;
CREATE INDEX deliveries_priority_queue ON deliveries (status, priority, not_before);
