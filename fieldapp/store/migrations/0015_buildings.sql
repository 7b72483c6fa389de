-- Schema version 15: buildings (fieldapp.model.building), synced like every record: street and number
-- (with an optional staircase) and the flat range an animator sets once for the whole team.
CREATE TABLE IF NOT EXISTS building (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	street VARCHAR(200) NOT NULL,
	house_number VARCHAR(20) NOT NULL,
	staircase VARCHAR(20) NOT NULL,
	zone_id VARCHAR,
	flat_first INTEGER,
	flat_last INTEGER,
	lat FLOAT,
	lon FLOAT,
	notes VARCHAR NOT NULL,
	PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ix_building_updated_hlc ON building (updated_hlc);
CREATE INDEX IF NOT EXISTS ix_building_zone_id ON building (zone_id);
CREATE INDEX IF NOT EXISTS ix_building_door ON building (street, house_number) WHERE deleted = 0;
