-- OCPP 2.0.1 chargers: an EVSE's transaction state beside its status (the connectors table holds EVSEs,
-- connector_id = evseId), and the charger's own (string) id of each transaction.
ALTER TABLE connectors
  ADD COLUMN charging_state    text,
  ADD COLUMN transaction_ref   text,
  ADD COLUMN transaction_ended boolean NOT NULL DEFAULT false;

ALTER TABLE transactions ADD COLUMN ocpp_ref text;
CREATE INDEX transactions_ref ON transactions (charger_id, ocpp_ref) WHERE ocpp_ref IS NOT NULL;
