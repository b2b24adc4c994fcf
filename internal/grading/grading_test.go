package grading

import (
	"strings"
	"testing"

	"tearline/internal/apperr"
)

func TestValidateAcceptsEveryValueOfEveryScheme(t *testing.T) {
	wantCounts := map[Scheme][3]int{
		Admiralty: {6, 6, 0},
		Europol:   {4, 4, 4},
		UK5x5x5:   {5, 5, 5},
		UK3x5x2:   {3, 5, 2},
	}
	for _, s := range Schemes() {
		t.Run(string(s), func(t *testing.T) {
			got := [3]int{len(SourceGrades(s)), len(InformationGrades(s)), len(HandlingCodes(s))}
			if got != wantCounts[s] {
				t.Fatalf("code counts = %v, want %v", got, wantCounts[s])
			}
			handling := []string{""}
			if len(HandlingCodes(s)) > 0 {
				handling = nil
				for _, h := range HandlingCodes(s) {
					handling = append(handling, h.Value)
				}
			}
			for _, src := range SourceGrades(s) {
				for _, inf := range InformationGrades(s) {
					for _, h := range handling {
						g := Grade{Scheme: s, Source: src.Value, Information: inf.Value, Handling: h}
						if h == "H3" {
							g.HandlingText = "Not to be shared with customs authorities of third countries"
						}
						if err := g.Validate(); err != nil {
							t.Errorf("%+v: %v", g, err)
						}
					}
				}
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name  string
		grade Grade
		field string
	}{
		{"empty scheme", Grade{Source: "B", Information: "2"}, "scheme"},
		{"unknown scheme", Grade{Scheme: "NIM", Source: "B", Information: "2"}, "scheme"},
		{"unnormalized scheme", Grade{Scheme: "admiralty", Source: "B", Information: "2"}, "scheme"},
		{"Admiralty source G", Grade{Scheme: Admiralty, Source: "G", Information: "2"}, "source_grade"},
		{"Admiralty source X", Grade{Scheme: Admiralty, Source: "X", Information: "2"}, "source_grade"},
		{"Admiralty information 7", Grade{Scheme: Admiralty, Source: "B", Information: "7"}, "information_grade"},
		{"Admiralty information 0", Grade{Scheme: Admiralty, Source: "B", Information: "0"}, "information_grade"},
		{"Admiralty source lower case", Grade{Scheme: Admiralty, Source: "b", Information: "2"}, "source_grade"},
		{"Admiralty combined code in one field", Grade{Scheme: Admiralty, Source: "B2", Information: "2"}, "source_grade"},
		{"Admiralty missing source", Grade{Scheme: Admiralty, Information: "2"}, "source_grade"},
		{"Admiralty missing information", Grade{Scheme: Admiralty, Source: "B"}, "information_grade"},
		{"Admiralty has no handling", Grade{Scheme: Admiralty, Source: "B", Information: "2", Handling: "4"}, "handling"},
		{"Admiralty text without handling", Grade{Scheme: Admiralty, Source: "B", Information: "2", HandlingText: "x"}, "handling_text"},
		{"Europol source D", Grade{Scheme: Europol, Source: "D", Information: "2"}, "source_grade"},
		{"Europol source F", Grade{Scheme: Europol, Source: "F", Information: "2"}, "source_grade"},
		{"Europol information 5", Grade{Scheme: Europol, Source: "B", Information: "5"}, "information_grade"},
		{"Europol handling H4", Grade{Scheme: Europol, Source: "B", Information: "2", Handling: "H4"}, "handling"},
		{"Europol handling without H", Grade{Scheme: Europol, Source: "B", Information: "2", Handling: "2"}, "handling"},
		{"Europol H3 without text", Grade{Scheme: Europol, Source: "B", Information: "2", Handling: "H3"}, "handling_text"},
		{"Europol text with H2", Grade{Scheme: Europol, Source: "B", Information: "2", Handling: "H2", HandlingText: "x"}, "handling_text"},
		{"Europol H3 text too long", Grade{Scheme: Europol, Source: "B", Information: "2", Handling: "H3", HandlingText: strings.Repeat("x", MaxHandlingText+1)}, "handling_text"},
		{"5x5x5 source F", Grade{Scheme: UK5x5x5, Source: "F", Information: "2", Handling: "1"}, "source_grade"},
		{"5x5x5 information 6", Grade{Scheme: UK5x5x5, Source: "B", Information: "6", Handling: "1"}, "information_grade"},
		{"5x5x5 handling 6", Grade{Scheme: UK5x5x5, Source: "B", Information: "2", Handling: "6"}, "handling"},
		{"5x5x5 handling missing", Grade{Scheme: UK5x5x5, Source: "B", Information: "2"}, "handling"},
		{"3x5x2 source 4", Grade{Scheme: UK3x5x2, Source: "4", Information: "B", Handling: "P"}, "source_grade"},
		{"3x5x2 source letter", Grade{Scheme: UK3x5x2, Source: "A", Information: "B", Handling: "P"}, "source_grade"},
		{"3x5x2 information F", Grade{Scheme: UK3x5x2, Source: "1", Information: "F", Handling: "P"}, "information_grade"},
		{"3x5x2 information digit", Grade{Scheme: UK3x5x2, Source: "1", Information: "2", Handling: "P"}, "information_grade"},
		{"3x5x2 handling X", Grade{Scheme: UK3x5x2, Source: "1", Information: "B", Handling: "X"}, "handling"},
		{"3x5x2 handling missing", Grade{Scheme: UK3x5x2, Source: "1", Information: "B"}, "handling"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.grade.Validate()
			if apperr.Code(err) != apperr.EINVALID {
				t.Fatalf("Validate() = %v, want EINVALID", err)
			}
			fields := apperr.FieldErrors(err)
			if fields[tt.field] == "" {
				t.Fatalf("fields = %v, want a message for %q", fields, tt.field)
			}
			if len(fields) != 1 {
				t.Errorf("fields = %v, want only %q", fields, tt.field)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   Grade
		want Grade
	}{
		{"lower case Admiralty", Grade{Scheme: " admiralty ", Source: "b", Information: " 2"},
			Grade{Scheme: Admiralty, Source: "B", Information: "2"}},
		{"mixed case 5x5x5", Grade{Scheme: "Uk5x5x5", Source: "e", Information: "4", Handling: " 4 "},
			Grade{Scheme: UK5x5x5, Source: "E", Information: "4", Handling: "4"}},
		{"3x5x2 handling p", Grade{Scheme: "uk3x5x2", Source: "1", Information: "b", Handling: "p"},
			Grade{Scheme: UK3x5x2, Source: "1", Information: "B", Handling: "P"}},
		{"Europol h3 keeps text case", Grade{Scheme: "europol", Source: "x", Information: "4", Handling: "h3", HandlingText: "  Not for Interpol channels "},
			Grade{Scheme: Europol, Source: "X", Information: "4", Handling: "H3", HandlingText: "Not for Interpol channels"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Normalize()
			if got != tt.want {
				t.Fatalf("Normalize() = %+v, want %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("Validate() after Normalize = %v", err)
			}
		})
	}
}

func TestValidateReportsEveryBadField(t *testing.T) {
	err := Grade{Scheme: UK3x5x2, Source: "4", Information: "F", Handling: "Q"}.Validate()
	fields := apperr.FieldErrors(err)
	for _, k := range []string{"source_grade", "information_grade", "handling"} {
		if fields[k] == "" {
			t.Errorf("no message for %q in %v", k, fields)
		}
	}
	if got, want := fields["source_grade"], "3x5x2 source grades are 1, 2, 3."; got != want {
		t.Errorf("source_grade message = %q, want %q", got, want)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		grade Grade
		want  string
	}{
		{Grade{Scheme: Admiralty, Source: "B", Information: "2"}, "Admiralty B2"},
		{Grade{Scheme: Admiralty, Source: "F", Information: "6"}, "Admiralty F6"},
		{Grade{Scheme: Europol, Source: "X", Information: "4"}, "Europol X4"},
		{Grade{Scheme: Europol, Source: "A", Information: "1", Handling: "H1"}, "Europol A1 (handling H1)"},
		{Grade{Scheme: Europol, Source: "B", Information: "3", Handling: "H3", HandlingText: "Not for Interpol channels"},
			"Europol B3 (handling H3: Not for Interpol channels)"},
		{Grade{Scheme: UK5x5x5, Source: "B", Information: "2", Handling: "4"}, "5x5x5 B2 (handling 4)"},
		{Grade{Scheme: UK3x5x2, Source: "1", Information: "B", Handling: "P"}, "3x5x2 1B (handling P)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.grade.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name  string
		grade Grade
		want  Description
	}{
		{"Admiralty", Grade{Scheme: Admiralty, Source: "B", Information: "2"},
			Description{Scheme: "NATO / Admiralty (STANAG 2511, AJP-2.1)", Source: "Usually reliable", Information: "Probably true"}},
		{"5x5x5", Grade{Scheme: UK5x5x5, Source: "E", Information: "5", Handling: "4"},
			Description{Scheme: "UK 5x5x5 (NIM / MoPI 2006, legacy)", Source: "Untested source", Information: "Suspected to be false or malicious", Handling: "Only for the originating agency"}},
		{"3x5x2", Grade{Scheme: UK3x5x2, Source: "3", Information: "D", Handling: "C"},
			Description{Scheme: "UK 3x5x2 (College of Policing APP)", Source: "Not reliable", Information: "Not known", Handling: "Lawful sharing permitted with conditions"}},
		{"Europol H3", Grade{Scheme: Europol, Source: "C", Information: "4", Handling: "H3", HandlingText: "No onward transmission"},
			Description{Scheme: "Europol (Regulation (EU) 2016/794, Art. 29)", Source: "Source has proved unreliable in most instances",
				Information: "Information not known personally to the source and which cannot be corroborated",
				Handling:    "Other restrictions (stated in the handling text): No onward transmission"}},
		{"unknown scheme", Grade{Scheme: "NIM", Source: "B", Information: "2"}, Description{}},
		{"value outside scheme", Grade{Scheme: Admiralty, Source: "G", Information: "2"},
			Description{Scheme: "NATO / Admiralty (STANAG 2511, AJP-2.1)", Information: "Probably true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.grade.Describe(); got != tt.want {
				t.Fatalf("Describe() = %+v, want %+v", got, tt.want)
			}
		})
	}
	got := Grade{Scheme: Admiralty, Source: "B", Information: "2"}.Describe().String()
	if want := "Source: Usually reliable. Information: Probably true."; got != want {
		t.Errorf("Description.String() = %q, want %q", got, want)
	}
}

func TestSchemeLabels(t *testing.T) {
	tests := []struct {
		scheme Scheme
		label  string
		valid  bool
	}{
		{Admiralty, "Admiralty", true},
		{Europol, "Europol", true},
		{UK5x5x5, "5x5x5", true},
		{UK3x5x2, "3x5x2", true},
		{"NIM", "NIM", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.scheme), func(t *testing.T) {
			if got := tt.scheme.Label(); got != tt.label {
				t.Errorf("Label() = %q, want %q", got, tt.label)
			}
			if got := tt.scheme.Valid(); got != tt.valid {
				t.Errorf("Valid() = %v, want %v", got, tt.valid)
			}
			if tt.valid && tt.scheme.Title() == string(tt.scheme) {
				t.Errorf("Title() = %q, want a full name", tt.scheme.Title())
			}
		})
	}
}

func TestPickerTablesAreCopies(t *testing.T) {
	SourceGrades(Admiralty)[0].Value = "Z"
	if got := SourceGrades(Admiralty)[0].Value; got != "A" {
		t.Fatalf("changing a returned table changed the next call: %q", got)
	}
	if got := HandlingCodes(Admiralty); got != nil {
		t.Errorf("HandlingCodes(Admiralty) = %v, want nil", got)
	}
	if got := SourceGrades("NIM"); got != nil {
		t.Errorf("SourceGrades(unknown) = %v, want nil", got)
	}
}
