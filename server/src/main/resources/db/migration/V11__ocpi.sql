-- Roaming and open data (docs/roaming.md): each account is one OCPI 2.2.1 CPO; its sites are OCPI locations and
-- its ports EVSEs. Pushes to partners reuse the webhook mechanism: a registered partner is a row of `webhooks`
-- (url 'ocpi:<party id>') whose status cursor walks the history and whose second cursor walks ocpi_changes.

ALTER TABLE accounts ADD COLUMN ocpi_country_code text, ADD COLUMN ocpi_party_id text,
  ADD COLUMN ocpi_open_data boolean NOT NULL DEFAULT false;

ALTER TABLE sites ADD COLUMN address text, ADD COLUMN city text, ADD COLUMN postal_code text,
  ADD COLUMN country text, ADD COLUMN latitude text, ADD COLUMN longitude text,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- The chargers of a site (a Location's EVSEs), read a page of sites at a time.
CREATE INDEX chargers_site ON chargers (account_id, site_id);

-- A port's EVSE and connector data (OCPI enums, checked by the API).
CREATE TABLE port_static (
  charger_id         text        NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
  connector_id       int         NOT NULL CHECK (connector_id > 0),
  evse_id            text,
  standard           text        NOT NULL,
  format             text        NOT NULL,
  power_type         text        NOT NULL,
  max_voltage        int         NOT NULL,
  max_amperage       int         NOT NULL,
  max_electric_power int,
  updated_at         timestamptz NOT NULL,
  PRIMARY KEY (charger_id, connector_id)
);

-- A roaming partner of one account. Tokens the partner presents to us are kept as SHA-256 only (token A until
-- it registers, then token C; or our token B when we registered with it); the token we present to it is kept
-- as given, since we must send it.
CREATE TABLE ocpi_parties (
  id             text        PRIMARY KEY,
  account_id     text        NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name           text        NOT NULL,
  state          text        NOT NULL CHECK (state IN ('pending', 'registered')),
  token_a_hash   text        UNIQUE,
  incoming_hash  text        UNIQUE,
  outgoing_token text,
  versions_url   text,
  locations_url  text,
  country_code   text,
  party_id       text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  registered_at  timestamptz
);
CREATE INDEX ocpi_parties_account ON ocpi_parties (account_id);

-- Static data changes and decommissionings to push, written in the transaction of the change. last_seq is the
-- history's counter then: a push goes after the status changes committed before it.
CREATE TABLE ocpi_changes (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id   text        NOT NULL,
  kind         text        NOT NULL CHECK (kind IN ('location', 'evse', 'removed')),
  site_id      text,
  charger_id   text,
  ports        int[],
  last_seq     bigint      NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ocpi_changes_account ON ocpi_changes (account_id, id);
