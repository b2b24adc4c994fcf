package authz_test

import (
	"context"
	"testing"

	"tearline/internal/authz"
)

// Acknowledgement and feedback: only for an edition released to the principal's agency (relation
// "recipient"); liaisons acknowledge, and liaisons, agency administrators and steering members send
// feedback; the center and agencies that did not receive the edition do neither.
func TestAcknowledgementAndFeedbackPolicy(t *testing.T) {
	a := newAuthorizer(t)
	type want struct{ acknowledge, feedback bool }
	for hint, w := range map[string]want{
		"liaison@ice":     {acknowledge: true, feedback: true},
		"liaison@nca":     {acknowledge: true, feedback: true},
		"admin@ice":       {feedback: true},
		"steering@dos":    {feedback: true},
		"reviewer@hstc":   {},
		"analyst@hstc":    {},
		"admin@hstc":      {},
		"liaison@europol": {acknowledge: true, feedback: true},
	} {
		t.Run(hint, func(t *testing.T) {
			p := persona(t, hint)
			ctx := context.Background()
			for _, c := range []struct {
				act  string
				want bool
			}{{authz.ActAcknowledge, w.acknowledge}, {authz.ActFeedback, w.feedback}} {
				if got := a.Can(ctx, p, c.act, authz.Received(authz.TypeEdition, hstc, true)); got != c.want {
					t.Errorf("%s a received edition: %v, want %v", c.act, got, c.want)
				}
				if got := a.Can(ctx, p, c.act, authz.Type(authz.TypeEdition)); got != c.want {
					t.Errorf("%s editions as a whole (the route): %v, want %v", c.act, got, c.want)
				}
				if a.Can(ctx, p, c.act, authz.Received(authz.TypeEdition, hstc, false)) {
					t.Errorf("%s an edition not released to the agency is allowed", c.act)
				}
				if a.Can(ctx, p, c.act, authz.Owned(authz.TypeEdition, p.AgencyID)) {
					t.Errorf("%s the agency's own edition is allowed", c.act)
				}
			}
		})
	}
}
