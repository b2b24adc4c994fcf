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

// inAgencyTx runs fn in a transaction whose row-level-security setting names the agency; rows of
// other agencies are invisible to every statement in it. No user is named.
func (db *DB) inAgencyTx(ctx context.Context, agencyID int64, fn func(pgx.Tx) error) error {
	return db.inActorTx(ctx, agencyID, 0, fn)
}

// inActorTx is inAgencyTx that also names the user (tearline.user_id; 0 names nobody), so that
// row-level security shows a steering member the assessments assigned to them, for reading only.
// Both settings are set in one statement.
func (db *DB) inActorTx(ctx context.Context, agencyID, userID int64, fn func(pgx.Tx) error) error {
	return formatError(db.inTx(ctx, func(tx pgx.Tx) error {
		uid := ""
		if userID != 0 {
			uid = strconv.FormatInt(userID, 10)
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('tearline.agency_id', $1, true), set_config('tearline.user_id', $2, true)`,
			strconv.FormatInt(agencyID, 10), uid); err != nil {
			return fmt.Errorf("set agency and user: %w", err)
		}
		return fn(tx)
	}))
}

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
// metadata. A product of another agency is ENOTFOUND, like a missing one.
func (db *DB) FindProductByID(ctx context.Context, agencyID, id int64) (product.Product, error) {
	var p product.Product
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		var err error
		p, err = loadProduct(ctx, tx, agencyID, id)
		return err
	})
	return p, err
}

func loadProduct(ctx context.Context, tx pgx.Tx, agencyID, id int64) (product.Product, error) {
	var p product.Product
	var des []byte
	err := tx.QueryRow(ctx, `SELECT id, owner_agency_id, type, state, title, summary, topics, regions, originating_office,
		designation, us_person, victim_data, foreign_recipients, rev, details_rev, created_by, created_at, updated_by, updated_at
		FROM product WHERE id = $1 AND owner_agency_id = $2`, id, agencyID).
		Scan(&p.ID, &p.OwnerAgencyID, &p.Type, &p.State, &p.Title, &p.Summary, &p.Topics, &p.Regions, &p.OriginatingOffice,
			&des, &p.USPerson, &p.VictimData, &p.ForeignRecipients, &p.Rev, &p.DetailsRev, &p.CreatedBy, &p.CreatedAt, &p.UpdatedBy, &p.UpdatedAt)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(des, &p.Designation); err != nil {
		return p, fmt.Errorf("designation: %w", err)
	}
	rows, _ := tx.Query(ctx, `SELECT a.user_id, u.display_name FROM product_author a JOIN app_user u ON u.id = a.user_id
		WHERE a.product_id = $1 ORDER BY a.position`, id)
	if p.Authors, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (product.Author, error) {
		var a product.Author
		return a, r.Scan(&a.UserID, &a.Name)
	}); err != nil {
		return p, err
	}
	rows, _ = tx.Query(ctx, `SELECT id, position, kind, section, body, marking, rev, updated_at FROM portion
		WHERE product_id = $1 ORDER BY position`, id)
	if p.Portions, err = pgx.CollectRows(rows, scanPortion); err != nil {
		return p, err
	}
	rows, _ = tx.Query(ctx, `SELECT id, description, source_date, originating_agency, scheme, source_grade, information_grade,
		handling, handling_text FROM product_source WHERE product_id = $1 ORDER BY position, id`, id)
	if p.Sources, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (product.Source, error) {
		var s product.Source
		err := r.Scan(&s.ID, &s.Description, &s.Date, &s.OriginatingAgency, &s.Grade.Scheme, &s.Grade.Source,
			&s.Grade.Information, &s.Grade.Handling, &s.Grade.HandlingText)
		return s, err
	}); err != nil {
		return p, err
	}
	rows, _ = tx.Query(ctx, `SELECT id, stored_name, filename, content_type, size, sha256, marking, created_by, created_at
		FROM attachment WHERE product_id = $1 ORDER BY id`, id)
	if p.Attachments, err = pgx.CollectRows(rows, scanAttachment); err != nil {
		return p, err
	}
	rows, _ = tx.Query(ctx, `SELECT quote_marking FROM review_comment WHERE product_id = $1 AND quote <> ''`, id)
	p.QuotedMarkings, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (marking.Marking, error) {
		var m marking.Marking
		var b []byte
		if err := r.Scan(&b); err != nil {
			return m, err
		}
		return m, json.Unmarshal(b, &m)
	})
	return p, err
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
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT p.id, p.type, p.state, p.title, p.updated_at, u.display_name,
			(SELECT string_agg(au.display_name, ', ' ORDER BY a.position) FROM product_author a JOIN app_user au ON au.id = a.user_id WHERE a.product_id = p.id),
			count(*) OVER ()
			FROM product p JOIN app_user u ON u.id = p.updated_by
			WHERE p.owner_agency_id = $1
			  AND ($2 = 0 OR EXISTS (SELECT 1 FROM product_author a WHERE a.product_id = p.id AND a.user_id = $2))
			  AND ($3 = '' OR p.type = $3) AND ($4 = '' OR p.state = $4)
			ORDER BY p.updated_at DESC, p.id DESC LIMIT $5 OFFSET $6`,
			agencyID, f.AuthorID, string(f.Type), string(f.State), f.Limit, f.Offset)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (product.DraftSummary, error) {
			var d product.DraftSummary
			err := r.Scan(&d.ID, &d.Type, &d.State, &d.Title, &d.UpdatedAt, &d.UpdatedBy, &d.Authors, &total)
			return d, err
		})
		return err
	})
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
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT p.id, p.type, p.state, p.title, p.updated_at, u.display_name,
			(SELECT string_agg(au.display_name, ', ' ORDER BY a.position) FROM product_author a JOIN app_user au ON au.id = a.user_id WHERE a.product_id = p.id)
			FROM product p JOIN app_user u ON u.id = p.updated_by
			WHERE p.owner_agency_id = $1 AND p.state = ANY($2)
			  AND NOT EXISTS (SELECT 1 FROM product_author a WHERE a.product_id = p.id AND a.user_id = $3)
			ORDER BY p.updated_at, p.id LIMIT 200`, agencyID, ss, userID)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (product.DraftSummary, error) {
			var d product.DraftSummary
			return d, r.Scan(&d.ID, &d.Type, &d.State, &d.Title, &d.UpdatedAt, &d.UpdatedBy, &d.Authors)
		})
		return err
	})
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
