package workflow

import (
	"slices"

	"tearline/internal/apperr"
)

// Decision is a steering member's decision on a strategic assessment.
type Decision string

// Decisions.
const (
	Concur             Decision = "concur"
	ConcurWithComments Decision = "concur_with_comments"
	// NonConcur requires a reason (Facts.Comment).
	NonConcur Decision = "non_concur"
)

// Decisions lists every decision in display order.
var Decisions = []Decision{Concur, ConcurWithComments, NonConcur}

// Label returns the human name of the decision.
func (d Decision) Label() string {
	switch d {
	case Concur:
		return "Concur"
	case ConcurWithComments:
		return "Concur with comments"
	case NonConcur:
		return "Non-concur"
	}
	return string(d)
}

// Valid reports whether d is a known decision.
func (d Decision) Valid() bool { return slices.Contains(Decisions, d) }

// Concurs reports whether d is either kind of concurrence.
func (d Decision) Concurs() bool { return d == Concur || d == ConcurWithComments }

// Outcome is the state of a steering group's round of decisions.
type Outcome string

// Outcomes.
const (
	OutcomePending  Outcome = "pending"
	OutcomeApproved Outcome = "approved"
	OutcomeReturned Outcome = "returned"
)

// QuorumRule says when the assigned steering members' decisions approve or return an assessment.
// The zero value, like any rule that fails Validate, means DefaultQuorum.
type QuorumRule struct {
	// Num/Den is the share of the assigned members whose concurrence (either kind) approves the
	// assessment. With Strict the share must be exceeded, otherwise reached: {1, 2, Strict} is a
	// simple majority, {2, 3, not Strict} a two-thirds majority, {1, 1, not Strict} unanimity.
	// Approval always needs at least one concurrence.
	Num, Den int
	Strict   bool
	// VetoOnNonConcur returns the assessment as soon as any assigned member non-concurs, without
	// waiting for the others. Without it a non-concurrence only counts against approval.
	VetoOnNonConcur bool
	// WaitForAll keeps the round pending until every assigned member has decided, even when the
	// share is already met.
	WaitForAll bool
}

// DefaultQuorum is the default rule: a majority of the assigned members concur and none
// non-concurs. The assessment is approved as soon as a majority has concurred (the remaining
// members are not waited for) and returned as soon as anyone non-concurs.
func DefaultQuorum() QuorumRule {
	return QuorumRule{Num: 1, Den: 2, Strict: true, VetoOnNonConcur: true}
}

// Validate checks a configured rule.
func (r QuorumRule) Validate() error {
	if r.Den <= 0 || r.Num < 0 || r.Num > r.Den || r.Strict && r.Num == r.Den {
		return apperr.Invalid(map[string]string{
			"quorum": "The quorum is a share of the assigned members between none and all of them.",
		})
	}
	return nil
}

// met reports whether concur concurrences out of n assigned members reach the share.
func (r QuorumRule) met(concur, n int) bool {
	if concur == 0 {
		return false
	}
	if r.Strict {
		return concur*r.Den > n*r.Num
	}
	return concur*r.Den >= n*r.Num
}

// Tally counts the decisions of the assigned members.
type Tally struct {
	Assigned, Concur, NonConcur, Pending int
}

// Count tallies the decisions of the assigned members. Decisions of members who are not
// assigned, and values that are not a Decision, are ignored; an assigned member without a valid
// decision is pending. Duplicate assignments count once.
func Count(assigned []int64, decisions map[int64]Decision) Tally {
	var t Tally
	seen := make(map[int64]bool, len(assigned))
	for _, id := range assigned {
		if seen[id] {
			continue
		}
		seen[id] = true
		t.Assigned++
		switch d := decisions[id]; {
		case d.Concurs():
			t.Concur++
		case d == NonConcur:
			t.NonConcur++
		default:
			t.Pending++
		}
	}
	return t
}

// Quorum returns the outcome of the assigned members' decisions under rule. With no assigned
// member the outcome stays pending: an assessment cannot be approved without steering members
// (Next refuses to send it to steering review). The assessment is returned as soon as approval
// is out of reach or, under VetoOnNonConcur, as soon as anyone non-concurs. The zero rule, and
// any rule that fails Validate, mean DefaultQuorum.
func Quorum(assigned []int64, decisions map[int64]Decision, rule QuorumRule) Outcome {
	if rule.Validate() != nil {
		rule = DefaultQuorum()
	}
	t := Count(assigned, decisions)
	switch {
	case t.Assigned == 0:
		return OutcomePending
	case rule.VetoOnNonConcur && t.NonConcur > 0:
		return OutcomeReturned
	case !rule.met(t.Concur+t.Pending, t.Assigned):
		return OutcomeReturned
	case rule.met(t.Concur, t.Assigned) && (!rule.WaitForAll || t.Pending == 0):
		return OutcomeApproved
	}
	return OutcomePending
}

// ParseQuorum reads a configured quorum: "majority" (the default), "two-thirds" or "all"; each
// also returns the assessment as soon as any member non-concurs.
func ParseQuorum(s string) (QuorumRule, error) {
	switch s {
	case "", "majority":
		return DefaultQuorum(), nil
	case "two-thirds":
		return QuorumRule{Num: 2, Den: 3, VetoOnNonConcur: true}, nil
	case "all":
		return QuorumRule{Num: 1, Den: 1, VetoOnNonConcur: true, WaitForAll: true}, nil
	}
	return QuorumRule{}, apperr.Errorf(apperr.EINVALID, "unknown quorum %q: use majority, two-thirds or all", s)
}

// Describe says the rule in a sentence for the steering panel.
func (r QuorumRule) Describe() string {
	if r.Validate() != nil {
		r = DefaultQuorum()
	}
	share := "a majority of"
	switch {
	case r.Num == r.Den:
		share = "all"
	case r.Num == 2 && r.Den == 3:
		share = "two thirds of"
	}
	return "Quorum: " + share + " the assigned members concur and none non-concurs."
}
