-- Recall notices: a recipient whose edition was rescinded (recalled) keeps seeing that it existed —
-- its number, revision, the reason and when — but nothing of its content.

-- +goose Up
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

-- +goose Down
DROP FUNCTION tearline_recall_notices();
