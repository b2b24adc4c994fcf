package postgres

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/jackc/pgx/v5"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/product"
)

// FindVersions lists a product's versions, newest first (snapshots included).
func (db *DB) FindVersions(ctx context.Context, agencyID, productID int64) ([]product.Version, error) {
	var out []product.Version
	var rev int
	b := &pgx.Batch{}
	b.Queue(`SELECT rev FROM product WHERE id = $1 AND owner_agency_id = $2`, productID, agencyID).
		QueryRow(func(row pgx.Row) error { return row.Scan(&rev) })
	b.Queue(`SELECT v.id, v.number, v.kind, v.note, v.snapshot, v.created_by, u.display_name, v.created_at
			FROM product_version v JOIN app_user u ON u.id = v.created_by JOIN product p ON p.id = v.product_id
			WHERE v.product_id = $1 AND p.owner_agency_id = $2 ORDER BY v.number DESC`, productID, agencyID).
		Query(collect(&out, scanVersion))
	return out, db.batchAs(ctx, agencyID, 0, b)
}

func scanVersion(r pgx.CollectableRow) (product.Version, error) {
	var v product.Version
	var snap []byte
	if err := r.Scan(&v.ID, &v.Number, &v.Kind, &v.Note, &snap, &v.CreatedBy, &v.AuthorName, &v.CreatedAt); err != nil {
		return v, err
	}
	return v, json.Unmarshal(snap, &v.Snapshot)
}

func loadProductHead(ctx context.Context, tx pgx.Tx, agencyID, productID int64) (int, error) {
	var rev int
	err := tx.QueryRow(ctx, `SELECT rev FROM product WHERE id = $1 AND owner_agency_id = $2`, productID, agencyID).Scan(&rev)
	return rev, err
}

// RestoreVersion makes an old version's content current again, as a new version; portions are
// replaced by the snapshot's portions.
func (db *DB) RestoreVersion(ctx context.Context, agencyID, userID, productID int64, number int) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		if _, err := loadProductHead(ctx, tx, agencyID, productID); err != nil {
			return err
		}
		var b []byte
		if err := tx.QueryRow(ctx, `SELECT snapshot FROM product_version WHERE product_id = $1 AND number = $2`, productID, number).Scan(&b); err != nil {
			return err
		}
		var s product.Snapshot
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE product SET title = $2, summary = $3, topics = $4, regions = $5, originating_office = $6
			WHERE id = $1`, productID, s.Title, s.Summary, nonNil(s.Topics), nonNil(s.Regions), s.OriginatingOffice); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM portion WHERE product_id = $1`, productID); err != nil {
			return err
		}
		for i, ps := range s.Portions {
			x := product.Portion{Position: i + 1, Kind: ps.Kind, Section: ps.Section, Body: ps.Body, Marking: ps.Marking}
			if err := insertPortion(ctx, tx, productID, userID, &x); err != nil {
				return err
			}
		}
		if err := touch(ctx, tx, productID, userID); err != nil {
			return err
		}
		if _, err := keepVersion(ctx, tx, agencyID, productID, userID, product.VersionRestore, "Restored version "+strconv.Itoa(number)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "product.restore", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"version": number}))
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// AddSource cites a source on the product.
func (db *DB) AddSource(ctx context.Context, agencyID, userID, productID int64, s *product.Source) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		if _, err := loadProductHead(ctx, tx, agencyID, productID); err != nil {
			return err
		}
		var pos int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) + 1 FROM product_source WHERE product_id = $1`, productID).Scan(&pos); err != nil {
			return err
		}
		if err := insertSource(ctx, tx, productID, pos, s); err != nil {
			return err
		}
		if err := touch(ctx, tx, productID, userID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "source.add", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"source_id": s.ID, "grade": s.Grade.String()}))
	})
}

// DeleteSource removes a cited source.
func (db *DB) DeleteSource(ctx context.Context, agencyID, userID, productID, sourceID int64) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM product_source WHERE id = $1 AND product_id = $2`, sourceID, productID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return apperr.NotFound()
		}
		if err := touch(ctx, tx, productID, userID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "source.delete", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"source_id": sourceID}))
	})
}

// AddAuthor makes another user of the agency a co-author.
func (db *DB) AddAuthor(ctx context.Context, agencyID, userID, productID, authorID int64) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		if _, err := loadProductHead(ctx, tx, agencyID, productID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO product_author (product_id, user_id, position)
			SELECT $1, u.id, (SELECT coalesce(max(position), 0) + 1 FROM product_author WHERE product_id = $1)
			FROM app_user u JOIN membership m ON m.user_id = u.id AND m.role = 'analyst'
			WHERE u.id = $2 AND u.agency_id = $3 AND u.active
			ON CONFLICT DO NOTHING`, productID, authorID, agencyID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return apperr.Invalid(map[string]string{"author": "Choose an active analyst who is not yet an author."})
		}
		return insertAudit(ctx, tx, audit.New(ctx, "product.author_add", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"author_id": authorID}))
	})
}

// FindAnalysts lists the active analysts of an agency (candidate co-authors).
func (db *DB) FindAnalysts(ctx context.Context, agencyID int64) ([]product.Author, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT u.id, u.display_name FROM app_user u JOIN membership m ON m.user_id = u.id
		WHERE u.agency_id = $1 AND m.role = 'analyst' AND u.active ORDER BY u.display_name`, agencyID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (product.Author, error) {
		var a product.Author
		return a, r.Scan(&a.UserID, &a.Name)
	})
	return out, formatError(err)
}
