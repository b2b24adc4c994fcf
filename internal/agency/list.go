package agency

import (
	"strings"
	"unicode/utf8"

	"tearline/internal/apperr"
)

// List is a distribution list: a named set of agencies chosen together at release.
type List struct {
	ID          int64
	Name        string
	Description string
	Members     []int64 // agency ids
	MemberCodes []string
}

// Normalize trims the list's text.
func (l *List) Normalize() {
	l.Name = strings.TrimSpace(l.Name)
	l.Description = strings.TrimSpace(l.Description)
}

// Validate checks the list.
func (l *List) Validate() error {
	f := map[string]string{}
	if n := utf8.RuneCountInString(l.Name); n < 2 || n > 100 {
		f["name"] = "Name the list (2–100 characters), e.g. “Maritime partners”."
	}
	if utf8.RuneCountInString(l.Description) > 500 {
		f["description"] = "Keep the description under 500 characters."
	}
	if len(l.Members) == 0 {
		f["members"] = "Choose at least one agency."
	}
	if len(f) > 0 {
		return apperr.Invalid(f)
	}
	return nil
}
