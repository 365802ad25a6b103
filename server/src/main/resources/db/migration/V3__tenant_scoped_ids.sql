-- Site ids and id tags are unique per account, not across the whole network: an account can use any id
-- without learning (through a 409) that another account already uses it.
ALTER TABLE chargers DROP CONSTRAINT chargers_site_id_fkey;
ALTER TABLE sites DROP CONSTRAINT sites_pkey;
ALTER TABLE sites ADD PRIMARY KEY (account_id, id);
-- MATCH SIMPLE: a charger without a site (site_id NULL) is not checked.
ALTER TABLE chargers ADD CONSTRAINT chargers_site_fkey FOREIGN KEY (account_id, site_id) REFERENCES sites (account_id, id);

ALTER TABLE id_tags DROP CONSTRAINT id_tags_pkey;
ALTER TABLE id_tags ADD PRIMARY KEY (account_id, id_tag);
DROP INDEX IF EXISTS id_tags_account;
