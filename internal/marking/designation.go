package marking

import (
	"strings"
	"time"

	"tearline/internal/apperr"
)

// Designation is the typed part of the CUI designation indicator shown on the first page or landing
// view of a CUI product (B18). Categories and LDCs are not typed here: Lines takes them from the banner.
type Designation struct {
	// ControlledBy names the designating agency, e.g. "HSTC".
	ControlledBy string `json:"controlled_by,omitempty"`
	Office       string `json:"office,omitempty"`
	// POC is the point of contact: name and a way to reach them.
	POC            string     `json:"poc,omitempty"`
	DecontrolDate  *time.Time `json:"decontrol_date,omitempty"`
	DecontrolEvent string     `json:"decontrol_event,omitempty"`
}

// Normalize trims the text fields.
func (d *Designation) Normalize() {
	d.ControlledBy = strings.TrimSpace(d.ControlledBy)
	d.Office = strings.TrimSpace(d.Office)
	d.POC = strings.TrimSpace(d.POC)
	d.DecontrolEvent = strings.TrimSpace(d.DecontrolEvent)
}

// Validate checks a normalized designation. Controlled says whether any portion is CUI; then the
// designating agency and the POC are required. It returns an EINVALID error keyed "controlled_by",
// "office", "poc", "decontrol_date" and "decontrol_event", or nil.
func (d Designation) Validate(controlled bool) error {
	f := map[string]string{}
	switch {
	case controlled && d.ControlledBy == "":
		f["controlled_by"] = "Name the designating agency (Controlled by); a CUI product must show it."
	case runeLen(d.ControlledBy) > 200:
		f["controlled_by"] = "Keep the designating agency under 200 characters."
	}
	if runeLen(d.Office) > 200 {
		f["office"] = "Keep the office under 200 characters."
	}
	switch {
	case controlled && d.POC == "":
		f["poc"] = "Give a point of contact; a CUI product must show one."
	case runeLen(d.POC) > 300:
		f["poc"] = "Keep the point of contact under 300 characters."
	}
	if d.DecontrolDate != nil && d.DecontrolDate.IsZero() {
		f["decontrol_date"] = "Enter a decontrol date or leave it empty."
	}
	if runeLen(d.DecontrolEvent) > 500 {
		f["decontrol_event"] = "Keep the decontrol event under 500 characters."
	}
	if len(f) > 0 {
		return apperr.Invalid(f)
	}
	return nil
}

func runeLen(s string) int { return len([]rune(s)) }

// String renders the typed fields on one line, e.g.
// "Controlled by: HSTC; Office: Maritime Analysis; POC: Dana Whitfield, 555-0100; Decontrol on: 2031-01-01".
func (d Designation) String() string {
	return strings.Join(d.lines(nil), "; ")
}

// Lines renders the designation indicator of a product with banner b, one item per line, with the
// categories and LDCs taken from the banner. It is nil when no portion is controlled.
func (d Designation) Lines(b Banner) []string {
	if !b.Controlled {
		return nil
	}
	return d.lines(&b)
}

func (d Designation) lines(b *Banner) []string {
	var out []string
	add := func(label, value string) {
		if value != "" {
			out = append(out, label+": "+value)
		}
	}
	add("Controlled by", d.ControlledBy)
	add("Office", d.Office)
	if b != nil {
		add("CUI categories", strings.Join(b.CategoryMarks(), ", "))
		add("Limited dissemination control", strings.Join(b.LDCs(), ", "))
	}
	add("POC", d.POC)
	if d.DecontrolDate != nil && !d.DecontrolDate.IsZero() {
		add("Decontrol on", d.DecontrolDate.Format(time.DateOnly))
	}
	add("Decontrol when", d.DecontrolEvent)
	return out
}
