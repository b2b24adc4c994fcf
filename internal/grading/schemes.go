package grading

// Code is one permitted value of a grading dimension together with its meaning, for form pickers and
// help text.
type Code struct {
	Value   string
	Meaning string
}

// definition holds the permitted codes of one scheme. It is rebuilt on each call so that no caller can
// alter the tables another caller sees.
type definition struct {
	label       string
	title       string
	source      []Code
	information []Code
	handling    []Code
	// handlingRequired is true where the scheme's handling code is part of every grade (5x5x5, 3x5x2).
	handlingRequired bool
	// handlingTextCode is the handling code that carries free text (Europol H3); empty if none.
	handlingTextCode string
}

// definitionOf returns the tables of s, or false for an unknown scheme.
func definitionOf(s Scheme) (definition, bool) {
	switch s {
	case Admiralty:
		return definition{
			label: "Admiralty",
			title: "NATO / Admiralty (STANAG 2511, AJP-2.1)",
			source: []Code{
				{"A", "Completely reliable"},
				{"B", "Usually reliable"},
				{"C", "Fairly reliable"},
				{"D", "Not usually reliable"},
				{"E", "Unreliable"},
				{"F", "Reliability cannot be judged"},
			},
			information: []Code{
				{"1", "Confirmed by other sources"},
				{"2", "Probably true"},
				{"3", "Possibly true"},
				{"4", "Doubtful"},
				{"5", "Improbable"},
				{"6", "Truth cannot be judged"},
			},
		}, true
	case Europol:
		return definition{
			label: "Europol",
			title: "Europol (Regulation (EU) 2016/794, Art. 29)",
			source: []Code{
				{"A", "No doubt about the authenticity, trustworthiness and competence of the source, or reliable in all instances"},
				{"B", "Source has proved reliable in most instances"},
				{"C", "Source has proved unreliable in most instances"},
				{"X", "Reliability of the source cannot be assessed"},
			},
			information: []Code{
				{"1", "Information whose accuracy is not in doubt"},
				{"2", "Information known personally to the source but not known personally to the official passing it on"},
				{"3", "Information not known personally to the source but corroborated by other information already recorded"},
				{"4", "Information not known personally to the source and which cannot be corroborated"},
			},
			handling: []Code{
				{"H0", "Only for the purpose of preventing and combating crime, as provided for by the Europol Regulation"},
				{"H1", "Not to be disclosed in judicial proceedings without the permission of the provider"},
				{"H2", "Not to be disseminated without the permission of the provider"},
				{"H3", "Other restrictions (stated in the handling text)"},
			},
			handlingTextCode: "H3",
		}, true
	case UK5x5x5:
		return definition{
			label: "5x5x5",
			title: "UK 5x5x5 (NIM / MoPI 2006, legacy)",
			source: []Code{
				{"A", "Always reliable"},
				{"B", "Mostly reliable"},
				{"C", "Sometimes reliable"},
				{"D", "Unreliable"},
				{"E", "Untested source"},
			},
			information: []Code{
				{"1", "Known to be true without reservation"},
				{"2", "Known personally to the source but not to the officer"},
				{"3", "Not personally known to the source but corroborated"},
				{"4", "Cannot be judged"},
				{"5", "Suspected to be false or malicious"},
			},
			handling: []Code{
				{"1", "May be disseminated to law enforcement and prosecuting agencies, including those in the EEA"},
				{"2", "May be disseminated to UK non-prosecuting parties (authorisation and records needed)"},
				{"3", "May be disseminated to non-EEA law enforcement agencies (special conditions apply)"},
				{"4", "Only for the originating agency"},
				{"5", "No further dissemination: refer to the originator"},
			},
			handlingRequired: true,
		}, true
	case UK3x5x2:
		return definition{
			label: "3x5x2",
			title: "UK 3x5x2 (College of Policing APP)",
			source: []Code{
				{"1", "Reliable"},
				{"2", "Untested"},
				{"3", "Not reliable"},
			},
			information: []Code{
				{"A", "Known directly to the source"},
				{"B", "Known indirectly to the source but corroborated"},
				{"C", "Known indirectly to the source"},
				{"D", "Not known"},
				{"E", "Suspected to be false"},
			},
			handling: []Code{
				{"P", "Lawful sharing permitted"},
				{"C", "Lawful sharing permitted with conditions"},
			},
			handlingRequired: true,
		}, true
	}
	return definition{}, false
}

// meaning returns the meaning of value in codes, or false if value is not one of them.
func meaning(codes []Code, value string) (string, bool) {
	for _, c := range codes {
		if c.Value == value {
			return c.Meaning, true
		}
	}
	return "", false
}

// values lists the values of codes for error messages, e.g. "A, B, C, X".
func values(codes []Code) string {
	out := ""
	for i, c := range codes {
		if i > 0 {
			out += ", "
		}
		out += c.Value
	}
	return out
}
