package workflow

import (
	"fmt"
	"slices"
	"strings"

	"tearline/internal/apperr"
	"tearline/internal/user"
)

// from lists the states each action can be taken from.
var from = map[Action][]State{
	ActionSubmit:           {StateDraft},
	ActionPeerApprove:      {StatePeerReview},
	ActionSuperviseApprove: {StateSupervisoryReview},
	ActionLegalApprove:     {StateLegalReview},
	ActionSteeringDecide:   {StateSteeringReview},
	ActionRelease:          {StateApproved},
	ActionReturn:           {StatePeerReview, StateSupervisoryReview, StateLegalReview, StateSteeringReview, StateApproved},
	ActionWithdraw:         {StatePeerReview, StateSupervisoryReview, StateLegalReview, StateSteeringReview},
	ActionRescind:          {StateReleased},
	ActionRevise:           {StateReleased, StateRescinded},
}

// Next returns the state that action a leads to from state s, or why it is refused:
//
//   - ECONFLICT: the action is not possible in state s, or a strategic assessment would enter
//     steering review without assigned members;
//   - EFORBIDDEN: the actor lacks the role, is an author where separation of duties forbids it,
//     or is not an assigned steering member;
//   - EINVALID: the action is unknown, a required comment or reason is missing, or the steering
//     decision is not one of Decisions.
//
// For steering_decide the actor's decision is counted with f.Decisions under f.Quorum: the result
// stays steering_review while the quorum is pending, becomes approved when it is met and draft
// when the assessment is returned. An unknown state s is an internal error.
func Next(s State, a Action, f Facts) (State, error) {
	if err := permit(s, a, f); err != nil {
		return "", err
	}
	if err := validate(a, f); err != nil {
		return "", err
	}
	return target(s, a, f), nil
}

// Allowed returns the actions the actor may take on a product in state s, in the order of
// Actions, so that the UI shows only buttons that work. It ignores what the user has yet to type:
// Next may still ask for a comment, a reason or a decision.
func Allowed(s State, f Facts) []Action {
	var out []Action
	for _, a := range Actions {
		if permit(s, a, f) == nil {
			out = append(out, a)
		}
	}
	return out
}

// permit checks everything about an action except the user's input.
func permit(s State, a Action, f Facts) error {
	if !s.Valid() {
		return fmt.Errorf("workflow: unknown state %q", s)
	}
	if !a.Valid() {
		return apperr.Errorf(apperr.EINVALID, "There is no action called %q.", a)
	}
	if !slices.Contains(from[a], s) {
		return refused(s, a)
	}
	if err := who(s, a, f); err != nil {
		return err
	}
	if (a == ActionSuperviseApprove && afterSupervision(f) == StateSteeringReview ||
		a == ActionLegalApprove && afterLegal(f) == StateSteeringReview) && len(f.AssignedSteering) == 0 {
		return apperr.Errorf(apperr.ECONFLICT,
			"Assign steering group members before sending this strategic assessment to steering group review.")
	}
	return nil
}

// who checks the actor's roles, authorship and steering assignment.
func who(s State, a Action, f Facts) error {
	switch a {
	case ActionSubmit, ActionWithdraw:
		if !f.isAuthor() {
			return apperr.Errorf(apperr.EFORBIDDEN, "Only an author can %s.", a.verb())
		}
		return need(f, user.RoleAnalyst, a)
	case ActionPeerApprove:
		return reviewer(f, user.RoleAnalyst, a)
	case ActionSuperviseApprove, ActionLegalApprove, ActionRelease:
		return reviewer(f, user.RoleReviewer, a)
	case ActionSteeringDecide:
		if err := reviewer(f, user.RoleSteering, a); err != nil {
			return err
		}
		if !f.isAssigned() {
			return apperr.Errorf(apperr.EFORBIDDEN,
				"You are not assigned to review this strategic assessment, so you cannot record a decision on it.")
		}
		return nil
	case ActionReturn:
		if s == StatePeerReview {
			return reviewer(f, user.RoleAnalyst, a)
		}
		return reviewer(f, user.RoleReviewer, a)
	case ActionRescind:
		return need(f, user.RoleReviewer, a)
	case ActionRevise:
		return need(f, user.RoleAnalyst, a)
	}
	return nil
}

// reviewer checks separation of duties, then the role.
func reviewer(f Facts, r user.Role, a Action) error {
	if f.isAuthor() {
		msg := "You cannot %s: you are one of its authors, and separation of duties requires someone else to."
		if a == ActionReturn {
			msg = "You cannot %s: you are one of its authors; withdraw it from review instead."
		}
		return apperr.Errorf(apperr.EFORBIDDEN, msg, a.verb())
	}
	return need(f, r, a)
}

// need checks that the actor holds role r.
func need(f Facts, r user.Role, a Action) error {
	if !f.has(r) {
		return apperr.Errorf(apperr.EFORBIDDEN, "You need the %s role to %s.", r.Label(), a.verb())
	}
	return nil
}

// refused is the error for an action that is not possible in state s.
func refused(s State, a Action) error {
	labels := make([]string, 0, len(from[a]))
	for _, x := range from[a] {
		labels = append(labels, "“"+x.Label()+"”")
	}
	return apperr.Errorf(apperr.ECONFLICT, "You cannot %s: it is in “%s”, and this is possible only from %s.",
		a.verb(), s.Label(), strings.Join(labels, ", "))
}

// validate checks the user's input for the action.
func validate(a Action, f Facts) error {
	blank := strings.TrimSpace(f.Comment) == ""
	switch a {
	case ActionReturn:
		if blank {
			return invalid("comment", "Say what the author should change: a comment is required to return a product.")
		}
	case ActionRescind:
		if blank {
			return invalid("comment", "Give the reason for rescinding this edition.")
		}
	case ActionSteeringDecide:
		if !f.Decision.Valid() {
			return invalid("decision", "Choose concur, concur with comments or non-concur.")
		}
		if f.Decision == NonConcur && blank {
			return invalid("comment", "Give the reason for your non-concurrence.")
		}
	}
	return nil
}

// invalid returns an EINVALID error for one form field.
func invalid(field, msg string) error {
	return &apperr.Error{Code: apperr.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// target is the state a permitted, valid action leads to.
func target(s State, a Action, f Facts) State {
	switch a {
	case ActionSubmit:
		return StatePeerReview
	case ActionPeerApprove:
		return StateSupervisoryReview
	case ActionSuperviseApprove:
		return afterSupervision(f)
	case ActionLegalApprove:
		return afterLegal(f)
	case ActionSteeringDecide:
		votes := make(map[int64]Decision, len(f.Decisions)+1)
		for id, d := range f.Decisions {
			votes[id] = d
		}
		votes[f.ActorID] = f.Decision
		switch Quorum(f.AssignedSteering, votes, f.Quorum) {
		case OutcomeApproved:
			return StateApproved
		case OutcomeReturned:
			return StateDraft
		}
		return StateSteeringReview
	case ActionRelease:
		return StateReleased
	case ActionRescind:
		return StateRescinded
	}
	return StateDraft // return, withdraw, revise
}

// verb is the action as it reads in a sentence: "You cannot <verb>".
func (a Action) verb() string {
	switch a {
	case ActionSubmit:
		return "submit this product"
	case ActionPeerApprove:
		return "approve this product in peer review"
	case ActionSuperviseApprove:
		return "approve this product in supervisory review"
	case ActionLegalApprove:
		return "approve this product in legal and privacy review"
	case ActionSteeringDecide:
		return "record a steering decision on this product"
	case ActionRelease:
		return "release this product"
	case ActionReturn:
		return "return this product to its author"
	case ActionWithdraw:
		return "withdraw this product from review"
	case ActionRescind:
		return "rescind this edition"
	case ActionRevise:
		return "start a revision of this product"
	}
	return string(a)
}
