-- Full-text search over released editions (docs/search.md).
--
-- Row-level security evaluates its policy before any predicate that is not LEAKPROOF, and the
-- text-search match operator (@@, ts_match_vq) is not: under RLS the GIN index on a tsvector is
-- never used and a search costs as much as reading every edition the agency may see. So searching
-- goes through search_doc, a table the application role cannot read, and one SECURITY DEFINER
-- function, tearline_search, that applies the dissemination rule itself (owner, or a live ledger
-- row of the transaction's own agency and no rescission) next to the @@ match, where the planner
-- may use the index. The function answers only for the agency named by tearline.agency_id, the
-- same transaction-local setting every policy reads; the rows it names are then read back through
-- the RLS-protected edition table, with the ledger filtered explicitly again.

-- +goose Up
CREATE TABLE search_doc (
    edition_id      bigint PRIMARY KEY REFERENCES edition (id),
    owner_agency_id bigint NOT NULL REFERENCES agency (id),
    type            text NOT NULL,
    year            integer NOT NULL,
    office          text NOT NULL,
    topics          text[] NOT NULL,
    regions         text[] NOT NULL,
    released_at     timestamptz NOT NULL,
    rescinded       boolean NOT NULL DEFAULT false,
    tsv             tsvector NOT NULL
);
CREATE INDEX search_doc_tsv_idx ON search_doc USING gin (tsv);

-- Nobody but the owner (and so the definer functions below) reads search_doc: no grant, and a
-- policy that admits nothing in case a grant is ever added. Not FORCEd, so that the owner's
-- search function is not itself subject to the policy (it would then lose the index again).
ALTER TABLE search_doc ENABLE ROW LEVEL SECURITY;
CREATE POLICY search_doc_nobody ON search_doc USING (false) WITH CHECK (false);
REVOKE ALL ON search_doc FROM PUBLIC;

-- Unreleased products of an agency, for center staff searching their drafts (searched under RLS).
CREATE INDEX product_unreleased_idx ON product (owner_agency_id, updated_at DESC) WHERE state <> 'released';

-- +goose StatementBegin
-- tearline_search_portions is the text of an edition's (or a product's) portions, in order.
CREATE FUNCTION tearline_search_portions(c jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = '' AS $$
    SELECT coalesce(string_agg(p.value->>'body', E'\n' ORDER BY p.ordinality), '')
    FROM pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(c->'portions') = 'array' THEN c->'portions' ELSE '[]'::jsonb END)
        WITH ORDINALITY AS p
$$;

-- tearline_search_text is the text snippets are taken from: summary and portions, without Markdown's
-- emphasis and code characters (* and `) and without the two private-use characters that mark highlights.
CREATE FUNCTION tearline_search_text(summary text, portions text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = '' AS $$
    SELECT pg_catalog.translate(pg_catalog.concat_ws(E'\n', NULLIF(summary, ''), NULLIF(portions, '')), U&'\E000\E001*`', '')
$$;

-- tearline_search_vector weighs the title (A) over the summary (B) over the portions (C). Portions are
-- cut at 500,000 characters so that no edition can exceed the tsvector size limit and fail its release.
CREATE FUNCTION tearline_search_vector(title text, summary text, portions text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = '' AS $$
    SELECT pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.english'::regconfig, coalesce(title, '')), 'A')
        || pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.english'::regconfig, coalesce(summary, '')), 'B')
        || pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.english'::regconfig, pg_catalog.left(coalesce(portions, ''), 500000)), 'C')
$$;

CREATE FUNCTION tearline_search_strings(a jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = '' AS $$
    SELECT coalesce(array_agg(x), '{}') FROM pg_catalog.jsonb_array_elements_text(
        CASE WHEN pg_catalog.jsonb_typeof(a) = 'array' THEN a ELSE '[]'::jsonb END) AS x
$$;

-- Every new edition is indexed in the transaction that creates it (editions are immutable).
CREATE FUNCTION tearline_search_index() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' AS $$
BEGIN
    INSERT INTO public.search_doc (edition_id, owner_agency_id, type, year, office, topics, regions, released_at, tsv)
    VALUES (NEW.id, NEW.owner_agency_id, NEW.type, extract(year FROM NEW.released_at AT TIME ZONE 'UTC')::integer,
        coalesce(NEW.content->>'originating_office', ''), public.tearline_search_strings(NEW.content->'topics'),
        public.tearline_search_strings(NEW.content->'regions'), NEW.released_at,
        public.tearline_search_vector(NEW.title, NEW.content->>'summary', public.tearline_search_portions(NEW.content)));
    RETURN NULL;
END
$$;

-- A rescission takes effect in the index in the same transaction.
CREATE FUNCTION tearline_search_rescind() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' AS $$
BEGIN
    UPDATE public.search_doc SET rescinded = true WHERE edition_id = NEW.edition_id;
    RETURN NULL;
END
$$;

-- tearline_search returns the editions matching q that the agency may see, with the facet columns
-- and (when ranked) the rank. It answers only for the transaction's own agency: agency must equal
-- tearline.agency_id, or nothing comes back. own admits the agency's own editions (rescinded ones
-- too, marked); received admits editions with a ledger row for the agency that are not rescinded.
-- The ledger and rescission are checked both in the index (rescinded) and in their own tables.
-- Custom plans, so the planner sees each query's own selectivity; no JIT, whose compilation costs
-- more than a search (tens of milliseconds, measured at 50,000 editions).
CREATE FUNCTION tearline_search(agency bigint, q tsquery, own boolean, received boolean, f_type text, f_topic text,
    f_region text, f_year integer, f_office text, ranked boolean)
RETURNS TABLE (edition_id bigint, owner_agency_id bigint, rescinded boolean, type text, year integer, office text,
    topics text[], regions text[], released_at timestamptz, rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = '' SET plan_cache_mode = force_custom_plan SET jit = off AS $$
BEGIN
    IF agency IS NULL OR agency IS DISTINCT FROM public.tearline_agency() OR q IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT d.edition_id, d.owner_agency_id, d.rescinded, d.type, d.year, d.office, d.topics, d.regions, d.released_at,
        (CASE WHEN ranked THEN pg_catalog.ts_rank_cd(d.tsv, q) ELSE 0 END)::real
    FROM public.search_doc d
    WHERE d.tsv @@ q
      AND (f_type = '' OR d.type = f_type)
      AND (f_topic = '' OR d.topics @> ARRAY[f_topic])
      AND (f_region = '' OR d.regions @> ARRAY[f_region])
      AND (f_year = 0 OR d.year = f_year)
      AND (f_office = '' OR d.office = f_office)
      AND ((own AND d.owner_agency_id = agency)
        OR (received AND d.owner_agency_id <> agency AND NOT d.rescinded
            AND EXISTS (SELECT 1 FROM public.release_ledger l WHERE l.edition_id = d.edition_id AND l.agency_id = agency)
            AND NOT EXISTS (SELECT 1 FROM public.edition_rescission r WHERE r.edition_id = d.edition_id)));
END
$$;
-- +goose StatementEnd

CREATE TRIGGER edition_search_index AFTER INSERT ON edition FOR EACH ROW EXECUTE FUNCTION tearline_search_index();
CREATE TRIGGER edition_rescission_search AFTER INSERT ON edition_rescission FOR EACH ROW EXECUTE FUNCTION tearline_search_rescind();

REVOKE ALL ON FUNCTION tearline_search(bigint, tsquery, boolean, boolean, text, text, text, integer, text, boolean),
    tearline_search_index(), tearline_search_rescind() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tearline_search(bigint, tsquery, boolean, boolean, text, text, text, integer, text, boolean) TO tearline_app;

-- Index the editions that exist already. The owner reads around row-level security for this one
-- statement (a superuser does anyway; a plain owner role is subject to FORCE otherwise).
ALTER TABLE edition NO FORCE ROW LEVEL SECURITY;
ALTER TABLE edition_rescission NO FORCE ROW LEVEL SECURITY;
INSERT INTO search_doc (edition_id, owner_agency_id, type, year, office, topics, regions, released_at, rescinded, tsv)
SELECT e.id, e.owner_agency_id, e.type, extract(year FROM e.released_at AT TIME ZONE 'UTC')::integer,
    coalesce(e.content->>'originating_office', ''), tearline_search_strings(e.content->'topics'),
    tearline_search_strings(e.content->'regions'), e.released_at,
    EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e.id),
    tearline_search_vector(e.title, e.content->>'summary', tearline_search_portions(e.content))
FROM edition e;
ALTER TABLE edition FORCE ROW LEVEL SECURITY;
ALTER TABLE edition_rescission FORCE ROW LEVEL SECURITY;

-- +goose Down
DROP TRIGGER edition_rescission_search ON edition_rescission;
DROP TRIGGER edition_search_index ON edition;
DROP FUNCTION tearline_search(bigint, tsquery, boolean, boolean, text, text, text, integer, text, boolean),
    tearline_search_index(), tearline_search_rescind(), tearline_search_strings(jsonb),
    tearline_search_vector(text, text, text), tearline_search_text(text, text), tearline_search_portions(jsonb);
DROP INDEX product_unreleased_idx;
DROP TABLE search_doc;
