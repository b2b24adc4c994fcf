package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/web/views"
	"tearline/internal/workflow"
)

// facts gathers what the workflow needs to decide an action of p on d.
func facts(d product.Product, p *user.Principal, comment string) workflow.Facts {
	f := workflow.Facts{Type: string(d.Type), ActorID: p.UserID, ActorRoles: p.Roles, USPerson: d.USPerson,
		VictimData: d.VictimData, ForeignRecipients: d.ForeignRecipients, Comment: comment}
	for _, a := range d.Authors {
		f.Authors = append(f.Authors, a.UserID)
	}
	return f
}

// handleProductTransition applies one workflow action (submit, approve, return, withdraw, release,
// revise) to a product. The workflow decides whether the principal may; the store applies it only if
// the product is still in the state the decision was made on.
func (s *Server) handleProductTransition(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActRead)
	if !ok {
		return
	}
	if !s.Authz.Can(ctx, p, authz.ActTransition, productObject(d, p)) {
		s.deny(w, r, authz.ActTransition, productObject(d, p).Type)
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	action := workflow.Action(formString(r, "action"))
	comment := formString(r, "comment")
	if action == workflow.ActionSubmit {
		if blockers := d.ReadyForReview(); len(blockers) > 0 {
			s.renderError(w, r, apperr.Errorf(apperr.EINVALID, "The draft cannot go to review yet: %s", strings.Join(blockers, " ")))
			return
		}
	}
	f := facts(d, p, comment)
	if _, err := s.steeringFacts(ctx, d, p, &f); err != nil {
		s.renderError(w, r, err)
		return
	}
	to, err := workflow.Next(workflow.State(d.State), action, f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if action == workflow.ActionRelease {
		e, err := s.Store.ReleaseProduct(ctx, p.AgencyID, p.UserID, d.ID, time.Now())
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.Auth.Flash(ctx, "Released as "+e.Label()+".")
		http.Redirect(w, r, "/editions/"+i64s(e.ID), http.StatusSeeOther)
		return
	}
	if err := s.Store.TransitionProduct(ctx, p.AgencyID, p.UserID, d.ID, d.State, product.State(to), string(action), comment); err != nil {
		s.renderError(w, r, err)
		return
	}
	if action == workflow.ActionRevise && !d.IsAuthor(p.UserID) {
		if err := s.Store.AddAuthor(ctx, p.AgencyID, p.UserID, d.ID, p.UserID); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	msg := action.Label() + ": the product is now " + strings.ToLower(product.State(to).Label()) + "."
	if action == workflow.ActionSubmit {
		msg += s.openCommentsNote(ctx, p, d.ID) // open comments warn, they do not block (see openCommentsNote)
	}
	s.Auth.Flash(ctx, msg)
	http.Redirect(w, r, s.afterTransition(ctx, p, d, product.State(to)), http.StatusSeeOther) // #nosec G710 -- a fixed local path: the product's, /reviews or /
}

// afterTransition is where a principal goes after moving a product: back to the product, unless the
// move took it out of their sight (a peer returning a draft to its authors), then to their review
// queue, or home when they have none, so that the confirmation is not shown on a 404.
func (s *Server) afterTransition(ctx context.Context, p *user.Principal, d product.Product, to product.State) string {
	d.State = to
	switch {
	case s.Authz.Can(ctx, p, authz.ActRead, productObject(d, p)):
		return "/products/" + i64s(d.ID)
	case s.Authz.Can(ctx, p, authz.ActList, authz.Type(authz.TypeReview)):
		return "/reviews"
	default:
		return "/"
	}
}

// reviewStates are the states whose products wait for each role.
var reviewStates = map[user.Role][]product.State{
	user.RoleAnalyst:  {product.StatePeerReview},
	user.RoleReviewer: {product.StateSupervisoryReview, product.StateLegalReview, product.StateApproved},
}

func (s *Server) handleReviewQueue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	var states []product.State
	for _, role := range p.Roles {
		states = append(states, reviewStates[role]...)
	}
	items, err := s.Store.FindReviewQueue(ctx, p.AgencyID, p.UserID, states)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := views.ReviewQueueView{Items: items}
	if v.OpenComments, v.Tallies, err = s.commentTallies(r); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ReviewQueue(s.page(r, "Review queue", "reviews"), v))
}

// reviewPanel builds the timeline, editions and the actions the principal may take on d.
func (s *Server) reviewPanel(r *http.Request, d product.Product) (views.ReviewPanelView, error) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	v := views.ReviewPanelView{ProductID: d.ID, State: d.State}
	var err error
	if v.Timeline, err = s.Store.FindTransitions(ctx, p.AgencyID, d.ID); err != nil {
		return v, err
	}
	if v.Editions, err = s.Store.FindEditions(ctx, p.AgencyID, d.ID); err != nil {
		return v, err
	}
	f := facts(d, p, "")
	sr, err := s.steeringFacts(ctx, d, p, &f)
	if err != nil {
		return v, err
	}
	if v.Steering, err = s.steeringPanel(ctx, d, sr); err != nil {
		return v, err
	}
	if s.Authz.Can(ctx, p, authz.ActTransition, productObject(d, p)) {
		for _, a := range workflow.Allowed(workflow.State(d.State), f) {
			if a == workflow.ActionSteeringDecide || a == workflow.ActionRescind {
				continue
			}
			v.Actions = append(v.Actions, views.ActionView{Action: string(a), Label: a.Label(), NeedsComment: a == workflow.ActionReturn})
		}
	}
	for _, st := range workflow.Stages(f) {
		v.Stages = append(v.Stages, product.State(st))
	}
	return v, nil
}

func (s *Server) handleEditionRescind(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	id, err := idParam(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	var e product.Edition
	if err == nil {
		e, err = s.Store.FindEditionByID(ctx, p.AgencyID, id)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.Authz.Can(ctx, p, authz.ActRescind, authz.Owned(authz.TypeEdition, e.OwnerAgencyID)) {
		s.deny(w, r, authz.ActRescind, authz.TypeEdition)
		return
	}
	reason := formString(r, "reason")
	if len([]rune(reason)) < 3 {
		s.renderError(w, r, apperr.Errorf(apperr.EINVALID, "Give the reason for rescinding this edition."))
		return
	}
	if err := s.Store.RescindEdition(ctx, p.AgencyID, p.UserID, e.ID, reason); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Auth.Flash(ctx, e.Label()+" was rescinded.")
	http.Redirect(w, r, "/editions/"+i64s(e.ID), http.StatusSeeOther)
}
