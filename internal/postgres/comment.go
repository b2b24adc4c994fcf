package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/product"
)

// commentableStates are product.CommentableStates as an SQL parameter.
func commentableStates() []string {
	out := make([]string, len(product.CommentableStates))
	for i, s := range product.CommentableStates {
		out[i] = string(s)
	}
	return out
}

// AddComment records a review comment of userID on a product of the agency: a top-level comment
// (c.ParentID nil) on the portion c.PortionID, or on the product as a whole when it is nil, while the
// product is in review; or an answer to the top-level comment c.ParentID, while the product is not
// released. A comment on a portion keeps the portion's text and marking as its quote. It fills in
// c's id, anchor, state, quote and creation time, and audits the comment in the same transaction.
func (db *DB) AddComment(ctx context.Context, agencyID, userID int64, c *product.Comment) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		var st product.State
		if err := tx.QueryRow(ctx, `SELECT state FROM product WHERE id = $1 AND owner_agency_id = $2`, c.ProductID, agencyID).Scan(&st); err != nil {
			return err
		}
		c.AuthorID, c.OnPortion, c.Quote, c.State = userID, false, "", ""
		action := "comment.add"
		if c.ParentID != nil {
			action = "comment.answer"
			c.PortionID = nil
			if !product.ThreadsActive(st) {
				return apperr.Errorf(apperr.ECONFLICT, "This product is %s: its review comments can no longer be answered.", st.Label())
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM review_comment WHERE id = $1 AND product_id = $2 AND parent_id IS NULL`,
				*c.ParentID, c.ProductID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.NotFound()
			}
		} else {
			if !product.Commentable(st) {
				return apperr.Errorf(apperr.ECONFLICT, "Comments can be raised only while the product is in review; it is %s.", st.Label())
			}
			c.State = product.CommentOpen
			if c.PortionID != nil {
				var body string
				var m []byte
				err := tx.QueryRow(ctx, `SELECT body, marking FROM portion WHERE id = $1 AND product_id = $2`, *c.PortionID, c.ProductID).Scan(&body, &m)
				if err == pgx.ErrNoRows {
					return apperr.Errorf(apperr.ECONFLICT, "This portion no longer exists; reload the page to see the current text.")
				}
				if err != nil {
					return err
				}
				if err := json.Unmarshal(m, &c.QuoteMarking); err != nil {
					return err
				}
				c.OnPortion, c.Quote = true, product.QuoteOf(body)
			}
		}
		qm, err := json.Marshal(c.QuoteMarking)
		if err != nil {
			return err
		}
		var state *string
		if c.State != "" {
			s := string(c.State)
			state = &s
		}
		// The state condition repeats the check above inside the statement, against a transition
		// committed meanwhile.
		err = tx.QueryRow(ctx, `INSERT INTO review_comment (product_id, portion_id, on_portion, parent_id, author_id, body, state, quote, quote_marking)
			SELECT p.id, $2, $3, $4, $5, $6, $7, $8, $9 FROM product p
			WHERE p.id = $1 AND p.owner_agency_id = $10 AND ($4::bigint IS NOT NULL OR p.state = ANY($11)) AND p.state <> 'released'
			RETURNING id, created_at`,
			c.ProductID, c.PortionID, c.OnPortion, c.ParentID, userID, c.Body, state, c.Quote, qm, agencyID, commentableStates()).
			Scan(&c.ID, &c.CreatedAt)
		if err == pgx.ErrNoRows {
			return apperr.Errorf(apperr.ECONFLICT, "The product changed state meanwhile; reload the page.")
		}
		if err != nil {
			return err
		}
		details := map[string]any{"comment_id": c.ID}
		if c.PortionID != nil {
			details["portion_id"] = *c.PortionID
		}
		if c.ParentID != nil {
			details["parent_id"] = *c.ParentID
		}
		return insertAudit(ctx, tx, audit.New(ctx, action, "product", strconv.FormatInt(c.ProductID, 10), audit.Success, details))
	})
}

// ResolveComment marks an open top-level comment resolved by userID.
func (db *DB) ResolveComment(ctx context.Context, agencyID, userID, productID, commentID int64) error {
	return db.setCommentState(ctx, agencyID, userID, productID, commentID, product.CommentResolved)
}

// ReopenComment opens a resolved top-level comment again.
func (db *DB) ReopenComment(ctx context.Context, agencyID, userID, productID, commentID int64) error {
	return db.setCommentState(ctx, agencyID, userID, productID, commentID, product.CommentOpen)
}

func (db *DB) setCommentState(ctx context.Context, agencyID, userID, productID, commentID int64, to product.CommentState) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		var st product.State
		var cur *string
		err := tx.QueryRow(ctx, `SELECT p.state, c.state FROM review_comment c JOIN product p ON p.id = c.product_id
			WHERE c.id = $1 AND c.product_id = $2 AND p.owner_agency_id = $3 FOR UPDATE OF c`, commentID, productID, agencyID).Scan(&st, &cur)
		if err != nil {
			return err
		}
		switch {
		case cur == nil:
			return apperr.Errorf(apperr.EINVALID, "Only a comment, not an answer, is resolved or reopened.")
		case product.CommentState(*cur) == to && to == product.CommentResolved:
			return apperr.Errorf(apperr.ECONFLICT, "This comment is already resolved.")
		case product.CommentState(*cur) == to:
			return apperr.Errorf(apperr.ECONFLICT, "This comment is already open.")
		case !product.ThreadsActive(st):
			return apperr.Errorf(apperr.ECONFLICT, "This product is %s: its review comments are kept as they stood.", st.Label())
		}
		if to == product.CommentResolved {
			_, err = tx.Exec(ctx, `UPDATE review_comment SET state = 'resolved', resolved_by = $2, resolved_at = clock_timestamp()
				WHERE id = $1`, commentID, userID)
		} else {
			_, err = tx.Exec(ctx, `UPDATE review_comment SET state = 'open', resolved_by = NULL, resolved_at = NULL WHERE id = $1`, commentID)
		}
		if err != nil {
			return err
		}
		action := "comment.resolve"
		if to == product.CommentOpen {
			action = "comment.reopen"
		}
		return insertAudit(ctx, tx, audit.New(ctx, action, "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"comment_id": commentID}))
	})
}

// FindComments returns the top-level review comments of a product of the agency, oldest first,
// each with its answers, oldest first.
func (db *DB) FindComments(ctx context.Context, agencyID, productID int64) ([]product.Comment, error) {
	var out []product.Comment
	var all []product.Comment
	b := &pgx.Batch{}
	b.Queue(`SELECT c.id, c.product_id, c.portion_id, c.on_portion, c.parent_id, c.author_id, u.display_name,
			c.body, coalesce(c.state, ''), c.resolved_by, coalesce(ru.display_name, ''), c.resolved_at, c.created_at, c.quote, c.quote_marking
			FROM review_comment c JOIN product p ON p.id = c.product_id JOIN app_user u ON u.id = c.author_id
			LEFT JOIN app_user ru ON ru.id = c.resolved_by
			WHERE c.product_id = $1 AND p.owner_agency_id = $2 ORDER BY c.created_at, c.id`, productID, agencyID).
		Query(collect(&all, func(r pgx.CollectableRow) (product.Comment, error) {
			var c product.Comment
			var qm []byte
			var resolvedAt *time.Time
			if err := r.Scan(&c.ID, &c.ProductID, &c.PortionID, &c.OnPortion, &c.ParentID, &c.AuthorID, &c.AuthorName, &c.Body, &c.State,
				&c.ResolvedBy, &c.ResolvedName, &resolvedAt, &c.CreatedAt, &c.Quote, &qm); err != nil {
				return c, err
			}
			c.ResolvedAt = resolvedAt
			return c, json.Unmarshal(qm, &c.QuoteMarking)
		}))
	if err := db.batchAs(ctx, agencyID, 0, b); err != nil {
		return nil, err
	}
	index := map[int64]int{}
	for _, c := range all {
		if c.ParentID == nil {
			index[c.ID] = len(out)
			out = append(out, c)
		}
	}
	for _, c := range all {
		if c.ParentID != nil {
			if i, ok := index[*c.ParentID]; ok {
				out[i].Answers = append(out[i].Answers, c)
			}
		}
	}
	return out, nil
}

// CountOpenComments returns, for each product of the agency with open review comments, how many
// are open, how many of those userID raised, and whether userID is one of its authors; products
// changed least recently first.
func (db *DB) CountOpenComments(ctx context.Context, agencyID, userID int64) ([]product.CommentTally, error) {
	var out []product.CommentTally
	b := &pgx.Batch{}
	b.Queue(`SELECT p.id, p.type, p.state, p.title,
			EXISTS (SELECT 1 FROM product_author a WHERE a.product_id = p.id AND a.user_id = $2),
			count(*), count(*) FILTER (WHERE c.author_id = $2)
			FROM review_comment c JOIN product p ON p.id = c.product_id
			WHERE p.owner_agency_id = $1 AND c.state = 'open'
			GROUP BY p.id ORDER BY p.updated_at, p.id LIMIT 200`, agencyID, userID).
		Query(collect(&out, func(r pgx.CollectableRow) (product.CommentTally, error) {
			var t product.CommentTally
			return t, r.Scan(&t.ProductID, &t.Type, &t.State, &t.Title, &t.Authored, &t.Open, &t.Mine)
		}))
	return out, db.batchAs(ctx, agencyID, 0, b)
}
