-- Review and release: the review states of a product, its transition timeline, and immutable
-- numbered editions created only by release.

-- +goose Up
ALTER TABLE product DROP CONSTRAINT product_state_check;
ALTER TABLE product ADD CONSTRAINT product_state_check CHECK (state IN ('draft', 'peer_review', 'supervisory_review',
    'legal_review', 'steering_review', 'approved', 'released'));
ALTER TABLE product ADD COLUMN us_person boolean NOT NULL DEFAULT false,
    ADD COLUMN victim_data boolean NOT NULL DEFAULT false,
    ADD COLUMN foreign_recipients boolean NOT NULL DEFAULT false,
    -- The details form's own revision: portion saves bump rev but must not make the details stale.
    ADD COLUMN details_rev integer NOT NULL DEFAULT 1;

CREATE TABLE product_transition (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    from_state text NOT NULL,
    to_state   text NOT NULL,
    action     text NOT NULL,
    comment    text NOT NULL DEFAULT '',
    actor_id   bigint NOT NULL REFERENCES app_user (id),
    at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX product_transition_product_idx ON product_transition (product_id, at);

-- One counter row per (type, year): the row lock taken by the upsert serialises concurrent releases,
-- and a rolled-back release rolls its number back too, so numbers have neither gaps nor duplicates.
CREATE TABLE edition_counter (
    type text NOT NULL,
    year integer NOT NULL,
    last integer NOT NULL,
    PRIMARY KEY (type, year)
);

CREATE TABLE edition (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id      bigint NOT NULL REFERENCES product (id),
    owner_agency_id bigint NOT NULL REFERENCES agency (id),
    number          text NOT NULL,
    rev             integer NOT NULL,
    type            text NOT NULL,
    title           text NOT NULL,
    banner          text NOT NULL,
    content         jsonb NOT NULL,
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    supersedes      bigint REFERENCES edition (id),
    released_by     bigint NOT NULL REFERENCES app_user (id),
    released_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (number, rev)
);
CREATE INDEX edition_product_idx ON edition (product_id, rev DESC);

CREATE TABLE edition_rescission (
    edition_id  bigint PRIMARY KEY REFERENCES edition (id),
    reason      text NOT NULL CHECK (length(reason) BETWEEN 3 AND 2000),
    rescinded_by bigint NOT NULL REFERENCES app_user (id),
    rescinded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- +goose StatementBegin
CREATE FUNCTION edition_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a released edition is immutable (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER edition_immutable BEFORE UPDATE OR DELETE ON edition FOR EACH ROW EXECUTE FUNCTION edition_immutable();
CREATE TRIGGER edition_rescission_immutable BEFORE UPDATE OR DELETE ON edition_rescission FOR EACH ROW EXECUTE FUNCTION edition_immutable();

ALTER TABLE product_transition ENABLE ROW LEVEL SECURITY;
ALTER TABLE product_transition FORCE ROW LEVEL SECURITY;
CREATE POLICY product_transition_agency ON product_transition
    USING (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id))
    WITH CHECK (EXISTS (SELECT 1 FROM product p WHERE p.id = product_id));
ALTER TABLE edition ENABLE ROW LEVEL SECURITY;
ALTER TABLE edition FORCE ROW LEVEL SECURITY;
CREATE POLICY edition_agency ON edition USING (owner_agency_id = tearline_agency())
    WITH CHECK (owner_agency_id = tearline_agency());
ALTER TABLE edition_rescission ENABLE ROW LEVEL SECURITY;
ALTER TABLE edition_rescission FORCE ROW LEVEL SECURITY;
CREATE POLICY edition_rescission_agency ON edition_rescission
    USING (EXISTS (SELECT 1 FROM edition e WHERE e.id = edition_id))
    WITH CHECK (EXISTS (SELECT 1 FROM edition e WHERE e.id = edition_id));

GRANT SELECT, INSERT ON product_transition, edition, edition_rescission TO tearline_app;
GRANT SELECT, INSERT, UPDATE ON edition_counter TO tearline_app;

-- +goose Down
DROP TABLE edition_rescission, edition, edition_counter, product_transition;
DROP FUNCTION edition_immutable();
ALTER TABLE product DROP COLUMN us_person, DROP COLUMN victim_data, DROP COLUMN foreign_recipients, DROP COLUMN details_rev;
ALTER TABLE product DROP CONSTRAINT product_state_check;
ALTER TABLE product ADD CONSTRAINT product_state_check CHECK (state IN ('draft'));
