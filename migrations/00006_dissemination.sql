-- Dissemination: the release ledger (one immutable row per edition and recipient agency) and
-- receipts. An edition is visible to an agency iff the agency owns it or holds a ledger row for it
-- and the edition is not rescinded; row-level security enforces this on its own.

-- +goose Up
CREATE TABLE release_ledger (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edition_id    bigint NOT NULL REFERENCES edition (id),
    agency_id     bigint NOT NULL REFERENCES agency (id),
    released_by   bigint NOT NULL REFERENCES app_user (id),
    released_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    justification text NOT NULL CHECK (length(btrim(justification)) BETWEEN 10 AND 2000),
    caveats       text NOT NULL,
    UNIQUE (edition_id, agency_id)
);
CREATE INDEX release_ledger_agency_idx ON release_ledger (agency_id, released_at DESC, edition_id);

CREATE TRIGGER release_ledger_immutable BEFORE UPDATE OR DELETE ON release_ledger
    FOR EACH ROW EXECUTE FUNCTION edition_immutable();

CREATE TABLE receipt (
    edition_id      bigint NOT NULL REFERENCES edition (id),
    user_id         bigint NOT NULL REFERENCES app_user (id),
    agency_id       bigint NOT NULL REFERENCES agency (id),
    first_viewed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (edition_id, user_id)
);

-- +goose StatementBegin
-- tearline_received(edition) is true when the current agency holds a ledger row for the edition.
-- SECURITY DEFINER so that the edition policy can consult the ledger without recursing through the
-- ledger's own policy (which looks at edition); it reads nothing but that one fact.
CREATE FUNCTION tearline_received(e bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = e AND l.agency_id = tearline_agency())
$$;
CREATE FUNCTION tearline_rescinded(e bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e)
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION tearline_received(bigint), tearline_rescinded(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tearline_received(bigint), tearline_rescinded(bigint) TO tearline_app;

-- Recipients read editions released to them and not rescinded; only the owner writes.
CREATE POLICY edition_recipient ON edition FOR SELECT
    USING (tearline_received(id) AND NOT tearline_rescinded(id));

ALTER TABLE release_ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE release_ledger FORCE ROW LEVEL SECURITY;
-- A recipient sees only its own ledger rows (never the other recipients); the owner sees all and writes.
CREATE POLICY release_ledger_recipient ON release_ledger FOR SELECT USING (agency_id = tearline_agency());
CREATE POLICY release_ledger_owner ON release_ledger
    USING (EXISTS (SELECT 1 FROM edition e WHERE e.id = edition_id AND e.owner_agency_id = tearline_agency()))
    WITH CHECK (EXISTS (SELECT 1 FROM edition e WHERE e.id = edition_id AND e.owner_agency_id = tearline_agency()));

ALTER TABLE receipt ENABLE ROW LEVEL SECURITY;
ALTER TABLE receipt FORCE ROW LEVEL SECURITY;
CREATE POLICY receipt_own ON receipt USING (agency_id = tearline_agency()) WITH CHECK (agency_id = tearline_agency());
CREATE POLICY receipt_owner ON receipt FOR SELECT
    USING (EXISTS (SELECT 1 FROM edition e WHERE e.id = edition_id AND e.owner_agency_id = tearline_agency()));

GRANT SELECT, INSERT ON release_ledger, receipt TO tearline_app;

-- +goose Down
DROP POLICY edition_recipient ON edition;
DROP TABLE receipt, release_ledger;
DROP FUNCTION tearline_received(bigint), tearline_rescinded(bigint);
