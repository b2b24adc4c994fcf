// Package tradecraft checks analytic language in finished products against ICD 203: likelihood terms
// outside the ICD 203 vocabulary, terms from both rows of the scale in one product, and sentences that
// combine a confidence level with a likelihood term (requirement 26). Findings are warnings for the
// product editor; nothing here blocks a product.
package tradecraft

// Row is one of the two sets of ICD 203 likelihood terms. A product should use one row only.
type Row int

// The two rows of the ICD 203 scale.
const (
	// RowPrimary is "almost no chance" … "almost certain(ly)".
	RowPrimary Row = 1
	// RowAlternate is "remote" … "nearly certain".
	RowAlternate Row = 2
)

// String returns "primary" or "alternate".
func (r Row) String() string {
	if r == RowAlternate {
		return "alternate"
	}
	return "primary"
}

// Term is one ICD 203 likelihood term.
type Term struct {
	// Phrase is the term as ICD 203 prints it, e.g. "almost certain(ly)".
	Phrase string
	// Forms are the spellings Check recognises as this term, lower case.
	Forms []string
	Row   Row
	// Step is the degree of likelihood, 0 ("almost no chance") to 6 ("almost certain").
	Step       int
	MinPercent int
	MaxPercent int
}

// Scale returns the fourteen ICD 203 likelihood terms, primary row first, each row in ascending order
// of likelihood, for the editor's help panel.
func Scale() []Term {
	ranges := [7][2]int{{1, 5}, {5, 20}, {20, 45}, {45, 55}, {55, 80}, {80, 95}, {95, 99}}
	rows := []struct {
		row   Row
		terms [7][]string
	}{
		{RowPrimary, [7][]string{
			{"almost no chance"}, {"very unlikely"}, {"unlikely"}, {"roughly even chance"},
			{"likely"}, {"very likely"}, {"almost certain", "almost certainly"},
		}},
		{RowAlternate, [7][]string{
			// "remote" alone is mostly geography in law-enforcement writing ("a remote crossing"),
			// so only its likelihood collocations count.
			{"remote chance", "remote possibility", "remote likelihood", "remote probability", "remote prospect"},
			{"highly improbable"}, {"improbable", "improbably"}, {"roughly even odds"},
			{"probable", "probably"}, {"highly probable"}, {"nearly certain"},
		}},
	}
	printed := map[Row][7]string{
		RowPrimary: {"almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely",
			"very likely", "almost certain(ly)"},
		RowAlternate: {"remote", "highly improbable", "improbable (improbably)", "roughly even odds",
			"probable (probably)", "highly probable", "nearly certain"},
	}
	var out []Term
	for _, r := range rows {
		for step, forms := range r.terms {
			out = append(out, Term{
				Phrase: printed[r.row][step], Forms: forms, Row: r.row, Step: step,
				MinPercent: ranges[step][0], MaxPercent: ranges[step][1],
			})
		}
	}
	return out
}

// table indexes the scale by row and step.
type table [3][7]Term

func scaleTable() table {
	var t table
	for _, term := range Scale() {
		t[term.Row][term.Step] = term
	}
	return t
}

// termFor returns the ICD 203 term of row at step.
func termFor(row Row, step int) Term {
	return scaleTable()[row][step]
}

// entryKind says what a recognised phrase is.
type entryKind int

const (
	entryICD        entryKind = iota // on the ICD 203 scale
	entryOffScale                    // a likelihood expression outside ICD 203
	entryModal                       // a hedging modal ("could", "might")
	entryConfidence                  // a confidence level
	entryIgnore                      // a phrase that only looks like a likelihood term
)

// entry is one phrase of the lexicon Check matches.
type entry struct {
	words []string
	kind  entryKind
	row   Row
	step  int // ICD step of the term, or of the nearest ICD term for off-scale phrases
}

// offScale lists common likelihood expressions that are not ICD 203 terms, with the step of the
// nearest ICD 203 term.
func offScale() map[string]int {
	return map[string]int{
		"certainly not": 0, "highly unlikely": 1, "extremely unlikely": 1,
		"probably not": 2, "not likely": 2, "doubtful": 2, "conceivably": 2, "conceivable": 2,
		"possibly": 3, "perhaps": 3, "maybe": 3, "it is possible": 3, "it's possible": 3,
		"there is a chance": 3, "there's a chance": 3, "there is a possibility": 3,
		"even chance": 3, "even odds": 3, "fifty fifty": 3,
		"highly likely": 5, "extremely likely": 5, "very probably": 5,
		"in all likelihood": 5, "in all probability": 5,
		"certainly": 6, "definitely": 6, "undoubtedly": 6, "without doubt": 6,
		"virtually certain": 6, "virtually certainly": 6,
	}
}

// lexicon returns every phrase Check recognises, keyed by first word, longest phrase first.
func lexicon() map[string][]entry {
	var all []entry
	add := func(phrase string, e entry) {
		e.words = splitWords(phrase)
		all = append(all, e)
	}
	for _, t := range Scale() {
		for _, f := range t.Forms {
			add(f, entry{kind: entryICD, row: t.Row, step: t.Step})
		}
	}
	for phrase, step := range offScale() {
		add(phrase, entry{kind: entryOffScale, step: step})
	}
	for _, m := range []string{"could", "might"} {
		add(m, entry{kind: entryModal, step: 3})
	}
	for _, c := range []string{"high confidence", "moderate confidence", "medium confidence", "low confidence"} {
		add(c, entry{kind: entryConfidence})
	}
	// "probable cause" is a legal standard; "could not" usually reports a fact ("could not be
	// identified"), not a likelihood.
	for _, p := range []string{"probable cause", "could not"} {
		add(p, entry{kind: entryIgnore})
	}
	byFirst := map[string][]entry{}
	for _, e := range all {
		byFirst[e.words[0]] = append(byFirst[e.words[0]], e)
	}
	for k, es := range byFirst {
		for i := 1; i < len(es); i++ {
			for j := i; j > 0 && len(es[j].words) > len(es[j-1].words); j-- {
				es[j], es[j-1] = es[j-1], es[j]
			}
		}
		byFirst[k] = es
	}
	return byFirst
}

// splitWords splits a lexicon phrase into its lower-case words.
func splitWords(phrase string) []string {
	var words []string
	for _, tok := range tokenize(phrase) {
		words = append(words, tok.word)
	}
	return words
}
