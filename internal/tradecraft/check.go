package tradecraft

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kinds of Finding.
const (
	// KindOffScale marks a likelihood expression that is not an ICD 203 term.
	KindOffScale = "off_scale"
	// KindMixedRows marks a term from the row the product uses less, when it uses both.
	KindMixedRows = "mixed_rows"
	// KindConfidenceWithLikelihood marks a sentence with both a confidence level and a likelihood term.
	KindConfidenceWithLikelihood = "confidence_with_likelihood"
)

// Finding is one warning about the text passed to Check.
type Finding struct {
	// Start and End are byte offsets into the text; text[Start:End] is the flagged span.
	Start, End int
	// Term is the flagged phrase as written.
	Term    string
	Kind    string
	Message string
	// Suggestion is the ICD 203 term to use instead, if there is one.
	Suggestion string
}

// token is one word of the text: letters and digits, with inner apostrophes.
type token struct {
	start, end int
	word       string // lower case, typographic apostrophes folded to '
}

// hit is a lexicon phrase found in the text.
type hit struct {
	start, end int
	sentence   int
	entry      entry
}

// Check returns the ICD 203 findings for text in order of position. Matching is case-insensitive and
// on whole words, so "likely" inside "unlikely" is not a separate term.
func Check(text string) []Finding {
	hits := match(text, lexicon())
	scale := scaleTable()
	var counts [3]int
	for _, h := range hits {
		if h.entry.kind == entryICD {
			counts[h.entry.row]++
		}
	}
	dominant := RowPrimary
	if counts[RowAlternate] > counts[RowPrimary] {
		dominant = RowAlternate
	}
	mixed := counts[RowPrimary] > 0 && counts[RowAlternate] > 0

	var out []Finding
	for _, h := range hits {
		term := text[h.start:h.end]
		suggest := scale[dominant][h.entry.step].Phrase
		switch {
		case h.entry.kind == entryOffScale:
			out = append(out, Finding{Start: h.start, End: h.end, Term: term, Kind: KindOffScale, Suggestion: suggest,
				Message: fmt.Sprintf("\"%s\" is not an ICD 203 likelihood term; the nearest is \"%s\" (%d–%d%%).", term, suggest,
					scale[dominant][h.entry.step].MinPercent, scale[dominant][h.entry.step].MaxPercent)})
		case h.entry.kind == entryModal:
			out = append(out, Finding{Start: h.start, End: h.end, Term: term, Kind: KindOffScale,
				Message: fmt.Sprintf("\"%s\" hedges without saying how likely; if this is a judgment, state it with an ICD 203 term such as \"%s\".", term, suggest)})
		case h.entry.kind == entryICD && mixed && h.entry.row != dominant:
			out = append(out, Finding{Start: h.start, End: h.end, Term: term, Kind: KindMixedRows, Suggestion: suggest,
				Message: fmt.Sprintf("\"%s\" is from the %s row of the ICD 203 scale, but this text mostly uses the %s row; use \"%s\", or add a note that the terms express the same probability.", term, h.entry.row, dominant, suggest)})
		}
	}
	out = append(out, confidenceFindings(text, hits)...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		return out[i].End < out[j].End
	})
	return out
}

// confidenceFindings flags each sentence that holds both a confidence level and a likelihood term.
func confidenceFindings(text string, hits []hit) []Finding {
	var out []Finding
	for i := 0; i < len(hits); {
		j := i
		var conf, like *hit
		for ; j < len(hits) && hits[j].sentence == hits[i].sentence; j++ {
			h := &hits[j]
			switch {
			case h.entry.kind == entryConfidence && conf == nil:
				conf = h
			case (h.entry.kind == entryICD || h.entry.kind == entryOffScale) && like == nil:
				like = h
			}
		}
		if conf != nil && like != nil {
			start, end := min(conf.start, like.start), max(conf.end, like.end)
			out = append(out, Finding{Start: start, End: end, Term: text[conf.start:conf.end],
				Kind: KindConfidenceWithLikelihood,
				Message: fmt.Sprintf("\"%s\" and \"%s\" are in the same sentence; ICD 203 asks for the confidence level and the likelihood in separate sentences.",
					text[conf.start:conf.end], text[like.start:like.end])})
		}
		i = j
	}
	return out
}

// match finds the lexicon phrases in text, longest first, without overlaps.
func match(text string, lex map[string][]entry) []hit {
	toks := tokenize(text)
	sentence := 0
	var hits []hit
	for i := 0; i < len(toks); {
		if i > 0 && sentenceBreak(text, toks[i-1], toks[i]) {
			sentence++
		}
		n := 0
		for _, e := range lex[toks[i].word] {
			if phraseAt(text, toks, i, e.words) {
				if e.kind != entryIgnore {
					hits = append(hits, hit{start: toks[i].start, end: toks[i+len(e.words)-1].end, sentence: sentence, entry: e})
				}
				n = len(e.words)
				break
			}
		}
		if n == 0 {
			i++
			continue
		}
		i += n
	}
	return hits
}

// phraseAt reports whether words occur at toks[i:], separated only by spaces or one hyphen.
func phraseAt(text string, toks []token, i int, words []string) bool {
	if i+len(words) > len(toks) {
		return false
	}
	for k, w := range words {
		if toks[i+k].word != w {
			return false
		}
		if k > 0 && !phraseGap(text[toks[i+k-1].end:toks[i+k].start]) {
			return false
		}
	}
	return true
}

// phraseGap reports whether gap may separate two words of one phrase: a hyphen, or spaces with at
// most one line break (a wrapped line).
func phraseGap(gap string) bool {
	if gap == "-" {
		return true
	}
	return gap != "" && strings.Trim(gap, " \t\r\n") == "" && strings.Count(gap, "\n") <= 1
}

// sentenceBreak reports whether a sentence ends between prev and next: after ".", "!" or "?"
// followed by space (unless prev is a single letter, as in "U.S."), at a table cell border, or at a
// line break unless the next line simply goes on in lower case (a wrapped line, not a list item).
func sentenceBreak(text string, prev, next token) bool {
	gap := text[prev.end:next.start]
	if strings.ContainsRune(gap, '|') {
		return true
	}
	if nl := strings.LastIndexByte(gap, '\n'); nl >= 0 {
		r, _ := utf8.DecodeRuneInString(text[next.start:])
		wrapped := strings.Count(gap, "\n") == 1 && strings.TrimSpace(gap[nl:]) == "" && unicode.IsLower(r)
		if !wrapped {
			return true
		}
	}
	end := strings.IndexAny(gap, ".!?")
	if end < 0 || !strings.ContainsAny(gap[end:], " \t\n") {
		return false
	}
	return gap[end] != '.' || utf8.RuneCountInString(prev.word) > 1
}

// tokenize splits text into words with their byte offsets.
func tokenize(text string) []token {
	var toks []token
	start := -1
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r)
		if !inWord && (r == '\'' || r == '’') && start >= 0 {
			nr, _ := utf8.DecodeRuneInString(text[i+size:])
			inWord = unicode.IsLetter(nr)
		}
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			toks = append(toks, newToken(text, start, i))
			start = -1
		}
		i += size
	}
	if start >= 0 {
		toks = append(toks, newToken(text, start, len(text)))
	}
	return toks
}

func newToken(text string, start, end int) token {
	w := strings.ToLower(strings.ReplaceAll(text[start:end], "’", "'"))
	return token{start: start, end: end, word: w}
}
