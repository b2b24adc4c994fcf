package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/notify"
	"tearline/internal/product"
)

// DisseminateEdition writes one ledger row per recipient agency (agencies that already hold the
// edition are skipped), with the justification and the caveats checked, audited in the same transaction.
// The caller has checked every recipient against the caveats.
func (db *DB) DisseminateEdition(ctx context.Context, agencyID, userID, editionID int64, recipients []int64, justification, caveats string) (int, error) {
	added := 0
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		var e product.Edition
		if err := tx.QueryRow(ctx, `SELECT id, number, rev FROM edition WHERE id = $1 AND owner_agency_id = $2
			AND NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = edition.id)`, editionID, agencyID).Scan(&e.ID, &e.Number, &e.Rev); err != nil {
			return err
		}
		// One statement writes every new ledger row and one audit row records the release with the
		// agencies it reached (the ledger keeps a row per agency): a release to 500 agencies costs a
		// few round trips, not a thousand.
		rows, _ := tx.Query(ctx, `INSERT INTO release_ledger (edition_id, agency_id, released_by, justification, caveats)
			SELECT $1, a, $3, $4, $5 FROM unnest($2::bigint[]) WITH ORDINALITY AS r(a, n) ORDER BY n
			ON CONFLICT (edition_id, agency_id) DO NOTHING RETURNING agency_id`, editionID, recipients, userID, justification, caveats)
		reached, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		added = len(reached)
		if added == 0 {
			return nil
		}
		if err := insertAudit(ctx, tx, audit.New(ctx, "edition.disseminate", "edition", strconv.FormatInt(editionID, 10), audit.Success,
			map[string]any{"recipient_agency_ids": reached, "caveats": caveats})); err != nil {
			return err
		}
		return db.notifyEdition(ctx, tx, notify.EditionReleased, e, reached, "")
	})
	return added, err
}

// FindLedger returns an edition's release ledger with the number of readers per agency (owner only).
func (db *DB) FindLedger(ctx context.Context, agencyID, editionID int64) ([]product.LedgerEntry, error) {
	var out []product.LedgerEntry
	b := &pgx.Batch{}
	queueLedger(b, agencyID, editionID, &out)
	return out, db.batchAs(ctx, agencyID, 0, b)
}

// queueLedger queues the statement of FindLedger, filling out.
func queueLedger(b *pgx.Batch, agencyID, editionID int64, out *[]product.LedgerEntry) {
	b.Queue(`SELECT a.id, a.code, a.name, u.display_name, l.released_at, l.justification, l.caveats,
			(SELECT count(*) FROM receipt r WHERE r.edition_id = l.edition_id AND r.agency_id = l.agency_id)
			FROM release_ledger l JOIN edition e ON e.id = l.edition_id JOIN agency a ON a.id = l.agency_id
			JOIN app_user u ON u.id = l.released_by
			WHERE l.edition_id = $1 AND e.owner_agency_id = $2 ORDER BY a.code`, editionID, agencyID).
		Query(collect(out, func(r pgx.CollectableRow) (product.LedgerEntry, error) {
			var l product.LedgerEntry
			return l, r.Scan(&l.AgencyID, &l.AgencyCode, &l.AgencyName, &l.ReleasedBy, &l.ReleasedAt, &l.Justification, &l.Caveats, &l.Readers)
		}))
}

// FindInbox returns a page of the editions released to the agency (not rescinded), newest first, with
// the user's read state and the agency's acknowledgement, a count that is exact up to f.CountAhead
// editions past the page's offset (one more means "more than that"), and the agency's recall notices.
// The agency setting travels in the same round trip as the two statements (one pgx.Batch, one
// implicit transaction), and they filter by the ledger explicitly as well. The page follows the
// ledger's (agency_id, released_at DESC, edition_id) index, so it reads only the rows it shows, and
// the count stops at its cap: both stay fast however many editions the agency holds.
func (db *DB) FindInbox(ctx context.Context, agencyID, userID int64, f product.InboxFilter) (product.Inbox, error) {
	var box product.Inbox
	ahead := f.CountAhead
	if ahead <= 0 {
		ahead = product.InboxCountAhead
	}
	const filters = `l.agency_id = $1 AND ($2 = '' OR e.type = $2)
		  AND ($3 = '' OR e.content->'topics' ? $3) AND ($4 = '' OR e.content->'regions' ? $4)
		  AND ($5::timestamptz IS NULL OR l.released_at >= $5) AND ($6::timestamptz IS NULL OR l.released_at < $6)
		  AND NOT EXISTS (SELECT 1 FROM edition_rescission x WHERE x.edition_id = e.id)`
	// Without a filter on the edition's content the count needs the ledger alone (and the
	// rescissions, which recipients see for the editions they hold): no edition is read.
	count := `SELECT count(*) FROM (SELECT 1 FROM release_ledger l JOIN edition e ON e.id = l.edition_id WHERE ` + filters + ` LIMIT $10) c`
	if f.Type == "" && f.Topic == "" && f.Region == "" {
		count = `SELECT count(*) FROM (SELECT 1 FROM release_ledger l
			WHERE l.agency_id = $1 AND ($5::timestamptz IS NULL OR l.released_at >= $5) AND ($6::timestamptz IS NULL OR l.released_at < $6)
			  AND NOT EXISTS (SELECT 1 FROM edition_rescission x WHERE x.edition_id = l.edition_id) LIMIT $10) c`
	}
	b := &pgx.Batch{}
	// One statement: the count is the one row the page joins to, so an empty page still returns the
	// total. The page is chosen first (LIMIT fences the subquery), so the read and acknowledgement
	// checks look up the page's rows only, not every receipt the user ever left.
	b.Queue(`SELECT n.total, pg.id, pg.number, pg.rev, pg.type, pg.title, pg.banner, pg.summary, pg.released_at, pg.read, pg.acknowledged
		FROM (`+count+`) n (total) LEFT JOIN LATERAL (
			SELECT p.*, EXISTS (SELECT 1 FROM receipt r WHERE r.edition_id = p.id AND r.user_id = $7) AS read,
				EXISTS (SELECT 1 FROM acknowledgement k WHERE k.edition_id = p.id AND k.agency_id = $1) AS acknowledged
			FROM (SELECT e.id, e.number, e.rev, e.type, e.title, e.banner, e.content->>'summary' AS summary, l.released_at, l.edition_id
				FROM release_ledger l JOIN edition e ON e.id = l.edition_id
				WHERE `+filters+`
				ORDER BY l.released_at DESC, l.edition_id LIMIT $8 OFFSET $9) p) pg ON true
		ORDER BY pg.released_at DESC, pg.edition_id`,
		agencyID, string(f.Type), f.Topic, f.Region, f.From, f.To, userID, f.Limit, f.Offset, f.Offset+ahead+1).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var it inboxRow
				if err := rows.Scan(&box.Total, &it.id, &it.number, &it.rev, &it.typ, &it.title, &it.banner, &it.summary, &it.releasedAt,
					&it.read, &it.acknowledged); err != nil {
					return err
				}
				if it.id != nil { // nil: the page is empty and this is the count's row alone
					box.Items = append(box.Items, it.item())
				}
			}
			return rows.Err()
		})
	b.Queue(`SELECT edition_id, number, rev, reason, at FROM recall_notice WHERE agency_id = $1
		ORDER BY at DESC, edition_id DESC LIMIT 100`, agencyID).
		Query(collect(&box.Recalled, scanRecallNotice))
	err := db.batchAs(ctx, agencyID, 0, b)
	return box, err
}

// inboxRow is an inbox row as FindInbox reads it: every page column is NULL on the count's lone row
// when the page is empty.
type inboxRow struct {
	id, rev                    *int64
	number, title, banner, typ *string
	summary                    *string
	releasedAt                 *time.Time
	read, acknowledged         *bool
}

func (r inboxRow) item() product.InboxItem {
	return product.InboxItem{EditionID: *r.id, Rev: int(deref(r.rev)), Number: deref(r.number), Type: product.Type(deref(r.typ)),
		Title: deref(r.title), Banner: deref(r.banner), Summary: deref(r.summary), ReleasedAt: deref(r.releasedAt),
		Read: deref(r.read), Acknowledged: deref(r.acknowledged)}
}

// deref returns *p, or the zero value when p is nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// FindVisibleEdition returns an edition the agency owns or received (for recipients, RLS also hides
// rescinded ones), and whether the agency owns it. Anything else is ENOTFOUND.
func (db *DB) FindVisibleEdition(ctx context.Context, agencyID, editionID int64) (product.Edition, bool, error) {
	var e product.Edition
	b := &pgx.Batch{}
	b.Queue(editionSelect+` WHERE e.id = $1 AND (e.owner_agency_id = $2
			OR EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = e.id AND l.agency_id = $2))`, editionID, agencyID).
		Query(exactlyOne(&e, scanEdition))
	err := db.batchAs(ctx, agencyID, 0, b)
	if err == nil && e.OwnerAgencyID != agencyID && e.Rescinded != nil {
		return product.Edition{}, false, apperr.NotFound()
	}
	return e, e.OwnerAgencyID == agencyID, err
}

func scanRecallNotice(r pgx.CollectableRow) (product.RecallNotice, error) {
	var n product.RecallNotice
	return n, r.Scan(&n.EditionID, &n.Number, &n.Rev, &n.Reason, &n.At)
}

// FindRecallNotice returns the recall notice of one edition the agency received, or ENOTFOUND.
func (db *DB) FindRecallNotice(ctx context.Context, agencyID, editionID int64) (product.RecallNotice, error) {
	var n product.RecallNotice
	b := &pgx.Batch{}
	b.Queue(`SELECT edition_id, number, rev, reason, at FROM recall_notice WHERE agency_id = $1 AND edition_id = $2`, agencyID, editionID).
		Query(exactlyOne(&n, scanRecallNotice))
	return n, db.batchAs(ctx, agencyID, 0, b)
}

// queueSuccessor queues the lookup of the visible edition that supersedes editionID, filling x.
func queueSuccessor(b *pgx.Batch, agencyID, editionID int64, x *product.EditionSurroundings) {
	b.Queue(`SELECT e.id, e.number, e.rev FROM edition e WHERE e.supersedes = $1
			AND (e.owner_agency_id = $2 OR EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = e.id AND l.agency_id = $2))`,
		editionID, agencyID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var n string
			var rev int
			if err := rows.Scan(&x.SuccessorID, &n, &rev); err != nil {
				return err
			}
			x.SuccessorLabel = product.Edition{Number: n, Rev: rev}.Label()
		}
		return rows.Err()
	})
}

// ViewEdition records a view of edition e and reads what its page shows around the content, in one
// round trip (one batch, one implicit transaction, committed before the content is sent).
//
// The view is the user's first view as a receipt (recipients only) and an audit row; row-level
// security admits the receipt only for the reading user of an agency that holds the edition. Around
// the content: the visible edition that supersedes it; whether the agency may know the edition it
// supersedes (it holds it, or its recall notice); for the owner the ledger and the reach; for a
// recipient its own acknowledgement and the user's feedback. Every statement names the agency.
func (db *DB) ViewEdition(ctx context.Context, agencyID, userID int64, e product.Edition) (product.EditionSurroundings, error) {
	var x product.EditionSurroundings
	var own ownReach
	owner := e.OwnerAgencyID == agencyID
	b := &pgx.Batch{}
	if !owner {
		b.Queue(`INSERT INTO receipt (edition_id, user_id, agency_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, e.ID, userID, agencyID)
	}
	if err := queueAudit(b, audit.New(ctx, "edition.view", "edition", strconv.FormatInt(e.ID, 10), audit.Success,
		map[string]any{"number": e.Number, "rev": e.Rev})); err != nil {
		return x, err
	}
	queueSuccessor(b, agencyID, e.ID, &x)
	if e.Supersedes != nil {
		b.Queue(`SELECT EXISTS (SELECT 1 FROM edition p WHERE p.id = $1 AND (p.owner_agency_id = $2
				OR (EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = p.id AND l.agency_id = $2)
				    AND NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = p.id))))
			OR EXISTS (SELECT 1 FROM recall_notice n WHERE n.agency_id = $2 AND n.edition_id = $1)`, *e.Supersedes, agencyID).
			QueryRow(func(row pgx.Row) error { return row.Scan(&x.PredecessorKnown) })
	}
	if owner {
		queueLedger(b, agencyID, e.ID, &x.Ledger)
		queueReach(b, agencyID, e.ID, &x.Reach)
	} else {
		queueOwnReach(b, agencyID, userID, e.ID, &own)
	}
	if err := db.batchAs(ctx, agencyID, userID, b); err != nil {
		return product.EditionSurroundings{}, err
	}
	x.Ack, x.Mine = own.result()
	return x, nil
}
