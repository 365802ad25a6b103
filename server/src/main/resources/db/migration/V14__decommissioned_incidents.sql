-- The incident evaluator resolves a decommissioned charger's open incidents once it has followed the history
-- up to the decommissioning (docs/incidents.md). It marks each decommissioning done in the transaction that
-- applies it, so a killed evaluator applies it again and never twice. Decommissionings made before this
-- version are applied at the evaluator's next step: their incidents had stayed open.
ALTER TABLE decommissioned_chargers ADD COLUMN incidents_done boolean NOT NULL DEFAULT false;
CREATE INDEX decommissioned_chargers_pending ON decommissioned_chargers (last_seq) WHERE NOT incidents_done;
