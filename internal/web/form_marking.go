package web

import (
	"net/http"
	"strings"

	"tearline/internal/marking"
)

// markingFromForm reads a structured marking from form fields with the given prefix: control
// (U or CUI), categories (codes such as SP-INV or IVIC), noforn, audience, rel_to and display_only
// (trigraph lists), dl_only with dl_list (agency codes), and tlp. Nothing is free text: lists are
// split into codes, and Validate rejects codes that are not codes.
func markingFromForm(r *http.Request, prefix string) marking.Marking {
	get := func(k string) string { return strings.TrimSpace(r.PostForm.Get(prefix + k)) }
	m := marking.Marking{
		Control:     marking.Control(get("control")),
		NoForn:      get("noforn") == "on",
		Audience:    marking.Audience(get("audience")),
		RelTo:       splitCodes(get("rel_to")),
		DisplayOnly: splitCodes(get("display_only")),
		DLOnly:      get("dl_only") == "on",
		DLList:      splitCodes(get("dl_list")),
		TLP:         marking.TLP(get("tlp")),
	}
	for _, c := range r.PostForm[prefix+"categories"] {
		if c = strings.TrimSpace(c); c != "" {
			m.Categories = append(m.Categories, marking.ParseCategory(c))
		}
	}
	if m.Control != marking.CUI {
		// An uncontrolled or unmarked portion carries no CUI controls; the form may still hold stale ones.
		m = marking.Marking{Control: m.Control, TLP: m.TLP}
	}
	m.Normalize()
	return m
}

func splitCodes(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
