-- The history's foreign key to chargers cost every event a nested query that locked the charger row (a
-- statement, a row lock and a WAL record per event; ~7 % of PostgreSQL's time under sustained load).
-- The status engine is the only writer of both tables: it writes events only for chargers it holds at
-- their claimed epoch (the fence), and removing a charger deletes its history in the same transaction,
-- after the charger row (see EngineStore.deleteCharger).
ALTER TABLE status_events DROP CONSTRAINT status_events_charger_id_fkey;
