package product

// Section is one section of a product type's template; a new draft starts with a heading portion
// and an empty paragraph for each section.
type Section struct {
	Key   string
	Title string
	Hint  string
}

// Template returns the section template of a product type.
func Template(t Type) []Section {
	switch t {
	case TypeBulletin:
		return []Section{
			{"key-points", "Key points", "Two to four bullets a reader can act on."},
			{"details", "Details", "What happened, where, who; cite sources."},
			{"outlook", "Outlook", "What to expect next, with ICD 203 likelihood terms."},
			{"sources", "Sources", "How the reporting was obtained and how reliable it is."},
		}
	case TypeReport:
		return []Section{
			{"summary", "Summary", "The finding in two sentences."},
			{"reporting", "Reporting", "The reporting in detail."},
			{"comment", "Analyst comment", "What it means and how confident we are."},
		}
	case TypeNote:
		return []Section{
			{"note", "Note", "A short observation or update."},
			{"comment", "Analyst comment", "Why it matters."},
		}
	case TypeAnalysis:
		return []Section{
			{"key-findings", "Key findings", "The main judgments."},
			{"background", "Background", "Context a reader needs."},
			{"analysis", "Analysis", "The argument, evidence and alternatives."},
			{"implications", "Implications", "What it means for member agencies."},
			{"gaps", "Intelligence gaps", "What we do not know."},
		}
	case TypeAssessment:
		return []Section{
			{"key-judgments", "Key judgments", "Judgments with likelihood and confidence, one per bullet."},
			{"discussion", "Discussion", "Evidence, assumptions and alternative hypotheses."},
			{"outlook", "Outlook", "How the situation is likely to develop."},
			{"gaps", "Intelligence gaps", "What would change the judgments."},
		}
	case TypeTarget:
		return []Section{
			{"overview", "Organisation overview", "Structure, reach and activities."},
			{"members", "Key members and roles", "Roles only; identifiers belong in marked portions."},
			{"routes", "Routes and methods", "Routes, modes of transport, concealment."},
			{"finances", "Finances", "Payment methods, money movement, assets."},
			{"communications", "Communications", "Platforms and tradecraft."},
			{"actions", "Recommended actions", "What member agencies could do."},
		}
	}
	return nil
}

// SectionTitle returns the title of a section key in a type's template ("" if none).
func SectionTitle(t Type, key string) string {
	for _, s := range Template(t) {
		if s.Key == key {
			return s.Title
		}
	}
	return ""
}
