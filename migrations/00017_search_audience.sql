-- Search at a million editions (docs/search.md, "Scale"): tearline_search checked the ledger for
-- every text match before keeping the agency's own, so a common word (283,000 matches of a million)
-- cost seconds however few of them the agency may see. The index now carries each edition's
-- audience: the agencies holding a ledger row for it. One GIN index over (tsv, audience) answers
-- "matches the words AND released to this agency" together, so only the agency's visible matches are
-- read. The ledger is immutable, so the audience only grows; a statement-level trigger on the ledger
-- appends the new recipients in the transaction that releases to them (one row update per edition,
-- however many agencies). The rescinded flag is kept as before.

-- +goose Up
ALTER TABLE search_doc ADD COLUMN audience bigint[] NOT NULL DEFAULT '{}';

UPDATE search_doc d SET audience = a.ids
FROM (SELECT edition_id, array_agg(agency_id ORDER BY agency_id) AS ids FROM release_ledger GROUP BY edition_id) a
WHERE a.edition_id = d.edition_id;

DROP INDEX search_doc_tsv_idx;
CREATE INDEX search_doc_tsv_audience_idx ON search_doc USING gin (tsv, audience);
CREATE INDEX search_doc_owner_idx ON search_doc (owner_agency_id);

-- +goose StatementBegin
CREATE FUNCTION tearline_search_audience() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' AS $$
BEGIN
    UPDATE public.search_doc d SET audience = d.audience || n.ids
    FROM (SELECT edition_id, array_agg(agency_id ORDER BY agency_id) AS ids FROM new_rows GROUP BY edition_id) n
    WHERE d.edition_id = n.edition_id;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION tearline_search(agency bigint, q tsquery, own boolean, received boolean, f_type text, f_topic text,
    f_region text, f_year integer, f_office text, ranked boolean)
RETURNS TABLE (edition_id bigint, owner_agency_id bigint, rescinded boolean, type text, year integer, office text,
    topics text[], regions text[], released_at timestamptz, rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = '' SET plan_cache_mode = force_custom_plan SET jit = off AS $$
BEGIN
    IF agency IS NULL OR agency IS DISTINCT FROM public.tearline_agency() OR q IS NULL THEN
        RETURN;
    END IF;
    -- Two arms, each driven by an index: the agency's own editions (center staff), and the editions
    -- released to it (the text and the audience matched together by one GIN index). A released
    -- edition is also not rescinded, by the flag and by the rescission table.
    RETURN QUERY
    SELECT d.edition_id, d.owner_agency_id, d.rescinded, d.type, d.year, d.office, d.topics, d.regions, d.released_at,
        (CASE WHEN ranked THEN pg_catalog.ts_rank_cd(d.tsv, q) ELSE 0 END)::real
    FROM public.search_doc d
    WHERE own AND d.owner_agency_id = agency AND d.tsv @@ q
      AND (f_type = '' OR d.type = f_type)
      AND (f_topic = '' OR d.topics @> ARRAY[f_topic])
      AND (f_region = '' OR d.regions @> ARRAY[f_region])
      AND (f_year = 0 OR d.year = f_year)
      AND (f_office = '' OR d.office = f_office)
    UNION ALL
    SELECT d.edition_id, d.owner_agency_id, d.rescinded, d.type, d.year, d.office, d.topics, d.regions, d.released_at,
        (CASE WHEN ranked THEN pg_catalog.ts_rank_cd(d.tsv, q) ELSE 0 END)::real
    FROM public.search_doc d
    WHERE received AND d.tsv @@ q AND d.audience @> ARRAY[agency] AND d.owner_agency_id <> agency AND NOT d.rescinded
      AND (f_type = '' OR d.type = f_type)
      AND (f_topic = '' OR d.topics @> ARRAY[f_topic])
      AND (f_region = '' OR d.regions @> ARRAY[f_region])
      AND (f_year = 0 OR d.year = f_year)
      AND (f_office = '' OR d.office = f_office)
      AND NOT EXISTS (SELECT 1 FROM public.edition_rescission r WHERE r.edition_id = d.edition_id);
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION tearline_search_audience() FROM PUBLIC;
CREATE TRIGGER release_ledger_search_audience AFTER INSERT ON release_ledger
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tearline_search_audience();

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tearline_search(agency bigint, q tsquery, own boolean, received boolean, f_type text, f_topic text,
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
DROP TRIGGER release_ledger_search_audience ON release_ledger;
DROP FUNCTION tearline_search_audience();
DROP INDEX search_doc_owner_idx;
DROP INDEX search_doc_tsv_audience_idx;
CREATE INDEX search_doc_tsv_idx ON search_doc USING gin (tsv);
ALTER TABLE search_doc DROP COLUMN audience;
