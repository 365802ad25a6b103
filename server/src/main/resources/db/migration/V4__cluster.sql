-- Several instances, one service (a cluster): one event sequence written by several status engines, and
-- an owner for every charger's session state.

-- The event sequence: one counter row, advanced at the end of each status-engine batch in the batch's own
-- transaction. Its row lock serialises the batches of every instance, so seq values are gapless and
-- become visible in commit order: a reader that saw seq N can never later find a smaller one appear.
-- (A database sequence gives neither: its values have gaps and concurrent transactions commit them out of
-- order.)
CREATE TABLE event_counter (
  id        int PRIMARY KEY CHECK (id = 1),
  last_seq  bigint NOT NULL
);
INSERT INTO event_counter (id, last_seq) SELECT 1, COALESCE(max(seq), 0) FROM status_events;
ALTER TABLE status_events ALTER COLUMN seq DROP IDENTITY;

-- The instance (Vert.x node id) whose status engine holds a charger's session state, and a fence: every
-- claim increments session_epoch, and an engine's batch updates a charger only at the epoch it claimed.
ALTER TABLE chargers ADD COLUMN session_owner text, ADD COLUMN session_epoch bigint NOT NULL DEFAULT 0;
CREATE INDEX chargers_online_owner ON chargers (session_owner) WHERE online;

-- Fails the statement (and so the batch) when fewer chargers were updated than the batch holds: one of
-- them was claimed by another instance since this engine claimed it.
CREATE FUNCTION charger_status_fence(updated bigint, expected int) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  IF updated <> expected THEN
    RAISE EXCEPTION 'fenced: % of % chargers of this batch are held by another instance', expected - updated, expected
      USING ERRCODE = 'CS001';
  END IF;
  RETURN updated;
END $$;
