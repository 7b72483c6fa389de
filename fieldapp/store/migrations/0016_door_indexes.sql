-- Schema version 16: a building's flats are read by street and number (the door-to-door grid, its
-- last outcome per flat). Without these indexes opening a block read every visit and contact
-- (~40 ms at 100,000 visits); with them, only the rows of that door.
CREATE INDEX IF NOT EXISTS ix_visit_door ON visit (street, house_number, visited_at) WHERE deleted = 0;
CREATE INDEX IF NOT EXISTS ix_contact_door ON contact (street, house_number) WHERE deleted = 0;
