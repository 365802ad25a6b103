-- What each charger's firmware bends (docs/field-tolerance.md): one row per charger, rule and field, counted.
-- Written by the OCPP verticles in batches (a use is counted at once in the metric, here within a second).
-- No foreign key, as for the history: a charger's rows go with it in the same transaction that deletes it.
CREATE TABLE charger_deviations (
  charger_id    text        NOT NULL,
  rule          text        NOT NULL,
  field         text        NOT NULL,
  detail        text,
  first_seen_at timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  count         bigint      NOT NULL,
  PRIMARY KEY (charger_id, rule, field)
);

-- SecurityEventNotification (OCPP 2.0.1, and 1.6 with the OCA security extension): stored before the charger
-- is answered, listed newest first.
CREATE TABLE security_events (
  id          bigserial   PRIMARY KEY,
  charger_id  text        NOT NULL,
  type        text        NOT NULL,
  ts          timestamptz NOT NULL,
  tech_info   text,
  critical    boolean     NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX security_events_of_charger ON security_events (charger_id, id DESC);
