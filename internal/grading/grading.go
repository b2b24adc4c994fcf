// Package grading holds source and information grades exactly as the originator gave them, in the
// originator's scheme (NATO/Admiralty, Europol, UK 5x5x5, UK 3x5x2). A grade is never converted on
// storage; anything shown in another scheme or scale is derived and labelled so.
package grading

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"tearline/internal/apperr"
)

// Scheme identifies a grading scheme. The value is what is stored.
type Scheme string

// The supported schemes.
const (
	Admiralty Scheme = "ADMIRALTY"
	Europol   Scheme = "EUROPOL"
	UK5x5x5   Scheme = "UK5X5X5"
	UK3x5x2   Scheme = "UK3X5X2"
)

// MaxHandlingText is the longest Europol H3 restriction text accepted, in characters.
const MaxHandlingText = 500

// Schemes returns every supported scheme in picker order.
func Schemes() []Scheme {
	return []Scheme{Admiralty, Europol, UK5x5x5, UK3x5x2}
}

// Valid reports whether s is a supported scheme.
func (s Scheme) Valid() bool {
	_, ok := definitionOf(s)
	return ok
}

// Label returns the short name used in grade strings, e.g. "Admiralty" or "5x5x5"; the stored value
// for an unknown scheme.
func (s Scheme) Label() string {
	if d, ok := definitionOf(s); ok {
		return d.label
	}
	return string(s)
}

// Title returns the full name with its source, e.g. "NATO / Admiralty (STANAG 2511, AJP-2.1)".
func (s Scheme) Title() string {
	if d, ok := definitionOf(s); ok {
		return d.title
	}
	return string(s)
}

// SourceGrades returns the permitted source (reliability) grades of s with their meanings; nil for an
// unknown scheme.
func SourceGrades(s Scheme) []Code {
	d, _ := definitionOf(s)
	return d.source
}

// InformationGrades returns the permitted information (credibility) grades of s with their meanings;
// nil for an unknown scheme.
func InformationGrades(s Scheme) []Code {
	d, _ := definitionOf(s)
	return d.information
}

// HandlingCodes returns the handling codes of s with their meanings; nil for Admiralty, which has none.
func HandlingCodes(s Scheme) []Code {
	d, _ := definitionOf(s)
	return d.handling
}

// Grade is a source and information grade in one scheme, kept as separate fields (requirement 23).
// Handling is the scheme's handling code where it has one (Europol H0–H3, 5x5x5 1–5, 3x5x2 P/C);
// HandlingText is the free text that goes with Europol H3 (requirement 24).
type Grade struct {
	Scheme       Scheme
	Source       string
	Information  string
	Handling     string
	HandlingText string
}

// Normalize returns g with surrounding space trimmed and the scheme and codes in upper case, the only
// form Validate accepts. Form decoding calls it before Validate.
func (g Grade) Normalize() Grade {
	up := func(v string) string { return strings.ToUpper(strings.TrimSpace(v)) }
	return Grade{
		Scheme:       Scheme(up(string(g.Scheme))),
		Source:       up(g.Source),
		Information:  up(g.Information),
		Handling:     up(g.Handling),
		HandlingText: strings.TrimSpace(g.HandlingText),
	}
}

// Validate reports an EINVALID error whose fields ("scheme", "source_grade", "information_grade",
// "handling", "handling_text") name every value outside g's scheme. Values must already be normalized.
func (g Grade) Validate() error {
	fields := map[string]string{}
	d, ok := definitionOf(g.Scheme)
	switch {
	case g.Scheme == "":
		fields["scheme"] = "Choose a grading scheme."
	case !ok:
		fields["scheme"] = "Choose one of " + schemeList() + "."
	}
	if !ok {
		return apperr.Invalid(fields)
	}
	checkCode(fields, "source_grade", "source grade", d.label, d.source, g.Source)
	checkCode(fields, "information_grade", "information grade", d.label, d.information, g.Information)
	switch {
	case len(d.handling) == 0 && g.Handling != "":
		fields["handling"] = d.label + " has no handling codes."
	case len(d.handling) > 0 && (g.Handling != "" || d.handlingRequired):
		checkCode(fields, "handling", "handling code", d.label, d.handling, g.Handling)
	}
	switch {
	case d.handlingTextCode != "" && g.Handling == d.handlingTextCode && g.HandlingText == "":
		fields["handling_text"] = d.handlingTextCode + " needs the text of the restriction."
	case g.HandlingText != "" && (d.handlingTextCode == "" || g.Handling != d.handlingTextCode):
		fields["handling_text"] = "Restriction text is kept only with a Europol H3 handling code."
	case utf8.RuneCountInString(g.HandlingText) > MaxHandlingText:
		fields["handling_text"] = fmt.Sprintf("Keep the restriction text under %d characters.", MaxHandlingText)
	}
	if len(fields) > 0 {
		return apperr.Invalid(fields)
	}
	return nil
}

// checkCode records a message under key when value is not one of codes.
func checkCode(fields map[string]string, key, what, label string, codes []Code, value string) {
	if value == "" {
		fields[key] = "Choose a " + what + "."
		return
	}
	if _, ok := meaning(codes, value); !ok {
		fields[key] = fmt.Sprintf("%s %ss are %s.", label, what, values(codes))
	}
}

func schemeList() string {
	names := make([]string, 0, 4)
	for _, s := range Schemes() {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

// String returns the grade as analysts write it: "Admiralty B2", "5x5x5 B2 (handling 4)",
// "3x5x2 1B (handling P)", "Europol B2 (handling H3: text)".
func (g Grade) String() string {
	s := g.Scheme.Label() + " " + g.Source + g.Information
	switch {
	case g.Handling != "" && g.HandlingText != "":
		s += " (handling " + g.Handling + ": " + g.HandlingText + ")"
	case g.Handling != "":
		s += " (handling " + g.Handling + ")"
	}
	return s
}

// Description spells out a grade in words for tooltips and printed products. A field is empty when
// the grade has no such value or the value is not in the scheme.
type Description struct {
	Scheme      string
	Source      string
	Information string
	Handling    string
}

// Describe returns the meanings of g's values in its own scheme.
func (g Grade) Describe() Description {
	d, ok := definitionOf(g.Scheme)
	if !ok {
		return Description{}
	}
	out := Description{Scheme: d.title}
	out.Source, _ = meaning(d.source, g.Source)
	out.Information, _ = meaning(d.information, g.Information)
	out.Handling, _ = meaning(d.handling, g.Handling)
	if g.Handling == d.handlingTextCode && g.HandlingText != "" {
		out.Handling += ": " + g.HandlingText
	}
	return out
}

// String joins the meanings into one line, e.g.
// "Source: Usually reliable. Information: Probably true."
func (d Description) String() string {
	var parts []string
	if d.Source != "" {
		parts = append(parts, "Source: "+d.Source+".")
	}
	if d.Information != "" {
		parts = append(parts, "Information: "+d.Information+".")
	}
	if d.Handling != "" {
		parts = append(parts, "Handling: "+d.Handling+".")
	}
	return strings.Join(parts, " ")
}
