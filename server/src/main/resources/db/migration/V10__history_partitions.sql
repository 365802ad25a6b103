-- The history partitioned by month of received_at (the service's clock, which follows seq), so that old
-- history is dropped a whole month at a time (HISTORY_RETENTION_DAYS, never row by row) and each month's
-- indexes stay the size of a month. Partitions are named status_events_pYYYYMM (UTC months); the service
-- makes them ahead of time (engine/HistoryMaintenance); status_events_default catches any row outside
-- them (a clock far off) so that a write is never refused, and the service moves such rows into a month
-- of their own at its next maintenance.
--
-- seq stays the order of the history; the primary key includes received_at because a partitioned table's
-- unique keys must include the partition key (seq alone is unique anyway: one writer takes it from
-- event_counter).

ALTER TABLE status_events RENAME TO status_events_v9;
ALTER INDEX status_events_pkey RENAME TO status_events_v9_pkey;
ALTER INDEX status_events_charger RENAME TO status_events_v9_charger;
ALTER INDEX status_events_account RENAME TO status_events_v9_account;

CREATE TABLE status_events (
  seq               bigint      NOT NULL,
  charger_id        text        NOT NULL,
  account_id        text        NOT NULL,
  site_id           text,
  status            text        NOT NULL,
  previous_status   text,
  fault_code        text,
  connector_id      int,
  connector_status  text,
  ocpp_status       text,
  error_code        text,
  vendor_error_code text,
  info              text,
  ts                timestamptz NOT NULL,
  received_at       timestamptz NOT NULL,
  applied           boolean     NOT NULL DEFAULT true,
  PRIMARY KEY (seq, received_at)
) PARTITION BY RANGE (received_at);
CREATE INDEX status_events_charger ON status_events (charger_id, seq DESC);
CREATE INDEX status_events_account ON status_events (account_id, seq) WHERE applied;
CREATE TABLE status_events_default PARTITION OF status_events DEFAULT;

-- One partition per month from the oldest history kept to three months ahead.
DO $$
DECLARE
  m date := date_trunc('month', coalesce((SELECT min(received_at) FROM status_events_v9), now()) AT TIME ZONE 'UTC')::date;
  last date := (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months')::date;
BEGIN
  WHILE m <= last LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF status_events FOR VALUES FROM (%L) TO (%L)',
      'status_events_p' || to_char(m, 'YYYYMM'),
      m::timestamp AT TIME ZONE 'UTC',
      (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    m := (m + interval '1 month')::date;
  END LOOP;
END $$;

INSERT INTO status_events SELECT * FROM status_events_v9;
DROP TABLE status_events_v9;
