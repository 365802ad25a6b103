-- A report reads the stretches that overlap its range: those that end after its start (or have not ended).
-- With five years kept, one month's outages are a sixtieth of the table; an index on where the stretches end
-- lets PostgreSQL read only those (end_s IS NULL and end_s > x are one BitmapOr on it), where the index on
-- start_s, which nothing filtered on selectively, made it read every stretch of the account.
DROP INDEX port_downs_account;
CREATE INDEX port_downs_account_end ON port_downs (account_id, end_s);
