package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"tearline/internal/marking"
	"tearline/internal/product"
)

// chunk holds the generated rows of a range of editions, in edition order.
type chunk struct {
	eds []genEdition
}

// genEdition is one generated edition with everything that hangs off it. Numbers, ledger ids and
// audit hashes are sequential, so copyChunk assigns them.
type genEdition struct {
	index      int
	number     string
	typ        product.Type
	title      string
	summary    string
	topics     []string
	regions    []string
	office     string
	banner     string
	content    []byte
	sha        string
	releasedAt time.Time
	audience   []int       // indices of recipient agencies
	receipts   []receipt   // liaisons who opened it
	attachment *attachment // nil for most
	rescinded  bool
}

type receipt struct {
	agency int // index into world.agencies
	at     time.Time
}

type attachment struct {
	id       int64
	filename string
	size     int64
	sha      string
	marking  []byte
}

var typeWeights = []struct {
	t product.Type
	w float64
}{{product.TypeBulletin, 0.30}, {product.TypeReport, 0.25}, {product.TypeNote, 0.25}, {product.TypeAnalysis, 0.10},
	{product.TypeTarget, 0.05}, {product.TypeAssessment, 0.05}}

var regions = []string{"MEX", "GTM", "HND", "SLV", "COL", "PAN", "USA", "ESP", "ITA", "GRC", "LBY", "TUR", "SRB", "BIH", "NER", "NGA", "VNM", "CHN", "IND", "ECU"}

var offices = []string{"Strategic Analysis Branch", "Tactical Support Branch", "Financial Intelligence Unit", "Maritime Desk",
	"Southwest Border Desk", "Europe Liaison Cell", "Victim Identification Unit", "Travel Documents Desk"}

// generate builds the editions [from, to) on the given number of goroutines.
func (w *world) generate(from, to, workers int) *chunk {
	c := &chunk{eds: make([]genEdition, to-from)}
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			for i := from + k; i < to; i += workers {
				c.eds[i-from] = w.edition(i)
			}
		})
	}
	wg.Wait()
	for k := range c.eds {
		e := &c.eds[k]
		nk := numberKey{string(e.typ), e.releasedAt.UTC().Year()}
		w.numbers[nk]++
		e.number = product.EditionNumber(e.typ, nk.year, w.numbers[nk])
	}
	return c
}

// zipfPick picks an index in [0, n) with weight 1/(i+1).
func zipfPick(r *rand.Rand, n int) int {
	h := 0.0
	for i := range n {
		h += 1 / float64(i+1)
	}
	x := r.Float64() * h
	for i := range n {
		x -= 1 / float64(i+1)
		if x <= 0 {
			return i
		}
	}
	return n - 1
}

func pickDistinct(r *rand.Rand, list []string, k int) []string {
	out := make([]string, 0, k)
	for len(out) < k {
		s := list[zipfPick(r, len(list))]
		dup := false
		for _, x := range out {
			dup = dup || x == s
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}

// edition generates edition i deterministically from the seed and i.
func (w *world) edition(i int) genEdition {
	r := newRand(w.o.Seed, uint64(i)+1) // #nosec G115 -- i is an edition index, never negative
	s := w.vocab.sampler(r)
	e := genEdition{index: i}
	x := r.Float64()
	for _, tw := range typeWeights {
		if x -= tw.w; x <= 0 || tw.t == product.TypeAssessment {
			e.typ = tw.t
			break
		}
	}
	topicKeys := make([]string, len(product.Topics))
	for k, t := range product.Topics {
		topicKeys[k] = t.Key
	}
	e.title, e.summary = s.title(), s.text(15, 30)
	e.topics = pickDistinct(r, topicKeys, 1+r.IntN(2))
	e.regions = pickDistinct(r, regions, 1+r.IntN(2))
	e.office = offices[zipfPick(r, len(offices))]
	x = r.Float64()
	t := w.tmpl[len(w.tmpl)-1]
	for _, tp := range w.tmpl {
		if x -= tp.weight; x <= 0 {
			t = tp
			break
		}
	}
	p := product.Product{Type: e.typ, Title: e.title, Summary: e.summary, Topics: e.topics, Regions: e.regions,
		OriginatingOffice: e.office, Authors: []product.Author{{Name: "Bench analyst"}}}
	p.Portions = append(p.Portions, product.Portion{Kind: product.KindHeading, Body: "Key judgements", Marking: marking.Marking{Control: marking.Uncontrolled}})
	for range 2 + r.IntN(3) {
		p.Portions = append(p.Portions, product.Portion{Kind: product.KindParagraph, Body: s.text(15, 35), Marking: t.marking})
	}
	e.releasedAt = w.start.Add(time.Duration(i)*w.step + time.Duration(r.Int64N(int64(max(w.step, time.Microsecond))))).Truncate(time.Microsecond)
	if r.Float64() < w.o.Attachments {
		sum := sha256.Sum256([]byte(fmt.Sprintf("bench attachment %d", i)))
		a := &attachment{id: w.base.attachment + int64(i), filename: fmt.Sprintf("annex-%d.csv", i), size: 512 + r.Int64N(1<<20), sha: hex.EncodeToString(sum[:])}
		a.marking, _ = json.Marshal(t.marking)
		p.Attachments = append(p.Attachments, product.Attachment{ID: a.id, Filename: a.filename, ContentType: "text/csv", Size: a.size,
			SHA256: a.sha, Marking: t.marking})
		e.attachment = a
	}
	content := p.Freeze()
	e.banner = content.Banner.String()
	var err error
	if e.content, e.sha, err = content.Canonical(); err != nil {
		panic(fmt.Sprintf("bench: canonical content: %v", err)) // only unencodable values fail, and there are none
	}
	if r.Float64() < w.o.Everyone {
		e.audience = t.allowed
	} else {
		for _, j := range t.allowed {
			if r.Float64() < w.share[j] {
				e.audience = append(e.audience, j)
			}
		}
	}
	now := time.Now()
	for _, j := range e.audience {
		if r.Float64() < w.o.Receipts {
			at := e.releasedAt.Add(time.Duration(r.Int64N(int64(72 * time.Hour)))).Truncate(time.Microsecond)
			if at.After(now) {
				at = e.releasedAt
			}
			e.receipts = append(e.receipts, receipt{agency: j, at: at})
		}
	}
	e.rescinded = r.Float64() < w.o.Rescinded
	return e
}
