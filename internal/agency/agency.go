// Package agency describes the center, member agencies and foreign partners that use the portal,
// with the attributes that caveat checks use later (federal, state/local, foreign, international).
package agency

import (
	"context"
	"regexp"
	"strings"
	"time"

	"tearline/internal/apperr"
)

// Kind says what an agency is to the center.
type Kind string

// Agency kinds.
const (
	KindCenter  Kind = "center"
	KindMember  Kind = "member"
	KindPartner Kind = "partner"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{KindCenter, KindMember, KindPartner}

// Label returns a human label for the kind.
func (k Kind) Label() string {
	switch k {
	case KindCenter:
		return "Fusion center"
	case KindMember:
		return "Member agency"
	case KindPartner:
		return "Foreign partner"
	}
	return string(k)
}

// Agency is an organisation whose users sign in to the portal.
type Agency struct {
	ID         int64
	Code       string
	Name       string
	Kind       Kind
	Country    string // ISO 3166 alpha-3 trigraph; empty for international organisations
	Federal    bool
	StateLocal bool
	Foreign    bool
	IntlOrg    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

var (
	codeRE    = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,15}$`)
	countryRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Normalize trims and upper-cases the fields that are case-insensitive.
func (a *Agency) Normalize() {
	a.Code = strings.ToUpper(strings.TrimSpace(a.Code))
	a.Name = strings.TrimSpace(a.Name)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
}

// Validate checks the agency and returns an EINVALID error with per-field messages.
func (a *Agency) Validate() error {
	f := map[string]string{}
	if !codeRE.MatchString(a.Code) {
		f["code"] = "Use 2–16 capital letters, digits or hyphens, starting with a letter (e.g. DHS-IA)."
	}
	if n := len([]rune(a.Name)); n < 2 || n > 200 {
		f["name"] = "Enter the agency's full name (2–200 characters)."
	}
	switch a.Kind {
	case KindCenter, KindMember, KindPartner:
	default:
		f["kind"] = "Choose center, member agency or foreign partner."
	}
	if a.Country != "" && !countryRE.MatchString(a.Country) {
		f["country"] = "Use an ISO 3166 three-letter country code such as USA, GBR or MEX."
	}
	if a.IntlOrg && a.Country != "" {
		f["country"] = "An international organisation has no country; leave it empty."
	}
	if !a.IntlOrg && a.Country == "" {
		f["country"] = "Enter the country code, or mark the agency as an international organisation."
	}
	if a.Kind == KindPartner && !a.Foreign && !a.IntlOrg {
		f["foreign"] = "A foreign partner is a foreign government agency or an international organisation."
	}
	if a.Kind != KindPartner && (a.Foreign || a.IntlOrg) {
		f["foreign"] = "Only foreign partners can be foreign or international organisations."
	}
	if a.Federal && a.StateLocal {
		f["federal"] = "An agency is either federal or state/local, not both."
	}
	if len(f) > 0 {
		return apperr.Invalid(f)
	}
	return nil
}

// Store is the persistence the agency pages need.
type Store interface {
	FindAgencies(ctx context.Context) ([]Agency, error)
	FindAgencyByID(ctx context.Context, id int64) (Agency, error)
	FindAgencyByCode(ctx context.Context, code string) (Agency, error)
}
