package workflow

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"tearline/internal/apperr"
	"tearline/internal/user"
)

// People in the tests.
const (
	author   int64 = 1
	peer     int64 = 2
	rev      int64 = 3
	coAuthor int64 = 5
	steer1   int64 = 10
	steer2   int64 = 11
	steer3   int64 = 12
	steerOut int64 = 13 // a steering member not assigned to the product
)

// facts returns the facts of a bulletin by author and coAuthor, acted on by actor with roles,
// with a comment and a concurrence filled in so that only rules, not input, can refuse.
func facts(actor int64, roles ...user.Role) Facts {
	return Facts{
		Type:             "IB",
		Authors:          []int64{author, coAuthor},
		ActorID:          actor,
		ActorRoles:       roles,
		AssignedSteering: []int64{steer1},
		Comment:          "Source the second key judgment.",
		Decision:         Concur,
	}
}

// proper returns the facts of the person who may take action a in state s.
func proper(s State, a Action) Facts {
	switch a {
	case ActionSubmit, ActionWithdraw:
		return facts(author, user.RoleAnalyst)
	case ActionPeerApprove, ActionRevise:
		return facts(peer, user.RoleAnalyst)
	case ActionSteeringDecide:
		return facts(steer1, user.RoleSteering)
	case ActionReturn:
		if s == StatePeerReview {
			return facts(peer, user.RoleAnalyst)
		}
	}
	return facts(rev, user.RoleReviewer)
}

// transitions are the allowed (state, action) pairs and their targets for a bulletin without
// legal flags; steering_decide is a single assigned member concurring.
var transitions = map[State]map[Action]State{
	StateDraft:             {ActionSubmit: StatePeerReview},
	StatePeerReview:        {ActionPeerApprove: StateSupervisoryReview, ActionReturn: StateDraft, ActionWithdraw: StateDraft},
	StateSupervisoryReview: {ActionSuperviseApprove: StateApproved, ActionReturn: StateDraft, ActionWithdraw: StateDraft},
	StateLegalReview:       {ActionLegalApprove: StateApproved, ActionReturn: StateDraft, ActionWithdraw: StateDraft},
	StateSteeringReview:    {ActionSteeringDecide: StateApproved, ActionReturn: StateDraft, ActionWithdraw: StateDraft},
	StateApproved:          {ActionRelease: StateReleased, ActionReturn: StateDraft},
	StateReleased:          {ActionRescind: StateRescinded, ActionRevise: StateDraft},
	StateRescinded:         {ActionRevise: StateDraft},
}

// code returns the apperr code of err, failing the test when err is not an *apperr.Error.
func code(t *testing.T, err error) string {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *apperr.Error", err)
	}
	return e.Code
}

func TestNextEveryPair(t *testing.T) {
	n := 0
	for _, s := range States {
		for _, a := range Actions {
			n++
			t.Run(string(s)+"/"+string(a), func(t *testing.T) {
				got, err := Next(s, a, proper(s, a))
				want, ok := transitions[s][a]
				if ok {
					if err != nil || got != want {
						t.Fatalf("Next = %q, %v; want %q", got, err, want)
					}
					return
				}
				if err == nil {
					t.Fatalf("Next = %q; want refusal", got)
				}
				if c := code(t, err); c != apperr.ECONFLICT {
					t.Fatalf("code = %s; want %s (%v)", c, apperr.ECONFLICT, err)
				}
				msg := apperr.Message(err)
				if !strings.Contains(msg, s.Label()) || !strings.Contains(msg, a.verb()) {
					t.Errorf("message %q does not name the state %q and the action %q", msg, s.Label(), a.verb())
				}
				if got != "" {
					t.Errorf("state on refusal = %q; want empty", got)
				}
			})
		}
	}
	if n != 80 {
		t.Errorf("%d pairs; want 8 states × 10 actions", n)
	}
}

func TestNextRoles(t *testing.T) {
	// roleFor is the only role with which a non-author may take a in s; "" means authors only.
	roleFor := func(s State, a Action) user.Role {
		switch a {
		case ActionSubmit, ActionWithdraw:
			return ""
		case ActionPeerApprove, ActionRevise:
			return user.RoleAnalyst
		case ActionSteeringDecide:
			return user.RoleSteering
		case ActionReturn:
			if s == StatePeerReview {
				return user.RoleAnalyst
			}
		}
		return user.RoleReviewer
	}
	const other int64 = 20
	for s, acts := range transitions {
		for a, want := range acts {
			for _, r := range append([]user.Role{"none"}, user.Roles...) {
				t.Run(string(s)+"/"+string(a)+"/"+string(r), func(t *testing.T) {
					f := facts(other, r)
					f.AssignedSteering = []int64{other}
					got, err := Next(s, a, f)
					if r == roleFor(s, a) {
						if err != nil || got != want {
							t.Fatalf("Next = %q, %v; want %q", got, err, want)
						}
						return
					}
					if err == nil || code(t, err) != apperr.EFORBIDDEN {
						t.Fatalf("Next = %q, %v; want %s", got, err, apperr.EFORBIDDEN)
					}
				})
			}
		}
	}
}

func TestNextAuthorOnly(t *testing.T) {
	tests := []struct {
		name  string
		s     State
		a     Action
		f     Facts
		allow bool
	}{
		{"author analyst submits", StateDraft, ActionSubmit, facts(author, user.RoleAnalyst), true},
		{"co-author analyst submits", StateDraft, ActionSubmit, facts(coAuthor, user.RoleAnalyst), true},
		{"author without analyst role cannot submit", StateDraft, ActionSubmit, facts(author, user.RoleReviewer), false},
		{"other analyst cannot submit", StateDraft, ActionSubmit, facts(peer, user.RoleAnalyst), false},
		{"reviewer cannot submit", StateDraft, ActionSubmit, facts(rev, user.RoleReviewer, user.RoleAnalyst), false},
		{"co-author withdraws from steering review", StateSteeringReview, ActionWithdraw, facts(coAuthor, user.RoleAnalyst), true},
		{"other analyst cannot withdraw", StatePeerReview, ActionWithdraw, facts(peer, user.RoleAnalyst), false},
		{"reviewer cannot withdraw", StateSupervisoryReview, ActionWithdraw, facts(rev, user.RoleReviewer), false},
		{"author cannot withdraw an approved product", StateApproved, ActionWithdraw, facts(author, user.RoleAnalyst), false},
		{"author may start a revision", StateReleased, ActionRevise, facts(author, user.RoleAnalyst), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Next(tt.s, tt.a, tt.f)
			if (err == nil) != tt.allow {
				t.Fatalf("Next error = %v; want allowed %v", err, tt.allow)
			}
		})
	}
}

func TestSeparationOfDuties(t *testing.T) {
	pairs := []struct {
		s State
		a Action
	}{
		{StatePeerReview, ActionPeerApprove},
		{StateSupervisoryReview, ActionSuperviseApprove},
		{StateLegalReview, ActionLegalApprove},
		{StateSteeringReview, ActionSteeringDecide},
		{StateApproved, ActionRelease},
		{StatePeerReview, ActionReturn},
		{StateSupervisoryReview, ActionReturn},
		{StateLegalReview, ActionReturn},
		{StateSteeringReview, ActionReturn},
		{StateApproved, ActionReturn},
	}
	for _, p := range pairs {
		for _, who := range []int64{author, coAuthor} {
			name := "author"
			if who == coAuthor {
				name = "co-author"
			}
			t.Run(string(p.s)+"/"+string(p.a)+"/"+name, func(t *testing.T) {
				f := facts(who, user.Roles...) // every role, reviewer and steering included
				f.Type = AssessmentType
				f.AssignedSteering = []int64{who, steer1}
				got, err := Next(p.s, p.a, f)
				if err == nil || code(t, err) != apperr.EFORBIDDEN {
					t.Fatalf("Next = %q, %v; want %s", got, err, apperr.EFORBIDDEN)
				}
				if !strings.Contains(apperr.Message(err), "authors") {
					t.Errorf("message %q does not say why", apperr.Message(err))
				}
				if slices.Contains(Allowed(p.s, f), p.a) {
					t.Errorf("Allowed offers %s to an author", p.a)
				}
			})
		}
	}
}

func TestNextUnknown(t *testing.T) {
	if _, err := Next("published", ActionRelease, facts(rev, user.RoleReviewer)); apperr.Code(err) != apperr.EINTERNAL {
		t.Errorf("unknown state: code %q; want %s", apperr.Code(err), apperr.EINTERNAL)
	}
	if _, err := Next(StateApproved, "publish", facts(rev, user.RoleReviewer)); err == nil || code(t, err) != apperr.EINVALID {
		t.Errorf("unknown action: %v; want %s", err, apperr.EINVALID)
	}
	if got := Allowed("published", facts(rev, user.RoleReviewer)); got != nil {
		t.Errorf("Allowed on unknown state = %v; want none", got)
	}
}

func TestNextInput(t *testing.T) {
	with := func(f Facts, comment string, d Decision) Facts {
		f.Comment, f.Decision = comment, d
		return f
	}
	reviewer := facts(rev, user.RoleReviewer)
	member := facts(steer1, user.RoleSteering)
	tests := []struct {
		name  string
		s     State
		a     Action
		f     Facts
		field string // "" when allowed
	}{
		{"return from peer review without comment", StatePeerReview, ActionReturn, with(facts(peer, user.RoleAnalyst), "", ""), "comment"},
		{"return from supervisory review without comment", StateSupervisoryReview, ActionReturn, with(reviewer, "", ""), "comment"},
		{"return from legal review with blank comment", StateLegalReview, ActionReturn, with(reviewer, "  \n\t", ""), "comment"},
		{"return from steering review without comment", StateSteeringReview, ActionReturn, with(reviewer, "", ""), "comment"},
		{"return approved product without comment", StateApproved, ActionReturn, with(reviewer, "", ""), "comment"},
		{"return with comment", StateApproved, ActionReturn, with(reviewer, "Update the figures.", ""), ""},
		{"rescind without reason", StateReleased, ActionRescind, with(reviewer, "", ""), "comment"},
		{"rescind with reason", StateReleased, ActionRescind, with(reviewer, "Source recalled.", ""), ""},
		{"non-concur without reason", StateSteeringReview, ActionSteeringDecide, with(member, " ", NonConcur), "comment"},
		{"non-concur with reason", StateSteeringReview, ActionSteeringDecide, with(member, "Overstates the threat.", NonConcur), ""},
		{"concur without comment", StateSteeringReview, ActionSteeringDecide, with(member, "", Concur), ""},
		{"concur with comments, comments given per section", StateSteeringReview, ActionSteeringDecide, with(member, "", ConcurWithComments), ""},
		{"no decision", StateSteeringReview, ActionSteeringDecide, with(member, "ok", ""), "decision"},
		{"unknown decision", StateSteeringReview, ActionSteeringDecide, with(member, "ok", "abstain"), "decision"},
		{"withdraw without comment", StatePeerReview, ActionWithdraw, with(facts(author, user.RoleAnalyst), "", ""), ""},
		{"release without comment", StateApproved, ActionRelease, with(reviewer, "", ""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Next(tt.s, tt.a, tt.f)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Next error = %v; want allowed", err)
				}
				return
			}
			if err == nil || code(t, err) != apperr.EINVALID {
				t.Fatalf("Next error = %v; want %s", err, apperr.EINVALID)
			}
			if apperr.FieldErrors(err)[tt.field] == "" {
				t.Errorf("no message for field %q in %v", tt.field, apperr.FieldErrors(err))
			}
			if !slices.Contains(Allowed(tt.s, tt.f), tt.a) {
				t.Errorf("Allowed hides %s, whose only problem is the input", tt.a)
			}
		})
	}
}
