package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/marking"
	"tearline/internal/product"
)

// CreateProduct creates a draft owned by agencyID with its creator as first author, one heading and
// one paragraph portion per template section (each marked as initial), and version 1.
func (db *DB) CreateProduct(ctx context.Context, agencyID, userID int64, p *product.Product, initial marking.Marking) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		des, err := json.Marshal(p.Designation)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO product (owner_agency_id, type, title, summary, topics, regions, originating_office,
			designation, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
			RETURNING id, state, rev, created_at, updated_at`,
			agencyID, p.Type, p.Title, p.Summary, nonNil(p.Topics), nonNil(p.Regions), p.OriginatingOffice, des, userID).
			Scan(&p.ID, &p.State, &p.Rev, &p.CreatedAt, &p.UpdatedAt)
		if err != nil {
			return err
		}
		p.OwnerAgencyID, p.CreatedBy, p.UpdatedBy = agencyID, userID, userID
		if _, err := tx.Exec(ctx, `INSERT INTO product_author (product_id, user_id, position) VALUES ($1, $2, 1)`, p.ID, userID); err != nil {
			return err
		}
		if len(p.Portions) == 0 {
			for _, s := range product.Template(p.Type) {
				p.Portions = append(p.Portions,
					product.Portion{Kind: product.KindHeading, Section: s.Key, Body: s.Title, Marking: marking.Marking{Control: marking.Uncontrolled}},
					product.Portion{Kind: product.KindParagraph, Section: s.Key, Marking: initial})
			}
		}
		for i := range p.Portions {
			x := &p.Portions[i]
			x.Position = i + 1
			if err := insertPortion(ctx, tx, p.ID, userID, x); err != nil {
				return err
			}
		}
		for i := range p.Sources {
			if err := insertSource(ctx, tx, p.ID, i+1, &p.Sources[i]); err != nil {
				return err
			}
		}
		if err := insertVersion(ctx, tx, p.ID, userID, product.VersionCreate, "", p.Snapshot()); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "product.create", "product", strconv.FormatInt(p.ID, 10), audit.Success,
			map[string]any{"type": p.Type, "title": p.Title}))
	})
}

func insertPortion(ctx context.Context, tx pgx.Tx, productID, userID int64, x *product.Portion) error {
	m, err := json.Marshal(x.Marking)
	if err != nil {
		return err
	}
	return tx.QueryRow(ctx, `INSERT INTO portion (product_id, position, kind, section, body, marking, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, rev, updated_at`,
		productID, x.Position, x.Kind, x.Section, x.Body, m, userID).Scan(&x.ID, &x.Rev, &x.UpdatedAt)
}

func insertSource(ctx context.Context, tx pgx.Tx, productID int64, pos int, s *product.Source) error {
	return tx.QueryRow(ctx, `INSERT INTO product_source (product_id, position, description, source_date, originating_agency,
		scheme, source_grade, information_grade, handling, handling_text)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		productID, pos, s.Description, s.Date, s.OriginatingAgency, string(s.Grade.Scheme), s.Grade.Source, s.Grade.Information,
		s.Grade.Handling, s.Grade.HandlingText).Scan(&s.ID)
}

// insertVersion keeps a snapshot as the next version number of the product.
func insertVersion(ctx context.Context, tx pgx.Tx, productID, userID int64, kind product.VersionKind, note string, s product.Snapshot) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO product_version (product_id, number, kind, note, snapshot, created_by)
		SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5 FROM product_version WHERE product_id = $1`,
		productID, kind, note, b, userID)
	return err
}

// FindProductByID loads a product of the agency with its authors, portions, sources and attachment
// metadata, in one round trip. A product of another agency is ENOTFOUND, like a missing one.
func (db *DB) FindProductByID(ctx context.Context, agencyID, id int64) (product.Product, error) {
	var p product.Product
	b := &pgx.Batch{}
	queueProduct(b, agencyID, id, &p)
	return p, db.batchAs(ctx, agencyID, 0, b)
}

// loadProduct loads a product inside tx (pipelined: one round trip).
func loadProduct(ctx context.Context, tx pgx.Tx, agencyID, id int64) (product.Product, error) {
	var p product.Product
	b := &pgx.Batch{}
	queueProduct(b, agencyID, id, &p)
	return p, tx.SendBatch(ctx, b).Close()
}

// queueProduct queues the statements that load product id of the agency into p; the first fails
// with pgx.ErrNoRows when the agency has no such product.
func queueProduct(b *pgx.Batch, agencyID, id int64, p *product.Product) {
	b.Queue(`SELECT id, owner_agency_id, type, state, title, summary, topics, regions, originating_office,
		designation, us_person, victim_data, foreign_recipients, rev, details_rev, created_by, created_at, updated_by, updated_at
		FROM product WHERE id = $1 AND owner_agency_id = $2`, id, agencyID).QueryRow(func(row pgx.Row) error {
		var des []byte
		if err := row.Scan(&p.ID, &p.OwnerAgencyID, &p.Type, &p.State, &p.Title, &p.Summary, &p.Topics, &p.Regions, &p.OriginatingOffice,
			&des, &p.USPerson, &p.VictimData, &p.ForeignRecipients, &p.Rev, &p.DetailsRev, &p.CreatedBy, &p.CreatedAt, &p.UpdatedBy, &p.UpdatedAt); err != nil {
			return err
		}
		if err := json.Unmarshal(des, &p.Designation); err != nil {
			return fmt.Errorf("designation: %w", err)
		}
		return nil
	})
	// The owner filter is repeated on each statement: the product row's check does not guard the others.
	b.Queue(`SELECT a.user_id, u.display_name FROM product_author a JOIN app_user u ON u.id = a.user_id
		JOIN product p ON p.id = a.product_id WHERE a.product_id = $1 AND p.owner_agency_id = $2 ORDER BY a.position`, id, agencyID).
		Query(collect(&p.Authors, func(r pgx.CollectableRow) (product.Author, error) {
			var a product.Author
			return a, r.Scan(&a.UserID, &a.Name)
		}))
	b.Queue(`SELECT x.id, x.position, x.kind, x.section, x.body, x.marking, x.rev, x.updated_at FROM portion x
		JOIN product p ON p.id = x.product_id WHERE x.product_id = $1 AND p.owner_agency_id = $2 ORDER BY x.position`, id, agencyID).
		Query(collect(&p.Portions, scanPortion))
	b.Queue(`SELECT s.id, s.description, s.source_date, s.originating_agency, s.scheme, s.source_grade, s.information_grade,
		s.handling, s.handling_text FROM product_source s JOIN product p ON p.id = s.product_id
		WHERE s.product_id = $1 AND p.owner_agency_id = $2 ORDER BY s.position, s.id`, id, agencyID).
		Query(collect(&p.Sources, func(r pgx.CollectableRow) (product.Source, error) {
			var s product.Source
			err := r.Scan(&s.ID, &s.Description, &s.Date, &s.OriginatingAgency, &s.Grade.Scheme, &s.Grade.Source,
				&s.Grade.Information, &s.Grade.Handling, &s.Grade.HandlingText)
			return s, err
		}))
	b.Queue(`SELECT x.id, x.stored_name, x.filename, x.content_type, x.size, x.sha256, x.marking, x.created_by, x.created_at
		FROM attachment x JOIN product p ON p.id = x.product_id WHERE x.product_id = $1 AND p.owner_agency_id = $2 ORDER BY x.id`, id, agencyID).
		Query(collect(&p.Attachments, scanAttachment))
	b.Queue(`SELECT c.quote_marking FROM review_comment c JOIN product p ON p.id = c.product_id
		WHERE c.product_id = $1 AND p.owner_agency_id = $2 AND c.quote <> ''`, id, agencyID).
		Query(collect(&p.QuotedMarkings, func(r pgx.CollectableRow) (marking.Marking, error) {
			var m marking.Marking
			var raw []byte
			if err := r.Scan(&raw); err != nil {
				return m, err
			}
			return m, json.Unmarshal(raw, &m)
		}))
}

func scanPortion(r pgx.CollectableRow) (product.Portion, error) {
	var x product.Portion
	var m []byte
	if err := r.Scan(&x.ID, &x.Position, &x.Kind, &x.Section, &x.Body, &m, &x.Rev, &x.UpdatedAt); err != nil {
		return x, err
	}
	return x, json.Unmarshal(m, &x.Marking)
}

func scanAttachment(r pgx.CollectableRow) (product.Attachment, error) {
	var a product.Attachment
	var m []byte
	if err := r.Scan(&a.ID, &a.StoredName, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &m, &a.CreatedBy, &a.CreatedAt); err != nil {
		return a, err
	}
	return a, json.Unmarshal(m, &a.Marking)
}

// DraftFilter selects drafts for a list.
type DraftFilter = product.DraftFilter

// FindDrafts returns a page of the agency's drafts the filter selects, newest change first, and the total.
func (db *DB) FindDrafts(ctx context.Context, agencyID int64, f product.DraftFilter) ([]product.DraftSummary, int, error) {
	var out []product.DraftSummary
	total := 0
	b := &pgx.Batch{}
	b.Queue(`SELECT p.id, p.type, p.state, p.title, p.updated_at, u.display_name,
			(SELECT string_agg(au.display_name, ', ' ORDER BY a.position) FROM product_author a JOIN app_user au ON au.id = a.user_id WHERE a.product_id = p.id),
			count(*) OVER ()
			FROM product p JOIN app_user u ON u.id = p.updated_by
			WHERE p.owner_agency_id = $1
			  AND ($2 = 0 OR EXISTS (SELECT 1 FROM product_author a WHERE a.product_id = p.id AND a.user_id = $2))
			  AND ($3 = '' OR p.type = $3) AND ($4 = '' OR p.state = $4)
			ORDER BY p.updated_at DESC, p.id DESC LIMIT $5 OFFSET $6`,
		agencyID, f.AuthorID, string(f.Type), string(f.State), f.Limit, f.Offset).
		Query(collect(&out, func(r pgx.CollectableRow) (product.DraftSummary, error) {
			var d product.DraftSummary
			err := r.Scan(&d.ID, &d.Type, &d.State, &d.Title, &d.UpdatedAt, &d.UpdatedBy, &d.Authors, &total)
			return d, err
		}))
	err := db.batchAs(ctx, agencyID, 0, b)
	return out, total, err
}

// errConflict is returned when a save was based on an outdated revision.
func errConflict(what string) error {
	return &apperr.Error{Code: apperr.ECONFLICT, Message: "Someone else saved " + what + " after you loaded it. Your text was kept as a conflict copy in the version history; compare and merge, then save again."}
}

// ProductTitleExists reports whether the agency already has a product with this title (seeding uses it).
func (db *DB) ProductTitleExists(ctx context.Context, agencyID int64, title string) (bool, error) {
	var ok bool
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM product WHERE owner_agency_id = $1 AND title = $2)`, agencyID, title).Scan(&ok)
	})
	return ok, err
}

// FindReviewQueue returns the agency's products in the given states that the user does not author,
// oldest change first: the work waiting for a reviewer.
func (db *DB) FindReviewQueue(ctx context.Context, agencyID, userID int64, states []product.State) ([]product.DraftSummary, error) {
	var out []product.DraftSummary
	ss := make([]string, len(states))
	for i, s := range states {
		ss[i] = string(s)
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT p.id, p.type, p.state, p.title, p.updated_at, u.display_name,
			(SELECT string_agg(au.display_name, ', ' ORDER BY a.position) FROM product_author a JOIN app_user au ON au.id = a.user_id WHERE a.product_id = p.id)
			FROM product p JOIN app_user u ON u.id = p.updated_by
			WHERE p.owner_agency_id = $1 AND p.state = ANY($2)
			  AND NOT EXISTS (SELECT 1 FROM product_author a WHERE a.product_id = p.id AND a.user_id = $3)
			ORDER BY p.updated_at, p.id LIMIT 200`, agencyID, ss, userID).
		Query(collect(&out, func(r pgx.CollectableRow) (product.DraftSummary, error) {
			var d product.DraftSummary
			return d, r.Scan(&d.ID, &d.Type, &d.State, &d.Title, &d.UpdatedAt, &d.UpdatedBy, &d.Authors)
		}))
	err := db.batchAs(ctx, agencyID, 0, b)
	return out, err
}

// FindProductIDByTitle returns the id and state of the agency's product with this title (seeding uses it).
func (db *DB) FindProductIDByTitle(ctx context.Context, agencyID int64, title string) (int64, product.State, error) {
	var id int64
	var st product.State
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id, state FROM product WHERE owner_agency_id = $1 AND title = $2 ORDER BY id LIMIT 1`,
			agencyID, title).Scan(&id, &st)
	})
	return id, st, err
}
