-- Schema version 30: the animation program's cycle (issue 20): an action's lead implementer, its
-- micro-grant application and the coordinator's evaluation, settlement and place on the map; a
-- natural person implementer's role; a zone's stage.

ALTER TABLE neighbourhoodaction ADD COLUMN place_lat FLOAT;

ALTER TABLE neighbourhoodaction ADD COLUMN place_lon FLOAT;

ALTER TABLE neighbourhoodaction ADD COLUMN lead_id VARCHAR;

ALTER TABLE neighbourhoodaction ADD COLUMN application_status VARCHAR(20) NOT NULL DEFAULT 'none';

ALTER TABLE neighbourhoodaction ADD COLUMN loi_signed BOOLEAN NOT NULL DEFAULT 0;

ALTER TABLE neighbourhoodaction ADD COLUMN loi_signed_on DATE;

ALTER TABLE neighbourhoodaction ADD COLUMN submitted_on DATE;

ALTER TABLE neighbourhoodaction ADD COLUMN evaluation_notes VARCHAR(10000) NOT NULL DEFAULT '';

ALTER TABLE neighbourhoodaction ADD COLUMN evaluation_score INTEGER;

ALTER TABLE neighbourhoodaction ADD COLUMN decision_reason VARCHAR(10000) NOT NULL DEFAULT '';

ALTER TABLE neighbourhoodaction ADD COLUMN decided_on DATE;

ALTER TABLE neighbourhoodaction ADD COLUMN settled_on DATE;

CREATE INDEX ix_neighbourhoodaction_lead_id ON neighbourhoodaction (lead_id);

ALTER TABLE contact ADD COLUMN person_role VARCHAR(40) NOT NULL DEFAULT '';

ALTER TABLE zone ADD COLUMN stage VARCHAR(40) NOT NULL DEFAULT 'none';
