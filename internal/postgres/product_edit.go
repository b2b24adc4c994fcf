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

// keepVersion snapshots the product after a change, if its content changed since the last version,
// and returns the product as it now stands.
func keepVersion(ctx context.Context, tx pgx.Tx, agencyID, productID, userID int64, kind product.VersionKind, note string) (product.Product, error) {
	p, err := loadProduct(ctx, tx, agencyID, productID)
	if err != nil {
		return p, err
	}
	snap := p.Snapshot()
	var last []byte
	err = tx.QueryRow(ctx, `SELECT snapshot FROM product_version WHERE product_id = $1 AND kind <> 'conflict'
		ORDER BY number DESC LIMIT 1`, productID).Scan(&last)
	if err == nil {
		var prev product.Snapshot
		if json.Unmarshal(last, &prev) == nil && !product.Changed(prev, snap) && kind == product.VersionSave {
			return p, nil
		}
	} else if err != pgx.ErrNoRows {
		return p, err
	}
	return p, insertVersion(ctx, tx, productID, userID, kind, note, snap)
}

// touch bumps the product's revision and last-change stamp.
func touch(ctx context.Context, tx pgx.Tx, productID, userID int64) error {
	_, err := tx.Exec(ctx, `UPDATE product SET rev = rev + 1, updated_by = $2, updated_at = now() WHERE id = $1`, productID, userID)
	return err
}

// UpdateProductMetadata saves title, summary, topics, regions, office, flags and designation if the
// details are still at revision rev (portion saves do not change it); otherwise the refused text is kept as a conflict copy and ECONFLICT returned.
// It returns the product as it stands after the transaction (saved, or current on a conflict).
func (db *DB) UpdateProductMetadata(ctx context.Context, agencyID, userID int64, p *product.Product, rev int) (product.Product, error) {
	var conflict bool
	var now product.Product
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		des, err := json.Marshal(p.Designation)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE product SET title = $3, summary = $4, topics = $5, regions = $6, originating_office = $7,
			designation = $8, us_person = $11, victim_data = $12, foreign_recipients = $13, rev = rev + 1,
			details_rev = details_rev + 1, updated_by = $9, updated_at = now()
			WHERE id = $1 AND owner_agency_id = $2 AND details_rev = $10 AND state = 'draft'`,
			p.ID, agencyID, p.Title, p.Summary, nonNil(p.Topics), nonNil(p.Regions), p.OriginatingOffice, des, userID, rev,
			p.USPerson, p.VictimData, p.ForeignRecipients)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			cur, err := loadProduct(ctx, tx, agencyID, p.ID)
			if err != nil {
				return err
			}
			conflict, now = true, cur
			snap := cur.Snapshot()
			snap.Title, snap.Summary, snap.Topics, snap.Regions, snap.OriginatingOffice = p.Title, p.Summary, p.Topics, p.Regions, p.OriginatingOffice
			snap.Designation = p.Designation
			return insertVersion(ctx, tx, p.ID, userID, product.VersionConflict, "Stale save of the details, refused", snap)
		}
		if now, err = keepVersion(ctx, tx, agencyID, p.ID, userID, product.VersionSave, ""); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "product.update", "product", strconv.FormatInt(p.ID, 10), audit.Success, nil))
	})
	if err == nil && conflict {
		return now, errConflict("the details")
	}
	return now, err
}

// SavePortion saves a portion's kind, text and marking if it is still at rev. A stale save is
// refused: the refused text is kept as a conflict copy and ECONFLICT returned; nothing is overwritten.
//
// It returns the product as it stands after the transaction (saved, or current on a conflict).
func (db *DB) SavePortion(ctx context.Context, agencyID, userID, productID int64, x *product.Portion, rev int) (product.Product, error) {
	var conflict bool
	var now product.Product
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		m, err := json.Marshal(x.Marking)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `UPDATE portion SET kind = $3, body = $4, marking = $5, rev = rev + 1, updated_by = $6, updated_at = now()
			WHERE id = $1 AND product_id = $2 AND rev = $7
			  AND EXISTS (SELECT 1 FROM product p WHERE p.id = $2 AND p.state = 'draft') RETURNING rev, updated_at`,
			x.ID, productID, x.Kind, x.Body, m, userID, rev).Scan(&x.Rev, &x.UpdatedAt)
		if err == pgx.ErrNoRows {
			cur, err := loadProduct(ctx, tx, agencyID, productID)
			if err != nil {
				return err
			}
			found := false
			snap := cur.Snapshot()
			for i, c := range cur.Portions {
				if c.ID == x.ID {
					found = true
					snap.Portions[i].Body, snap.Portions[i].Marking, snap.Portions[i].Kind = x.Body, x.Marking, x.Kind
				}
			}
			if !found {
				return apperr.NotFound()
			}
			conflict, now = true, cur
			return insertVersion(ctx, tx, productID, userID, product.VersionConflict, "Stale save of a portion, refused", snap)
		}
		if err != nil {
			return err
		}
		if err := touch(ctx, tx, productID, userID); err != nil {
			return err
		}
		if now, err = keepVersion(ctx, tx, agencyID, productID, userID, product.VersionSave, ""); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "portion.save", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"portion_id": x.ID}))
	})
	if err == nil && conflict {
		return now, errConflict("this portion")
	}
	return now, err
}

// AddPortion inserts a portion after the given position (0 = at the top).
func (db *DB) AddPortion(ctx context.Context, agencyID, userID, productID int64, after int, x *product.Portion) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		if _, err := loadProductHead(ctx, tx, agencyID, productID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM portion WHERE product_id = $1`, productID).Scan(&n); err != nil {
			return err
		}
		if n >= product.MaxPortions {
			return apperr.Errorf(apperr.EINVALID, "A product holds at most %d portions.", product.MaxPortions)
		}
		if _, err := tx.Exec(ctx, `UPDATE portion SET position = position + 1 WHERE product_id = $1 AND position > $2`, productID, after); err != nil {
			return err
		}
		after = max(0, min(after, n))
		x.Position = after + 1
		if err := insertPortion(ctx, tx, productID, userID, x); err != nil {
			return err
		}
		if err := touch(ctx, tx, productID, userID); err != nil {
			return err
		}
		if _, err := keepVersion(ctx, tx, agencyID, productID, userID, product.VersionSave, ""); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "portion.add", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"portion_id": x.ID}))
	})
}

// MovePortion swaps a portion with its neighbour above (delta -1) or below (delta +1).
func (db *DB) MovePortion(ctx context.Context, agencyID, userID, productID, portionID int64, delta int) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		var pos int
		if err := tx.QueryRow(ctx, `SELECT position FROM portion WHERE id = $1 AND product_id = $2`, portionID, productID).Scan(&pos); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE portion SET position = $3 WHERE product_id = $1 AND position = $2`, productID, pos+delta, pos)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil // already at the edge
		}
		if _, err := tx.Exec(ctx, `UPDATE portion SET position = $3 WHERE id = $1 AND product_id = $2`, portionID, productID, pos+delta); err != nil {
			return err
		}
		if err := touch(ctx, tx, productID, userID); err != nil {
			return err
		}
		if _, err := keepVersion(ctx, tx, agencyID, productID, userID, product.VersionSave, ""); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "portion.move", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"portion_id": portionID, "delta": delta}))
	})
}

// DeletePortion removes a portion; its text stays in the version history.
func (db *DB) DeletePortion(ctx context.Context, agencyID, userID, productID, portionID int64) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		var pos int
		if err := tx.QueryRow(ctx, `DELETE FROM portion WHERE id = $1 AND product_id = $2 RETURNING position`, portionID, productID).Scan(&pos); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE portion SET position = position - 1 WHERE product_id = $1 AND position > $2`, productID, pos); err != nil {
			return err
		}
		if err := touch(ctx, tx, productID, userID); err != nil {
			return err
		}
		if _, err := keepVersion(ctx, tx, agencyID, productID, userID, product.VersionSave, ""); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "portion.delete", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"portion_id": portionID}))
	})
}

// KeepConflictCopy stores text that could not be saved in place (its portion is gone) as a conflict
// version: the current content with the refused portion appended.
func (db *DB) KeepConflictCopy(ctx context.Context, agencyID, userID, productID int64, x product.Portion, note string) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		cur, err := loadProduct(ctx, tx, agencyID, productID)
		if err != nil {
			return err
		}
		snap := cur.Snapshot()
		snap.Portions = append(snap.Portions, product.PortionSnapshot{Kind: x.Kind, Body: x.Body, Marking: x.Marking})
		return insertVersion(ctx, tx, productID, userID, product.VersionConflict, note, snap)
	})
}
