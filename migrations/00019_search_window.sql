-- Search examines at most the newest matches (docs/search.md, "The window").
--
-- At a million editions a common word matches hundreds of thousands of editions and tens of
-- thousands of those an agency may see. The GIN index names them at once, but each must then be read
-- from a table of 1.5 kB rows to rank it and count its facets: 20,000 scattered page reads, 200-350 ms.
-- No index orders matches by relevance, and a search that counts every match cannot stay within the
-- 100 ms budget. So tearline_search walks the index newest first and stops once it holds `lim` visible
-- matches: a common word is answered from the newest editions alone, a rare one from a few steps
-- that each cost almost nothing. Editions are numbered in release order (edition.id), so "newest" is
-- exact.
--
-- The steps are spans of 65,536 edition ids (span = id >> 16). The index carries, instead of the bare
-- audience, one key per (recipient agency, span): tearline_search_key(agency, edition). "Released to
-- this agency within these spans" is then one GIN lookup over a handful of keys, each naming about
-- 65,536 x (the agency's share) editions, and the text match skips through its posting list to those
-- alone; the heap is read only for the agency's matches in the spans. The first step covers the newest
-- span; each further step as many spans as the density seen so far says will hold the matches still
-- wanted, with a quarter more (four times as many while nothing has matched). Only the rows returned
-- are ranked. The agency's own editions
-- (center staff) are bounded by a BRIN index over the ids (search_doc only grows at the end).
--
-- The dissemination rule is unchanged (the two arms of migration 00017); only the spans are new.

-- +goose Up
-- +goose StatementBegin
-- The key of (agency, the span of edition): 20 bits of span under the agency id. An edition id beyond
-- 2^36 would carry into the agency's bits and name another agency's key, so it gets no key at all (NULL
-- matches nothing): such an edition could not be found by its recipients, but never by anyone else. An
-- agency id beyond 2^43 overflows bigint and fails the release.
CREATE FUNCTION tearline_search_key(agency bigint, edition bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = '' AS $$ SELECT CASE WHEN edition BETWEEN 0 AND 68719476735 THEN agency * 1048576 + (edition >> 16) END $$;
-- +goose StatementEnd

ALTER TABLE search_doc ADD COLUMN audience_keys bigint[] NOT NULL DEFAULT '{}';
UPDATE search_doc d SET audience_keys = (SELECT coalesce(array_agg(tearline_search_key(a, d.edition_id) ORDER BY a), '{}') FROM unnest(d.audience) a)
WHERE d.audience <> '{}';
DROP INDEX search_doc_tsv_audience_idx;
ALTER TABLE search_doc DROP COLUMN audience;
CREATE INDEX search_doc_tsv_audience_idx ON search_doc USING gin (tsv, audience_keys);
CREATE INDEX search_doc_id_brin ON search_doc USING brin (edition_id) WITH (pages_per_range = 16);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tearline_search_audience() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' AS $$
BEGIN
    UPDATE public.search_doc d SET audience_keys = d.audience_keys || n.keys
    FROM (SELECT edition_id, array_agg(public.tearline_search_key(agency_id, edition_id) ORDER BY agency_id) AS keys
        FROM new_rows GROUP BY edition_id) n
    WHERE d.edition_id = n.edition_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

DROP FUNCTION tearline_search(bigint, tsquery, boolean, boolean, text, text, text, integer, text, boolean);

-- +goose StatementBegin
CREATE FUNCTION tearline_search(agency bigint, q tsquery, own boolean, received boolean, f_type text, f_topic text,
    f_region text, f_year integer, f_office text, ranked boolean, lim integer)
RETURNS TABLE (edition_id bigint, owner_agency_id bigint, rescinded boolean, type text, year integer, office text,
    topics text[], regions text[], released_at timestamptz, rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = '' SET plan_cache_mode = force_custom_plan SET jit = off AS $$
DECLARE
    hi bigint;            -- the newest span of this step
    lo bigint;            -- the oldest span of this step
    steps bigint := 1;    -- spans in this step
    covered bigint := 0;  -- spans searched so far
    keys bigint[];
    got integer := 0;
    n integer;
BEGIN
    IF agency IS NULL OR agency IS DISTINCT FROM public.tearline_agency() OR q IS NULL OR lim IS NULL OR lim < 1 THEN
        RETURN;
    END IF;
    SELECT max(d.edition_id) >> 16 INTO hi FROM public.search_doc d;
    WHILE hi IS NOT NULL AND got < lim LOOP
        lo := greatest(hi - steps + 1, 0);
        keys := ARRAY(SELECT public.tearline_search_key(agency, s << 16) FROM pg_catalog.generate_series(lo, hi) s);
        -- The newest matches of spans lo..hi, at most the number still wanted; ranked after the limit,
        -- so that only the rows returned are ranked.
        RETURN QUERY
        SELECT x.edition_id, x.owner_agency_id, x.rescinded, x.type, x.year, x.office, x.topics, x.regions, x.released_at,
            (CASE WHEN ranked THEN pg_catalog.ts_rank_cd(x.tsv, q) ELSE 0 END)::real
        FROM (
            SELECT d.edition_id, d.owner_agency_id, d.rescinded, d.type, d.year, d.office, d.topics, d.regions, d.released_at, d.tsv
            FROM public.search_doc d
            WHERE own AND d.owner_agency_id = agency AND d.tsv @@ q AND d.edition_id >= (lo << 16) AND d.edition_id < ((hi + 1) << 16)
              AND (f_type = '' OR d.type = f_type)
              AND (f_topic = '' OR d.topics @> ARRAY[f_topic])
              AND (f_region = '' OR d.regions @> ARRAY[f_region])
              AND (f_year = 0 OR d.year = f_year)
              AND (f_office = '' OR d.office = f_office)
            UNION ALL
            SELECT d.edition_id, d.owner_agency_id, d.rescinded, d.type, d.year, d.office, d.topics, d.regions, d.released_at, d.tsv
            FROM public.search_doc d
            WHERE received AND d.tsv @@ q AND d.audience_keys && keys AND d.owner_agency_id <> agency AND NOT d.rescinded
              AND (f_type = '' OR d.type = f_type)
              AND (f_topic = '' OR d.topics @> ARRAY[f_topic])
              AND (f_region = '' OR d.regions @> ARRAY[f_region])
              AND (f_year = 0 OR d.year = f_year)
              AND (f_office = '' OR d.office = f_office)
              AND NOT EXISTS (SELECT 1 FROM public.edition_rescission r WHERE r.edition_id = d.edition_id)
            ORDER BY 1 DESC
            LIMIT lim - got
        ) x;
        GET DIAGNOSTICS n = ROW_COUNT;
        got := got + n;
        covered := covered + (hi - lo + 1);
        EXIT WHEN lo = 0;
        hi := lo - 1;
        -- The next step: the spans that, at the density seen so far, hold the matches still wanted, with
        -- a quarter more for margin; four times as many as this step while nothing has matched.
        IF got = 0 THEN
            steps := steps * 4;
        ELSE
            steps := greatest(ceil((lim - got)::numeric * covered / got * 1.25)::bigint, 1);
        END IF;
    END LOOP;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION tearline_search(bigint, tsquery, boolean, boolean, text, text, text, integer, text, boolean, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tearline_search(bigint, tsquery, boolean, boolean, text, text, text, integer, text, boolean, integer) TO tearline_app;

-- +goose Down
DROP FUNCTION tearline_search(bigint, tsquery, boolean, boolean, text, text, text, integer, text, boolean, integer);
DROP INDEX search_doc_id_brin;
DROP INDEX search_doc_tsv_audience_idx;
ALTER TABLE search_doc ADD COLUMN audience bigint[] NOT NULL DEFAULT '{}';
UPDATE search_doc d SET audience = a.ids
FROM (SELECT edition_id, array_agg(agency_id ORDER BY agency_id) AS ids FROM release_ledger GROUP BY edition_id) a
WHERE a.edition_id = d.edition_id;
ALTER TABLE search_doc DROP COLUMN audience_keys;
CREATE INDEX search_doc_tsv_audience_idx ON search_doc USING gin (tsv, audience);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tearline_search_audience() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' AS $$
BEGIN
    UPDATE public.search_doc d SET audience = d.audience || n.ids
    FROM (SELECT edition_id, array_agg(agency_id ORDER BY agency_id) AS ids FROM new_rows GROUP BY edition_id) n
    WHERE d.edition_id = n.edition_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP FUNCTION tearline_search_key(bigint, bigint);

-- +goose StatementBegin
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
REVOKE ALL ON FUNCTION tearline_search(bigint, tsquery, boolean, boolean, text, text, text, integer, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tearline_search(bigint, tsquery, boolean, boolean, text, text, text, integer, text, boolean) TO tearline_app;
