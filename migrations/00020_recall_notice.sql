-- Recall notices as rows: one per recipient agency of a rescinded edition, written when the edition is
-- rescinded. Until now every read of a notice ran tearline_recall_notices(), which checks every
-- rescission against the agency's ledger and cannot be inlined (it is SECURITY DEFINER, to read the
-- number of an edition RLS hides from recipients once rescinded): 20 ms per inbox page for an agency
-- holding 118,000 editions at a million editions, measured by make bench, more than the rest of the
-- page. The rows carry what a notice shows (number, revision, reason, time; never content), so the
-- inbox reads its newest notices from one index and RLS admits only the agency's own.

-- +goose Up
CREATE TABLE recall_notice (
    agency_id  bigint NOT NULL REFERENCES agency (id),
    edition_id bigint NOT NULL REFERENCES edition_rescission (edition_id),
    number     text NOT NULL,
    rev        integer NOT NULL,
    reason     text NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (agency_id, edition_id)
);
CREATE INDEX recall_notice_newest_idx ON recall_notice (agency_id, at DESC, edition_id DESC);
CREATE TRIGGER recall_notice_immutable BEFORE UPDATE OR DELETE ON recall_notice FOR EACH ROW EXECUTE FUNCTION edition_immutable();

-- Not forced: the only writer is the trigger below, running as the owner. The application role holds
-- SELECT only and is always subject to the policy.
ALTER TABLE recall_notice ENABLE ROW LEVEL SECURITY;
CREATE POLICY recall_notice_agency ON recall_notice FOR SELECT USING (agency_id = tearline_agency());
GRANT SELECT ON recall_notice TO tearline_app;

-- +goose StatementBegin
CREATE FUNCTION recall_notice_fanout() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO recall_notice (agency_id, edition_id, number, rev, reason, at)
    SELECT l.agency_id, e.id, e.number, e.rev, NEW.reason, NEW.rescinded_at
    FROM release_ledger l JOIN edition e ON e.id = l.edition_id
    WHERE l.edition_id = NEW.edition_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION recall_notice_fanout() FROM PUBLIC;
CREATE TRIGGER edition_rescission_recall_notice AFTER INSERT ON edition_rescission FOR EACH ROW EXECUTE FUNCTION recall_notice_fanout();

-- The notices of editions rescinded already. The owner reads around row-level security for this one
-- statement (a superuser does anyway; a plain owner role is subject to FORCE otherwise).
ALTER TABLE edition NO FORCE ROW LEVEL SECURITY;
ALTER TABLE edition_rescission NO FORCE ROW LEVEL SECURITY;
ALTER TABLE release_ledger NO FORCE ROW LEVEL SECURITY;
INSERT INTO recall_notice (agency_id, edition_id, number, rev, reason, at)
SELECT l.agency_id, e.id, e.number, e.rev, r.reason, r.rescinded_at
FROM edition_rescission r JOIN edition e ON e.id = r.edition_id JOIN release_ledger l ON l.edition_id = r.edition_id;
ALTER TABLE edition FORCE ROW LEVEL SECURITY;
ALTER TABLE edition_rescission FORCE ROW LEVEL SECURITY;
ALTER TABLE release_ledger FORCE ROW LEVEL SECURITY;

DROP FUNCTION tearline_recall_notices();

-- +goose Down
-- +goose StatementBegin
CREATE FUNCTION tearline_recall_notices() RETURNS TABLE (edition_id bigint, number text, rev integer, reason text, at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT e.id, e.number, e.rev, r.reason, r.rescinded_at
    FROM edition e JOIN edition_rescission r ON r.edition_id = e.id
    WHERE EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = e.id AND l.agency_id = tearline_agency())
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION tearline_recall_notices() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tearline_recall_notices() TO tearline_app;
DROP TRIGGER edition_rescission_recall_notice ON edition_rescission;
DROP FUNCTION recall_notice_fanout();
DROP TABLE recall_notice;
