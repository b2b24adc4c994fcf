package web

import (
	"net/http"
	"strconv"
	"time"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/marking"
	"tearline/internal/product"
	"tearline/internal/tradecraft"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

func (s *Server) handleProductEdit(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok || !s.recordView(w, r, "product", d.ID, map[string]any{"page": "editor", "state": string(d.State)}) {
		return
	}
	s.renderEditor(w, r, d, http.StatusOK, editorState{})
}

// portionViews builds the editor's view of every portion with its problems and warnings.
func portionViews(d product.Product) []views.PortionView {
	probs := d.Problems()
	out := make([]views.PortionView, len(d.Portions))
	for i, x := range d.Portions {
		out[i] = views.PortionView{ProductID: d.ID, Type: d.Type, Portion: x, Number: i + 1, First: i == 0, Last: i == len(d.Portions)-1,
			Problems: probs.Portions[i], Warnings: tradecraft.Check(x.Body)}
	}
	return out
}

// renderEditor renders the editor page for d with st's kept values and messages.
func (s *Server) renderEditor(w http.ResponseWriter, r *http.Request, d product.Product, status int, st editorState) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	editable := s.Authz.Can(ctx, p, authz.ActUpdate, authz.Authored(authz.TypeDraft, d.OwnerAgencyID, d.IsAuthor(p.UserID)))
	v := views.EditorView{Product: d, Header: d.Header(), Readiness: d.ReadyForReview(), Portions: portionViews(d), Alert: st.Alert,
		DetailsErrors: st.DetailsErrors,
		Sources:       views.SourcesPanelView{ProductID: d.ID, Sources: d.Sources, Form: st.SourceForm, Errors: st.SourceErrors, Editable: editable},
		Attachments:   views.AttachmentsPanelView{ProductID: d.ID, Attachments: d.Attachments, Errors: st.AttachmentErrors, Editable: editable, MaxBytes: s.MaxAttachmentBytes},
		Authors:       views.AuthorsPanelView{ProductID: d.ID, Authors: d.Authors, Editable: editable, Error: st.AuthorError},
	}
	for i := range v.Portions {
		if c, ok := st.Conflicts[v.Portions[i].Portion.ID]; ok {
			v.Portions[i].Portion.Body, v.Portions[i].Portion.Marking, v.Portions[i].Portion.Kind = c.Mine.Body, c.Mine.Marking, c.Mine.Kind
			cur := c.Theirs
			v.Portions[i].Current, v.Portions[i].Status, v.Portions[i].Message = &cur, "conflict", conflictMessage
		}
	}
	if editable {
		analysts, err := s.Store.FindAnalysts(ctx, p.AgencyID)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, a := range analysts {
			if !d.IsAuthor(a.UserID) {
				v.Authors.Candidates = append(v.Authors.Candidates, a)
			}
		}
	}
	var err error
	if v.Comments, err = s.loadComments(r, d, "edit"); err != nil {
		s.renderError(w, r, err)
		return
	}
	pg := s.page(r, d.Title, "drafts")
	if st.Alert == "" {
		v.Alert = pg.Flash
		pg.Flash = ""
	}
	s.render(w, r, status, views.ProductEdit(pg, v))
}

const conflictMessage = "Someone else saved this portion after you loaded it. Nothing was overwritten: your text stays in the box and was kept as a conflict copy in the version history."

func (s *Server) handleProductDetails(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	if err := parseFormLimit(w, r, maxPortionFormBytes); err != nil {
		s.renderError(w, r, err)
		return
	}
	rev, _ := strconv.Atoi(formString(r, "rev"))
	fresh := d // the product as stored; replaced by what the save leaves behind
	d.Title, d.Summary, d.Topics = formString(r, "title"), formString(r, "summary"), r.PostForm["topics"]
	d.Regions, d.OriginatingOffice = []string{formString(r, "regions")}, formString(r, "originating_office")
	d.Designation.ControlledBy, d.Designation.Office = formString(r, "controlled_by"), formString(r, "designation_office")
	d.Designation.POC, d.Designation.DecontrolEvent = formString(r, "poc"), formString(r, "decontrol_event")
	d.USPerson, d.VictimData, d.ForeignRecipients = formBool(r, "us_person"), formBool(r, "victim_data"), formBool(r, "foreign_recipients")
	d.Normalize()
	d.Designation.Normalize()
	err := d.ValidateMetadata()
	if err == nil {
		var saved product.Product
		if saved, err = s.Store.UpdateProductMetadata(ctx, p.AgencyID, p.UserID, &d, rev); saved.ID != 0 {
			fresh = saved
		}
	}
	status, msg := "saved", "Saved "+time.Now().UTC().Format("15:04:05")+" UTC"
	switch apperr.Code(err) {
	case "":
	case apperr.EINVALID:
		status, msg = "invalid", "Not saved: "+firstField(err)
	case apperr.ECONFLICT:
		status, msg = "conflict", apperr.Message(err)
	default:
		s.renderError(w, r, err)
		return
	}
	if isHTMX(r) {
		code := http.StatusOK
		if status == "conflict" {
			code = http.StatusConflict
		} else if status == "invalid" {
			code = http.StatusUnprocessableEntity
		}
		s.render(w, r, code, views.DetailsSaved(fresh.DetailsRev, status, msg, fresh.Header(), fresh.ReadyForReview()))
		return
	}
	switch status {
	case "saved":
		s.Auth.Flash(ctx, "Details saved.")
		http.Redirect(w, r, "/products/"+i64s(d.ID)+"/edit", http.StatusSeeOther)
	case "invalid":
		s.renderEditor(w, r, d, http.StatusUnprocessableEntity, editorState{Alert: apperr.Message(err), DetailsErrors: apperr.FieldErrors(err)})
	default:
		s.renderEditor(w, r, d, http.StatusConflict, editorState{Alert: msg})
	}
}

func firstField(err error) string {
	for _, m := range apperr.FieldErrors(err) {
		return m
	}
	return apperr.Message(err)
}

func i64s(n int64) string { return strconv.FormatInt(n, 10) }

// findPortion returns the portion with id in d.
func findPortion(d product.Product, id int64) (int, bool) {
	for i, x := range d.Portions {
		if x.ID == id {
			return i, true
		}
	}
	return 0, false
}

// handlePortionSave saves one portion (autosave through htmx, or a plain form post). A stale save
// is refused without overwriting anything; the typed text stays in the editor and in the history.
func (s *Server) handlePortionSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	pid, err := idParam(r, "pid")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := parseFormLimit(w, r, maxPortionFormBytes); err != nil {
		s.renderError(w, r, err)
		return
	}
	i, found := findPortion(d, pid)
	if !found {
		s.keepOrphanText(w, r, d)
		return
	}
	rev, _ := strconv.Atoi(formString(r, "rev"))
	if force := formString(r, "force_rev"); force != "" {
		rev, _ = strconv.Atoi(force) // the author chose to replace the other text after seeing it
	}
	x := d.Portions[i]
	x.Kind, x.Body, x.Marking = product.Kind(formString(r, "kind")), r.PostForm.Get("body"), markingFromForm(r, "m_")
	fresh := d // the product as stored; replaced by what the save leaves behind
	err = x.Validate()
	if err == nil {
		var saved product.Product
		if saved, err = s.Store.SavePortion(ctx, p.AgencyID, p.UserID, d.ID, &x, rev); saved.ID != 0 {
			fresh = saved
		}
	}
	pv := views.PortionView{ProductID: d.ID, Type: d.Type, Portion: x, Number: i + 1,
		Status: "saved", Message: "Saved " + time.Now().UTC().Format("15:04:05") + " UTC"}
	code := http.StatusOK
	switch apperr.Code(err) {
	case "":
	case apperr.EINVALID:
		pv.Status, pv.Message, code = "invalid", "Not saved: "+firstField(err), http.StatusUnprocessableEntity
	case apperr.ECONFLICT:
		pv.Status, pv.Message, code = "conflict", conflictMessage, http.StatusConflict
	default:
		s.renderError(w, r, err)
		return
	}
	if code == http.StatusConflict {
		if j, ok := findPortion(fresh, pid); ok {
			cur := fresh.Portions[j]
			pv.Current = &cur
		}
	}
	if !isHTMX(r) {
		switch code {
		case http.StatusOK:
			s.Auth.Flash(ctx, "Portion "+strconv.Itoa(i+1)+" saved.")
			http.Redirect(w, r, "/products/"+strconv.FormatInt(d.ID, 10)+"/edit#portion-"+strconv.FormatInt(pid, 10), http.StatusSeeOther)
		case http.StatusConflict:
			st := editorState{Alert: conflictMessage, Conflicts: map[int64]portionConflict{pid: {Mine: x, Theirs: *pv.Current}}}
			s.renderEditor(w, r, fresh, code, st)
		default:
			s.renderEditor(w, r, fresh, code, editorState{Alert: pv.Message})
		}
		return
	}
	if j, ok := findPortion(fresh, pid); ok {
		pv.Problems = fresh.Problems().Portions[j]
	}
	pv.Warnings = tradecraft.Check(x.Body)
	s.render(w, r, code, views.PortionSaved(pv, fresh.Header(), fresh.ReadyForReview()))
}

func (s *Server) handlePortionAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	after, _ := strconv.Atoi(formString(r, "after"))
	x := product.Portion{Kind: product.Kind(formString(r, "kind")), Marking: marking.Marking{}}
	if err := x.Validate(); err != nil {
		s.renderError(w, r, err)
		return
	}
	// A new portion inherits the marking of the portion it follows; it is still shown for checking.
	for _, prev := range d.Portions {
		if prev.Position == after {
			x.Marking = prev.Marking
		}
	}
	if err := s.Store.AddPortion(ctx, p.AgencyID, p.UserID, d.ID, after, &x); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/products/"+i64s(d.ID)+"/edit#portion-"+i64s(x.ID), http.StatusSeeOther)
}

func (s *Server) handlePortionMove(w http.ResponseWriter, r *http.Request) {
	s.portionAction(w, r, func(agencyID, userID, productID, portionID int64) error {
		delta := 1
		if formString(r, "delta") == "-1" {
			delta = -1
		}
		return s.Store.MovePortion(r.Context(), agencyID, userID, productID, portionID, delta)
	}, "")
}

func (s *Server) handlePortionDelete(w http.ResponseWriter, r *http.Request) {
	s.portionAction(w, r, func(agencyID, userID, productID, portionID int64) error {
		return s.Store.DeletePortion(r.Context(), agencyID, userID, productID, portionID)
	}, "Portion deleted. Its text stays in the version history.")
}

func (s *Server) portionAction(w http.ResponseWriter, r *http.Request, act func(agencyID, userID, productID, portionID int64) error, flash string) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	pid, err := idParam(r, "pid")
	if err == nil {
		if err = parseForm(w, r); err == nil {
			err = act(p.AgencyID, p.UserID, d.ID, pid)
		}
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if flash != "" {
		s.Auth.Flash(ctx, flash)
	}
	http.Redirect(w, r, "/products/"+strconv.FormatInt(d.ID, 10)+"/edit#portion-"+strconv.FormatInt(pid, 10), http.StatusSeeOther)
}

// keepOrphanText handles a save of a portion that a co-author deleted or replaced meanwhile: the text
// is kept as a conflict copy (appended as an extra portion) and the author is told, never a silent 404.
func (s *Server) keepOrphanText(w http.ResponseWriter, r *http.Request, d product.Product) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	x := product.Portion{Kind: product.Kind(formString(r, "kind")), Body: r.PostForm.Get("body"), Marking: markingFromForm(r, "m_")}
	if err := x.Validate(); err != nil {
		x.Kind = product.KindParagraph
	}
	if err := s.Store.KeepConflictCopy(ctx, p.AgencyID, p.UserID, d.ID, x, "Save of a portion deleted or replaced meanwhile, refused"); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderError(w, r, apperr.Errorf(apperr.ECONFLICT, "This portion was deleted or replaced by someone else. Your text was kept as a conflict copy in the version history; reload to see the current draft."))
}
