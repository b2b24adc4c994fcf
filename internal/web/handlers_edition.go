package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/authz"
	"tearline/internal/dissem"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

const inboxPerPage = 50

// loadEdition loads an edition the principal's agency owns or received and checks that the principal
// may perform action on it; anything else answers 404 like a missing edition.
func (s *Server) loadEdition(w http.ResponseWriter, r *http.Request, action string) (product.Edition, bool, bool) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	id, err := idParam(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return product.Edition{}, false, false
	}
	e, owner, err := s.Store.FindVisibleEdition(ctx, p.AgencyID, id)
	if apperr.Code(err) == apperr.ENOTFOUND && action == authz.ActRead {
		// A recipient of a recalled edition sees the recall notice (number and reason only).
		if n, nerr := s.Store.FindRecallNotice(ctx, p.AgencyID, id); nerr == nil &&
			s.Authz.Can(ctx, p, action, authz.Received(authz.TypeEdition, 0, true)) {
			// Seeing that an edition was recalled is a view too; the row is committed before the page.
			if err := s.Store.RecordEvent(ctx, audit.New(ctx, "edition.recall_notice.view", "edition", strconv.FormatInt(id, 10), audit.Success,
				map[string]any{"number": n.Number, "rev": n.Rev})); err != nil {
				s.renderError(w, r, err)
				return product.Edition{}, false, false
			}
			s.render(w, r, http.StatusGone, views.RecallNoticePage(s.page(r, "Recalled: "+n.Label(), "inbox"), n))
			return product.Edition{}, false, false
		}
	}
	if apperr.Code(err) == apperr.ENOTFOUND {
		s.recordNotFound(r, authz.TypeEdition, strconv.FormatInt(id, 10))
	}
	if err != nil {
		s.renderError(w, r, err)
		return product.Edition{}, false, false
	}
	if !s.Authz.Can(ctx, p, action, authz.Received(authz.TypeEdition, e.OwnerAgencyID, !owner)) {
		s.deny(w, r, action, authz.TypeEdition)
		return product.Edition{}, false, false
	}
	return e, owner, true
}

func (s *Server) handleEditionShow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	e, owner, ok := s.loadEdition(w, r, authz.ActRead)
	if !ok {
		return
	}
	// The view is recorded (receipt and audit row, committed) in the same round trip that reads
	// everything around the content. Recipients never see the list of other recipients; the center
	// sees the ledger and reach. A recipient is shown the edition this one supersedes only when its
	// agency holds that one too (or its recall notice): otherwise the link would give away a hidden
	// edition's id and number.
	x, err := s.Store.ViewEdition(ctx, p.AgencyID, p.UserID, e)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	rendered := make([]string, len(e.Content.Portions))
	for i, portion := range e.Content.Portions {
		var err error
		if rendered[i], err = s.Markdown.Render(portion.Body); err != nil {
			rendered[i] = ""
		}
	}
	v := views.EditionView{Edition: e, Rendered: rendered, Owner: owner,
		CanRescind:     owner && e.Rescinded == nil && s.Authz.Can(ctx, p, authz.ActRescind, authz.Owned(authz.TypeEdition, e.OwnerAgencyID)),
		CanDisseminate: owner && e.Rescinded == nil && s.Authz.Can(ctx, p, authz.ActDisseminate, authz.Owned(authz.TypeEdition, e.OwnerAgencyID))}
	v.Ledger = x.Ledger
	v.SupersededBy, v.SupersededByLabel = x.SuccessorID, x.SuccessorLabel
	if e.Supersedes != nil && !owner && !x.PredecessorKnown {
		v.Edition.Supersedes = nil
	}
	v.Reach = s.reachViewOf(ctx, e, owner, x)
	current := "drafts"
	if !owner {
		current = "inbox"
	}
	s.render(w, r, http.StatusOK, views.EditionPage(s.page(r, e.Label(), current), v))
}

func (s *Server) handleInbox(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	q := r.URL.Query()
	f := product.InboxFilter{Type: product.Type(q.Get("type")), Topic: q.Get("topic"), Region: strings.ToUpper(strings.TrimSpace(q.Get("region"))), Limit: inboxPerPage}
	if !f.Type.Valid() {
		f.Type = ""
	}
	if product.TopicLabel(f.Topic) == f.Topic {
		f.Topic = ""
	}
	if d, err := time.Parse(time.DateOnly, q.Get("from")); err == nil {
		f.From = &d
	}
	if d, err := time.Parse(time.DateOnly, q.Get("to")); err == nil {
		end := d.AddDate(0, 0, 1) // the "to" day is included
		f.To = &end
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * inboxPerPage
	box, err := s.Store.FindInbox(ctx, p.AgencyID, p.UserID, f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := views.InboxView{Items: box.Items, Total: box.Total, Recalled: box.Recalled, Page: page, PerPage: inboxPerPage, Type: f.Type,
		AgencyName: p.AgencyName, Topic: f.Topic, Region: f.Region, From: q.Get("from"), To: q.Get("to")}
	s.render(w, r, http.StatusOK, views.Inbox(s.page(r, "Inbox", "inbox"), v))
}

// disseminateView computes the caveat verdict for every agency and marks those already holding it.
//
// named lists the agencies the official named one by one (TLP:AMBER+STRICT admits only those); nil
// means every agency could still be named, which is what the form shows before a choice is made.
func (s *Server) disseminateView(r *http.Request, e product.Edition, named []int64) (views.DisseminateView, error) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	agencies, err := s.Store.FindAgencies(ctx)
	if err != nil {
		return views.DisseminateView{}, err
	}
	ledger, err := s.Store.FindLedger(ctx, p.AgencyID, e.ID)
	if err != nil {
		return views.DisseminateView{}, err
	}
	v := views.DisseminateView{Edition: e, Held: map[int64]bool{}}
	if v.Lists, err = s.Store.FindDistributionLists(ctx); err != nil {
		return views.DisseminateView{}, err
	}
	for _, l := range ledger {
		v.Held[l.AgencyID] = true
	}
	opts := dissem.Options{}
	for _, a := range agencies {
		if named == nil || slices.Contains(named, a.ID) {
			opts.Named = append(opts.Named, a.Code)
		}
	}
	for _, vd := range dissem.CheckAll(e.Content.Banner, agencies, opts) {
		if vd.AgencyID != e.OwnerAgencyID {
			v.Verdicts = append(v.Verdicts, vd)
		}
	}
	return v, nil
}

func (s *Server) handleDisseminateForm(w http.ResponseWriter, r *http.Request) {
	e, _, ok := s.loadEdition(w, r, authz.ActDisseminate)
	if !ok {
		return
	}
	v, err := s.disseminateView(r, e, nil)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.Disseminate(s.page(r, "Disseminate "+e.Label(), "drafts"), v))
}

// handleDisseminate writes ledger rows for the chosen recipients after checking each against the
// edition's caveats again; a refused recipient refuses the whole request with the reasons (422).
func (s *Server) handleDisseminate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	e, _, ok := s.loadEdition(w, r, authz.ActDisseminate)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	named := []int64{}
	for _, raw := range r.PostForm["agency"] {
		id, _ := strconv.ParseInt(raw, 10, 64)
		named = append(named, id)
	}
	v, err := s.disseminateView(r, e, named)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var chosen []int64
	add := func(id int64) {
		if !slices.Contains(chosen, id) && !v.Held[id] {
			chosen = append(chosen, id)
		}
	}
	for _, raw := range r.PostForm["agency"] {
		id, _ := strconv.ParseInt(raw, 10, 64)
		add(id)
	}
	// A distribution list stands for its member agencies; each is checked like a named one.
	for _, raw := range r.PostForm["list"] {
		id, _ := strconv.ParseInt(raw, 10, 64)
		for _, l := range v.Lists {
			if l.ID == id {
				v.ChosenLists = append(v.ChosenLists, id)
				for _, m := range l.Members {
					if m != e.OwnerAgencyID {
						add(m)
					}
				}
			}
		}
	}
	v.Chosen, v.Justification = chosen, formString(r, "justification")
	v.Errors = map[string]string{}
	if len(chosen) == 0 {
		v.Errors["agency"] = "Choose at least one recipient agency."
	}
	for _, vd := range v.Verdicts {
		if slices.Contains(chosen, vd.AgencyID) && !vd.Allowed {
			v.Errors["agency"] = "The caveats refuse " + vd.AgencyCode + ". Remove it to release to the others."
		}
	}
	for _, id := range chosen {
		if !slices.ContainsFunc(v.Verdicts, func(vd dissem.Verdict) bool { return vd.AgencyID == id }) {
			v.Errors["agency"] = "Choose recipients from the list."
		}
	}
	if n := utf8.RuneCountInString(v.Justification); n < 10 || n > 2000 {
		v.Errors["justification"] = "State the need to know for these recipients (10–2000 characters)."
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, views.Disseminate(s.page(r, "Disseminate "+e.Label(), "drafts"), v))
		return
	}
	n, err := s.Store.DisseminateEdition(ctx, p.AgencyID, p.UserID, e.ID, chosen, v.Justification, e.Banner)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if n == 0 {
		s.renderError(w, r, apperr.Errorf(apperr.ECONFLICT, "Every chosen agency already holds this edition."))
		return
	}
	s.Auth.Flash(ctx, e.Label()+" released to "+strconv.Itoa(n)+" more agencies.")
	http.Redirect(w, r, "/editions/"+i64s(e.ID), http.StatusSeeOther)
}
