package dissem_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"tearline/internal/agency"
	"tearline/internal/dissem"
	"tearline/internal/marking"
)

// tightening is one change that adds or narrows a control. apply reports false when it does not apply.
type tightening struct {
	name  string
	apply func(r *rand.Rand, b *marking.Banner, o *dissem.Options, pool []string) bool
}

// TestCheckProperties checks, over random banners and agencies, that NOFORN never allows a foreign or
// international agency, that the center is always allowed, that Allowed agrees with Reasons, and that
// tightening a control never turns a refusal into an allowance — except that adding DL ONLY under REL
// TO admits the international organisations it names (see the package doc).
func TestCheckProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 22))
	ags := slices.Concat(agencies(), randomAgencies(r, 30))
	pool := make([]string, 0, len(ags)+1)
	for _, a := range ags {
		pool = append(pool, a.Code)
	}
	pool = append(pool, "NOBODY")
	widened := 0
	for range 1000 {
		b, opts := randomBanner(r, pool), dissem.Options{Named: few(r, pool, 3)}
		before := dissem.CheckAll(b, ags, opts)
		for _, v := range before {
			a := byID(t, ags, v.AgencyID)
			checkInvariants(t, "initial", b, a, v)
		}
		for _, step := range tightenings() {
			nb, no := clone(b), dissem.Options{Named: slices.Clone(opts.Named)}
			if !step.apply(r, &nb, &no, pool) {
				continue
			}
			after := dissem.CheckAll(nb, ags, no)
			for j, v := range after {
				a := byID(t, ags, v.AgencyID)
				checkInvariants(t, step.name, nb, a, v)
				if before[j].Allowed || !v.Allowed {
					continue
				}
				if step.name == "add DL ONLY" && a.IntlOrg && a.Kind != agency.KindCenter && !nb.NoForn && hasForeignRelTo(nb) &&
					slices.Contains(nb.DLList, a.Code) {
					widened++
					continue
				}
				t.Errorf("%s turned a refusal of %s into an allowance:\nbefore %+v %q\nafter  %+v", step.name, a.Code, b, before[j].Reasons, nb)
			}
		}
	}
	if widened == 0 {
		t.Error("the DL ONLY exception for international organisations was never exercised; change the seed")
	}
}

// byID returns the agency with the given id.
func byID(t *testing.T, ags []agency.Agency, id int64) agency.Agency {
	t.Helper()
	i := slices.IndexFunc(ags, func(a agency.Agency) bool { return a.ID == id })
	if i < 0 {
		t.Fatalf("no agency with id %d", id)
	}
	return ags[i]
}

// checkInvariants checks the properties that hold for every verdict; step names the last change to b.
func checkInvariants(t *testing.T, step string, b marking.Banner, a agency.Agency, v dissem.Verdict) {
	t.Helper()
	foreign := a.Foreign || a.IntlOrg || a.Kind == agency.KindPartner
	switch {
	case v.Allowed != (len(v.Reasons) == 0):
		t.Errorf("%s %+v: %s Allowed = %v with reasons %q", step, b, a.Code, v.Allowed, v.Reasons)
	case a.Kind == agency.KindCenter && !v.Allowed:
		t.Errorf("%s %+v: center %s refused: %q", step, b, a.Code, v.Reasons)
	case a.Kind != agency.KindCenter && b.NoForn && foreign && v.Allowed:
		t.Errorf("%s %+v: NOFORN allowed foreign or international %+v", step, b, a)
	case a.Kind != agency.KindCenter && b.TLP == marking.TLPRed && v.Allowed:
		t.Errorf("%s %+v: TLP:RED allowed %s", step, b, a.Code)
	}
}

func tightenings() []tightening {
	return []tightening{
		{"set NOFORN", func(_ *rand.Rand, b *marking.Banner, _ *dissem.Options, _ []string) bool {
			b.NoForn, b.RelTo, b.DisplayOnly, b.Relido = true, nil, nil, false
			return true
		}},
		{"drop a REL TO country", func(r *rand.Rand, b *marking.Banner, _ *dissem.Options, _ []string) bool {
			rel := slices.DeleteFunc(slices.Clone(b.RelTo), func(c string) bool { return c == "USA" })
			if len(rel) == 0 {
				return false
			}
			k := r.IntN(len(rel))
			setForeign(b, slices.Delete(rel, k, k+1), b.DisplayOnly)
			return true
		}},
		{"move a REL TO country to DISPLAY ONLY", func(r *rand.Rand, b *marking.Banner, _ *dissem.Options, _ []string) bool {
			rel := slices.DeleteFunc(slices.Clone(b.RelTo), func(c string) bool { return c == "USA" })
			if len(rel) == 0 {
				return false
			}
			k := r.IntN(len(rel))
			display := append(slices.Clone(b.DisplayOnly), rel[k])
			setForeign(b, slices.Delete(rel, k, k+1), display)
			return true
		}},
		{"drop a DISPLAY ONLY country", func(r *rand.Rand, b *marking.Banner, _ *dissem.Options, _ []string) bool {
			if len(b.DisplayOnly) == 0 {
				return false
			}
			k := r.IntN(len(b.DisplayOnly))
			rel := slices.DeleteFunc(slices.Clone(b.RelTo), func(c string) bool { return c == "USA" })
			setForeign(b, rel, slices.Delete(slices.Clone(b.DisplayOnly), k, k+1))
			return true
		}},
		{"narrow the audience", func(r *rand.Rand, b *marking.Banner, _ *dissem.Options, _ []string) bool {
			b.Audience = b.Audience.Intersect(pick(r, marking.Audiences()))
			return true
		}},
		{"add DL ONLY", func(r *rand.Rand, b *marking.Banner, _ *dissem.Options, pool []string) bool {
			if b.DLOnly {
				return false
			}
			b.DLOnly, b.DLList = true, few(r, pool, 4)
			return true
		}},
		{"drop a DL ONLY code", func(r *rand.Rand, b *marking.Banner, _ *dissem.Options, _ []string) bool {
			if len(b.DLList) == 0 {
				return false
			}
			k := r.IntN(len(b.DLList))
			b.DLList = slices.Delete(b.DLList, k, k+1)
			return true
		}},
		{"raise the TLP", func(r *rand.Rand, b *marking.Banner, _ *dissem.Options, _ []string) bool {
			b.TLP = b.TLP.Max(pick(r, marking.TLPs()))
			return true
		}},
		{"name fewer agencies", func(r *rand.Rand, _ *marking.Banner, o *dissem.Options, _ []string) bool {
			if len(o.Named) == 0 {
				return false
			}
			k := r.IntN(len(o.Named))
			o.Named = slices.Delete(o.Named, k, k+1)
			return true
		}},
		{"add an unmarked portion", func(_ *rand.Rand, b *marking.Banner, _ *dissem.Options, _ []string) bool {
			b.Unmarked++
			return true
		}},
		{"mark controlled", func(_ *rand.Rand, b *marking.Banner, _ *dissem.Options, _ []string) bool {
			b.Controlled = true
			return true
		}},
	}
}

// setForeign sets the foreign-disclosure controls as DeriveBanner would: REL TO with USA first when
// any country remains, and NOFORN when neither list names a country.
func setForeign(b *marking.Banner, rel, display []string) {
	b.RelTo, b.DisplayOnly = nil, nil
	if len(rel) > 0 {
		b.RelTo = append([]string{"USA"}, rel...)
	}
	if len(display) > 0 {
		b.DisplayOnly = display
	}
	if b.RelTo == nil && b.DisplayOnly == nil {
		b.NoForn, b.Relido = true, false
	}
}

func hasForeignRelTo(b marking.Banner) bool {
	return slices.ContainsFunc(b.RelTo, func(c string) bool { return c != "USA" })
}

func randomBanner(r *rand.Rand, pool []string) marking.Banner {
	countries := []string{"CAN", "FRA", "GBR", "MEX"}
	b := marking.Banner{Controlled: r.IntN(4) > 0, Relido: r.IntN(4) == 0, AttorneyClient: r.IntN(8) == 0}
	switch r.IntN(4) {
	case 1:
		b.NoForn = true
	case 2:
		rel := subset(r, countries, 1)
		b.RelTo = append([]string{"USA"}, rel...)
		b.DisplayOnly = subset(r, slices.DeleteFunc(slices.Clone(countries), func(c string) bool { return slices.Contains(rel, c) }), 0)
	case 3:
		b.DisplayOnly = subset(r, countries, 1)
	}
	b.Audience = pick(r, append(marking.Audiences(), "BOGUS"))
	if r.IntN(3) == 0 {
		b.DLOnly, b.DLList = true, few(r, pool, 4)
	}
	b.TLP = pick(r, append(marking.TLPs(), marking.TLPNone, marking.TLPNone, "PURPLE"))
	if r.IntN(10) == 0 {
		b.Unmarked = 1
	}
	return b
}

// randomAgencies returns n agencies with random, possibly inconsistent attributes; none is the center.
func randomAgencies(r *rand.Rand, n int) []agency.Agency {
	out := make([]agency.Agency, n)
	for i := range out {
		out[i] = agency.Agency{
			ID:         int64(1000 + i),
			Code:       fmt.Sprintf("R%02d", i),
			Name:       fmt.Sprintf("Random agency %d", i),
			Kind:       pick(r, []agency.Kind{agency.KindMember, agency.KindMember, agency.KindPartner, "other"}),
			Country:    pick(r, []string{"USA", "USA", "usa", "GBR", "MEX", "CAN", ""}),
			Federal:    r.IntN(2) == 0,
			StateLocal: r.IntN(3) == 0,
			Foreign:    r.IntN(4) == 0,
			IntlOrg:    r.IntN(5) == 0,
		}
	}
	return out
}

// subset returns a random subset of list with at least `least` elements, in list order.
func subset[T any](r *rand.Rand, list []T, least int) []T {
	for {
		var out []T
		for _, v := range list {
			if r.IntN(3) == 0 {
				out = append(out, v)
			}
		}
		if len(out) >= least {
			return out
		}
	}
}

// few returns up to most codes drawn from pool, possibly repeated.
func few(r *rand.Rand, pool []string, most int) []string {
	out := make([]string, r.IntN(most+1))
	for i := range out {
		out[i] = pick(r, pool)
	}
	return out
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

func clone(b marking.Banner) marking.Banner {
	b.Categories = slices.Clone(b.Categories)
	b.RelTo = slices.Clone(b.RelTo)
	b.DisplayOnly = slices.Clone(b.DisplayOnly)
	b.DLList = slices.Clone(b.DLList)
	return b
}
