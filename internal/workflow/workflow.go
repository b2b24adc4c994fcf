// Package workflow is the review-and-release state machine of a product: which action moves a
// product from which state to which, who may take it, and when the steering group's decisions
// approve a strategic assessment. It is pure: callers load the facts, ask Next, then record the
// transition (who, when, comment) and the new state in one transaction.
//
// The product's state runs
//
//	draft → peer_review → supervisory_review → [legal_review] → [steering_review] → approved → released
//
// where legal and privacy review is required when LegalRequired reports so, and steering review
// only for strategic assessments (type "SA"). Any reviewer of the current stage can return the
// product to draft with a comment; its authors can withdraw it while it is in review. A released
// product goes back to draft when a revision is started; the released edition keeps its own
// state, released or rescinded.
//
// Who may act, with the roles of package user:
//
//   - submit, withdraw: an author holding the analyst role;
//   - peer_approve: an analyst who is not an author (a peer);
//   - supervise_approve, legal_approve, release: a reviewer (releasing official) who is not an
//     author; legal and privacy review is done by reviewers until a dedicated legal role exists;
//   - steering_decide: a steering member assigned to the product who is not an author;
//   - return: whoever may approve the current stage (peers in peer review, reviewers in
//     supervisory, legal, steering review and once approved), never an author;
//     steering members send an assessment back by non-concurring, not by returning it;
//   - rescind (an edition): a reviewer, with a reason;
//   - revise: an analyst; the caller makes the actor an author of the new revision.
//
// Separation of duties: an author, co-authors included, can never peer-approve,
// supervise-approve, legal-approve, decide on, or release their own product, whatever roles they hold.
package workflow

import (
	"slices"

	"tearline/internal/user"
)

// State is where a product (or an edition) is in its life.
type State string

// States.
const (
	StateDraft             State = "draft"
	StatePeerReview        State = "peer_review"
	StateSupervisoryReview State = "supervisory_review"
	StateLegalReview       State = "legal_review"
	StateSteeringReview    State = "steering_review"
	StateApproved          State = "approved"
	StateReleased          State = "released"
	// StateRescinded is the state of an edition withdrawn from circulation by a releasing official.
	StateRescinded State = "rescinded"
)

// States lists every state in workflow order.
var States = []State{StateDraft, StatePeerReview, StateSupervisoryReview, StateLegalReview,
	StateSteeringReview, StateApproved, StateReleased, StateRescinded}

// Label returns the human name of the state.
func (s State) Label() string {
	switch s {
	case StateDraft:
		return "Draft"
	case StatePeerReview:
		return "Peer review"
	case StateSupervisoryReview:
		return "Supervisory review"
	case StateLegalReview:
		return "Legal and privacy review"
	case StateSteeringReview:
		return "Steering group review"
	case StateApproved:
		return "Approved"
	case StateReleased:
		return "Released"
	case StateRescinded:
		return "Rescinded"
	}
	return string(s)
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// InReview reports whether s is one of the review stages (peer, supervisory, legal, steering).
func (s State) InReview() bool {
	switch s {
	case StatePeerReview, StateSupervisoryReview, StateLegalReview, StateSteeringReview:
		return true
	}
	return false
}

// Action is something a user does to a product's state.
type Action string

// Actions.
const (
	ActionSubmit           Action = "submit"
	ActionPeerApprove      Action = "peer_approve"
	ActionSuperviseApprove Action = "supervise_approve"
	ActionLegalApprove     Action = "legal_approve"
	ActionSteeringDecide   Action = "steering_decide"
	ActionRelease          Action = "release"
	ActionReturn           Action = "return"
	ActionWithdraw         Action = "withdraw"
	ActionRescind          Action = "rescind"
	ActionRevise           Action = "revise"
)

// Actions lists every action in the order the UI shows its buttons.
var Actions = []Action{ActionSubmit, ActionPeerApprove, ActionSuperviseApprove, ActionLegalApprove,
	ActionSteeringDecide, ActionRelease, ActionReturn, ActionWithdraw, ActionRescind, ActionRevise}

// Label returns the text of the action's button.
func (a Action) Label() string {
	switch a {
	case ActionSubmit:
		return "Submit for review"
	case ActionPeerApprove:
		return "Approve peer review"
	case ActionSuperviseApprove:
		return "Approve supervisory review"
	case ActionLegalApprove:
		return "Approve legal and privacy review"
	case ActionSteeringDecide:
		return "Record steering decision"
	case ActionRelease:
		return "Release"
	case ActionReturn:
		return "Return to author"
	case ActionWithdraw:
		return "Withdraw from review"
	case ActionRescind:
		return "Rescind edition"
	case ActionRevise:
		return "Start a revision"
	}
	return string(a)
}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// AssessmentType is the product type code that routes through steering review; it equals
// product.TypeAssessment (a test keeps them in step; this package does not import product).
const AssessmentType = "SA"

// Facts is everything Next needs to know about the product, the actor and the request.
type Facts struct {
	// Type is the product type code (product.Type), e.g. "IB" or "SA".
	Type string
	// Authors are the product's authors, co-authors included.
	Authors []int64
	// ActorID and ActorRoles identify the user taking the action.
	ActorID    int64
	ActorRoles []user.Role
	// USPerson, VictimData and ForeignRecipients are the analyst's flags that make legal and
	// privacy review mandatory.
	USPerson, VictimData, ForeignRecipients bool
	// AssignedSteering are the steering members assigned to review the product.
	AssignedSteering []int64
	// Comment is the actor's comment: required to return, to rescind and to non-concur.
	Comment string
	// Decision is the actor's steering decision (steering_decide only).
	Decision Decision
	// Decisions are the steering decisions recorded so far in this round, by member; the
	// actor's new Decision replaces any earlier one of theirs.
	Decisions map[int64]Decision
	// Quorum is the steering quorum rule; the zero value means DefaultQuorum.
	Quorum QuorumRule
}

// LegalRequired reports whether the product must pass legal and privacy review: it carries
// U.S.-person information or victim data, or it will go to a foreign recipient.
func LegalRequired(f Facts) bool { return f.USPerson || f.VictimData || f.ForeignRecipients }

// SteeringRequired reports whether the product must pass steering group review: strategic
// assessments only.
func SteeringRequired(f Facts) bool { return f.Type == AssessmentType }

// Stages returns the states the product passes through from draft to release, for a progress
// bar or a timeline.
func Stages(f Facts) []State {
	out := []State{StateDraft, StatePeerReview, StateSupervisoryReview}
	if LegalRequired(f) {
		out = append(out, StateLegalReview)
	}
	if SteeringRequired(f) {
		out = append(out, StateSteeringReview)
	}
	return append(out, StateApproved, StateReleased)
}

// isAuthor reports whether the actor is one of the authors.
func (f Facts) isAuthor() bool { return slices.Contains(f.Authors, f.ActorID) }

// has reports whether the actor holds role r.
func (f Facts) has(r user.Role) bool { return slices.Contains(f.ActorRoles, r) }

// isAssigned reports whether the actor is an assigned steering member.
func (f Facts) isAssigned() bool { return slices.Contains(f.AssignedSteering, f.ActorID) }

// afterSupervision is where supervisory approval leads.
func afterSupervision(f Facts) State {
	if LegalRequired(f) {
		return StateLegalReview
	}
	return afterLegal(f)
}

// afterLegal is where legal approval (or supervisory approval, when legal review is not
// required) leads.
func afterLegal(f Facts) State {
	if SteeringRequired(f) {
		return StateSteeringReview
	}
	return StateApproved
}
