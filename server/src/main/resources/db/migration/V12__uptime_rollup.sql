-- The uptime roll-up (docs/uptime.md): each charger lifetime's port down stretches, kept as the history is
-- applied (uptime/UptimeRollup, one per cluster), so that a report reads the stretches of its range and the
-- state at the roll-up's cursor, then only the history after the cursor, not years of events.

-- A charger lifetime (events with seq > after_seq, up to its decommissioning) and its roll-up state.
CREATE TABLE uptime_lifetimes (
  charger_id  text   NOT NULL,
  after_seq   bigint NOT NULL,
  account_id  text   NOT NULL,
  state       jsonb  NOT NULL,
  PRIMARY KEY (charger_id, after_seq)
);
CREATE INDEX uptime_lifetimes_account ON uptime_lifetimes (account_id);

-- A stretch of down time of one port, in epoch seconds; end_s null while it lasts.
CREATE TABLE port_downs (
  charger_id    text   NOT NULL,
  after_seq     bigint NOT NULL,
  connector_id  int    NOT NULL,
  start_s       bigint NOT NULL,
  end_s         bigint,
  status        text   NOT NULL,
  fault_code    text,
  account_id    text   NOT NULL,
  PRIMARY KEY (charger_id, after_seq, connector_id, start_s)
);
CREATE INDEX port_downs_account ON port_downs (account_id, start_s);

-- The roll-up's cursor over the history and the instance holding it (as the incident evaluator's). Existing
-- history is rolled up from the start, in batches, after the upgrade.
CREATE TABLE uptime_rollup (
  id          int    PRIMARY KEY CHECK (id = 1),
  last_seq    bigint NOT NULL,
  owner       text,
  lease_until timestamptz
);
INSERT INTO uptime_rollup (id, last_seq) VALUES (1, 0);
