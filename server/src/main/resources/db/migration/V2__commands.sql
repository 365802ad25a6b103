-- Every command sent to a charger (by an operator or by the service's own rules) and its outcome.
CREATE TABLE commands (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  charger_id    text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
  name          text NOT NULL,
  action        text NOT NULL,
  request       jsonb NOT NULL,
  payload       jsonb NOT NULL,
  requested_by  text NOT NULL,
  requested_at  timestamptz NOT NULL,
  outcome       text,
  response      jsonb,
  answered_at   timestamptz
);
CREATE INDEX commands_charger ON commands (charger_id, id DESC);

-- A transaction held at zero power by delayed charging, and whether the driver asked for boost.
ALTER TABLE transactions ADD COLUMN boost boolean NOT NULL DEFAULT false;
ALTER TABLE transactions ADD COLUMN held_until timestamptz;
