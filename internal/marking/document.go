package marking

import (
	"fmt"
	"strings"

	"tearline/internal/apperr"
)

// Problems is the editor's list of what stops a product's markings from going to review or being
// published: per-portion problems keyed by portion index, and problems of the document as a whole.
type Problems struct {
	Portions map[int][]Problem `json:"portions,omitempty"`
	Document []Problem         `json:"document,omitempty"`
}

// OK reports whether there is nothing to fix.
func (p Problems) OK() bool { return len(p.Portions) == 0 && len(p.Document) == 0 }

// Err returns nil when OK, otherwise an EINVALID error whose field map has one entry per portion with
// problems, keyed "portion.<index>", and the document problems under "marking".
func (p Problems) Err() error {
	if p.OK() {
		return nil
	}
	fields := map[string]string{}
	for i, ps := range p.Portions {
		fields[fmt.Sprintf("portion.%d", i)] = joinMessages(ps)
	}
	if len(p.Document) > 0 {
		fields["marking"] = joinMessages(p.Document)
	}
	return apperr.Invalid(fields)
}

func joinMessages(ps []Problem) string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, " ")
}

// CheckDocument checks the portions and attachments of a product against DefaultRegistry; see
// Registry.CheckDocument.
func CheckDocument(portions []Marking) Problems { return DefaultRegistry().CheckDocument(portions) }

// CheckDocument checks every portion (Check, after normalizing a copy) and the document as a whole:
// every portion must be marked (B15: all portions of a portion-marked product, and every product is
// portion-marked), and if portions carry DL ONLY their lists must share at least one agency, or no
// recipient could receive the product.
func (r *Registry) CheckDocument(portions []Marking) Problems {
	var (
		p        Problems
		unmarked int
		dlLists  int      // controlled portions with a non-empty DL list
		common   []string // intersection of those lists
	)
	for i, m := range portions {
		m.Normalize()
		if !m.Marked() {
			unmarked++
		}
		if m.Controlled() && len(m.DLList) > 0 {
			if dlLists++; dlLists == 1 {
				common = m.DLList
			} else {
				common = intersect(common, m.DLList)
			}
		}
		if ps := r.Check(m); len(ps) > 0 {
			if p.Portions == nil {
				p.Portions = map[int][]Problem{}
			}
			p.Portions[i] = ps
		}
	}
	if unmarked > 0 {
		p.Document = append(p.Document, Problem{Field: FieldControl, Message: fmt.Sprintf(
			"%d of %d portions have no marking; every portion must be marked before review.", unmarked, len(portions))})
	}
	if dlLists > 1 && len(common) == 0 {
		p.Document = append(p.Document, Problem{Field: FieldDLOnly, Message: "The DL ONLY lists of the portions have no agency in common, so no recipient could receive the product."})
	}
	return p
}
