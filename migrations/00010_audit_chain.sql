-- Tamper-evident audit trail (docs/audit.md).
--
-- Every audit_event row joins one of 16 hash chains: hash = sha256(previous hash of the chain ||
-- canonical encoding of the row). A SECURITY DEFINER trigger picks the chain (one not locked by
-- another writer, so writers do not serialise on one lock), locks its head row, numbers the row
-- (seq, contiguous per chain), sets its time from the database clock and writes the hash. Rows are
-- append-only: UPDATE, DELETE and TRUNCATE are refused by grants (application role) and by triggers
-- (every role), except the retention path, tearline_audit_expire, which deletes a prefix of each
-- chain older than the cutoff (at least one year) and records the hash it cut in an audit.expire event.

-- +goose Up
ALTER TABLE audit_event ADD COLUMN chain smallint, ADD COLUMN seq bigint, ADD COLUMN hash bytea;

CREATE TABLE audit_chain_head (
    chain smallint PRIMARY KEY CHECK (chain BETWEEN 0 AND 15),
    seq   bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
    hash  bytea NOT NULL CHECK (octet_length(hash) = 32)
);
INSERT INTO audit_chain_head (chain, hash)
SELECT c, decode(repeat('00', 32), 'hex') FROM generate_series(0, 15) AS c;

-- The last row each chain lost to retention: verification starts after it.
CREATE TABLE audit_chain_base (
    chain smallint PRIMARY KEY REFERENCES audit_chain_head (chain),
    seq   bigint NOT NULL CHECK (seq > 0),
    hash  bytea NOT NULL CHECK (octet_length(hash) = 32)
);

-- One field of the canonical encoding: 4-byte big-endian length, then the UTF-8 bytes (NULL = '').
CREATE FUNCTION tearline_audit_field(v text) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT int4send(octet_length(convert_to(coalesce(v, ''), 'UTF8'))) || convert_to(coalesce(v, ''), 'UTF8')
$$;

-- The hash of a row given the previous hash of its chain. internal/audit.Digest computes the same bytes.
CREATE FUNCTION tearline_audit_digest(prev bytea, e audit_event) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(prev || convert_to('tearline-audit-v1', 'UTF8')
        || tearline_audit_field(e.chain::text)
        || tearline_audit_field(e.seq::text)
        || tearline_audit_field(e.id::text)
        || tearline_audit_field(((extract(epoch FROM e.at) * 1000000)::bigint)::text)
        || tearline_audit_field(e.actor_user_id::text)
        || tearline_audit_field(e.actor_agency_id::text)
        || tearline_audit_field(e.action)
        || tearline_audit_field(e.object_type)
        || tearline_audit_field(e.object_id)
        || tearline_audit_field(e.outcome)
        || tearline_audit_field(e.request_id)
        || tearline_audit_field(e.client_addr)
        || tearline_audit_field(e.user_agent)
        || tearline_audit_field(e.details::text))
$$;

-- Chain the rows written before this migration, in id order (chain = id % 16).
-- +goose StatementBegin
DO $$
DECLARE
    r record;
    c smallint;
    s bigint;
    h bytea;
BEGIN
    FOR r IN SELECT id FROM audit_event ORDER BY id LOOP
        c := r.id % 16;
        SELECT seq, hash INTO s, h FROM audit_chain_head WHERE chain = c;
        UPDATE audit_event SET chain = c, seq = s + 1 WHERE id = r.id;
        UPDATE audit_event e SET hash = tearline_audit_digest(h, e) WHERE id = r.id RETURNING e.hash INTO h;
        UPDATE audit_chain_head SET seq = s + 1, hash = h WHERE chain = c;
    END LOOP;
END
$$;
-- +goose StatementEnd

ALTER TABLE audit_event
    ALTER COLUMN chain SET NOT NULL,
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN hash SET NOT NULL,
    ADD CONSTRAINT audit_event_hash_len CHECK (octet_length(hash) = 32),
    ADD CONSTRAINT audit_event_chain_seq UNIQUE (chain, seq);
CREATE INDEX audit_event_object_idx ON audit_event (object_type, object_id, id DESC);
CREATE INDEX audit_event_agency_idx ON audit_event (actor_agency_id, id DESC);

-- +goose StatementBegin
CREATE FUNCTION tearline_audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    c smallint;
    prev_seq bigint;
    prev_hash bytea;
BEGIN
    -- A transaction keeps the chain it already holds (several events of one action stay in order
    -- and it never waits for itself); otherwise it takes the first head no other writer holds,
    -- starting from one that depends on the backend, and waits only when all 16 are held.
    c := nullif(current_setting('tearline.audit_chain', true), '')::smallint;
    IF c IS NULL THEN
        SELECT h.chain INTO c FROM audit_chain_head h
        ORDER BY (h.chain + pg_backend_pid()) % 16 FOR UPDATE SKIP LOCKED LIMIT 1;
        IF c IS NULL THEN
            c := pg_backend_pid() % 16;
        END IF;
        PERFORM set_config('tearline.audit_chain', c::text, true);
    END IF;
    SELECT h.seq, h.hash INTO prev_seq, prev_hash FROM audit_chain_head h WHERE h.chain = c FOR UPDATE;
    NEW.chain := c;
    NEW.seq := prev_seq + 1;
    -- The database clock stamps every event; only a role that may rewrite the table anyway (the
    -- owner, e.g. importing a legacy trail) may supply its own time.
    IF NEW.at IS NULL OR NOT has_table_privilege(session_user, 'audit_event', 'UPDATE') THEN
        NEW.at := clock_timestamp();
    END IF;
    IF NEW.actor_agency_id IS NULL AND NEW.actor_user_id IS NOT NULL THEN
        SELECT u.agency_id INTO NEW.actor_agency_id FROM app_user u WHERE u.id = NEW.actor_user_id;
    END IF;
    NEW.hash := tearline_audit_digest(prev_hash, NEW);
    UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash WHERE chain = c;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION tearline_audit_chain();

-- +goose StatementBegin
CREATE FUNCTION tearline_audit_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cutoff timestamptz := nullif(current_setting('tearline.audit_expiry_cutoff', true), '')::timestamptz;
BEGIN
    IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <= now() - interval '1 year' AND OLD.at < cutoff THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_event_immutable BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION tearline_audit_immutable();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION tearline_audit_immutable();

-- Retention: deletes, chain by chain, the longest prefix of rows older than p_cutoff (at least one
-- year ago), remembers the last deleted row of each chain in audit_chain_base, and records an
-- audit.expire event carrying every chain's base, so verification can start after it.
-- +goose StatementBegin
CREATE FUNCTION tearline_audit_expire(p_cutoff timestamptz, p_request_id text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    c smallint;
    cut bigint;
    first_seq bigint;
    n bigint;
    total bigint := 0;
    bases jsonb;
BEGIN
    IF p_cutoff IS NULL OR p_cutoff > now() - interval '1 year' THEN
        RAISE EXCEPTION 'audit events are kept for at least one year; cutoff % refused', p_cutoff
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('tearline.audit_expiry_cutoff', p_cutoff::text, true);
    FOR c IN SELECT chain FROM audit_chain_head ORDER BY chain LOOP
        SELECT min(e.seq), coalesce(min(e.seq) FILTER (WHERE e.at >= p_cutoff), max(e.seq) + 1) - 1
        INTO first_seq, cut FROM audit_event e WHERE e.chain = c;
        IF first_seq IS NULL OR cut < first_seq THEN
            CONTINUE;
        END IF;
        INSERT INTO audit_chain_base (chain, seq, hash)
        SELECT e.chain, e.seq, e.hash FROM audit_event e WHERE e.chain = c AND e.seq = cut
        ON CONFLICT (chain) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash;
        DELETE FROM audit_event e WHERE e.chain = c AND e.seq <= cut;
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
    END LOOP;
    PERFORM set_config('tearline.audit_expiry_cutoff', '', true);
    SELECT coalesce(jsonb_agg(jsonb_build_object('chain', b.chain, 'seq', b.seq, 'hash', encode(b.hash, 'hex')) ORDER BY b.chain), '[]')
    INTO bases FROM audit_chain_base b;
    INSERT INTO audit_event (action, object_type, outcome, request_id, details)
    VALUES ('audit.expire', 'audit', 'success', coalesce(p_request_id, ''),
            jsonb_build_object('cutoff', p_cutoff, 'deleted', total, 'bases', bases));
    RETURN total;
END
$$;
-- +goose StatementEnd

REVOKE ALL ON FUNCTION tearline_audit_expire(timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tearline_audit_expire(timestamptz, text) TO tearline_app;
GRANT SELECT ON audit_chain_head, audit_chain_base TO tearline_app;

-- +goose Down
DROP FUNCTION tearline_audit_expire(timestamptz, text);
DROP TRIGGER audit_event_no_truncate ON audit_event;
DROP TRIGGER audit_event_immutable ON audit_event;
DROP FUNCTION tearline_audit_immutable();
DROP TRIGGER audit_event_chain ON audit_event;
DROP FUNCTION tearline_audit_chain();
DROP INDEX audit_event_agency_idx, audit_event_object_idx;
ALTER TABLE audit_event DROP CONSTRAINT audit_event_chain_seq, DROP CONSTRAINT audit_event_hash_len;
DROP FUNCTION tearline_audit_digest(bytea, audit_event);
DROP FUNCTION tearline_audit_field(text);
DROP TABLE audit_chain_base, audit_chain_head;
ALTER TABLE audit_event DROP COLUMN hash, DROP COLUMN seq, DROP COLUMN chain;
