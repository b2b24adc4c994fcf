package web

import (
	"context"
	"net/http"
	"strconv"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

// ReachStore is the persistence of acknowledgements and feedback; like ProductStore, every method
// takes the principal's agency explicitly.
type ReachStore interface {
	AcknowledgeEdition(ctx context.Context, agencyID, userID, editionID int64) (product.Acknowledgement, bool, error)
	SendFeedback(ctx context.Context, agencyID, userID int64, f *product.Feedback) error
	FindOwnReach(ctx context.Context, agencyID, userID, editionID int64) (*product.Acknowledgement, *product.Feedback, error)
	FindReach(ctx context.Context, agencyID, editionID int64) (product.Reach, error)
}

// Receipts, acknowledgement and feedback. Who may do what (policies/policy.csv, type "edition"):
//
//   - acknowledge receipt for the agency: a liaison of a recipient agency (relation "recipient"),
//     once per agency; a second acknowledgement changes nothing and says who acknowledged first;
//   - send feedback: liaisons, agency administrators and steering members of a recipient agency;
//     feedback is kept as a history and each user's latest is their current feedback;
//   - reach (every recipient's readers, acknowledgement and feedback): the owning center only, on
//     the edition page; recipients see their agency's acknowledgement and their own feedback.
//
// loadEdition decides first: whoever may not see the edition, or may not take the action on it, gets
// 404 like a missing edition.

// reachView builds the reach part of the edition page for the principal.
func (s *Server) reachView(ctx context.Context, e product.Edition, owner bool) (views.ReachView, error) {
	p := user.PrincipalFrom(ctx)
	var x product.EditionSurroundings
	var err error
	if owner {
		x.Reach, err = s.Store.FindReach(ctx, p.AgencyID, e.ID)
	} else {
		x.Ack, x.Mine, err = s.Store.FindOwnReach(ctx, p.AgencyID, p.UserID, e.ID)
	}
	return s.reachViewOf(ctx, e, owner, x), err
}

// reachViewOf builds the reach panel from what the store read: the center's reach table, or the
// recipient's acknowledgement and own feedback with what the principal may do next.
func (s *Server) reachViewOf(ctx context.Context, e product.Edition, owner bool, x product.EditionSurroundings) views.ReachView {
	p := user.PrincipalFrom(ctx)
	v := views.ReachView{EditionID: e.ID, Owner: owner, AgencyCode: p.AgencyCode, AgencyName: p.AgencyName}
	if owner {
		v.AccessLink = s.Authz.Can(ctx, p, authz.ActAudit, authz.Owned(authz.TypeEdition, e.OwnerAgencyID))
		v.Reach = x.Reach
		return v
	}
	v.Ack, v.Mine = x.Ack, x.Mine
	received := authz.Received(authz.TypeEdition, e.OwnerAgencyID, true)
	v.CanAcknowledge = v.Ack == nil && s.Authz.Can(ctx, p, authz.ActAcknowledge, received)
	v.CanFeedback = s.Authz.Can(ctx, p, authz.ActFeedback, received)
	v.Form = views.FeedbackFormOf(v.Mine)
	return v
}

func (s *Server) handleEditionAcknowledge(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	e, _, ok := s.loadEdition(w, r, authz.ActAcknowledge)
	if !ok {
		return
	}
	ack, created, err := s.Store.AcknowledgeEdition(ctx, p.AgencyID, p.UserID, e.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if created {
		s.Auth.Flash(ctx, "Receipt of "+e.Label()+" acknowledged for "+p.AgencyCode+".")
	} else {
		s.Auth.Flash(ctx, "Receipt of "+e.Label()+" was already acknowledged for "+p.AgencyCode+" by "+ack.UserName+
			", "+ack.At.UTC().Format("2 Jan 2006 15:04 UTC")+".")
	}
	http.Redirect(w, r, "/editions/"+i64s(e.ID), http.StatusSeeOther)
}

// scoreValue reads a 1–5 score; anything else is 0, which validation refuses.
func scoreValue(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 5 {
		return 0
	}
	return n
}

func (s *Server) handleEditionFeedback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	e, owner, ok := s.loadEdition(w, r, authz.ActFeedback)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	form := views.FeedbackForm{Relevance: formString(r, "relevance"), Timeliness: formString(r, "timeliness"),
		Actionability: formString(r, "actionability"), Action: formString(r, "action"), Comment: formString(r, "comment")}
	f := product.Feedback{EditionID: e.ID, Relevance: scoreValue(form.Relevance), Timeliness: scoreValue(form.Timeliness),
		Actionability: scoreValue(form.Actionability), Action: product.ActionTaken(form.Action), Comment: form.Comment}
	err := f.Validate()
	if err == nil {
		err = s.Store.SendFeedback(ctx, p.AgencyID, p.UserID, &f)
	}
	if apperr.Code(err) == apperr.EINVALID {
		v, verr := s.reachView(ctx, e, owner)
		if verr != nil {
			s.renderError(w, r, verr)
			return
		}
		v.Form, v.Errors = form, apperr.FieldErrors(err)
		if len(v.Errors) == 0 {
			v.Errors = map[string]string{"form": apperr.Message(err)}
		}
		s.render(w, r, http.StatusUnprocessableEntity, views.FeedbackPage(s.page(r, "Feedback on "+e.Label(), "inbox"),
			views.FeedbackPageView{Edition: e, Reach: v}))
		return
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Auth.Flash(ctx, "Your feedback on "+e.Label()+" went to the center. Thank you.")
	http.Redirect(w, r, "/editions/"+i64s(e.ID)+"#feedback", http.StatusSeeOther)
}
