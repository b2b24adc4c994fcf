package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Editions and rescissions are copied without their triggers (session_replication_role = replica):
// row by row, the search-index trigger costs about 0.6 ms an edition on this machine, ten minutes a
// million. fillDerived then does the triggers' work set by set, exactly as the migrations' own
// backfills do (00011 and 00017 for search_doc, 00012 for edition_attachment, 00020 for recall_notice). checkTriggers refuses to load
// when those tables carry a trigger whose work is not done here, so a new trigger cannot be skipped
// silently; teach fillDerived its set-based form.
var knownTriggers = map[string][]string{
	"edition":            {"edition_attachment_fill", "edition_immutable", "edition_search_index"},
	"edition_rescission": {"edition_rescission_immutable", "edition_rescission_recall_notice", "edition_rescission_search"},
	"release_ledger":     {"release_ledger_immutable", "release_ledger_search_audience"},
}

// searchDocColumns are the columns fillDerived writes; a change to search_doc must be mirrored here.
const searchDocColumns = "edition_id,owner_agency_id,type,year,office,topics,regions,released_at,rescinded,tsv,audience_keys"

func checkTriggers(ctx context.Context, pool *pgxpool.Pool) error {
	for table, known := range knownTriggers {
		rows, _ := pool.Query(ctx, `SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal ORDER BY tgname`, table)
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, n := range names {
			if !slices.Contains(known, n) {
				return fmt.Errorf("bench: table %s has trigger %s, whose work the bench loader does not do; add its set-based form to internal/bench/fill.go", table, n)
			}
		}
	}
	var cols string
	if err := pool.QueryRow(ctx, `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = 'search_doc'`).Scan(&cols); err != nil {
		return err
	}
	if cols != searchDocColumns {
		return fmt.Errorf("bench: search_doc has columns %s, the bench loader writes %s; update internal/bench/fill.go", cols, searchDocColumns)
	}
	return nil
}

// fillDerived fills search_doc, edition_attachment and recall_notice for the editions with ids in
// [from, to], on as many connections as parts.
func fillDerived(ctx context.Context, pool *pgxpool.Pool, from, to int64, parts int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g := newGroup(cancel)
	step := (to - from + int64(parts)) / int64(parts)
	for lo := from; lo <= to; lo += step {
		hi := min(lo+step-1, to)
		g.go_(func() error {
			conn, err := pool.Acquire(ctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			for _, q := range []string{
				`SET synchronous_commit = off`,
				`INSERT INTO search_doc (` + searchDocColumns + `)
				SELECT e.id, e.owner_agency_id, e.type, extract(year FROM e.released_at AT TIME ZONE 'UTC')::integer,
					coalesce(e.content->>'originating_office', ''), tearline_search_strings(e.content->'topics'),
					tearline_search_strings(e.content->'regions'), e.released_at,
					EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e.id),
					tearline_search_vector(e.title, e.content->>'summary', tearline_search_portions(e.content)),
					(SELECT coalesce(array_agg(tearline_search_key(l.agency_id, e.id) ORDER BY l.agency_id), '{}') FROM release_ledger l WHERE l.edition_id = e.id)
				FROM edition e WHERE e.id BETWEEN $1 AND $2`,
				`INSERT INTO edition_attachment (edition_id, attachment_id)
				SELECT e.id, (x->>'attachment_id')::bigint
				FROM edition e, jsonb_array_elements(coalesce(e.content->'attachments', '[]'::jsonb)) x
				WHERE e.id BETWEEN $1 AND $2 AND jsonb_array_length(e.content->'attachments') > 0`,
				`INSERT INTO recall_notice (agency_id, edition_id, number, rev, reason, at)
				SELECT l.agency_id, e.id, e.number, e.rev, r.reason, r.rescinded_at
				FROM edition_rescission r JOIN edition e ON e.id = r.edition_id JOIN release_ledger l ON l.edition_id = r.edition_id
				WHERE r.edition_id BETWEEN $1 AND $2`,
			} {
				var args []any
				if strings.Contains(q, "$1") {
					args = []any{lo, hi}
				}
				if _, err := conn.Exec(ctx, q, args...); err != nil {
					return fmt.Errorf("fill derived rows: %w", err)
				}
			}
			return nil
		})
	}
	return g.wait()
}
