-- Recipients download the attachments frozen into an edition they hold, and receipts can only be
-- written by the reading user for an edition their agency holds.
--
-- edition_attachment lists, per edition, the attachments its content names; it is filled when the
-- edition is created (a trigger reads the frozen content, so no code path can forget it) and never
-- changes. A recipient agency reads an attachment's blob only through it: the row is visible when
-- the edition is (owner, or ledger row and not rescinded — the edition policies decide).

-- +goose Up
CREATE TABLE edition_attachment (
    edition_id    bigint NOT NULL REFERENCES edition (id),
    attachment_id bigint NOT NULL REFERENCES attachment (id),
    PRIMARY KEY (edition_id, attachment_id)
);
CREATE INDEX edition_attachment_attachment_idx ON edition_attachment (attachment_id);

CREATE TRIGGER edition_attachment_immutable BEFORE UPDATE OR DELETE ON edition_attachment
    FOR EACH ROW EXECUTE FUNCTION edition_immutable();

-- +goose StatementBegin
CREATE FUNCTION edition_attachment_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO edition_attachment (edition_id, attachment_id)
    SELECT NEW.id, (x->>'attachment_id')::bigint
    FROM jsonb_array_elements(coalesce(NEW.content->'attachments', '[]'::jsonb)) x;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER edition_attachment_fill AFTER INSERT ON edition FOR EACH ROW EXECUTE FUNCTION edition_attachment_fill();

INSERT INTO edition_attachment (edition_id, attachment_id)
SELECT e.id, (x->>'attachment_id')::bigint
FROM edition e, jsonb_array_elements(coalesce(e.content->'attachments', '[]'::jsonb)) x;

ALTER TABLE edition_attachment ENABLE ROW LEVEL SECURITY;
ALTER TABLE edition_attachment FORCE ROW LEVEL SECURITY;
-- Visible with its edition (the edition's own policies apply inside the subquery); written only by
-- the edition's owner, when the edition is created.
CREATE POLICY edition_attachment_read ON edition_attachment FOR SELECT
    USING (EXISTS (SELECT 1 FROM edition e WHERE e.id = edition_id));
CREATE POLICY edition_attachment_insert ON edition_attachment FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM edition e WHERE e.id = edition_id AND e.owner_agency_id = tearline_agency()));
GRANT SELECT, INSERT ON edition_attachment TO tearline_app;

-- A recipient reads the metadata and the bytes of an attachment of an edition it holds.
CREATE POLICY attachment_recipient ON attachment FOR SELECT
    USING (EXISTS (SELECT 1 FROM edition_attachment ea WHERE ea.attachment_id = id));
CREATE POLICY attachment_blob_recipient ON attachment_blob FOR SELECT
    USING (EXISTS (SELECT 1 FROM edition_attachment ea WHERE ea.attachment_id = attachment_blob.attachment_id));

-- Receipts: only the reading user of the agency, and only for an edition the agency holds and that
-- is not rescinded (the owner's staff read their own editions without receipts).
DROP POLICY receipt_own ON receipt;
CREATE POLICY receipt_own ON receipt FOR SELECT USING (agency_id = tearline_agency());
CREATE POLICY receipt_insert ON receipt FOR INSERT
    WITH CHECK (agency_id = tearline_agency() AND user_id = tearline_user()
        AND tearline_received(edition_id) AND NOT tearline_rescinded(edition_id));

-- +goose Down
DROP POLICY receipt_insert ON receipt;
DROP POLICY receipt_own ON receipt;
CREATE POLICY receipt_own ON receipt USING (agency_id = tearline_agency()) WITH CHECK (agency_id = tearline_agency());
DROP POLICY attachment_blob_recipient ON attachment_blob;
DROP POLICY attachment_recipient ON attachment;
DROP TRIGGER edition_attachment_fill ON edition;
DROP FUNCTION edition_attachment_fill();
DROP TABLE edition_attachment;
