package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/agency"
	"tearline/internal/dissem"
	"tearline/internal/marking"
)

// Issuer is the OpenID issuer of the bench users. No provider has it, so nobody can sign in as
// them; the runner mints their sessions directly in the session table (bench only).
const Issuer = "https://bench.invalid/tearline-bench"

// LiaisonSubject and AdminSubject name the bench users of the agency with the given code.
func LiaisonSubject(code string) string { return "liaison@" + code }

// AdminSubject is the subject of the agency administrator of a bench agency.
func AdminSubject(code string) string { return "admin@" + code }

// ReleaserSubject is the center's releasing official who released every bench edition.
const ReleaserSubject = "releaser@bench"

var foreignCountries = []string{"GBR", "CAN", "AUS", "MEX", "DEU", "FRA", "ESP", "ITA", "NLD", "COL", "GTM", "PAN"}

// template is one caveat pattern: the marking of the content portions and the agencies it admits.
type template struct {
	weight  float64
	marking marking.Marking
	allowed []int // indices into world.agencies (audience agencies only)
}

func newWorld(ctx context.Context, conn *pgx.Conn, o Options) (*world, error) {
	w := &world{o: o, vocab: NewVocabulary(o.Vocabulary), numbers: map[numberKey]int{}}
	if err := conn.QueryRow(ctx, `SELECT id FROM agency WHERE code = 'HSTC'`).Scan(&w.center); err != nil {
		if err != pgx.ErrNoRows {
			return nil, err
		}
		if err := conn.QueryRow(ctx, `INSERT INTO agency (code, name, kind, country, federal)
			VALUES ('HSTC', 'Human Smuggling and Trafficking Center', 'center', 'USA', true) RETURNING id`).Scan(&w.center); err != nil {
			return nil, err
		}
	}
	r := newRand(o.Seed, 0)
	total := o.Agencies + o.Idle
	rows := make([][]any, 0, total)
	for i := range total {
		a := agency.Agency{Code: fmt.Sprintf("BX-%04d", i+1), Kind: agency.KindMember, Country: "USA"}
		switch {
		case i >= o.Agencies:
			a.Name, a.Federal = "Bench idle member agency "+a.Code, true
		case r.Float64() < 0.1:
			a.Kind, a.Foreign, a.Country = agency.KindPartner, true, foreignCountries[r.IntN(len(foreignCountries))]
			a.Name = "Bench foreign partner " + a.Code
		case r.Float64() < 0.6:
			a.Name, a.Federal = "Bench federal agency "+a.Code, true
		default:
			a.Name, a.StateLocal = "Bench state or local agency "+a.Code, true
		}
		w.agencies = append(w.agencies, a)
		rows = append(rows, []any{a.Code, a.Name, string(a.Kind), a.Country, a.Federal, a.StateLocal, a.Foreign, a.IntlOrg})
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"agency"}, []string{"code", "name", "kind", "country", "federal", "state_local", "foreign_gov", "intl_org"},
		pgx.CopyFromRows(rows)); err != nil {
		return nil, fmt.Errorf("copy agencies: %w", err)
	}
	rs, err := conn.Query(ctx, `SELECT code, id FROM agency WHERE code LIKE 'BX-%'`)
	if err != nil {
		return nil, err
	}
	byCode := map[string]int64{}
	var code string
	var id int64
	if _, err := pgx.ForEachRow(rs, []any{&code, &id}, func() error { byCode[code] = id; return nil }); err != nil {
		return nil, err
	}
	for i := range w.agencies {
		w.agencies[i].ID = byCode[w.agencies[i].Code]
	}
	if err := w.users(ctx, conn); err != nil {
		return nil, err
	}
	for range o.Agencies {
		w.share = append(w.share, 0.01+0.09*r.Float64())
	}
	w.templates()
	return w, w.bases(ctx, conn)
}

// users creates a liaison and an agency administrator per bench agency and the releasing official.
func (w *world) users(ctx context.Context, conn *pgx.Conn) error {
	var rows [][]any
	for _, a := range w.agencies {
		rows = append(rows, []any{a.ID, Issuer, LiaisonSubject(a.Code), "Liaison " + a.Code},
			[]any{a.ID, Issuer, AdminSubject(a.Code), "Administrator " + a.Code})
	}
	rows = append(rows, []any{w.center, Issuer, ReleaserSubject, "Bench releasing official"})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"app_user"}, []string{"agency_id", "issuer", "subject", "display_name"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy users: %w", err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO membership (user_id, agency_id, role)
		SELECT id, agency_id, CASE WHEN subject LIKE 'liaison@%' THEN 'liaison' WHEN subject LIKE 'admin@%' THEN 'agency_admin' ELSE 'reviewer' END
		FROM app_user WHERE issuer = $1`, Issuer); err != nil {
		return fmt.Errorf("memberships: %w", err)
	}
	rs, err := conn.Query(ctx, `SELECT subject, id FROM app_user WHERE issuer = $1`, Issuer)
	if err != nil {
		return err
	}
	bySubject := map[string]int64{}
	var sub string
	var id int64
	if _, err := pgx.ForEachRow(rs, []any{&sub, &id}, func() error { bySubject[sub] = id; return nil }); err != nil {
		return err
	}
	w.releaser = bySubject[ReleaserSubject]
	for _, a := range w.agencies {
		w.liaisons = append(w.liaisons, bySubject[LiaisonSubject(a.Code)])
	}
	return nil
}

// templates are the caveat patterns of bench editions; each admits the audience agencies the real
// caveat check (package dissem) admits, so no ledger row could have been refused at release.
func (w *world) templates() {
	lei := []marking.Category{marking.ParseCategory("LEI")}
	w.tmpl = []template{
		{weight: 0.45, marking: marking.Marking{Control: marking.CUI, Categories: lei}},
		{weight: 0.20, marking: marking.Marking{Control: marking.Uncontrolled, TLP: marking.TLPGreen}},
		{weight: 0.20, marking: marking.Marking{Control: marking.CUI, Categories: lei, NoForn: true}},
		{weight: 0.15, marking: marking.Marking{Control: marking.CUI, Categories: lei, RelTo: []string{"USA", "GBR", "CAN", "AUS"}}},
	}
	audience := w.agencies[:w.o.Agencies]
	for i := range w.tmpl {
		b := marking.DeriveBanner([]marking.Marking{w.tmpl[i].marking})
		idx := map[int64]int{}
		for j, a := range audience {
			idx[a.ID] = j
		}
		for _, v := range dissem.CheckAll(b, audience, dissem.Options{}) {
			if v.Allowed {
				w.tmpl[i].allowed = append(w.tmpl[i].allowed, idx[v.AgencyID])
			}
		}
	}
}

// bases reads where the ids, edition numbers and audit chains continue.
func (w *world) bases(ctx context.Context, conn *pgx.Conn) error {
	err := conn.QueryRow(ctx, `SELECT (SELECT coalesce(max(id), 0) + 1 FROM product), (SELECT coalesce(max(id), 0) + 1 FROM edition),
		(SELECT coalesce(max(id), 0) + 1 FROM attachment), (SELECT coalesce(max(id), 0) FROM release_ledger),
		(SELECT coalesce(max(id), 0) FROM audit_event)`).Scan(&w.base.product, &w.base.edition, &w.base.attachment, &w.ledgerID, &w.auditID)
	if err != nil {
		return err
	}
	rs, err := conn.Query(ctx, `SELECT type, year, last FROM edition_counter`)
	if err != nil {
		return err
	}
	var k numberKey
	var last int
	if _, err := pgx.ForEachRow(rs, []any{&k.typ, &k.year, &last}, func() error { w.numbers[k] = last; return nil }); err != nil {
		return err
	}
	rs, err = conn.Query(ctx, `SELECT chain, seq, hash FROM audit_chain_head ORDER BY chain`)
	if err != nil {
		return err
	}
	var chain int
	var h chainHead
	if _, err := pgx.ForEachRow(rs, []any{&chain, &h.seq, &h.hash}, func() error { w.heads[chain] = h; return nil }); err != nil {
		return err
	}
	// Editions spread over the last 330 days (the audit trail keeps a year, so serve expires none).
	end := time.Now().Add(-time.Hour).Truncate(time.Second)
	w.start = end.Add(-330 * 24 * time.Hour)
	w.step = end.Sub(w.start) / time.Duration(w.o.Editions)
	return nil
}

// releaseMarking is the caveat pattern of the editions the runner releases to many agencies: it
// admits every bench agency.
func releaseMarking() []marking.Marking {
	return []marking.Marking{{Control: marking.Uncontrolled}, {Control: marking.Uncontrolled, TLP: marking.TLPGreen}}
}
