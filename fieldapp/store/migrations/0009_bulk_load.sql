-- Schema version 9: what a device's first pull defers while it loads a table in bulk
-- (fieldapp.store.bulk): the secondary indexes it dropped, with the statements that create them
-- again, and the search index ('contact_search'). Empty outside a first pull; a store opened with
-- rows here (the app died mid-pull) builds what they name before anything else.
CREATE TABLE IF NOT EXISTS bulk_deferred (
	name VARCHAR NOT NULL PRIMARY KEY,
	table_name VARCHAR NOT NULL,
	sql VARCHAR
);
