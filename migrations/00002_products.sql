-- Products drafted in the browser: portion-marked content, authors, sources with grading,
-- version history, attachments, and named tearlines (subsets of portions) for later release.
-- Row-level security: product rows (and everything hanging off them) are visible only when the
-- transaction-local setting tearline.agency_id names the owning agency; an empty setting sees nothing.

-- +goose Up
CREATE TABLE product (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_agency_id    bigint NOT NULL REFERENCES agency (id),
    type               text NOT NULL CHECK (type IN ('IB', 'IR', 'IN', 'AP', 'SA', 'TP')),
    state              text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft')),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    summary            text NOT NULL DEFAULT '',
    topics             text[] NOT NULL DEFAULT '{}',
    regions            text[] NOT NULL DEFAULT '{}',
    originating_office text NOT NULL DEFAULT '',
    designation        jsonb NOT NULL DEFAULT '{}',
    rev                integer NOT NULL DEFAULT 1,
    created_by         bigint NOT NULL REFERENCES app_user (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_by         bigint NOT NULL REFERENCES app_user (id),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_owner_updated_idx ON product (owner_agency_id, updated_at DESC);

CREATE TABLE product_author (
    product_id bigint NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES app_user (id),
    position   integer NOT NULL,
    PRIMARY KEY (product_id, user_id)
);
CREATE INDEX product_author_user_idx ON product_author (user_id, product_id);

CREATE TABLE portion (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('heading', 'paragraph', 'list')),
    section    text NOT NULL DEFAULT '',
    body       text NOT NULL DEFAULT '',
    marking    jsonb NOT NULL DEFAULT '{}',
    rev        integer NOT NULL DEFAULT 1,
    updated_by bigint NOT NULL REFERENCES app_user (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (product_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE product_source (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id         bigint NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    position           integer NOT NULL,
    description        text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    source_date        date,
    originating_agency text NOT NULL DEFAULT '',
    scheme             text NOT NULL,
    source_grade       text NOT NULL,
    information_grade  text NOT NULL,
    handling           text NOT NULL DEFAULT '',
    handling_text      text NOT NULL DEFAULT ''
);
CREATE INDEX product_source_product_idx ON product_source (product_id, position);

-- Every save that changes content keeps a full snapshot; conflict copies keep a refused stale save.
CREATE TABLE product_version (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    number     integer NOT NULL,
    kind       text NOT NULL DEFAULT 'save' CHECK (kind IN ('save', 'conflict', 'restore', 'create')),
    note       text NOT NULL DEFAULT '',
    snapshot   jsonb NOT NULL,
    created_by bigint NOT NULL REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (product_id, number)
);

CREATE TABLE attachment (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id   bigint NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    stored_name  text NOT NULL UNIQUE,
    filename     text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    sha256       text NOT NULL,
    marking      jsonb NOT NULL DEFAULT '{}',
    created_by   bigint NOT NULL REFERENCES app_user (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE attachment_blob (
    attachment_id bigint PRIMARY KEY REFERENCES attachment (id) ON DELETE CASCADE,
    data          bytea NOT NULL
);

-- A tearline is a named subset of a product's portions with its own audience (used at release).
CREATE TABLE tearline (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    name       text NOT NULL,
    UNIQUE (product_id, name)
);
CREATE TABLE tearline_portion (
    tearline_id bigint NOT NULL REFERENCES tearline (id) ON DELETE CASCADE,
    portion_id  bigint NOT NULL REFERENCES portion (id) ON DELETE CASCADE,
    PRIMARY KEY (tearline_id, portion_id)
);

-- +goose StatementBegin
CREATE FUNCTION tearline_agency() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('tearline.agency_id', true), '')::bigint
$$;
-- +goose StatementEnd

ALTER TABLE product ENABLE ROW LEVEL SECURITY;
ALTER TABLE product FORCE ROW LEVEL SECURITY;
CREATE POLICY product_agency ON product USING (owner_agency_id = tearline_agency())
    WITH CHECK (owner_agency_id = tearline_agency());

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['product_author', 'portion', 'product_source', 'product_version', 'attachment', 'tearline']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id))
                        WITH CHECK (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id))', t || '_agency', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

ALTER TABLE attachment_blob ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachment_blob FORCE ROW LEVEL SECURITY;
CREATE POLICY attachment_blob_agency ON attachment_blob
    USING (EXISTS (SELECT 1 FROM attachment a WHERE a.id = attachment_id))
    WITH CHECK (EXISTS (SELECT 1 FROM attachment a WHERE a.id = attachment_id));
ALTER TABLE tearline_portion ENABLE ROW LEVEL SECURITY;
ALTER TABLE tearline_portion FORCE ROW LEVEL SECURITY;
CREATE POLICY tearline_portion_agency ON tearline_portion
    USING (EXISTS (SELECT 1 FROM tearline t WHERE t.id = tearline_id))
    WITH CHECK (EXISTS (SELECT 1 FROM tearline t WHERE t.id = tearline_id));

GRANT SELECT, INSERT, UPDATE, DELETE ON product, product_author, portion, product_source, attachment,
    attachment_blob, tearline, tearline_portion TO tearline_app;
GRANT SELECT, INSERT ON product_version TO tearline_app;

-- +goose Down
DROP TABLE tearline_portion, tearline, attachment_blob, attachment, product_version, product_source,
    portion, product_author, product;
DROP FUNCTION tearline_agency();
