package authz_test

import (
	"context"
	"testing"

	"tearline/internal/authz"
)

// The audit trail: the center auditor reads and exports every agency's events; an agency
// administrator only their own agency's (Owned passes, AnyAgency does not, so the handler limits the
// rows); nobody else, not even the center administrator as such. The center that owns an edition
// sees its access accounting; recipients do not.
func TestAuditPolicy(t *testing.T) {
	a := newAuthorizer(t)
	type want struct{ own, any, edition bool }
	for hint, w := range map[string]want{
		"admin@hstc":    {own: true, any: true, edition: true}, // holds the auditor role
		"admin@ice":     {own: true},
		"reviewer@hstc": {edition: true},
		"analyst@hstc":  {edition: true},
		"liaison@ice":   {},
		"steering@dos":  {},
	} {
		t.Run(hint, func(t *testing.T) {
			p := persona(t, hint)
			ctx := context.Background()
			for _, act := range []string{authz.ActList, authz.ActExport} {
				if got := a.Can(ctx, p, act, authz.Type(authz.TypeAudit)); got != w.own {
					t.Errorf("%s audit (the route): %v, want %v", act, got, w.own)
				}
				if got := a.Can(ctx, p, act, authz.Owned(authz.TypeAudit, p.AgencyID)); got != w.own {
					t.Errorf("%s own agency's audit: %v, want %v", act, got, w.own)
				}
				if got := a.Can(ctx, p, act, authz.AnyAgency(authz.TypeAudit)); got != w.any {
					t.Errorf("%s every agency's audit: %v, want %v", act, got, w.any)
				}
			}
			if got := a.Can(ctx, p, authz.ActAudit, authz.Owned(authz.TypeEdition, hstc)); got != w.edition {
				t.Errorf("access accounting of a center edition: %v, want %v", got, w.edition)
			}
			if a.Can(ctx, p, authz.ActAudit, authz.Received(authz.TypeEdition, hstc, true)) && p.AgencyID != hstc {
				t.Errorf("a recipient sees the access accounting")
			}
		})
	}
	admin := persona(t, "admin@hstc")
	admin.Roles = admin.Roles[:0:0]
	for _, r := range persona(t, "admin@hstc").Roles {
		if r != "auditor" {
			admin.Roles = append(admin.Roles, r)
		}
	}
	if a.Can(context.Background(), admin, authz.ActList, authz.Type(authz.TypeAudit)) {
		t.Errorf("a center administrator without the auditor role reads the audit trail")
	}
}
