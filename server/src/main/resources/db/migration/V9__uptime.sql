-- Uptime and outages (docs/uptime.md). The figures are computed from the history (status_events), which now
-- outlives a charger's removal: a removed charger is decommissioned, its history kept for the reports.

-- A site's opening hours: null or "24/7", or {"MON":[["06:00","22:00"]],...} in the site's time zone.
ALTER TABLE sites ADD COLUMN opening_hours jsonb;

CREATE TABLE outage_exclusions (
  id            text        PRIMARY KEY,
  account_id    text        NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  site_id       text,
  charger_id    text,
  connector_id  int,
  from_ts       timestamptz NOT NULL,
  to_ts         timestamptz NOT NULL,
  reason        text        NOT NULL
                CHECK (reason IN ('utility', 'vehicle', 'maintenance', 'vandalism', 'disaster', 'outside-hours')),
  note          text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (to_ts > from_ts)
);
CREATE INDEX outage_exclusions_account ON outage_exclusions (account_id, from_ts);

-- One row per decommissioning. last_seq is the history's last seq when the charger left: its events up to
-- there belong to this lifetime, so a charger id registered again starts a new lifetime of its own.
CREATE TABLE decommissioned_chargers (
  charger_id        text        NOT NULL,
  account_id        text        NOT NULL,
  site_id           text,
  name              text,
  decommissioned_at timestamptz NOT NULL,
  last_seq          bigint      NOT NULL,
  PRIMARY KEY (charger_id, last_seq)
);
CREATE INDEX decommissioned_chargers_account ON decommissioned_chargers (account_id);
