package product

import (
	"fmt"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"

	"tearline/internal/marking"
)

// VersionKind says why a version was kept.
type VersionKind string

// Version kinds.
const (
	VersionCreate   VersionKind = "create"
	VersionSave     VersionKind = "save"
	VersionConflict VersionKind = "conflict" // a refused stale save, kept so nothing typed is lost
	VersionRestore  VersionKind = "restore"
)

// Label returns a human label.
func (k VersionKind) Label() string {
	switch k {
	case VersionCreate:
		return "Created"
	case VersionConflict:
		return "Conflict copy (not applied)"
	case VersionRestore:
		return "Restored"
	}
	return "Saved"
}

// Version is a kept snapshot of a product's content.
type Version struct {
	ID         int64
	Number     int
	Kind       VersionKind
	Note       string
	Snapshot   Snapshot
	CreatedBy  int64
	AuthorName string
	CreatedAt  time.Time
}

// Snapshot is the content of a product at one moment.
type Snapshot struct {
	Title             string              `json:"title"`
	Summary           string              `json:"summary"`
	Topics            []string            `json:"topics"`
	Regions           []string            `json:"regions"`
	OriginatingOffice string              `json:"originating_office"`
	Designation       marking.Designation `json:"designation"`
	Portions          []PortionSnapshot   `json:"portions"`
}

// PortionSnapshot is one portion in a snapshot.
type PortionSnapshot struct {
	Kind    Kind            `json:"kind"`
	Section string          `json:"section"`
	Body    string          `json:"body"`
	Marking marking.Marking `json:"marking"`
}

// Snapshot captures the product's current content.
func (p *Product) Snapshot() Snapshot {
	s := Snapshot{Title: p.Title, Summary: p.Summary, Topics: p.Topics, Regions: p.Regions, OriginatingOffice: p.OriginatingOffice,
		Designation: p.Designation}
	for _, x := range p.Portions {
		s.Portions = append(s.Portions, PortionSnapshot{Kind: x.Kind, Section: x.Section, Body: x.Body, Marking: x.Marking})
	}
	return s
}

// Text renders a snapshot as plain text, one block per portion with its portion mark, for diffs.
func (s Snapshot) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Title: %s\n", s.Title)
	fmt.Fprintf(&b, "Summary: %s\n", s.Summary)
	fmt.Fprintf(&b, "Topics: %s\n", strings.Join(s.Topics, ", "))
	fmt.Fprintf(&b, "Regions: %s\n", strings.Join(s.Regions, ", "))
	fmt.Fprintf(&b, "Office: %s\n", s.OriginatingOffice)
	if d := s.Designation.String(); d != "" {
		fmt.Fprintf(&b, "Designation: %s\n", d)
	}
	for _, x := range s.Portions {
		b.WriteString("\n")
		b.WriteString(x.Marking.PortionMark())
		b.WriteString(" ")
		b.WriteString(strings.TrimRight(x.Body, "\n"))
		b.WriteString("\n")
	}
	return b.String()
}

// DiffOp is one piece of a diff.
type DiffOp struct {
	Op   string // "equal", "insert", "delete"
	Text string
}

// Diff compares two snapshots line by line, refined to words within changed lines, so a reader
// sees what changed in a readable form.
func Diff(from, to Snapshot) []DiffOp {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(from.Text(), to.Text())
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	diffs = dmp.DiffCleanupSemantic(diffs)
	out := make([]DiffOp, 0, len(diffs))
	for _, d := range diffs {
		op := "equal"
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = "insert"
		case diffmatchpatch.DiffDelete:
			op = "delete"
		}
		out = append(out, DiffOp{Op: op, Text: d.Text})
	}
	return out
}

// Changed reports whether two snapshots differ in content.
func Changed(a, b Snapshot) bool { return a.Text() != b.Text() }
