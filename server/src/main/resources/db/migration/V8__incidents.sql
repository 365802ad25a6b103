-- Incidents and notifications (docs/incidents.md). The history (status_events) stays the only source: the
-- incident evaluator reads it after its cursor and writes incidents, their events and its own state in the
-- transaction that advances the cursor; each webhook subscription is a pair of cursors, one over the history
-- (status.changed) and one over incident_events (incident.*). Nothing is copied into a per-subscriber queue.

-- An account's alerting rules; null = the defaults of the contract.
ALTER TABLE accounts ADD COLUMN alerting jsonb;

CREATE TABLE maintenance_windows (
  id          text        PRIMARY KEY,
  account_id  text        NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  site_id     text,
  charger_id  text,
  from_ts     timestamptz NOT NULL,
  to_ts       timestamptz NOT NULL,
  note        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (to_ts > from_ts)
);
CREATE INDEX maintenance_windows_account ON maintenance_windows (account_id, to_ts);

-- The id is derived from the history (charger, kind, connector and the seq of the event that began the bad
-- state), so an evaluation replayed after a crash writes the same incident, never a second one.
CREATE TABLE incidents (
  id               text        PRIMARY KEY,
  account_id       text        NOT NULL,
  site_id          text,
  charger_id       text,
  connector_id     int,
  kind             text        NOT NULL,
  state            text        NOT NULL,
  started_at       timestamptz NOT NULL,
  opened_at        timestamptz NOT NULL,
  back_at          timestamptz,
  resolved_at      timestamptz,
  status           text,
  fault_code       text,
  chargers         jsonb,
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  note             text,
  reminded_at      timestamptz,
  reminders        int         NOT NULL DEFAULT 0
);
CREATE INDEX incidents_account ON incidents (account_id, opened_at DESC);
CREATE INDEX incidents_charger ON incidents (charger_id, opened_at DESC);
CREATE INDEX incidents_open ON incidents (opened_at) WHERE state = 'open';

-- What happened to incidents, in the order the (single) evaluator committed it: the outbox of incident.*
-- messages. Written only under the evaluator's row lock, so ids become visible in increasing order.
CREATE TABLE incident_events (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id  text        NOT NULL,
  type        text        NOT NULL,
  incident_id text        NOT NULL,
  payload     jsonb       NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX incident_events_account ON incident_events (account_id, id);

-- The one evaluator of the cluster: the instance named owner while lease_until is ahead; last_seq is the
-- last history event it has applied. New installations start at the present (no incidents for the past).
CREATE TABLE incident_evaluator (
  id          int         PRIMARY KEY CHECK (id = 1),
  last_seq    bigint      NOT NULL,
  owner       text,
  lease_until timestamptz
);
INSERT INTO incident_evaluator (id, last_seq) SELECT 1, last_seq FROM event_counter;

-- The evaluator's state (per charger, and per open site incident), written with the cursor.
CREATE TABLE incident_watch (
  kind   text  NOT NULL,
  id     text  NOT NULL,
  state  jsonb NOT NULL,
  PRIMARY KEY (kind, id)
);

-- A subscription (webhook or mailto:). The secret is kept as given: it is the HMAC key, needed to sign.
CREATE TABLE webhooks (
  id            text        PRIMARY KEY,
  account_id    text        NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  url           text        NOT NULL,
  events        text[]      NOT NULL,
  secret        text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  status_seq    bigint      NOT NULL,
  incident_seq  bigint      NOT NULL,
  lease_owner   text,
  lease_until   timestamptz
);
CREATE INDEX webhooks_account ON webhooks (account_id);

-- Every attempt, newest kept (pruned to the last WEBHOOK_LOG_KEEP per subscription).
CREATE TABLE webhook_deliveries (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  webhook_id   text        NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  message_id   text        NOT NULL,
  type         text        NOT NULL,
  attempt      int         NOT NULL,
  attempted_at timestamptz NOT NULL,
  http_status  int,
  error        text,
  outcome      text        NOT NULL,
  next_at      timestamptz,
  latency_ms   int
);
CREATE INDEX webhook_deliveries_of ON webhook_deliveries (webhook_id, id DESC);
