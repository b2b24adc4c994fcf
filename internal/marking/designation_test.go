package marking_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"tearline/internal/marking"
)

func validDesignation() marking.Designation {
	return marking.Designation{ControlledBy: "HSTC", Office: "Maritime Analysis", POC: "Dana Whitfield, 555-0100"}
}

func TestDesignationValidate(t *testing.T) {
	zero := time.Time{}
	date := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		edit       func(d *marking.Designation)
		controlled bool
		want       []string
	}{
		{"B18 valid", func(d *marking.Designation) {}, true, nil},
		{"valid with decontrol date and event", func(d *marking.Designation) {
			d.DecontrolDate, d.DecontrolEvent = &date, "closure of case 24-117"
		}, true, nil},
		{"office optional", func(d *marking.Designation) { d.Office = "" }, true, nil},
		{"controlled needs Controlled by", func(d *marking.Designation) { d.ControlledBy = "" }, true, []string{"controlled_by"}},
		{"controlled needs a POC", func(d *marking.Designation) { d.POC = "" }, true, []string{"poc"}},
		{"controlled needs both", func(d *marking.Designation) { *d = marking.Designation{} }, true, []string{"controlled_by", "poc"}},
		{"uncontrolled may be empty", func(d *marking.Designation) { *d = marking.Designation{} }, false, nil},
		{"zero decontrol date", func(d *marking.Designation) { d.DecontrolDate = &zero }, true, []string{"decontrol_date"}},
		{"too long", func(d *marking.Designation) {
			d.ControlledBy, d.Office, d.POC, d.DecontrolEvent = strings.Repeat("x", 201), strings.Repeat("x", 201), strings.Repeat("x", 301), strings.Repeat("x", 501)
		}, false, []string{"controlled_by", "decontrol_event", "office", "poc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDesignation()
			tt.edit(&d)
			if got := fieldKeys(t, d.Validate(tt.controlled)); !slices.Equal(got, tt.want) {
				t.Errorf("Validate(%v) fields = %q, want %q", tt.controlled, got, tt.want)
			}
		})
	}
}

func TestDesignationNormalize(t *testing.T) {
	d := marking.Designation{ControlledBy: " HSTC ", Office: "\tMaritime Analysis", POC: " Dana ", DecontrolEvent: " end "}
	d.Normalize()
	if d != (marking.Designation{ControlledBy: "HSTC", Office: "Maritime Analysis", POC: "Dana", DecontrolEvent: "end"}) {
		t.Errorf("Normalize() = %+v", d)
	}
}

func TestDesignationText(t *testing.T) {
	date := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	b := marking.DeriveBanner([]marking.Marking{cui("SP-PRVCY"), cui("SP-INV", nf), cui("IVIC", aud(marking.FedCon))})
	tests := []struct {
		name      string
		d         marking.Designation
		b         marking.Banner
		wantLine  string
		wantLines []string
	}{
		{"typed fields", validDesignation(), b,
			"Controlled by: HSTC; Office: Maritime Analysis; POC: Dana Whitfield, 555-0100",
			[]string{"Controlled by: HSTC", "Office: Maritime Analysis", "CUI categories: SP-INV, SP-PRVCY, IVIC",
				"Limited dissemination control: NOFORN, FEDCON", "POC: Dana Whitfield, 555-0100"}},
		{"decontrol date and event",
			marking.Designation{ControlledBy: "HSTC", POC: "Duty officer", DecontrolDate: &date, DecontrolEvent: "case closed"},
			marking.DeriveBanner([]marking.Marking{cui("")}),
			"Controlled by: HSTC; POC: Duty officer; Decontrol on: 2031-01-01; Decontrol when: case closed",
			[]string{"Controlled by: HSTC", "POC: Duty officer", "Decontrol on: 2031-01-01", "Decontrol when: case closed"}},
		{"no indicator for an uncontrolled product", validDesignation(), marking.DeriveBanner([]marking.Marking{u()}),
			"Controlled by: HSTC; Office: Maritime Analysis; POC: Dana Whitfield, 555-0100", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.String(); got != tt.wantLine {
				t.Errorf("String() = %q, want %q", got, tt.wantLine)
			}
			if got := tt.d.Lines(tt.b); !slices.Equal(got, tt.wantLines) {
				t.Errorf("Lines() = %q, want %q", got, tt.wantLines)
			}
		})
	}
}
