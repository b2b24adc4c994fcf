package dissem_test

import (
	"slices"

	"tearline/internal/agency"
	"tearline/internal/demo"
	"tearline/internal/marking"
)

// agencies returns the demo agencies plus TXDPS, a made-up state/local member, with IDs 1….
func agencies() []agency.Agency {
	out := append(demo.Agencies(), agency.Agency{
		Code: "TXDPS", Name: "Texas Department of Public Safety", Kind: agency.KindMember, Country: "USA", StateLocal: true,
	})
	for i := range out {
		out[i].ID = int64(i + 1)
	}
	return out
}

// federal lists the demo member agencies that are U.S. federal.
func federal() []string {
	return []string{"CBP", "DHS-IA", "DOJ", "DOS", "FBI", "ICE", "ODNI", "USCG"}
}

// codes joins code lists into one sorted list.
func codes(lists ...[]string) []string {
	out := slices.Concat(lists...)
	slices.Sort(out)
	return out
}

// cui returns a controlled banner with the edits applied.
func cui(edits ...func(*marking.Banner)) marking.Banner {
	b := marking.Banner{Controlled: true}
	for _, e := range edits {
		e(&b)
	}
	return b
}

func noforn(b *marking.Banner) { b.NoForn = true }

func relTo(cs ...string) func(*marking.Banner) {
	return func(b *marking.Banner) { b.RelTo = append([]string{"USA"}, cs...) }
}

func displayOnly(cs ...string) func(*marking.Banner) {
	return func(b *marking.Banner) { b.DisplayOnly = cs }
}

func audience(a marking.Audience) func(*marking.Banner) {
	return func(b *marking.Banner) { b.Audience = a }
}

func dl(cs ...string) func(*marking.Banner) {
	return func(b *marking.Banner) { b.DLOnly, b.DLList = true, cs }
}

func tlp(t marking.TLP) func(*marking.Banner) {
	return func(b *marking.Banner) { b.TLP = t }
}
