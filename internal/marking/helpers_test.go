package marking_test

import (
	"slices"
	"strings"
	"testing"

	"tearline/internal/apperr"
	"tearline/internal/marking"
)

// opt edits a marking under construction.
type opt func(*marking.Marking)

// cui returns a CUI portion with the categories written as in a portion mark ("SP-INV/IVIC"; "" for
// none), then applies the options.
func cui(cats string, opts ...opt) marking.Marking {
	m := marking.Marking{Control: marking.CUI}
	if cats != "" {
		for c := range strings.SplitSeq(cats, "/") {
			m.Categories = append(m.Categories, marking.ParseCategory(c))
		}
	}
	for _, o := range opts {
		o(&m)
	}
	return m
}

// u returns an uncontrolled portion with the options applied.
func u(opts ...opt) marking.Marking {
	m := marking.Marking{Control: marking.Uncontrolled}
	for _, o := range opts {
		o(&m)
	}
	return m
}

func nf(m *marking.Marking)     { m.NoForn = true }
func relido(m *marking.Marking) { m.Relido = true }
func ac(m *marking.Marking)     { m.AttorneyClient = true }
func awp(m *marking.Marking)    { m.AttorneyWP = true }

func relTo(cs ...string) opt       { return func(m *marking.Marking) { m.RelTo = cs } }
func displayOnly(cs ...string) opt { return func(m *marking.Marking) { m.DisplayOnly = cs } }
func aud(a marking.Audience) opt   { return func(m *marking.Marking) { m.Audience = a } }
func tlp(t marking.TLP) opt        { return func(m *marking.Marking) { m.TLP = t } }

func dl(agencies ...string) opt {
	return func(m *marking.Marking) { m.DLOnly, m.DLList = true, agencies }
}

// fieldKeys returns the sorted field keys of an EINVALID error, nil for nil, and fails on other errors.
func fieldKeys(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	if apperr.Code(err) != apperr.EINVALID {
		t.Fatalf("error code = %q, want %q (%v)", apperr.Code(err), apperr.EINVALID, err)
	}
	keys := make([]string, 0)
	for k, msg := range apperr.FieldErrors(err) {
		if msg == "" {
			t.Errorf("field %q has an empty message", k)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// portionToBanner turns a portion mark into the banner a document of that one portion must have:
// parentheses dropped, portion LDC abbreviations expanded, "(U)" → "".
func portionToBanner(pm string) string {
	if pm == "(U)" || pm == "" {
		return ""
	}
	expand := map[string]string{"NF": "NOFORN", "AC": "ATTORNEY-CLIENT", "AWP": "ATTORNEY-WP"}
	segments := strings.Split(strings.TrimSuffix(strings.TrimPrefix(pm, "("), ")"), "//")
	for i, seg := range segments {
		tokens := strings.Split(seg, "/")
		for j, tok := range tokens {
			if e, ok := expand[tok]; ok {
				tokens[j] = e
			}
		}
		segments[i] = strings.Join(tokens, "/")
	}
	return strings.Join(segments, "//")
}

// fieldMessage returns the message of one field of an EINVALID error.
func fieldMessage(err error, field string) string { return apperr.FieldErrors(err)[field] }
