package workflow

import (
	"maps"
	"slices"
	"testing"

	"tearline/internal/apperr"
	"tearline/internal/user"
)

func TestLegalRequired(t *testing.T) {
	for _, us := range []bool{false, true} {
		for _, victim := range []bool{false, true} {
			for _, foreign := range []bool{false, true} {
				f := Facts{USPerson: us, VictimData: victim, ForeignRecipients: foreign}
				want := us || victim || foreign
				if got := LegalRequired(f); got != want {
					t.Errorf("LegalRequired(us=%v victim=%v foreign=%v) = %v; want %v", us, victim, foreign, got, want)
				}
			}
		}
	}
}

// approving is the action that moves a product on from s.
var approving = map[State]Action{
	StateDraft:             ActionSubmit,
	StatePeerReview:        ActionPeerApprove,
	StateSupervisoryReview: ActionSuperviseApprove,
	StateLegalReview:       ActionLegalApprove,
	StateSteeringReview:    ActionSteeringDecide,
	StateApproved:          ActionRelease,
}

func TestRouting(t *testing.T) {
	const (
		d, p, s, l, st, a, r = StateDraft, StatePeerReview, StateSupervisoryReview, StateLegalReview, StateSteeringReview, StateApproved, StateReleased
	)
	tests := []struct {
		name                  string
		typ                   string
		us, victim, foreignRx bool
		want                  []State
	}{
		{"bulletin", "IB", false, false, false, []State{d, p, s, a, r}},
		{"report", "IR", false, false, false, []State{d, p, s, a, r}},
		{"note", "IN", false, false, false, []State{d, p, s, a, r}},
		{"analysis", "AP", false, false, false, []State{d, p, s, a, r}},
		{"target package", "TP", false, false, false, []State{d, p, s, a, r}},
		{"strategic assessment", "SA", false, false, false, []State{d, p, s, st, a, r}},
		{"bulletin with U.S.-person information", "IB", true, false, false, []State{d, p, s, l, a, r}},
		{"report with victim data", "IR", false, true, false, []State{d, p, s, l, a, r}},
		{"note for a foreign partner", "IN", false, false, true, []State{d, p, s, l, a, r}},
		{"target package with every flag", "TP", true, true, true, []State{d, p, s, l, a, r}},
		{"assessment for a foreign partner", "SA", false, false, true, []State{d, p, s, l, st, a, r}},
		{"assessment with victim data", "SA", false, true, false, []State{d, p, s, l, st, a, r}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := []State{StateDraft}
			for cur := StateDraft; cur != StateReleased && len(path) < 10; {
				act := approving[cur]
				f := proper(cur, act)
				f.Type, f.USPerson, f.VictimData, f.ForeignRecipients = tt.typ, tt.us, tt.victim, tt.foreignRx
				next, err := Next(cur, act, f)
				if err != nil {
					t.Fatalf("%s from %s: %v", act, cur, err)
				}
				path = append(path, next)
				cur = next
			}
			if !slices.Equal(path, tt.want) {
				t.Errorf("path = %v; want %v", path, tt.want)
			}
			f := Facts{Type: tt.typ, USPerson: tt.us, VictimData: tt.victim, ForeignRecipients: tt.foreignRx}
			if got := Stages(f); !slices.Equal(got, tt.want) {
				t.Errorf("Stages = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestSteeringNeedsMembers(t *testing.T) {
	sa := func(legal bool, assigned ...int64) Facts {
		f := facts(rev, user.RoleReviewer)
		f.Type, f.USPerson, f.AssignedSteering = AssessmentType, legal, assigned
		return f
	}
	tests := []struct {
		name string
		s    State
		a    Action
		f    Facts
		want State // "" when refused with ECONFLICT
	}{
		{"assessment without members cannot leave supervisory review", StateSupervisoryReview, ActionSuperviseApprove, sa(false), ""},
		{"assessment without members goes to legal review first", StateSupervisoryReview, ActionSuperviseApprove, sa(true), StateLegalReview},
		{"assessment without members cannot leave legal review", StateLegalReview, ActionLegalApprove, sa(true), ""},
		{"assessment with members enters steering review", StateSupervisoryReview, ActionSuperviseApprove, sa(false, steer1, steer2), StateSteeringReview},
		{"assessment with members leaves legal review", StateLegalReview, ActionLegalApprove, sa(true, steer1), StateSteeringReview},
		{"bulletin needs no members", StateSupervisoryReview, ActionSuperviseApprove, func() Facts { f := sa(false); f.Type = "IB"; return f }(), StateApproved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Next(tt.s, tt.a, tt.f)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("Next = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || code(t, err) != apperr.ECONFLICT {
				t.Fatalf("Next = %q, %v; want %s", got, err, apperr.ECONFLICT)
			}
			if slices.Contains(Allowed(tt.s, tt.f), tt.a) {
				t.Errorf("Allowed offers %s", tt.a)
			}
		})
	}
}

func TestNextSteeringDecide(t *testing.T) {
	assigned := []int64{steer1, steer2, steer3}
	tests := []struct {
		name  string
		actor int64
		d     Decision
		prior map[int64]Decision
		rule  QuorumRule
		want  State
		code  string
	}{
		{"first concurrence is pending", steer1, Concur, nil, QuorumRule{}, StateSteeringReview, ""},
		{"second concurrence of three approves", steer1, Concur, map[int64]Decision{steer2: Concur}, QuorumRule{}, StateApproved, ""},
		{"concur with comments counts", steer1, ConcurWithComments, map[int64]Decision{steer2: ConcurWithComments}, QuorumRule{}, StateApproved, ""},
		{"non-concurrence returns at once", steer1, NonConcur, nil, QuorumRule{}, StateDraft, ""},
		{"non-concurrence after a concurrence returns", steer3, NonConcur, map[int64]Decision{steer1: Concur}, QuorumRule{}, StateDraft, ""},
		{"changed vote replaces the earlier one", steer1, Concur, map[int64]Decision{steer1: NonConcur}, QuorumRule{}, StateSteeringReview, ""},
		{"unassigned member's recorded vote is ignored", steer1, Concur, map[int64]Decision{steerOut: Concur}, QuorumRule{}, StateSteeringReview, ""},
		{"wait for all keeps it pending", steer1, Concur, map[int64]Decision{steer2: Concur}, QuorumRule{Num: 1, Den: 2, Strict: true, VetoOnNonConcur: true, WaitForAll: true}, StateSteeringReview, ""},
		{"unassigned member cannot decide", steerOut, Concur, map[int64]Decision{steer1: Concur}, QuorumRule{}, "", apperr.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(tt.actor, user.RoleSteering)
			f.Type, f.AssignedSteering, f.Decision, f.Decisions, f.Quorum = AssessmentType, assigned, tt.d, tt.prior, tt.rule
			before := maps.Clone(tt.prior)
			got, err := Next(StateSteeringReview, ActionSteeringDecide, f)
			if tt.code != "" {
				if err == nil || code(t, err) != tt.code {
					t.Fatalf("Next = %q, %v; want %s", got, err, tt.code)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Next = %q, %v; want %q", got, err, tt.want)
			}
			if !maps.Equal(before, tt.prior) {
				t.Errorf("Next changed the recorded decisions: %v", tt.prior)
			}
		})
	}
}

func TestAllowed(t *testing.T) {
	member := facts(steer1, user.RoleSteering)
	member.Type = AssessmentType
	outsider := member
	outsider.ActorID = steerOut
	both := facts(rev, user.RoleAnalyst, user.RoleReviewer)
	authorRev := facts(author, user.RoleAnalyst, user.RoleReviewer)
	tests := []struct {
		name string
		s    State
		f    Facts
		want []Action
	}{
		{"author sees submit on a draft", StateDraft, facts(author, user.RoleAnalyst), []Action{ActionSubmit}},
		{"peer sees nothing on a draft", StateDraft, facts(peer, user.RoleAnalyst), nil},
		{"author in peer review may only withdraw", StatePeerReview, facts(author, user.RoleAnalyst), []Action{ActionWithdraw}},
		{"peer in peer review", StatePeerReview, facts(peer, user.RoleAnalyst), []Action{ActionPeerApprove, ActionReturn}},
		{"reviewer in peer review", StatePeerReview, facts(rev, user.RoleReviewer), nil},
		{"analyst-reviewer in peer review", StatePeerReview, both, []Action{ActionPeerApprove, ActionReturn}},
		{"reviewer in supervisory review", StateSupervisoryReview, facts(rev, user.RoleReviewer), []Action{ActionSuperviseApprove, ActionReturn}},
		{"author holding reviewer role in supervisory review", StateSupervisoryReview, authorRev, []Action{ActionWithdraw}},
		{"reviewer in legal review", StateLegalReview, facts(rev, user.RoleReviewer), []Action{ActionLegalApprove, ActionReturn}},
		{"assigned member in steering review", StateSteeringReview, member, []Action{ActionSteeringDecide}},
		{"unassigned member in steering review", StateSteeringReview, outsider, nil},
		{"reviewer in steering review", StateSteeringReview, facts(rev, user.RoleReviewer), []Action{ActionReturn}},
		{"reviewer on an approved product", StateApproved, facts(rev, user.RoleReviewer), []Action{ActionRelease, ActionReturn}},
		{"author holding reviewer role on an approved product", StateApproved, authorRev, nil},
		{"analyst-reviewer on a released product", StateReleased, both, []Action{ActionRescind, ActionRevise}},
		{"analyst on a rescinded edition", StateRescinded, facts(peer, user.RoleAnalyst), []Action{ActionRevise}},
		{"liaison sees nothing", StateApproved, facts(30, user.RoleLiaison), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Allowed(tt.s, tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("Allowed = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestAllowedAgreesWithNext(t *testing.T) {
	personas := map[string]Facts{
		"author":           facts(author, user.RoleAnalyst),
		"co-author, all":   facts(coAuthor, user.Roles...),
		"peer":             facts(peer, user.RoleAnalyst),
		"reviewer":         facts(rev, user.RoleReviewer),
		"steering":         facts(steer1, user.RoleSteering),
		"steering, out":    facts(steerOut, user.RoleSteering),
		"other, all roles": facts(40, user.Roles...),
		"no roles":         facts(41),
	}
	for name, f := range personas {
		for _, s := range States {
			t.Run(name+"/"+string(s), func(t *testing.T) {
				allowed := Allowed(s, f)
				for _, a := range Actions {
					_, err := Next(s, a, f)
					if (err == nil) != slices.Contains(allowed, a) {
						t.Errorf("%s: Next error %v but Allowed = %v", a, err, allowed)
					}
				}
			})
		}
	}
}

func TestLabels(t *testing.T) {
	for _, s := range States {
		if !s.Valid() || s.Label() == string(s) {
			t.Errorf("state %q: valid %v, label %q", s, s.Valid(), s.Label())
		}
	}
	for _, a := range Actions {
		if !a.Valid() || a.Label() == string(a) || a.verb() == string(a) || len(from[a]) == 0 {
			t.Errorf("action %q: valid %v, label %q, verb %q, from %v", a, a.Valid(), a.Label(), a.verb(), from[a])
		}
	}
	for _, d := range Decisions {
		if !d.Valid() || d.Label() == string(d) {
			t.Errorf("decision %q: valid %v, label %q", d, d.Valid(), d.Label())
		}
	}
	if State("x").Valid() || Action("x").Valid() || Decision("x").Valid() {
		t.Error("unknown values are valid")
	}
	if State("x").Label() != "x" || Action("x").Label() != "x" || Decision("x").Label() != "x" {
		t.Error("unknown values do not label as themselves")
	}
}

func TestInReview(t *testing.T) {
	want := []State{StatePeerReview, StateSupervisoryReview, StateLegalReview, StateSteeringReview}
	for _, s := range States {
		if got := s.InReview(); got != slices.Contains(want, s) {
			t.Errorf("%s.InReview() = %v", s, got)
		}
	}
}
