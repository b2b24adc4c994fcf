-- Acknowledgement and feedback: a recipient agency's liaison acknowledges receipt of an edition (once
-- per agency: who and when), and recipients rate it (relevance, timeliness, actionability on 1–5,
-- the action taken, free text) for the center. Both tables are insert-only: the first acknowledgement
-- stands, and feedback is a history in which each user's latest row is their current feedback.
-- A row can exist only for an agency that holds the edition (a foreign key to its ledger row), and
-- row-level security shows a recipient agency only its own rows and the owning agency all of its
-- editions' rows.

-- +goose Up
CREATE TABLE acknowledgement (
    edition_id bigint NOT NULL REFERENCES edition (id),
    agency_id  bigint NOT NULL REFERENCES agency (id),
    user_id    bigint NOT NULL REFERENCES app_user (id),
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (edition_id, agency_id),
    FOREIGN KEY (edition_id, agency_id) REFERENCES release_ledger (edition_id, agency_id)
);

CREATE TRIGGER acknowledgement_immutable BEFORE UPDATE OR DELETE ON acknowledgement
    FOR EACH ROW EXECUTE FUNCTION edition_immutable();

CREATE TABLE feedback (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edition_id    bigint NOT NULL REFERENCES edition (id),
    agency_id     bigint NOT NULL REFERENCES agency (id),
    user_id       bigint NOT NULL REFERENCES app_user (id),
    relevance     smallint NOT NULL CHECK (relevance BETWEEN 1 AND 5),
    timeliness    smallint NOT NULL CHECK (timeliness BETWEEN 1 AND 5),
    actionability smallint NOT NULL CHECK (actionability BETWEEN 1 AND 5),
    action        text NOT NULL CHECK (action IN ('none', 'shared', 'case', 'interdiction', 'other')),
    comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    FOREIGN KEY (edition_id, agency_id) REFERENCES release_ledger (edition_id, agency_id)
);
-- Each user's latest feedback on an edition is found through this index.
CREATE INDEX feedback_edition_user_idx ON feedback (edition_id, user_id, id DESC);
CREATE INDEX feedback_agency_idx ON feedback (agency_id, edition_id);

CREATE TRIGGER feedback_immutable BEFORE UPDATE OR DELETE ON feedback
    FOR EACH ROW EXECUTE FUNCTION edition_immutable();

-- A recipient agency reads its own rows and writes them as the acting user, only for an edition it
-- holds that is not rescinded; the owning agency (the center) reads every row of its editions.
ALTER TABLE acknowledgement ENABLE ROW LEVEL SECURITY;
ALTER TABLE acknowledgement FORCE ROW LEVEL SECURITY;
CREATE POLICY acknowledgement_recipient ON acknowledgement FOR SELECT USING (agency_id = tearline_agency());
CREATE POLICY acknowledgement_recipient_insert ON acknowledgement FOR INSERT
    WITH CHECK (agency_id = tearline_agency() AND user_id = tearline_user()
        AND tearline_received(edition_id) AND NOT tearline_rescinded(edition_id));
CREATE POLICY acknowledgement_owner ON acknowledgement FOR SELECT
    USING (EXISTS (SELECT 1 FROM edition e WHERE e.id = edition_id AND e.owner_agency_id = tearline_agency()));

ALTER TABLE feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE feedback FORCE ROW LEVEL SECURITY;
CREATE POLICY feedback_recipient ON feedback FOR SELECT USING (agency_id = tearline_agency());
CREATE POLICY feedback_recipient_insert ON feedback FOR INSERT
    WITH CHECK (agency_id = tearline_agency() AND user_id = tearline_user()
        AND tearline_received(edition_id) AND NOT tearline_rescinded(edition_id));
CREATE POLICY feedback_owner ON feedback FOR SELECT
    USING (EXISTS (SELECT 1 FROM edition e WHERE e.id = edition_id AND e.owner_agency_id = tearline_agency()));

GRANT SELECT, INSERT ON acknowledgement, feedback TO tearline_app;

-- +goose Down
DROP TABLE feedback, acknowledgement;
