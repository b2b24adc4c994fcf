package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/product"
	"tearline/internal/search"
)

// searchEditionsSQL finds the newest visible editions matching the query ($2), at most one more than
// the search window ($15), ranks them and computes the total and the facets over the window, in one
// statement. tearline_search (migrations 00011, 00017, 00019) finds the matches through the text index,
// newest first, and applies the dissemination rule for the transaction's agency; the page's editions
// are then read back through the RLS-protected edition table, with the ledger filtered explicitly as in
// FindInbox, and the snippets are taken from those rows only. The total counts at most the window; the
// extra row only says that there are more.
const searchEditionsSQL = `WITH m AS MATERIALIZED (
	SELECT * FROM tearline_search($1, websearch_to_tsquery('english', $2), $3, $4, $5, $6, $7, $8, $9, $10 = 'relevance', $15 + 1)
), w AS MATERIALIZED (
	SELECT * FROM m ORDER BY m.edition_id DESC LIMIT $15
), page AS (
	SELECT w.edition_id, w.rank, w.released_at FROM w
	ORDER BY CASE WHEN $10 = 'relevance' THEN w.rank END DESC NULLS LAST, w.released_at DESC, w.edition_id DESC
	LIMIT $11 OFFSET $12
), f AS (
	SELECT count(*) AS total, (SELECT count(*) FROM m) > $15 AS more, jsonb_build_object(
		'type', (SELECT coalesce(jsonb_object_agg(k, n), '{}') FROM (SELECT type AS k, count(*) AS n FROM w GROUP BY 1) x),
		'topic', (SELECT coalesce(jsonb_object_agg(k, n), '{}') FROM (SELECT t AS k, count(*) AS n FROM w, unnest(w.topics) t GROUP BY 1) x),
		'region', (SELECT coalesce(jsonb_object_agg(k, n), '{}') FROM (SELECT t AS k, count(*) AS n FROM w, unnest(w.regions) t GROUP BY 1) x),
		'year', (SELECT coalesce(jsonb_object_agg(k, n), '{}') FROM (SELECT year::text AS k, count(*) AS n FROM w GROUP BY 1) x),
		'office', (SELECT coalesce(jsonb_object_agg(k, n), '{}') FROM (SELECT office AS k, count(*) AS n FROM w WHERE office <> '' GROUP BY 1) x)
	) AS facets FROM w
)
SELECT f.total, f.more, f.facets, e.id, e.owner_agency_id, e.number, e.rev, e.type, e.banner, e.released_at, p.rank,
	EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e.id),
	ts_headline('english', translate(e.title, U&'\E000\E001', ''), websearch_to_tsquery('english', $2), $13),
	ts_headline('english', tearline_search_text(e.content->>'summary', tearline_search_portions(e.content)), websearch_to_tsquery('english', $2), $14)
FROM f LEFT JOIN (page p JOIN edition e ON e.id = p.edition_id
	AND (e.owner_agency_id = $1 AND $3
		OR $4 AND EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = e.id AND l.agency_id = $1)
			AND NOT EXISTS (SELECT 1 FROM edition_rescission x WHERE x.edition_id = e.id))) ON true
ORDER BY CASE WHEN $10 = 'relevance' THEN p.rank END DESC NULLS LAST, p.released_at DESC, p.edition_id DESC`

// searchDraftsSQL finds the agency's unreleased products the user may read (center staff), under
// row-level security: drafts are few, so their text is read and matched as it stands.
const searchDraftsSQL = `SELECT p.id, p.type, p.state, p.updated_at, count(*) OVER (),
	ts_headline('english', translate(p.title, U&'\E000\E001', ''), q, $10),
	ts_headline('english', v.doc, q, $11)
FROM product p
CROSS JOIN websearch_to_tsquery('english', $2) q
CROSS JOIN LATERAL (SELECT d.doc, tearline_search_vector(p.title, p.summary, d.portions) AS tsv
	FROM (SELECT x.portions, tearline_search_text(p.summary, x.portions) AS doc
		FROM (SELECT coalesce((SELECT string_agg(o.body, E'\n' ORDER BY o.position) FROM portion o WHERE o.product_id = p.id), '') AS portions) x) d) v
WHERE p.owner_agency_id = $1 AND p.state <> 'released'
  AND (p.state = 'draft' AND ($3 OR $4 AND EXISTS (SELECT 1 FROM product_author a WHERE a.product_id = p.id AND a.user_id = $5))
    OR p.state <> 'draft' AND $6)
  AND ($7 = '' OR p.type = $7) AND ($8 = '' OR p.topics @> ARRAY[$8]) AND ($9 = '' OR p.regions @> ARRAY[$9])
  AND ($12 = '' OR p.originating_office = $12)
  AND v.tsv @@ q
ORDER BY ts_rank_cd(v.tsv, q) DESC, p.updated_at DESC, p.id DESC
LIMIT $13`

// searchNumberSQL finds the newest visible revision of a product number (or the revision asked).
const searchNumberSQL = `SELECT e.id FROM edition e
WHERE e.number = $2 AND ($3 = 0 OR e.rev = $3)
  AND (e.owner_agency_id = $1 AND $4
    OR $5 AND e.owner_agency_id <> $1 AND EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = e.id AND l.agency_id = $1)
      AND NOT EXISTS (SELECT 1 FROM edition_rescission x WHERE x.edition_id = e.id))
ORDER BY e.rev DESC LIMIT 1`

// Search runs a search within the scope authz granted. Like FindInbox, the agency setting and every
// statement travel in one pgx.Batch (one round trip, one implicit transaction), and each statement
// also filters by the agency explicitly; the audit row recording the search terms is the batch's last
// statement, so it commits with the search or not at all. A product number that names a visible
// edition sets JumpTo; one that names a hidden edition is searched as text, exactly like a number
// that does not exist.
func (db *DB) Search(ctx context.Context, s search.Scope, q search.Query) (search.Results, error) {
	var res search.Results
	number, rev, isNumber := search.ParseNumber(q.Text)
	drafts := s.Drafts.Any() && q.Page == 1 && q.Filter.Year == 0
	details := map[string]any{"query": q.Text, "sort": q.Sort, "page": q.Page}
	if !q.Filter.Empty() {
		details["filter"] = q.Filter
	}
	auditSQL, auditArgs, err := auditStatement(audit.New(ctx, "search", "search", "", audit.Success, details))
	if err != nil {
		return res, err
	}
	b := &pgx.Batch{}
	// JIT compilation would cost more than the search itself; it is switched off for this batch only.
	b.Queue(`SELECT set_config('tearline.agency_id', $1, true), set_config('jit', 'off', true)`, strconv.FormatInt(s.AgencyID, 10))
	if isNumber {
		b.Queue(searchNumberSQL, s.AgencyID, number, rev, s.Owned, s.Received)
	}
	f := q.Filter
	b.Queue(searchEditionsSQL, s.AgencyID, q.Text, s.Owned, s.Received, string(f.Type), f.Topic, f.Region, f.Year, f.Office,
		string(q.Sort), search.PerPage, q.Offset(), search.HeadlineOptions(true), search.HeadlineOptions(false), search.Window)
	if drafts {
		b.Queue(searchDraftsSQL, s.AgencyID, q.Text, s.Drafts.All, s.Drafts.Authored, s.UserID, s.Drafts.InReview,
			string(f.Type), f.Topic, f.Region, search.HeadlineOptions(true), search.HeadlineOptions(false), f.Office, search.DraftLimit)
	}
	b.Queue(auditSQL, auditArgs...)
	err = readSearch(db.Pool.SendBatch(ctx, b), q, isNumber, drafts, &res)
	return res, formatError(err)
}

// readSearch reads the batch's results in the order Search queued them.
func readSearch(br pgx.BatchResults, q search.Query, isNumber, drafts bool, res *search.Results) (err error) {
	defer func() {
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := br.Exec(); err != nil {
		return err
	}
	if isNumber {
		if err := br.QueryRow().Scan(&res.JumpTo); err != nil && err != pgx.ErrNoRows {
			return err
		}
	}
	rows, _ := br.Query()
	var raw []byte
	for rows.Next() {
		var h search.Hit
		var id, owner *int64
		var number, banner, title, snippet *string
		var hrev *int
		var typ *string
		var rescinded *bool
		var rank *float32
		var released *time.Time
		if err := rows.Scan(&res.Total, &res.More, &raw, &id, &owner, &number, &hrev, &typ, &banner, &released, &rank, &rescinded, &title, &snippet); err != nil {
			rows.Close()
			return err
		}
		if id == nil { // the facet row of an empty page
			continue
		}
		h.EditionID, h.OwnerAgencyID, h.Number, h.Rev, h.Type, h.Banner = *id, *owner, *number, *hrev, product.Type(*typ), *banner
		h.ReleasedAt, h.Rank, h.Rescinded = *released, *rank, *rescinded
		h.Title, h.Snippet = search.Highlight(*title), search.Highlight(*snippet)
		res.Hits = append(res.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// Every edition the index names must come back through row-level security; if one does not, the
	// index and the locks disagree, and the counts cannot be trusted either: fail closed.
	if want := min(search.PerPage, max(res.Total-q.Offset(), 0)); len(res.Hits) != want {
		return &apperr.Error{Code: apperr.EINTERNAL, Message: "Search is unavailable.",
			Err: fmt.Errorf("search index named %d editions for the page, %d came back through row-level security", want, len(res.Hits))}
	}
	counts := map[string]map[string]int{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &counts); err != nil {
			return fmt.Errorf("search facets: %w", err)
		}
	}
	res.Facets = search.NewFacets(counts)
	if drafts {
		rows, _ = br.Query()
		if res.Drafts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (search.DraftHit, error) {
			var d search.DraftHit
			var title, snippet string
			err := r.Scan(&d.ProductID, &d.Type, &d.State, &d.UpdatedAt, &res.DraftTotal, &title, &snippet)
			d.Title, d.Snippet = search.Highlight(title), search.Highlight(snippet)
			return d, err
		}); err != nil {
			return err
		}
	}
	_, err = br.Exec() // the audit row
	return err
}
