package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

// CommentStore is the persistence of review comments; like ProductStore, every method takes the
// principal's agency explicitly.
type CommentStore interface {
	AddComment(ctx context.Context, agencyID, userID int64, c *product.Comment) error
	ResolveComment(ctx context.Context, agencyID, userID, productID, commentID int64) error
	ReopenComment(ctx context.Context, agencyID, userID, productID, commentID int64) error
	FindComments(ctx context.Context, agencyID, productID int64) ([]product.Comment, error)
	CountOpenComments(ctx context.Context, agencyID, userID int64) ([]product.CommentTally, error)
}

// Review comments. Who may do what (policies/policy.csv, type "comment", and the rules below):
//
//   - raise a comment on a portion or on the product as a whole: whoever may read the product and
//     holds comment/create (the center's analysts and releasing officials), while the product is in
//     review or approved (product.Commentable), and never one of its authors: like the approvals of
//     the workflow, review is someone else's;
//   - answer: comment/answer (analysts and releasing officials who may read the product), while
//     the product is not released (product.ThreadsActive);
//   - resolve and reopen: comment/resolve with the "author" relation, which a principal has to a
//     comment when they author the product or wrote the comment; not once released.
//
// A product's visibility decides first (loadDraft): whoever may not read it gets 404, as for every
// other route of a product.

// commentObject names a review comment of product d for authz. The principal's relation is
// "author" when they author the product or wrote comment c (nil: a new comment or any comment).
func commentObject(d product.Product, p *user.Principal, c *product.Comment) authz.Object {
	mine := d.IsAuthor(p.UserID) || (c != nil && c.AuthorID == p.UserID)
	return authz.Authored(authz.TypeComment, d.OwnerAgencyID, mine)
}

// raiseRule says why the principal may not raise a comment on d now, or nil.
func (s *Server) raiseRule(ctx context.Context, p *user.Principal, d product.Product) error {
	switch {
	case !s.Authz.Can(ctx, p, authz.ActCreate, commentObject(d, p, nil)):
		return apperr.NotFound()
	case d.IsAuthor(p.UserID):
		return apperr.Errorf(apperr.EFORBIDDEN, "You are one of the authors of this product: authors answer review comments, reviewers raise them.")
	case !product.Commentable(d.State):
		return apperr.Errorf(apperr.ECONFLICT, "Comments can be raised only while the product is in review; it is %s.", strings.ToLower(d.State.Label()))
	}
	return nil
}

// commentsView builds every comment thread of d for the principal. from is "edit" in the editor,
// "" on the reader page (which hides empty portions: their threads say so).
func (s *Server) commentsView(ctx context.Context, p *user.Principal, d product.Product, cs []product.Comment, from string) views.CommentsView {
	th := product.GroupComments(cs)
	active := product.ThreadsActive(d.State)
	canAnswer := active && s.Authz.Can(ctx, p, authz.ActAnswer, commentObject(d, p, nil))
	raise := s.raiseRule(ctx, p, d) == nil
	item := func(c product.Comment, current *product.Portion) views.CommentView {
		return views.CommentView{Comment: c, CanAnswer: canAnswer,
			CanResolve: active && s.Authz.Can(ctx, p, authz.ActResolve, commentObject(d, p, &c)),
			ShowQuote:  current == nil || product.QuoteOf(current.Body) != c.Quote}
	}
	v := views.CommentsView{Portions: map[int64]views.CommentGroupView{}, Open: th.Open, Resolved: th.Resolved}
	for i := range d.Portions {
		x := &d.Portions[i]
		empty := strings.TrimSpace(x.Body) == ""
		g := views.CommentGroupView{ProductID: d.ID, ID: "comments-portion-" + i64s(x.ID), PortionID: x.ID,
			Label: "portion " + strconv.Itoa(i+1), From: from, CanComment: raise && !empty}
		for _, c := range th.ByPortion[x.ID] {
			g.Comments = append(g.Comments, item(c, x))
		}
		if empty && from != "edit" && len(g.Comments) > 0 {
			g.Note = "These comments are on " + g.Label + ", which is empty now and not shown to readers."
		}
		v.Portions[x.ID] = g
	}
	v.Product = views.CommentGroupView{ProductID: d.ID, ID: "comments-product", Label: "the product as a whole", From: from, CanComment: raise}
	for _, c := range th.General {
		v.Product.Comments = append(v.Product.Comments, item(c, nil))
	}
	for _, c := range th.Orphaned {
		v.Product.Orphaned = append(v.Product.Orphaned, item(c, nil))
	}
	return v
}

// loadComments loads d's comments and builds the threads for the principal.
func (s *Server) loadComments(r *http.Request, d product.Product, from string) (views.CommentsView, error) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	cs, err := s.Store.FindComments(ctx, p.AgencyID, d.ID)
	if err != nil {
		return views.CommentsView{}, err
	}
	return s.commentsView(ctx, p, d, cs, from), nil
}

// pickGroup returns the thread holding the top-level comment commentID, else the thread of
// portionID, else the product's.
func pickGroup(v views.CommentsView, portionID, commentID int64) views.CommentGroupView {
	if commentID != 0 {
		has := func(g views.CommentGroupView) bool {
			for _, l := range [][]views.CommentView{g.Comments, g.Orphaned} {
				for _, c := range l {
					if c.Comment.ID == commentID {
						return true
					}
				}
			}
			return false
		}
		for _, g := range v.Portions {
			if has(g) {
				return g
			}
		}
		if has(v.Product) {
			return v.Product
		}
	}
	if g, ok := v.Portions[portionID]; ok && portionID != 0 {
		return g
	}
	return v.Product
}

// commentFrom is where a comment form came from: "edit" (the editor of a draft) or the reader page.
func commentFrom(r *http.Request, d product.Product) string {
	if formString(r, "from") == "edit" && d.State == product.StateDraft {
		return "edit"
	}
	return ""
}

// commentPage is the page a comment form returns to without JavaScript.
func commentPage(d product.Product, from string) string {
	if from == "edit" {
		return "/products/" + i64s(d.ID) + "/edit"
	}
	return "/products/" + i64s(d.ID)
}

// commentDone answers a comment action that succeeded: htmx gets the refreshed thread holding
// comment pick (or portionID's), a plain form a redirect back to anchor on the page it came from.
func (s *Server) commentDone(w http.ResponseWriter, r *http.Request, d product.Product, from string, portionID, pick, anchor int64, flash string) {
	if !isHTMX(r) {
		s.Auth.Flash(r.Context(), flash)
		http.Redirect(w, r, commentPage(d, from)+"#comment-"+i64s(anchor), http.StatusSeeOther) // #nosec G710 -- a fixed product path plus numeric ids; from only picks which one
		return
	}
	v, err := s.loadComments(r, d, from)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	g := pickGroup(v, portionID, pick)
	g.Highlight = pick
	s.render(w, r, http.StatusOK, views.CommentSwap(g, v.Open, v.Resolved))
}

// commentFailed answers a refused comment action. Refused input or a conflict with the current
// state shows in the thread for htmx, with the typed text kept; anything else is an error page.
func (s *Server) commentFailed(w http.ResponseWriter, r *http.Request, d product.Product, from string, portionID, commentID int64, body string, err error) {
	code := apperr.Code(err)
	if !isHTMX(r) || (code != apperr.EINVALID && code != apperr.ECONFLICT) {
		s.renderError(w, r, err)
		return
	}
	v, lerr := s.loadComments(r, d, from)
	if lerr != nil {
		s.renderError(w, r, lerr)
		return
	}
	g := pickGroup(v, portionID, commentID)
	g.Alert, g.AlertFor, g.Body = apperr.Message(err), commentID, body
	status := http.StatusUnprocessableEntity
	if code == apperr.ECONFLICT {
		status = http.StatusConflict
	}
	s.render(w, r, status, views.CommentGroup(g))
}

// findComment returns the top-level comment id of d.
func (s *Server) findComment(r *http.Request, d product.Product, id int64) (product.Comment, error) {
	p := user.PrincipalFrom(r.Context())
	cs, err := s.Store.FindComments(r.Context(), p.AgencyID, d.ID)
	if err != nil {
		return product.Comment{}, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return product.Comment{}, apperr.NotFound()
}

// handleCommentCreate raises a review comment on a portion (portion_id) or on the product as a whole.
func (s *Server) handleCommentCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActRead)
	if !ok {
		return
	}
	if !s.Authz.Can(ctx, p, authz.ActCreate, commentObject(d, p, nil)) {
		s.deny(w, r, authz.ActCreate, authz.TypeComment)
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	from := commentFrom(r, d)
	c := product.Comment{ProductID: d.ID, Body: product.NormalizeCommentBody(r.PostForm.Get("body"))}
	var portionID int64
	err := s.raiseRule(ctx, p, d)
	if v := formString(r, "portion_id"); err == nil && v != "" {
		id, perr := strconv.ParseInt(v, 10, 64)
		if _, found := findPortion(d, id); perr != nil || !found {
			err = apperr.Errorf(apperr.ECONFLICT, "This portion no longer exists; reload the page to see the current text.")
		} else {
			portionID, c.PortionID = id, &id
		}
	}
	if err == nil {
		err = product.ValidateCommentBody(c.Body)
	}
	if err == nil {
		err = s.Store.AddComment(ctx, p.AgencyID, p.UserID, &c)
	}
	if err != nil {
		s.commentFailed(w, r, d, from, portionID, 0, c.Body, err)
		return
	}
	s.commentDone(w, r, d, from, portionID, c.ID, c.ID, "Comment added.")
}

// handleCommentAnswer answers a top-level review comment.
func (s *Server) handleCommentAnswer(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActRead)
	if !ok {
		return
	}
	cid, err := idParam(r, "cid")
	var parent product.Comment
	if err == nil {
		parent, err = s.findComment(r, d, cid)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.Authz.Can(ctx, p, authz.ActAnswer, commentObject(d, p, &parent)) {
		s.deny(w, r, authz.ActAnswer, authz.TypeComment)
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	from := commentFrom(r, d)
	a := product.Comment{ProductID: d.ID, ParentID: &parent.ID, Body: product.NormalizeCommentBody(r.PostForm.Get("body"))}
	if !product.ThreadsActive(d.State) {
		err = apperr.Errorf(apperr.ECONFLICT, "This product is %s: its review comments can no longer be answered.", strings.ToLower(d.State.Label()))
	}
	if err == nil {
		err = product.ValidateCommentBody(a.Body)
	}
	if err == nil {
		err = s.Store.AddComment(ctx, p.AgencyID, p.UserID, &a)
	}
	if err != nil {
		s.commentFailed(w, r, d, from, 0, parent.ID, a.Body, err)
		return
	}
	s.commentDone(w, r, d, from, 0, parent.ID, a.ID, "Answer sent.")
}

// handleCommentResolve resolves an open top-level review comment.
func (s *Server) handleCommentResolve(w http.ResponseWriter, r *http.Request) {
	s.setCommentState(w, r, product.CommentResolved)
}

// handleCommentReopen opens a resolved top-level review comment again.
func (s *Server) handleCommentReopen(w http.ResponseWriter, r *http.Request) {
	s.setCommentState(w, r, product.CommentOpen)
}

func (s *Server) setCommentState(w http.ResponseWriter, r *http.Request, to product.CommentState) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActRead)
	if !ok {
		return
	}
	cid, err := idParam(r, "cid")
	var c product.Comment
	if err == nil {
		c, err = s.findComment(r, d, cid)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.Authz.Can(ctx, p, authz.ActResolve, commentObject(d, p, &c)) {
		s.deny(w, r, authz.ActResolve, authz.TypeComment)
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	from := commentFrom(r, d)
	flash := "Comment resolved."
	if to == product.CommentResolved {
		err = s.Store.ResolveComment(ctx, p.AgencyID, p.UserID, d.ID, c.ID)
	} else {
		flash = "Comment reopened."
		err = s.Store.ReopenComment(ctx, p.AgencyID, p.UserID, d.ID, c.ID)
	}
	if err != nil {
		s.commentFailed(w, r, d, from, 0, c.ID, "", err)
		return
	}
	s.commentDone(w, r, d, from, 0, c.ID, c.ID, flash)
}

// openCommentsNote is added to the message after a submission while review comments are still
// open. Submitting is allowed anyway: an author may disagree with a comment, or answer it and let
// the reviewer resolve it; the reviewers see the comments open, with the answers, in the next round.
func (s *Server) openCommentsNote(ctx context.Context, p *user.Principal, productID int64) string {
	cs, err := s.Store.FindComments(ctx, p.AgencyID, productID)
	if err != nil {
		return ""
	}
	n := product.GroupComments(cs).Open
	switch n {
	case 0:
		return ""
	case 1:
		return " Note: 1 review comment is still open; the reviewers will see it with your answers."
	}
	return " Note: " + strconv.Itoa(n) + " review comments are still open; the reviewers will see them with your answers."
}

// commentTallies returns the number of open review comments of each product of the agency the
// principal may read, and those products, for the review queue.
func (s *Server) commentTallies(r *http.Request) (map[int64]int, []product.CommentTally, error) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	all, err := s.Store.CountOpenComments(ctx, p.AgencyID, p.UserID)
	if err != nil {
		return nil, nil, err
	}
	counts := map[int64]int{}
	var visible []product.CommentTally
	for _, t := range all {
		typ := authz.TypeReview
		if t.State == product.StateDraft {
			typ = authz.TypeDraft
		}
		if !s.Authz.Can(ctx, p, authz.ActRead, authz.Authored(typ, p.AgencyID, t.Authored)) {
			continue
		}
		counts[t.ProductID] = t.Open
		visible = append(visible, t)
	}
	return counts, visible, nil
}
