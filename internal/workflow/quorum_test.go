package workflow

import (
	"testing"

	"tearline/internal/apperr"
)

func TestQuorum(t *testing.T) {
	three := []int64{steer1, steer2, steer3}
	four := []int64{steer1, steer2, steer3, 14}
	c, cc, nc := Concur, ConcurWithComments, NonConcur
	def := QuorumRule{}
	waitAll := QuorumRule{Num: 1, Den: 2, Strict: true, VetoOnNonConcur: true, WaitForAll: true}
	noVeto := QuorumRule{Num: 1, Den: 2, Strict: true}
	unanimous := QuorumRule{Num: 1, Den: 1, VetoOnNonConcur: true}
	twoThirds := QuorumRule{Num: 2, Den: 3}
	tests := []struct {
		name      string
		assigned  []int64
		decisions map[int64]Decision
		rule      QuorumRule
		want      Outcome
	}{
		{"no decisions yet", three, nil, def, OutcomePending},
		{"one of three concurs", three, map[int64]Decision{steer1: c}, def, OutcomePending},
		{"two of three concur, one pending: majority approves", three, map[int64]Decision{steer1: c, steer2: cc}, def, OutcomeApproved},
		{"all three concur", three, map[int64]Decision{steer1: c, steer2: c, steer3: cc}, def, OutcomeApproved},
		{"one non-concurs, two pending: returned at once", three, map[int64]Decision{steer2: nc}, def, OutcomeReturned},
		{"two concur, one non-concurs: veto", three, map[int64]Decision{steer1: c, steer2: c, steer3: nc}, def, OutcomeReturned},
		{"unassigned concurrences are ignored", three, map[int64]Decision{steer1: c, steerOut: c, 99: c}, def, OutcomePending},
		{"unassigned non-concurrence is ignored", three, map[int64]Decision{steer1: c, steerOut: nc}, def, OutcomePending},
		{"unknown decision value counts as pending", three, map[int64]Decision{steer1: c, steer2: "abstain"}, def, OutcomePending},
		{"no members assigned stays pending", nil, map[int64]Decision{steer1: c, steer2: c}, def, OutcomePending},
		{"duplicate assignment counts once", []int64{steer1, steer1, steer2, steer3}, map[int64]Decision{steer1: c}, def, OutcomePending},
		{"two of four is not a majority", four, map[int64]Decision{steer1: c, steer2: c}, def, OutcomePending},
		{"three of four is a majority", four, map[int64]Decision{steer1: c, steer2: c, steer3: c}, def, OutcomeApproved},
		{"one of one", []int64{steer1}, map[int64]Decision{steer1: c}, def, OutcomeApproved},
		{"one of two is not a majority", []int64{steer1, steer2}, map[int64]Decision{steer1: c}, def, OutcomePending},
		{"wait for all: two of three pending", three, map[int64]Decision{steer1: c, steer2: c}, waitAll, OutcomePending},
		{"wait for all: all concur", three, map[int64]Decision{steer1: c, steer2: c, steer3: c}, waitAll, OutcomeApproved},
		{"wait for all: non-concurrence still returns at once", three, map[int64]Decision{steer1: nc}, waitAll, OutcomeReturned},
		{"no veto: one non-concurrence is outvoted", three, map[int64]Decision{steer1: nc, steer2: c, steer3: c}, noVeto, OutcomeApproved},
		{"no veto: one non-concurrence, one pending", three, map[int64]Decision{steer1: nc, steer2: c}, noVeto, OutcomePending},
		{"no veto: two non-concurrences put majority out of reach", three, map[int64]Decision{steer1: nc, steer2: nc}, noVeto, OutcomeReturned},
		{"unanimity: two of three pending", three, map[int64]Decision{steer1: c, steer2: c}, unanimous, OutcomePending},
		{"unanimity: all concur", three, map[int64]Decision{steer1: c, steer2: c, steer3: c}, unanimous, OutcomeApproved},
		{"two thirds: two of three approve", three, map[int64]Decision{steer1: c, steer2: c}, twoThirds, OutcomeApproved},
		{"two thirds: two of four pending", four, map[int64]Decision{steer1: c, steer2: c}, twoThirds, OutcomePending},
		{"two thirds without veto: two non-concur of four", four, map[int64]Decision{steer1: nc, steer2: nc}, twoThirds, OutcomeReturned},
		{"invalid rule means default", three, map[int64]Decision{steer1: c, steer2: c}, QuorumRule{Num: 3, Den: 2}, OutcomeApproved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quorum(tt.assigned, tt.decisions, tt.rule); got != tt.want {
				t.Errorf("Quorum = %q; want %q (tally %+v)", got, tt.want, Count(tt.assigned, tt.decisions))
			}
		})
	}
}

func TestCount(t *testing.T) {
	got := Count([]int64{1, 2, 3, 4, 4}, map[int64]Decision{1: Concur, 2: ConcurWithComments, 3: NonConcur, 9: Concur})
	want := Tally{Assigned: 4, Concur: 2, NonConcur: 1, Pending: 1}
	if got != want {
		t.Errorf("Count = %+v; want %+v", got, want)
	}
}

func TestQuorumRuleValidate(t *testing.T) {
	tests := []struct {
		name string
		rule QuorumRule
		ok   bool
	}{
		{"default", DefaultQuorum(), true},
		{"unanimity", QuorumRule{Num: 1, Den: 1}, true},
		{"two thirds", QuorumRule{Num: 2, Den: 3}, true},
		{"zero", QuorumRule{}, false},
		{"more than all", QuorumRule{Num: 3, Den: 2}, false},
		{"strictly more than all", QuorumRule{Num: 1, Den: 1, Strict: true}, false},
		{"negative", QuorumRule{Num: -1, Den: 2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate = %v; want ok %v", err, tt.ok)
			}
			if err != nil && apperr.Code(err) != apperr.EINVALID {
				t.Errorf("code = %q; want %s", apperr.Code(err), apperr.EINVALID)
			}
		})
	}
}

func TestDecisionConcurs(t *testing.T) {
	for d, want := range map[Decision]bool{Concur: true, ConcurWithComments: true, NonConcur: false, "": false} {
		if got := d.Concurs(); got != want {
			t.Errorf("%q.Concurs() = %v; want %v", d, got, want)
		}
	}
}

func TestParseQuorum(t *testing.T) {
	assigned := []int64{1, 2, 3}
	twoOfThree := map[int64]Decision{1: Concur, 2: ConcurWithComments}
	tests := []struct {
		in   string
		want Outcome
	}{
		{"", OutcomeApproved},
		{"majority", OutcomeApproved},
		{"two-thirds", OutcomeApproved},
		{"all", OutcomePending},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseQuorum(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := Quorum(assigned, twoOfThree, r); got != tt.want {
				t.Errorf("2 of 3 concur under %q = %v, want %v", tt.in, got, tt.want)
			}
			if got := Quorum(assigned, map[int64]Decision{1: NonConcur}, r); got != OutcomeReturned {
				t.Errorf("a non-concur under %q = %v, want returned", tt.in, got)
			}
			if r.Describe() == "" {
				t.Error("no description")
			}
		})
	}
	if _, err := ParseQuorum("most"); err == nil {
		t.Error("unknown quorum accepted")
	}
}
