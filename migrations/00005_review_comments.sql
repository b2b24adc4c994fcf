-- Review comments anchored to portions: reviewers raise comments on a portion (or on the product as
-- a whole), the authors answer and resolve them. A top-level comment is open or resolved; answers
-- have no state of their own. The text of the portion at comment time is kept as a quote, with its
-- marking, so a comment still makes sense after its portion was edited or deleted.
-- Comments are never edited or deleted by the application: it may insert them and change only the
-- state of a top-level comment (column-level UPDATE grant).

-- +goose Up
-- Lets a comment reference a portion of the same product (composite foreign key below).
ALTER TABLE portion ADD CONSTRAINT portion_id_product_key UNIQUE (id, product_id);

CREATE TABLE review_comment (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id    bigint NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    -- NULL: the product as a whole, or (on_portion) a portion deleted since; answers carry none.
    portion_id    bigint,
    -- Whether the comment was made on a portion; stays true when the portion is deleted.
    on_portion    boolean NOT NULL DEFAULT false,
    parent_id     bigint,
    author_id     bigint NOT NULL REFERENCES app_user (id),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000 AND btrim(body) <> ''),
    -- Top-level comments only: open or resolved. Answers have no state.
    state         text CHECK (state IN ('open', 'resolved')),
    resolved_by   bigint REFERENCES app_user (id),
    resolved_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Snapshot of the portion's text and marking when the comment was made.
    quote         text NOT NULL DEFAULT '',
    quote_marking jsonb NOT NULL DEFAULT '{}',
    UNIQUE (id, product_id),
    -- Deleting the portion keeps the comment (and its quote): only portion_id becomes NULL.
    FOREIGN KEY (portion_id, product_id) REFERENCES portion (id, product_id) ON DELETE SET NULL (portion_id),
    -- An answer belongs to a comment of the same product.
    FOREIGN KEY (parent_id, product_id) REFERENCES review_comment (id, product_id) ON DELETE CASCADE,
    CHECK ((parent_id IS NULL) = (state IS NOT NULL)),
    CHECK (parent_id IS NULL OR (portion_id IS NULL AND NOT on_portion AND quote = '')),
    CHECK (portion_id IS NULL OR on_portion),
    CHECK (coalesce(state, '') <> 'resolved' OR (resolved_by IS NOT NULL AND resolved_at IS NOT NULL)),
    CHECK (coalesce(state, '') = 'resolved' OR (resolved_by IS NULL AND resolved_at IS NULL))
);
CREATE INDEX review_comment_product_idx ON review_comment (product_id, created_at);
CREATE INDEX review_comment_parent_idx ON review_comment (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX review_comment_portion_idx ON review_comment (portion_id) WHERE portion_id IS NOT NULL;
CREATE INDEX review_comment_open_idx ON review_comment (product_id) WHERE state = 'open';

ALTER TABLE review_comment ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_comment FORCE ROW LEVEL SECURITY;
-- Owner agency only: steering members of other agencies may read routed products (00004), not comments.
CREATE POLICY review_comment_agency ON review_comment
    USING (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id AND p.owner_agency_id = tearline_agency()))
    WITH CHECK (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id AND p.owner_agency_id = tearline_agency()));

GRANT SELECT, INSERT ON review_comment TO tearline_app;
GRANT UPDATE (state, resolved_by, resolved_at) ON review_comment TO tearline_app;

-- +goose Down
DROP TABLE review_comment;
ALTER TABLE portion DROP CONSTRAINT portion_id_product_key;
