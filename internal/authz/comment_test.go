package authz_test

import (
	"context"
	"testing"

	"tearline/internal/authz"
)

// Review comments: center analysts and releasing officials raise and answer them on their agency's
// products; only authors (of the product or of the comment) resolve them; nobody else does anything.
func TestCommentPolicy(t *testing.T) {
	a := newAuthorizer(t)
	type want struct{ create, answer, resolveMine, resolveOthers bool }
	center := want{true, true, true, false}
	nothing := want{}
	for hint, w := range map[string]want{
		"analyst@hstc": center, "analyst2@hstc": center, "reviewer@hstc": center,
		"admin@hstc": nothing, "steering@dos": nothing, "liaison@ice": nothing, "admin@ice": nothing,
	} {
		t.Run(hint, func(t *testing.T) {
			p := persona(t, hint)
			ctx := context.Background()
			check := func(what string, act string, obj authz.Object, want bool) {
				if got := a.Can(ctx, p, act, obj); got != want {
					t.Errorf("%s: Can(%s) = %v, want %v", what, act, got, want)
				}
			}
			check("create", authz.ActCreate, authz.Authored(authz.TypeComment, hstc, false), w.create)
			check("answer", authz.ActAnswer, authz.Authored(authz.TypeComment, hstc, false), w.answer)
			check("resolve as author", authz.ActResolve, authz.Authored(authz.TypeComment, hstc, true), w.resolveMine)
			check("resolve as non-author", authz.ActResolve, authz.Authored(authz.TypeComment, hstc, false), w.resolveOthers)
			// Never on another agency's products, author or not.
			check("create elsewhere", authz.ActCreate, authz.Authored(authz.TypeComment, ice, false), false)
			check("resolve elsewhere", authz.ActResolve, authz.Authored(authz.TypeComment, ice, true), false)
		})
	}
}
