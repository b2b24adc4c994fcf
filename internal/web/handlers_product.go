package web

import (
	"net/http"
	"strconv"
	"strings"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/marking"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

const draftsPerPage = 25

// loadDraft loads the product named in the URL for the principal's agency and checks that the
// principal may perform action on it. Missing, other agencies' and unauthorised drafts alike answer 404.
func (s *Server) loadDraft(w http.ResponseWriter, r *http.Request, action string) (product.Product, bool) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	id, err := idParam(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return product.Product{}, false
	}
	d, err := s.Store.FindProductByID(ctx, p.AgencyID, id)
	if apperr.Code(err) == apperr.ENOTFOUND {
		s.recordNotFound(r, "product", strconv.FormatInt(id, 10))
	}
	if err != nil {
		s.renderError(w, r, err)
		return product.Product{}, false
	}
	obj := productObject(d, p)
	if action == authz.ActUpdate && d.State != product.StateDraft && s.Authz.Can(ctx, p, authz.ActRead, obj) {
		s.renderError(w, r, apperr.Errorf(apperr.ECONFLICT, "This product is %s and cannot be edited now. Its authors can withdraw it to draft, or a reviewer can return it.", strings.ToLower(d.State.Label())))
		return product.Product{}, false
	}
	if !s.Authz.Can(ctx, p, action, obj) {
		s.deny(w, r, action, obj.Type)
		return product.Product{}, false
	}
	return d, true
}

// productObject names a product for authz: a draft (visible to its authors and supervisors) or, once
// submitted, a product in review (visible to the center's reviewers).
func productObject(d product.Product, p *user.Principal) authz.Object {
	t := authz.TypeDraft
	if d.State != product.StateDraft {
		t = authz.TypeReview
	}
	return authz.Authored(t, d.OwnerAgencyID, d.IsAuthor(p.UserID))
}

func (s *Server) handleProductList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	q := r.URL.Query()
	f := product.DraftFilter{Type: product.Type(q.Get("type")), State: product.State(q.Get("state")), Limit: draftsPerPage}
	if !f.Type.Valid() {
		f.Type = ""
	}
	if f.State.Label() == string(f.State) {
		f.State = ""
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * draftsPerPage
	// Analysts see the drafts they author; supervisors every draft of the agency.
	all := s.Authz.Can(ctx, p, authz.ActRead, authz.Authored(authz.TypeDraft, p.AgencyID, false))
	if !all {
		f.AuthorID = p.UserID
	}
	list, total, err := s.Store.FindDrafts(ctx, p.AgencyID, f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := views.DraftListView{Drafts: list, Total: total, Page: page, PerPage: draftsPerPage, Type: f.Type, State: f.State,
		AllOfAgency: all, CanCreate: s.Authz.Can(ctx, p, authz.ActCreate, authz.Owned(authz.TypeDraft, p.AgencyID)), Editable: map[int64]bool{}}
	// Only drafts (not products in review) open in the editor, and only for their authors: when the
	// list is filtered to the viewer's own drafts every one is authored by the viewer.
	mayEdit := s.Authz.Can(ctx, p, authz.ActUpdate, authz.Authored(authz.TypeDraft, p.AgencyID, !all))
	for _, d := range list {
		v.Editable[d.ID] = mayEdit && d.State == product.StateDraft
	}
	s.render(w, r, http.StatusOK, views.DraftList(s.page(r, "Drafts", "drafts"), v))
}

func (s *Server) handleProductNew(w http.ResponseWriter, r *http.Request) {
	t := product.Type(r.URL.Query().Get("type"))
	if !t.Valid() {
		t = product.TypeBulletin
	}
	v := views.NewProductView{Product: product.Product{Type: t}}
	s.render(w, r, http.StatusOK, views.NewProduct(s.page(r, "New product", "drafts"), v))
}

func (s *Server) handleProductCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	d := product.Product{Type: product.Type(formString(r, "type")), Title: formString(r, "title"), Summary: formString(r, "summary"),
		Topics: r.PostForm["topics"], Regions: []string{formString(r, "regions")}, OriginatingOffice: formString(r, "originating_office")}
	d.Normalize()
	d.Designation = marking.Designation{ControlledBy: p.AgencyCode, Office: d.OriginatingOffice, POC: p.Name + " (" + p.Email + ")"}
	err := d.ValidateMetadata()
	if err == nil {
		// New sections start as CUI//LEI: law-enforcement reporting is controlled until the analyst says otherwise.
		err = s.Store.CreateProduct(ctx, p.AgencyID, p.UserID, &d, marking.Marking{Control: marking.CUI,
			Categories: []marking.Category{{Code: "LEI"}}})
	}
	switch apperr.Code(err) {
	case "":
		http.Redirect(w, r, "/products/"+strconv.FormatInt(d.ID, 10)+"/edit", http.StatusSeeOther)
	case apperr.EINVALID:
		v := views.NewProductView{Product: d, Errors: apperr.FieldErrors(err), Alert: apperr.Message(err)}
		s.render(w, r, http.StatusUnprocessableEntity, views.NewProduct(s.page(r, "New product", "drafts"), v))
	default:
		s.renderError(w, r, err)
	}
}

// handleProductShow shows the draft as a reader will see it.
func (s *Server) handleProductShow(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadDraft(w, r, authz.ActRead)
	if !ok || !s.recordView(w, r, "product", d.ID, map[string]any{"page": "reader", "state": string(d.State)}) {
		return
	}
	p := user.PrincipalFrom(r.Context())
	v := views.ProductView{Product: d, Rendered: s.renderPortions(r, d),
		CanEdit: d.State == product.StateDraft && s.Authz.Can(r.Context(), p, authz.ActUpdate, productObject(d, p))}
	var err error
	if v.Review, err = s.reviewPanel(r, d); err != nil {
		s.renderError(w, r, err)
		return
	}
	if v.Comments, err = s.loadComments(r, d, ""); err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Review.OpenComments, v.Review.ResolvedComments = v.Comments.Open, v.Comments.Resolved
	s.render(w, r, http.StatusOK, views.ProductPage(s.page(r, d.Title, "drafts"), v))
}

// renderPortions renders each portion's Markdown to sanitised HTML.
func (s *Server) renderPortions(r *http.Request, d product.Product) []string {
	out := make([]string, len(d.Portions))
	for i, x := range d.Portions {
		html, err := s.Markdown.Render(x.Body)
		if err != nil {
			s.Logger.WarnContext(r.Context(), "markdown", "request_id", requestID(r.Context()), "error", err)
			html = ""
		}
		out[i] = html
	}
	return out
}

// editorState carries what a failed action on the editor page needs to show again: the values the
// user typed and the messages, so nothing is lost.
type editorState struct {
	Alert            string
	DetailsErrors    map[string]string
	Conflicts        map[int64]portionConflict
	SourceForm       product.Source
	SourceErrors     map[string]string
	AttachmentErrors map[string]string
	AuthorError      string
}

// portionConflict is a refused stale portion save: the author's text and the one saved meanwhile.
type portionConflict struct {
	Mine, Theirs product.Portion
}
