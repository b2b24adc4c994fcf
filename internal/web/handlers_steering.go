package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/web/views"
	"tearline/internal/workflow"
)

// SteeringStore is the persistence of steering-group review. Members' methods take the member's own
// user and agency: the store finds the assessment by the member's assignment, never by agency.
type SteeringStore interface {
	FindSteeringCandidates(ctx context.Context) ([]product.SteeringCandidate, error)
	AssignSteering(ctx context.Context, agencyID, userID, productID int64, memberIDs []int64) error
	FindSteeringAssignments(ctx context.Context, agencyID, productID int64) (product.SteeringReview, error)
	FindSteeringQueue(ctx context.Context, memberUserID, memberAgencyID int64) ([]product.SteeringQueueItem, error)
	FindProductForSteering(ctx context.Context, memberUserID, memberAgencyID, productID int64) (product.SteeringCase, error)
	RecordSteeringDecision(ctx context.Context, memberUserID, memberAgencyID, productID int64, d workflow.Decision, comment string) (product.State, error)
	AddSteeringComment(ctx context.Context, memberUserID, memberAgencyID, productID int64, section, body string) (product.SteeringComment, error)
}

// steeringFacts completes the workflow facts of an assessment with its current round's steering
// members and decisions, and returns that round's review (empty for other types).
func (s *Server) steeringFacts(ctx context.Context, d product.Product, p *user.Principal, f *workflow.Facts) (product.SteeringReview, error) {
	if d.Type != product.TypeAssessment {
		return product.SteeringReview{}, nil
	}
	sr, err := s.Store.FindSteeringAssignments(ctx, p.AgencyID, d.ID)
	if err != nil {
		return sr, err
	}
	f.AssignedSteering, f.Decisions = sr.Assigned(), sr.Decisions()
	return sr, nil
}

// steeringPanel builds the steering review of an assessment for center staff, or nil when there is
// none to show.
func (s *Server) steeringPanel(ctx context.Context, d product.Product, sr product.SteeringReview) (*views.SteeringPanelView, error) {
	p := user.PrincipalFrom(ctx)
	if d.Type != product.TypeAssessment || !s.Authz.Can(ctx, p, authz.ActRead, authz.Owned(authz.TypeSteering, d.OwnerAgencyID)) {
		return nil, nil
	}
	v := &views.SteeringPanelView{ProductID: d.ID, ProductType: d.Type, State: d.State, Round: sr.Round, Members: sr.Members,
		Earlier: sr.Earlier, Comments: sr.Comments, Tally: workflow.Count(sr.Assigned(), sr.Decisions()),
		Quorum: s.SteeringQuorum.Describe()}
	v.CanAssign = (d.State == product.StateSupervisoryReview || d.State == product.StateLegalReview) && !d.IsAuthor(p.UserID) &&
		s.Authz.Can(ctx, p, authz.ActAssign, authz.Owned(authz.TypeSteering, d.OwnerAgencyID))
	if v.CanAssign {
		candidates, err := s.Store.FindSteeringCandidates(ctx)
		if err != nil {
			return nil, err
		}
		// Tick the round's members, or, for a new round, those of the round before.
		ticked := map[int64]bool{}
		for _, m := range sr.Members {
			ticked[m.UserID] = true
		}
		if len(ticked) == 0 && len(sr.Earlier) > 0 {
			for _, m := range sr.Earlier {
				ticked[m.UserID] = ticked[m.UserID] || m.Round == sr.Earlier[0].Round
			}
		}
		for _, c := range candidates {
			v.Candidates = append(v.Candidates, views.SteeringCandidateView{SteeringCandidate: c, Checked: ticked[c.UserID]})
		}
	}
	if len(v.Members) == 0 && len(v.Earlier) == 0 && len(v.Comments) == 0 && !v.CanAssign &&
		(d.State == product.StateDraft || d.State == product.StatePeerReview) {
		return nil, nil // nothing to show before supervisory review
	}
	return v, nil
}

// handleSteeringAssign lets a releasing official who does not author the assessment choose its
// steering group members for the current round.
func (s *Server) handleSteeringAssign(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActRead)
	if !ok {
		return
	}
	if !s.Authz.Can(ctx, p, authz.ActAssign, authz.Owned(authz.TypeSteering, d.OwnerAgencyID)) {
		s.deny(w, r, authz.ActAssign, authz.TypeSteering)
		return
	}
	if d.IsAuthor(p.UserID) {
		s.renderError(w, r, apperr.Errorf(apperr.EFORBIDDEN,
			"You cannot choose the steering group for an assessment you author: separation of duties requires someone else to."))
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	var ids []int64
	for _, v := range r.PostForm["member"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.renderError(w, r, apperr.Errorf(apperr.EINVALID, "Choose steering group members from the list."))
			return
		}
		ids = append(ids, id)
	}
	if err := s.Store.AssignSteering(ctx, p.AgencyID, p.UserID, d.ID, ids); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Auth.Flash(ctx, "Steering group members assigned: "+strconv.Itoa(len(ids))+".")
	http.Redirect(w, r, "/products/"+i64s(d.ID)+"#steering-heading", http.StatusSeeOther)
}

// handleSteeringQueue lists the assessments in steering review assigned to the member.
func (s *Server) handleSteeringQueue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	if !s.Authz.Can(ctx, p, authz.ActList, authz.Type(authz.TypeSteering)) {
		s.deny(w, r, authz.ActList, authz.TypeSteering)
		return
	}
	items, err := s.Store.FindSteeringQueue(ctx, p.UserID, p.AgencyID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.SteeringQueue(s.page(r, "Steering review", "steering"), views.SteeringQueueView{Items: items}))
}

// loadSteeringCase loads the assessment named in the URL for the signed-in steering member and checks
// action on it. An assessment not assigned to the member, or not existing, answers 404.
func (s *Server) loadSteeringCase(w http.ResponseWriter, r *http.Request, action string) (product.SteeringCase, bool) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	id, err := idParam(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return product.SteeringCase{}, false
	}
	c, err := s.Store.FindProductForSteering(ctx, p.UserID, p.AgencyID, id)
	if err != nil {
		s.renderError(w, r, err)
		return c, false
	}
	if !s.Authz.Can(ctx, p, action, authz.Owned(authz.TypeSteering, c.Product.OwnerAgencyID)) {
		s.deny(w, r, action, authz.TypeSteering)
		return c, false
	}
	return c, true
}

// handleSteeringShow shows an assigned assessment to a steering member, with a comment box per
// section and the decision form.
func (s *Server) handleSteeringShow(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadSteeringCase(w, r, authz.ActRead)
	if !ok || !s.recordView(w, r, "product", c.Product.ID, map[string]any{"page": "steering", "state": string(c.Product.State)}) {
		return
	}
	s.renderSteering(w, r, http.StatusOK, c, views.SteeringPageView{})
}

// renderSteering renders a steering member's page; form carries the values and errors of a refused form.
func (s *Server) renderSteering(w http.ResponseWriter, r *http.Request, status int, c product.SteeringCase, form views.SteeringPageView) {
	p := user.PrincipalFrom(r.Context())
	d := c.Product
	v := form
	v.Product, v.Rendered, v.Round, v.Timeline = d, s.renderPortions(r, d), c.Steering.Round, c.Timeline
	v.Open = d.State == product.StateSteeringReview
	if m, ok := c.Steering.Member(p.UserID); ok {
		v.Mine = &m
		if v.Errors["decision"] == "" && v.Errors["comment"] == "" {
			v.Decision, v.Comment = string(m.Decision), m.Comment
		}
	}
	// Portions belong to the section of the template they were created in; a portion added later
	// without one belongs to the section before it.
	comments := map[string][]product.SteeringComment{}
	for _, x := range c.Steering.Comments {
		comments[x.Section] = append(comments[x.Section], x)
	}
	index := map[string]int{}
	for _, t := range product.Template(d.Type) {
		index[t.Key] = len(v.Sections)
		v.Sections = append(v.Sections, views.SteeringSectionView{Key: t.Key, Title: t.Title, Comments: comments[t.Key]})
	}
	current := -1
	for i, x := range d.Portions {
		if n, ok := index[x.Section]; ok {
			current = n
		}
		if current < 0 {
			if len(v.Sections) == 0 {
				v.Sections = append(v.Sections, views.SteeringSectionView{Key: product.GeneralSection, Title: "the assessment"})
			}
			current = 0
		}
		v.Sections[current].Portions = append(v.Sections[current].Portions, i)
	}
	v.General = comments[product.GeneralSection]
	s.render(w, r, status, views.SteeringPage(s.page(r, d.Title, "steering"), v))
}

// handleSteeringDecide records the member's decision; the store applies the quorum.
func (s *Server) handleSteeringDecide(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	c, ok := s.loadSteeringCase(w, r, authz.ActDecide)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	decision, comment := workflow.Decision(formString(r, "decision")), formString(r, "comment")
	to, err := s.Store.RecordSteeringDecision(ctx, p.UserID, p.AgencyID, c.Product.ID, decision, comment)
	switch apperr.Code(err) {
	case "":
	case apperr.EINVALID:
		s.renderSteering(w, r, http.StatusUnprocessableEntity, c, views.SteeringPageView{Errors: apperr.FieldErrors(err),
			Decision: string(decision), Comment: comment})
		return
	default:
		s.renderError(w, r, err)
		return
	}
	msg := "Your decision is recorded: " + decision.Label() + "."
	switch to {
	case product.StateApproved:
		msg += " The steering group's quorum is met: the assessment is approved."
	case product.StateDraft:
		msg += " The assessment goes back to its authors with the reasons."
	}
	s.Auth.Flash(ctx, msg)
	if to == product.StateDraft { // a new round begins, which no longer includes this member
		http.Redirect(w, r, "/steering", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/steering/"+i64s(c.Product.ID), http.StatusSeeOther)
}

// handleSteeringComment records the member's comment on one section.
func (s *Server) handleSteeringComment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	c, ok := s.loadSteeringCase(w, r, authz.ActDecide)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	section, body := formString(r, "section"), formString(r, "body")
	_, err := s.Store.AddSteeringComment(ctx, p.UserID, p.AgencyID, c.Product.ID, section, body)
	switch apperr.Code(err) {
	case "":
	case apperr.EINVALID:
		fe := apperr.FieldErrors(err)
		if fe["body"] == "" {
			fe = map[string]string{"body": apperr.Message(err)}
		}
		s.renderSteering(w, r, http.StatusUnprocessableEntity, c, views.SteeringPageView{Errors: fe, CommentSection: section, CommentBody: body})
		return
	default:
		s.renderError(w, r, err)
		return
	}
	s.Auth.Flash(ctx, "Your comment on "+sectionName(c.Product.Type, section)+" is recorded.")
	http.Redirect(w, r, "/steering/"+i64s(c.Product.ID)+"#section-"+url.PathEscape(section), http.StatusSeeOther)
}

func sectionName(t product.Type, key string) string {
	if key == product.GeneralSection {
		return "the assessment as a whole"
	}
	return product.SectionTitle(t, key)
}
