-- Core schema: accounts, sites, chargers and their connectors, the status event log, id tags, transactions.

CREATE TABLE accounts (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Account-scoped API tokens; only a SHA-256 of the token is kept.
CREATE TABLE api_tokens (
  id          text PRIMARY KEY,
  account_id  text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  token_hash  text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sites (
  id               text PRIMARY KEY,
  account_id       text NOT NULL REFERENCES accounts(id),
  name             text,
  timezone         text NOT NULL,
  delayed_charging jsonb
);

CREATE TABLE chargers (
  id                text PRIMARY KEY,
  account_id        text NOT NULL REFERENCES accounts(id),
  site_id           text REFERENCES sites(id),
  name              text,
  secured           boolean NOT NULL DEFAULT true,
  password_hash     text,
  status            text NOT NULL DEFAULT 'Unknown',
  status_since      timestamptz NOT NULL DEFAULT now(),
  fault_code        text,
  online            boolean NOT NULL DEFAULT false,
  last_seen_at      timestamptz,
  booted_at         timestamptz,
  firmware_updating boolean NOT NULL DEFAULT false,
  vendor            text,
  model             text,
  firmware_version  text,
  ocpp_version      text,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chargers_account ON chargers (account_id, id);

-- Connector 0 (the whole charge point) is kept here too; the API lists 1..n.
CREATE TABLE connectors (
  charger_id        text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
  connector_id      int  NOT NULL,
  status            text NOT NULL,
  ocpp_status       text NOT NULL,
  error_code        text,
  vendor_error_code text,
  info              text,
  since             timestamptz NOT NULL,
  reported_at       timestamptz NOT NULL,
  transaction_id    int,
  PRIMARY KEY (charger_id, connector_id)
);

-- The history. seq is the SSE event id: strictly increasing in commit order because a single status
-- engine writes it. applied = false marks a StatusNotification that arrived late (older than the
-- connector's status): kept for the record, never streamed.
CREATE TABLE status_events (
  seq               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  charger_id        text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
  account_id        text NOT NULL,
  site_id           text,
  status            text NOT NULL,
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
  applied           boolean NOT NULL DEFAULT true
);
CREATE INDEX status_events_charger ON status_events (charger_id, seq DESC);
CREATE INDEX status_events_account ON status_events (account_id, seq) WHERE applied;

CREATE TABLE id_tags (
  id_tag       text PRIMARY KEY,
  account_id   text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  status       text NOT NULL DEFAULT 'Accepted',
  expiry_date  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX id_tags_account ON id_tags (account_id);

CREATE TABLE transactions (
  id            int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  charger_id    text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
  connector_id  int  NOT NULL,
  id_tag        text NOT NULL,
  meter_start   int  NOT NULL,
  started_at    timestamptz NOT NULL,
  meter_stop    int,
  stopped_at    timestamptz,
  stop_reason   text
);
CREATE INDEX transactions_charger ON transactions (charger_id, id DESC);
