-- Who holds an outbox row's lease: a token drawn by the sender that leased
-- it. A sender records a message as sent only while its token is still
-- there, so a message whose lease expired and went to another sender is
-- never sent by both.
ALTER TABLE outbox ADD COLUMN lease BIGINT NOT NULL DEFAULT 0;
