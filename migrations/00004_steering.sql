-- Steering-group review of strategic assessments: the members a releasing official assigns for each
-- round, their decisions and their comments per section. A return to draft from steering review or
-- later starts a new round (product.steering_round), which needs its own assignment.
--
-- Row-level security: steering members belong to other agencies than the product's owner. A second
-- transaction-local setting, tearline.user_id (tearline_user()), names the user; a product, and the
-- child rows a reviewer reads (authors, portions, sources, attachment metadata, timeline), are also
-- visible to a user assigned to it as a steering member. That widening is for SELECT only: every
-- write to product data still needs the owning agency's setting. Version history, attachment
-- contents and tearlines stay with the owning agency.

-- +goose Up
ALTER TABLE product ADD COLUMN steering_round integer NOT NULL DEFAULT 1 CHECK (steering_round >= 1),
    ADD CONSTRAINT product_id_owner_key UNIQUE (id, owner_agency_id);

-- owner_agency_id repeats the product's owner (the composite key keeps them equal) so that the
-- policies below need not look at product, whose own policy looks at this table.
CREATE TABLE steering_assignment (
    product_id      bigint NOT NULL,
    owner_agency_id bigint NOT NULL,
    user_id         bigint NOT NULL REFERENCES app_user (id),
    round           integer NOT NULL CHECK (round >= 1),
    assigned_by     bigint NOT NULL REFERENCES app_user (id),
    assigned_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (product_id, user_id, round),
    FOREIGN KEY (product_id, owner_agency_id) REFERENCES product (id, owner_agency_id) ON DELETE CASCADE
);
CREATE INDEX steering_assignment_user_idx ON steering_assignment (user_id, product_id, round);

-- One decision per member and round; a member may change it while the round is open.
CREATE TABLE steering_decision (
    product_id bigint NOT NULL,
    user_id    bigint NOT NULL,
    round      integer NOT NULL,
    decision   text NOT NULL CHECK (decision IN ('concur', 'concur_with_comments', 'non_concur')),
    comment    text NOT NULL DEFAULT '' CHECK (length(comment) <= 4000),
    decided_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (product_id, user_id, round),
    FOREIGN KEY (product_id, user_id, round) REFERENCES steering_assignment (product_id, user_id, round) ON DELETE CASCADE,
    CHECK (decision <> 'non_concur' OR btrim(comment) <> '')
);

CREATE TABLE steering_comment (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint NOT NULL,
    round      integer NOT NULL,
    section    text NOT NULL CHECK (length(section) BETWEEN 1 AND 100),
    user_id    bigint NOT NULL,
    body       text NOT NULL CHECK (btrim(body) <> '' AND length(body) <= 4000),
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    FOREIGN KEY (product_id, user_id, round) REFERENCES steering_assignment (product_id, user_id, round) ON DELETE CASCADE
);
CREATE INDEX steering_comment_product_idx ON steering_comment (product_id, round, at);

-- +goose StatementBegin
CREATE FUNCTION tearline_user() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('tearline.user_id', true), '')::bigint
$$;
-- +goose StatementEnd

-- Assignments: the owning agency manages them; a member sees their own.
ALTER TABLE steering_assignment ENABLE ROW LEVEL SECURITY;
ALTER TABLE steering_assignment FORCE ROW LEVEL SECURITY;
CREATE POLICY steering_assignment_read ON steering_assignment FOR SELECT
    USING (owner_agency_id = tearline_agency() OR user_id = tearline_user());
CREATE POLICY steering_assignment_insert ON steering_assignment FOR INSERT
    WITH CHECK (owner_agency_id = tearline_agency());
CREATE POLICY steering_assignment_delete ON steering_assignment FOR DELETE
    USING (owner_agency_id = tearline_agency());

-- Decisions and comments: visible with their assignment (to the owning agency and to the member);
-- written only by the member themselves.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['steering_decision', 'steering_comment']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (EXISTS (SELECT 1 FROM steering_assignment sa
                        WHERE sa.product_id = %I.product_id AND sa.user_id = %I.user_id AND sa.round = %I.round))',
                       t || '_read', t, t, t, t);
        EXECUTE format('CREATE POLICY %I ON %I FOR INSERT WITH CHECK (user_id = tearline_user())', t || '_insert', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE USING (user_id = tearline_user()) WITH CHECK (user_id = tearline_user())',
                       t || '_update', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- Products: an assigned steering member may read the product.
CREATE POLICY product_steering ON product FOR SELECT
    USING (EXISTS (SELECT 1 FROM steering_assignment sa WHERE sa.product_id = product.id AND sa.user_id = tearline_user()));

-- Child tables: reading follows the product's visibility (owner or assigned member); writing needs the
-- owning agency. Tables a steering member never reads are narrowed to the owning agency outright, since
-- "the product is visible" no longer means "the product is ours".
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['product_author', 'portion', 'product_source', 'attachment', 'product_transition']
    LOOP
        EXECUTE format('DROP POLICY %I ON %I', t || '_agency', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id))',
                       t || '_read', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id
                            AND p.owner_agency_id = tearline_agency()))
                        WITH CHECK (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id AND p.owner_agency_id = tearline_agency()))',
                       t || '_agency', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['product_version', 'tearline']
    LOOP
        EXECUTE format('DROP POLICY %I ON %I', t || '_agency', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id
                            AND p.owner_agency_id = tearline_agency()))
                        WITH CHECK (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id AND p.owner_agency_id = tearline_agency()))',
                       t || '_agency', t);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP POLICY attachment_blob_agency ON attachment_blob;
CREATE POLICY attachment_blob_agency ON attachment_blob
    USING (EXISTS (SELECT 1 FROM attachment a JOIN product p ON p.id = a.product_id
                   WHERE a.id = attachment_id AND p.owner_agency_id = tearline_agency()))
    WITH CHECK (EXISTS (SELECT 1 FROM attachment a JOIN product p ON p.id = a.product_id
                        WHERE a.id = attachment_id AND p.owner_agency_id = tearline_agency()));

GRANT SELECT, INSERT, DELETE ON steering_assignment TO tearline_app;
GRANT SELECT, INSERT, UPDATE ON steering_decision, steering_comment TO tearline_app;

-- +goose Down
DROP POLICY attachment_blob_agency ON attachment_blob;
CREATE POLICY attachment_blob_agency ON attachment_blob
    USING (EXISTS (SELECT 1 FROM attachment a WHERE a.id = attachment_id))
    WITH CHECK (EXISTS (SELECT 1 FROM attachment a WHERE a.id = attachment_id));
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['product_author', 'portion', 'product_source', 'attachment', 'product_transition',
                             'product_version', 'tearline']
    LOOP
        EXECUTE format('DROP POLICY IF EXISTS %I ON %I', t || '_read', t);
        EXECUTE format('DROP POLICY %I ON %I', t || '_agency', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id))
                        WITH CHECK (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id))', t || '_agency', t);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP POLICY product_steering ON product;
DROP TABLE steering_comment, steering_decision, steering_assignment;
DROP FUNCTION tearline_user();
ALTER TABLE product DROP CONSTRAINT product_id_owner_key, DROP COLUMN steering_round;
