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

// CreateAttachment stores an attachment's metadata and content.
func (db *DB) CreateAttachment(ctx context.Context, agencyID, userID, productID int64, a *product.Attachment, data []byte) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		if _, err := loadProductHead(ctx, tx, agencyID, productID); err != nil {
			return err
		}
		m, err := json.Marshal(a.Marking)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO attachment (product_id, stored_name, filename, content_type, size, sha256, marking, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, created_at`,
			productID, a.StoredName, a.Filename, a.ContentType, a.Size, a.SHA256, m, userID).Scan(&a.ID, &a.CreatedAt)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO attachment_blob (attachment_id, data) VALUES ($1, $2)`, a.ID, data); err != nil {
			return err
		}
		if err := touch(ctx, tx, productID, userID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "attachment.add", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"attachment_id": a.ID, "filename": a.Filename, "size": a.Size, "sha256": a.SHA256}))
	})
}

// FindAttachment returns an attachment of a product of the agency with its content.
func (db *DB) FindAttachment(ctx context.Context, agencyID, productID, attachmentID int64) (product.Attachment, []byte, error) {
	var a product.Attachment
	var data []byte
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		if _, err := loadProductHead(ctx, tx, agencyID, productID); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, stored_name, filename, content_type, size, sha256, marking, created_by, created_at
			FROM attachment WHERE id = $1 AND product_id = $2`, attachmentID, productID)
		var err error
		if a, err = pgx.CollectExactlyOneRow(rows, scanAttachment); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT data FROM attachment_blob WHERE attachment_id = $1`, a.ID).Scan(&data); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "attachment.download", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"attachment_id": a.ID}))
	})
	return a, data, err
}

// DeleteAttachment removes an attachment.
func (db *DB) DeleteAttachment(ctx context.Context, agencyID, userID, productID, attachmentID int64) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		var released bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM edition e WHERE e.product_id = $2
			AND e.content->'attachments' @> jsonb_build_array(jsonb_build_object('attachment_id', $1::bigint)))`,
			attachmentID, productID).Scan(&released); err != nil {
			return err
		}
		if released {
			return apperr.Errorf(apperr.ECONFLICT, "This attachment is part of a released edition and cannot be deleted; mark it for removal in the revision text instead.")
		}
		tag, err := tx.Exec(ctx, `DELETE FROM attachment WHERE id = $1 AND product_id = $2`, attachmentID, productID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return apperr.NotFound()
		}
		if err := touch(ctx, tx, productID, userID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "attachment.delete", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"attachment_id": attachmentID}))
	})
}

// FindEditionAttachment returns an attachment frozen into an edition the agency owns or holds (not
// rescinded, for recipients), with its content, and audits the download in the same transaction.
// The SQL names the agency explicitly; row-level security admits the blob only through
// edition_attachment, that is, only with a visible edition. Anything else is ENOTFOUND.
func (db *DB) FindEditionAttachment(ctx context.Context, agencyID, userID, editionID, attachmentID int64) (product.Attachment, []byte, error) {
	var a product.Attachment
	var data []byte
	err := db.inActorTx(ctx, agencyID, userID, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT a.id, a.filename, a.content_type, a.size, a.sha256, a.marking, b.data
			FROM edition_attachment ea JOIN edition e ON e.id = ea.edition_id
			JOIN attachment a ON a.id = ea.attachment_id JOIN attachment_blob b ON b.attachment_id = a.id
			WHERE ea.edition_id = $1 AND ea.attachment_id = $2
			  AND (e.owner_agency_id = $3 OR (EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = e.id AND l.agency_id = $3)
			       AND NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e.id)))`,
			editionID, attachmentID, agencyID).Scan(&a.ID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.Marking, &data)
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "edition.attachment.download", "edition", strconv.FormatInt(editionID, 10), audit.Success,
			map[string]any{"attachment_id": a.ID, "sha256": a.SHA256}))
	})
	return a, data, err
}
