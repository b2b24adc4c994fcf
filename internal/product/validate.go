package product

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"tearline/internal/apperr"
)

// Limits on drafted text.
const (
	MaxTitle       = 300
	MaxSummary     = 4000
	MaxPortionBody = 100_000
	MaxPortions    = 500
)

var regionRE = regexp.MustCompile(`^[A-Z][A-Z0-9 .'-]{1,63}$`)

// ValidateMetadata checks the product's metadata.
func (p *Product) ValidateMetadata() error {
	f := map[string]string{}
	if !p.Type.Valid() {
		f["type"] = "Choose a product type."
	}
	if n := utf8.RuneCountInString(p.Title); n < 3 || n > MaxTitle {
		f["title"] = fmt.Sprintf("Give the product a title of 3–%d characters.", MaxTitle)
	}
	if utf8.RuneCountInString(p.Summary) > MaxSummary {
		f["summary"] = fmt.Sprintf("Keep the bottom line up front under %d characters.", MaxSummary)
	}
	for _, t := range p.Topics {
		if TopicLabel(t) == t {
			f["topics"] = "Choose topics from the list."
		}
	}
	for _, r := range p.Regions {
		if !regionRE.MatchString(r) {
			f["regions"] = "List regions or GENC country codes separated by commas (e.g. MEX, GTM, CENTRAL AMERICA)."
		}
	}
	if utf8.RuneCountInString(p.OriginatingOffice) > 200 {
		f["originating_office"] = "Keep the office name under 200 characters."
	}
	if len(f) > 0 {
		return apperr.Invalid(f)
	}
	return nil
}

// Validate checks one portion's kind and size. Its marking is checked separately (Problems): a
// portion with a wrong marking is still saved, so nothing typed is lost, but blocks review.
func (x *Portion) Validate() error {
	f := map[string]string{}
	switch x.Kind {
	case KindHeading, KindParagraph, KindList:
	default:
		f["kind"] = "Choose heading, paragraph or list."
	}
	if utf8.RuneCountInString(x.Body) > MaxPortionBody {
		f["body"] = fmt.Sprintf("A portion holds at most %d characters; split it.", MaxPortionBody)
	}
	if len(f) > 0 {
		return apperr.Invalid(f)
	}
	return nil
}

// ReadyForReview lists what blocks submitting the draft for review: metadata problems, invalid or
// missing markings (every portion must be marked), an empty product, and a missing designation
// indicator on a controlled product.
func (p *Product) ReadyForReview() []string {
	var out []string
	if err := p.ValidateMetadata(); err != nil {
		for _, m := range apperr.FieldErrors(err) {
			out = append(out, m)
		}
	}
	if len(p.Portions) == 0 {
		out = append(out, "The product has no content.")
	}
	if strings.TrimSpace(p.Summary) == "" {
		out = append(out, "Write the bottom line up front.")
	}
	for i, x := range p.Portions {
		if strings.TrimSpace(x.Body) == "" {
			out = append(out, fmt.Sprintf("Portion %d is empty: write it or delete it.", i+1))
		}
	}
	probs := p.Problems()
	for i := range p.Portions {
		for _, pr := range probs.Portions[i] {
			out = append(out, fmt.Sprintf("Portion %d: %s", i+1, pr.Message))
		}
	}
	for i := range p.Attachments {
		for _, pr := range probs.Portions[len(p.Portions)+i] {
			out = append(out, fmt.Sprintf("Attachment %s: %s", p.Attachments[i].Filename, pr.Message))
		}
	}
	for _, pr := range probs.Document {
		out = append(out, pr.Message)
	}
	if p.Banner().Controlled {
		if err := p.Designation.Validate(true); err != nil {
			for _, m := range apperr.FieldErrors(err) {
				out = append(out, "Designation indicator: "+m)
			}
		}
	}
	return out
}
