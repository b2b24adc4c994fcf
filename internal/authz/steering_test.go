package authz_test

import (
	"context"
	"testing"

	"tearline/internal/authz"
)

// Steering review: members list, read and decide on assessments of any agency (the store shows them
// only the assigned ones); releasing officials assign members to their own agency's assessments;
// center staff follow the steering review of their agency's products; nobody else does anything.
func TestSteeringPolicy(t *testing.T) {
	a := newAuthorizer(t)
	type want struct{ list, read, decide, assign, readElsewhere, assignElsewhere bool }
	for hint, w := range map[string]want{
		"steering@dos":    {list: true, read: true, decide: true, readElsewhere: true},
		"steering@dhs-ia": {list: true, read: true, decide: true, readElsewhere: true},
		"reviewer@hstc":   {read: true, assign: true},
		"analyst@hstc":    {read: true},
		"admin@hstc":      {},
		"liaison@ice":     {},
		"admin@ice":       {},
	} {
		t.Run(hint, func(t *testing.T) {
			p := persona(t, hint)
			ctx := context.Background()
			check := func(what, act string, obj authz.Object, want bool) {
				if got := a.Can(ctx, p, act, obj); got != want {
					t.Errorf("%s: Can(%s) = %v, want %v", what, act, got, want)
				}
			}
			check("list", authz.ActList, authz.Type(authz.TypeSteering), w.list)
			check("read", authz.ActRead, authz.Owned(authz.TypeSteering, hstc), w.read)
			check("decide", authz.ActDecide, authz.Owned(authz.TypeSteering, hstc), w.decide)
			check("assign", authz.ActAssign, authz.Owned(authz.TypeSteering, hstc), w.assign)
			check("read elsewhere", authz.ActRead, authz.Owned(authz.TypeSteering, ice), w.readElsewhere)
			check("assign elsewhere", authz.ActAssign, authz.Owned(authz.TypeSteering, ice), w.assignElsewhere)
		})
	}
}
