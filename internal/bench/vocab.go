package bench

import (
	"math/rand/v2"
	"strings"
)

// domainWords head the vocabulary: the words of the center's reporting, most frequent first. The
// tail is made of synthetic words, so the frequency of every word follows its rank (Zipf-like).
var domainWords = strings.Fields(`smuggling network route border migrants facilitators vessel crossing
payment travel documents corridor trafficking victims cell broker transport safe house recruitment
departure coast sector checkpoint passport visa fraud wallet transfer informal hawala cash courier
truck container port airport bus rail shelter debt bondage labour exploitation forced sexual minors
guardian escort ferry dinghy inflatable fishing mother ship landing beach desert mountain river
crossing tunnel fence patrol interdiction arrest prosecution indictment investigation informant
source reporting assessment likely unlikely probably increase decrease trend pattern season weather
price fee deposit advance guarantee family diaspora remittance social media advert channel
messaging encrypted phone sim card hotel apartment warehouse garage farm orchard construction
nightclub massage salon restaurant agency employment contract recruiter agent consulate embassy
asylum claim detention removal return readmission partner liaison joint operation task force
seizure vehicle driver hidden compartment trailer cargo manifest bill lading shipping agent
counterfeit forged stolen impostor identity biometric fingerprint photograph database alert notice
terrorist travel watchlist foreign fighter transit hub gateway region capital province district
village town city north south east west central southern northern eastern western`)

// Vocabulary is a fixed list of words ordered by rank, and a Zipf sampler over it.
type Vocabulary struct {
	Words []string
}

// NewVocabulary builds a vocabulary of size words: the domain words, then synthetic words made of
// syllables. It does not depend on the corpus seed, so search terms are the same for every corpus.
func NewVocabulary(size int) *Vocabulary {
	words := make([]string, 0, size)
	seen := map[string]bool{}
	for _, w := range domainWords {
		if !seen[w] && len(words) < size {
			seen[w] = true
			words = append(words, w)
		}
	}
	onset := []string{"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "st", "tr", "sh"}
	nucleus := []string{"a", "e", "i", "o", "u", "ai", "ou"}
	coda := []string{"", "n", "r", "s", "l", "m", "k", "x"}
	r := rand.New(rand.NewPCG(20260101, 7)) // #nosec G404 -- seeded on purpose: the same synthetic vocabulary every run
	for len(words) < size {
		var b strings.Builder
		for range 2 + r.IntN(2) {
			b.WriteString(onset[r.IntN(len(onset))])
			b.WriteString(nucleus[r.IntN(len(nucleus))])
		}
		b.WriteString(coda[r.IntN(len(coda))])
		if w := b.String(); !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return &Vocabulary{Words: words}
}

// sampler draws ranks with a Zipf distribution (s = 1.1).
type sampler struct {
	v *Vocabulary
	z *rand.Zipf
	r *rand.Rand
}

func (v *Vocabulary) sampler(r *rand.Rand) *sampler {
	return &sampler{v: v, z: rand.NewZipf(r, 1.1, 2, uint64(len(v.Words)-1)), r: r} // #nosec G115 -- the vocabulary is never empty
}

func (s *sampler) word() string { return s.v.Words[s.z.Uint64()] }

// sentence writes n words, capitalised and ending with a full stop.
func (s *sampler) sentence(b *strings.Builder, n int) {
	for i := range n {
		w := s.word()
		if i == 0 {
			b.WriteString(strings.ToUpper(w[:1]))
			b.WriteString(w[1:])
			continue
		}
		b.WriteByte(' ')
		b.WriteString(w)
	}
	b.WriteByte('.')
}

// text returns between lo and hi words as sentences of 6 to 14 words.
func (s *sampler) text(lo, hi int) string {
	n := lo + s.r.IntN(hi-lo+1)
	var b strings.Builder
	for n > 0 {
		k := min(n, 6+s.r.IntN(9))
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		s.sentence(&b, k)
		n -= k
	}
	return b.String()
}

// title returns a title of 5 to 9 words without a full stop.
func (s *sampler) title() string {
	var b strings.Builder
	s.sentence(&b, 5+s.r.IntN(5))
	return strings.TrimSuffix(b.String(), ".")
}

// SearchTerms returns the terms the runner searches for: common ones (among the most frequent
// words, matching a large share of editions) and rare ones (deep in the tail).
func (v *Vocabulary) SearchTerms() (common, rare []string) {
	pick := func(from, to, step int) []string {
		var out []string
		for i := from; i < to && i < len(v.Words); i += step {
			out = append(out, v.Words[i])
		}
		return out
	}
	return pick(20, 60, 5), pick(3000, 6000, 300)
}
