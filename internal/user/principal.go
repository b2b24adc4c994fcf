package user

import (
	"context"

	"tearline/internal/agency"
)

// Principal is the signed-in user as every request sees it: identity, agency and roles,
// loaded afresh from the database on each request so that deactivation takes effect at once.
type Principal struct {
	UserID     int64
	Name       string
	Email      string
	AgencyID   int64
	AgencyCode string
	AgencyName string
	AgencyKind agency.Kind
	Roles      []Role
	Issuer     string
	Subject    string
	// Unread is the number of the user's unread notifications in their agency when the principal was
	// loaded (the bell), read in the same round trip.
	Unread int
}

// HasRole reports whether the principal holds r.
func (p *Principal) HasRole(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// RoleLabels returns the human names of the principal's roles.
func (p *Principal) RoleLabels() []string {
	out := make([]string, 0, len(p.Roles))
	for _, r := range p.Roles {
		out = append(out, r.Label())
	}
	return out
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or nil when nobody is signed in.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
