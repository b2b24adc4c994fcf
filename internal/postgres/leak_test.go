package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/agency"
	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/dissem"
	"tearline/internal/marking"
	"tearline/internal/postgres"
	"tearline/internal/postgres/pgtest"
	"tearline/internal/product"
	"tearline/internal/user"
)

// The leak tests of issue 5: a generated world of agencies with random attributes and released
// editions with random banners and audiences, and three (four with authz) independent answers to
// "may this agency see this edition?" that must agree with what the generator knows.

// leakSeed returns the seed of the generated world: TEARLINE_LEAK_SEED when set, else the clock.
// The seed is logged so that a failure can be replayed.
func leakSeed(t *testing.T) uint64 {
	t.Helper()
	if v := os.Getenv("TEARLINE_LEAK_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("TEARLINE_LEAK_SEED: %v", err)
		}
		return s
	}
	return uint64(time.Now().UnixNano())
}

// genEdition is an edition as the generator made it: what it knows independently of every query.
type genEdition struct {
	ID         int64
	Owner      int64
	Type       product.Type
	Title      string
	Banner     marking.Banner
	Recipients map[int64]bool // agencies with a ledger row, as the generator wrote them
	Rescinded  bool
}

// visibleTo is the model: the owner always sees its edition; a recipient sees it until it is rescinded.
func (e *genEdition) visibleTo(agencyID int64) bool {
	return agencyID == e.Owner || e.received(agencyID)
}

// received is the recipient relation: a live (not rescinded) ledger row for a non-owner agency.
func (e *genEdition) received(agencyID int64) bool {
	return agencyID != e.Owner && e.Recipients[agencyID] && !e.Rescinded
}

// releaser is an agency that owns and releases editions, with its releasing official.
type releaser struct {
	agency agency.Agency
	user   int64
}

type leakWorld struct {
	app, owner *postgres.DB
	agencies   []agency.Agency
	releasers  []releaser
	editions   []*genEdition
	byID       map[int64]*genEdition
}

var (
	partnerCountries = []string{"GBR", "MEX", "CAN", "AUS", "NZL", "DEU", "FRA", "COL", "GTM", "ESP"}
	leakCategories   = []marking.Category{{Code: "LEI"}, {Code: "INV", Specified: true}, {Code: "IVIC"}, {Code: "INTEL"}, {Code: "CHRI", Specified: true}}
	leakTLPs         = []marking.TLP{marking.TLPClear, marking.TLPGreen, marking.TLPAmber, marking.TLPAmberStrict, marking.TLPRed}
	leakAudiences    = []marking.Audience{marking.FedOnly, marking.FedCon, marking.NoCon}
	leakTypes        = []product.Type{product.TypeBulletin, product.TypeReport, product.TypeNote, product.TypeAnalysis, product.TypeTarget, product.TypeAssessment}
)

// someOf returns a random non-empty subset of up to max values of list, sorted.
func someOf(r *rand.Rand, list []string, max int) []string {
	n := 1 + r.IntN(max)
	perm := r.Perm(len(list))
	var out []string
	for _, i := range perm[:min(n, len(list))] {
		out = append(out, list[i])
	}
	sort.Strings(out)
	return out
}

// randomMarking returns a valid random portion marking: mostly CUI with a mix of foreign-disclosure,
// audience, DL ONLY and TLP controls; sometimes (U).
func randomMarking(r *rand.Rand, agencyCodes []string) marking.Marking {
	for {
		var m marking.Marking
		if r.IntN(10) == 0 {
			m = marking.Marking{Control: marking.Uncontrolled}
		} else {
			m = marking.Marking{Control: marking.CUI, Categories: []marking.Category{leakCategories[r.IntN(len(leakCategories))]}}
			switch r.IntN(7) {
			case 0, 1:
				m.NoForn = true
			case 2, 3:
				m.RelTo = append([]string{"USA"}, someOf(r, partnerCountries, 4)...)
			case 4:
				m.DisplayOnly = someOf(r, partnerCountries, 2)
			}
			if r.IntN(4) == 0 {
				m.Audience = leakAudiences[r.IntN(len(leakAudiences))]
			}
			if r.IntN(6) == 0 {
				m.DLOnly, m.DLList = true, someOf(r, agencyCodes, 8)
			}
		}
		if r.IntN(3) == 0 {
			m.TLP = leakTLPs[r.IntN(len(leakTLPs))]
		}
		m.Normalize()
		if m.Validate() == nil {
			return m
		}
	}
}

// randomAgency returns a generated member, partner or (rarely) a second center.
func randomAgency(r *rand.Rand, i int) agency.Agency {
	a := agency.Agency{Code: fmt.Sprintf("GEN%02d", i), Name: fmt.Sprintf("Generated agency %d", i)}
	switch r.IntN(5) {
	case 0, 1: // U.S. member: federal, state/local or neither
		a.Kind, a.Country = agency.KindMember, "USA"
		switch r.IntN(3) {
		case 0:
			a.Federal = true
		case 1:
			a.StateLocal = true
		}
	case 2: // a member with a foreign country: inconsistent, must fail closed
		a.Kind, a.Country = agency.KindMember, partnerCountries[r.IntN(len(partnerCountries))]
	case 3:
		a.Kind, a.Country, a.Foreign = agency.KindPartner, partnerCountries[r.IntN(len(partnerCountries))], true
	default:
		a.Kind, a.IntlOrg = agency.KindPartner, true
	}
	return a
}

// newLeakWorld seeds the demo agencies and personas, nAgencies generated agencies (one of them a
// second center that releases editions of its own) and nEditions released editions, each
// disseminated to a random subset of the agencies its caveats allow, some in two releases, some
// rescinded.
func newLeakWorld(t *testing.T, seed uint64, nAgencies, nEditions int) *leakWorld {
	t.Helper()
	ctx := context.Background()
	app, owner := setup(t)
	w := &leakWorld{app: app, owner: owner, byID: map[int64]*genEdition{}}
	hstc, reviewer := seedHSTC(t, owner)
	r := rand.New(rand.NewPCG(seed, 1))

	for i := range nAgencies - 1 {
		a := randomAgency(r, i)
		if err := a.Validate(); err != nil {
			t.Fatalf("generated agency %+v: %v", a, err)
		}
		if err := owner.UpsertAgency(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	center := agency.Agency{Code: "RCTR", Name: "Regional fusion center", Kind: agency.KindCenter, Country: "USA", Federal: true}
	if err := owner.UpsertAgency(ctx, &center); err != nil {
		t.Fatal(err)
	}
	cu := user.User{AgencyID: center.ID, Issuer: "https://idp.test", Subject: "reviewer@rctr", DisplayName: "Regional Reviewer",
		Email: "reviewer@rctr.demo.invalid", Roles: []user.Role{user.RoleReviewer}}
	if err := owner.UpsertUser(ctx, &cu); err != nil {
		t.Fatal(err)
	}
	var err error
	if w.agencies, err = owner.FindAgencies(ctx); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, a := range w.agencies {
		codes = append(codes, a.Code)
		if a.Code == "HSTC" {
			w.releasers = append(w.releasers, releaser{a, reviewer})
		}
	}
	w.releasers = append(w.releasers, releaser{center, cu.ID})
	if hstc != w.releasers[0].agency.ID {
		t.Fatal("HSTC is not the first releaser")
	}

	// Editions are made through the store, as the application role, by a few workers.
	const workers = 4
	w.editions = make([]*genEdition, nEditions)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(100+k)))
			for i := k; i < nEditions; i += workers {
				e, err := w.makeEdition(r, i, codes)
				if err != nil {
					errs <- fmt.Errorf("edition %d: %w", i, err)
					return
				}
				w.editions[i] = e
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, e := range w.editions {
		w.byID[e.ID] = e
	}
	w.checkLedgerMatchesGenerator(t)
	return w
}

// makeEdition creates, approves, releases and disseminates one edition (and sometimes rescinds it).
func (w *leakWorld) makeEdition(r *rand.Rand, i int, codes []string) (*genEdition, error) {
	rl := w.releasers[0]
	if r.IntN(8) == 0 {
		rl = w.releasers[1]
	}
	ctx := actorCtx(rl.user, rl.agency.ID)
	typ := leakTypes[r.IntN(len(leakTypes))]
	section := product.Template(typ)[0].Key
	m1 := randomMarking(r, codes)
	m2 := m1
	if r.IntN(2) == 0 {
		m2 = randomMarking(r, codes)
	}
	title := fmt.Sprintf("Leak world %s %04d x%08x", typ, i, r.Uint32())
	p := product.Product{Type: typ, Title: title, Summary: fmt.Sprintf("BLUF %04d", i), Portions: []product.Portion{
		{Kind: product.KindHeading, Section: section, Body: "Key points", Marking: marking.Marking{Control: marking.Uncontrolled}},
		{Kind: product.KindParagraph, Section: section, Body: fmt.Sprintf("Body %04d one", i), Marking: m1},
		{Kind: product.KindParagraph, Section: section, Body: fmt.Sprintf("Body %04d two", i), Marking: m2},
	}}
	if err := w.app.CreateProduct(ctx, rl.agency.ID, rl.user, &p, m1); err != nil {
		return nil, err
	}
	if err := w.app.TransitionProduct(ctx, rl.agency.ID, rl.user, p.ID, product.StateDraft, product.StateApproved, "test", ""); err != nil {
		return nil, err
	}
	ed, err := w.app.ReleaseProduct(ctx, rl.agency.ID, rl.user, p.ID, time.Now())
	if err != nil {
		return nil, err
	}
	e := &genEdition{ID: ed.ID, Owner: rl.agency.ID, Type: typ, Title: title, Banner: ed.Content.Banner, Recipients: map[int64]bool{}}

	// The audience: a random subset of the agencies the caveat check allows. Half the time the
	// official names every agency one by one (TLP:AMBER+STRICT then admits them), half the time not.
	var candidates []agency.Agency
	var named []string
	for _, a := range w.agencies {
		if a.ID != rl.agency.ID {
			candidates = append(candidates, a)
			named = append(named, a.Code)
		}
	}
	opts := dissem.Options{}
	if r.IntN(2) == 0 {
		opts.Named = named
	}
	density := r.Float64() * 0.7
	if r.IntN(10) == 0 {
		density = 0 // released to the owner only
	}
	var chosen []int64
	for _, v := range dissem.CheckAll(e.Banner, candidates, opts) {
		if v.Allowed && r.Float64() < density {
			chosen = append(chosen, v.AgencyID)
		}
	}
	r.Shuffle(len(chosen), func(a, b int) { chosen[a], chosen[b] = chosen[b], chosen[a] })
	batches := [][]int64{chosen}
	if len(chosen) > 1 && r.IntN(3) == 0 { // a further release of the same edition later
		cut := 1 + r.IntN(len(chosen)-1)
		batches = [][]int64{chosen[:cut], chosen[cut:]}
	}
	for _, b := range batches {
		if len(b) == 0 {
			continue
		}
		n, err := w.app.DisseminateEdition(ctx, rl.agency.ID, rl.user, e.ID, b, "Need to know: generated audience for the leak test", ed.Banner)
		if err != nil {
			return nil, err
		}
		if n != len(b) {
			return nil, fmt.Errorf("disseminate added %d of %d", n, len(b))
		}
		for _, a := range b {
			e.Recipients[a] = true
		}
	}
	if r.IntN(8) == 0 {
		if err := w.app.RescindEdition(ctx, rl.agency.ID, rl.user, e.ID, "Disseminated in error (generated)"); err != nil {
			return nil, err
		}
		e.Rescinded = true
	}
	return e, nil
}

// checkLedgerMatchesGenerator compares the whole ledger and the rescissions, read by the owner role
// around row-level security, with what the generator wrote.
func (w *leakWorld) checkLedgerMatchesGenerator(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	rows, _ := w.owner.Pool.Query(ctx, `SELECT edition_id, agency_id FROM release_ledger`)
	pairs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]int64]bool{}
	for _, p := range pairs {
		got[p] = true
	}
	want := 0
	for _, e := range w.editions {
		for a := range e.Recipients {
			want++
			if !got[[2]int64{e.ID, a}] {
				t.Errorf("ledger lacks edition %d → agency %d", e.ID, a)
			}
		}
	}
	if len(got) != want {
		t.Errorf("ledger holds %d rows, the generator wrote %d", len(got), want)
	}
	rescinded := map[int64]bool{}
	rows, _ = w.owner.Pool.Query(ctx, `SELECT edition_id FROM edition_rescission`)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		rescinded[id] = true
	}
	for _, e := range w.editions {
		if rescinded[e.ID] != e.Rescinded {
			t.Errorf("edition %d rescinded in the database = %v, generator says %v", e.ID, rescinded[e.ID], e.Rescinded)
		}
	}
}

// principalFor is the principal authz is asked about: a liaison of the agency, or, for the owning
// agency (where liaisons have no business), a center analyst.
func principalFor(a agency.Agency, e *genEdition) *user.Principal {
	p := &user.Principal{UserID: 1, AgencyID: a.ID, AgencyCode: a.Code, AgencyKind: a.Kind, Roles: []user.Role{user.RoleLiaison}}
	if a.ID == e.Owner {
		p.Roles = []user.Role{user.RoleAnalyst}
	}
	return p
}

// rlsOnly answers, as the application role inside a transaction that carries nothing but the agency
// setting, how many rows of edition with the id and of its ledger the agency sees.
func rlsOnly(ctx context.Context, app *postgres.DB, agencyID, editionID int64) (editions, ledger int, err error) {
	tx, err := app.Pool.Begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	if _, err := tx.Exec(ctx, `SELECT set_config('tearline.agency_id', $1, true)`, strconv.FormatInt(agencyID, 10)); err != nil {
		return 0, 0, err
	}
	err = tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM edition WHERE id = $1), (SELECT count(*) FROM release_ledger WHERE edition_id = $1)`,
		editionID).Scan(&editions, &ledger)
	return editions, ledger, err
}

type leakPair struct {
	agency agency.Agency
	e      *genEdition
}

// diffStats counts what a differential run checked.
type diffStats struct {
	checked, visible, owned int64
	disagreements           []string
}

// allPairs returns every (agency, edition) pair of the world plus every agency against three ids that
// do not exist, shuffled.
func (w *leakWorld) allPairs(seed uint64) []leakPair {
	var pairs []leakPair
	var maxID int64
	for _, e := range w.editions {
		maxID = max(maxID, e.ID)
	}
	for _, a := range w.agencies {
		for _, e := range w.editions {
			pairs = append(pairs, leakPair{a, e})
		}
		for k := range int64(3) {
			pairs = append(pairs, leakPair{a, &genEdition{ID: maxID + 1 + k, Owner: -1}})
		}
	}
	r := rand.New(rand.NewPCG(seed, 2))
	r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	return pairs
}

// differential asks, for each pair, (a) the SQL filter alone: the store's query on the owner
// connection, which bypasses row-level security; (a+c) the store as the application role; (c) RLS
// alone: the application role in a transaction carrying only the agency setting; (d) authz on the
// recipient relation the generator knows. Each answer must equal the model. It also checks that a
// recipient sees only its own ledger row and the owner all of them.
func (w *leakWorld) differential(t *testing.T, pairs []leakPair) diffStats {
	t.Helper()
	ctx := context.Background()
	var super bool
	if err := w.owner.Pool.QueryRow(ctx, `SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil || !super {
		t.Fatalf("the owner connection must bypass RLS so that the SQL filter is tested alone (bypass=%v, %v)", super, err)
	}
	az, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu                      sync.Mutex
		disagree                []string
		checked, visible, owned atomic.Int64
	)
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		disagree = append(disagree, fmt.Sprintf(format, args...))
	}
	found := func(err error) (bool, error) {
		if err == nil {
			return true, nil
		}
		if apperr.Code(err) == apperr.ENOTFOUND {
			return false, nil
		}
		return false, err
	}
	work := make(chan leakPair)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				a, e := p.agency, p.e
				model := e.visibleTo(a.ID)
				// (a) the SQL filter alone.
				_, _, err := w.owner.FindVisibleEdition(ctx, a.ID, e.ID)
				sqlOK, err := found(err)
				if err != nil {
					report("agency %d (%s) edition %d: SQL filter error %v", a.ID, a.Code, e.ID, err)
					continue
				}
				// (a+c) the store as the application role.
				got, isOwner, err := w.app.FindVisibleEdition(ctx, a.ID, e.ID)
				storeOK, err := found(err)
				if err != nil {
					report("agency %d (%s) edition %d: store error %v", a.ID, a.Code, e.ID, err)
					continue
				}
				if storeOK && (got.ID != e.ID || isOwner != (a.ID == e.Owner)) {
					report("agency %d (%s) edition %d: store returned edition %d owner=%v", a.ID, a.Code, e.ID, got.ID, isOwner)
				}
				// (c) row-level security alone.
				nEd, nLedger, err := rlsOnly(ctx, w.app, a.ID, e.ID)
				if err != nil {
					report("agency %d (%s) edition %d: RLS query error %v", a.ID, a.Code, e.ID, err)
					continue
				}
				rlsOK := nEd == 1
				// (d) authz on the recipient relation the generator knows (nothing to decide on a missing edition).
				azOK := e.Owner != -1 &&
					az.Can(ctx, principalFor(a, e), authz.ActRead, authz.Received(authz.TypeEdition, e.Owner, e.received(a.ID)))
				if sqlOK != model || storeOK != model || rlsOK != model || azOK != model || nEd > 1 {
					report("agency %d (%s, %s) edition %d (owner %d, rescinded %v, in ledger %v): model=%v sql=%v store=%v rls=%v (%d rows) authz=%v",
						a.ID, a.Code, a.Kind, e.ID, e.Owner, e.Rescinded, e.Recipients[a.ID], model, sqlOK, storeOK, rlsOK, nEd, azOK)
				}
				wantLedger := 0
				switch {
				case a.ID == e.Owner:
					wantLedger = len(e.Recipients)
				case e.Recipients[a.ID]:
					wantLedger = 1
				}
				if nLedger != wantLedger {
					report("agency %d (%s) edition %d: sees %d ledger rows by RLS, want %d", a.ID, a.Code, e.ID, nLedger, wantLedger)
				}
				checked.Add(1)
				if model {
					visible.Add(1)
					if a.ID == e.Owner {
						owned.Add(1)
					}
				}
			}
		}()
	}
	for _, p := range pairs {
		work <- p
	}
	close(work)
	wg.Wait()
	return diffStats{checked: checked.Load(), visible: visible.Load(), owned: owned.Load(), disagreements: disagree}
}

// TestLeakDifferential is the differential test of issue 5 over a generated world of 30 agencies and
// 520 editions: every (agency, edition) pair, over 15,000, must get the same answer from the SQL
// filter, the store, row-level security alone and authz as from the generator's model.
func TestLeakDifferential(t *testing.T) {
	start := time.Now()
	seed := leakSeed(t)
	t.Logf("seed %d (replay with TEARLINE_LEAK_SEED=%d)", seed, seed)
	w := newLeakWorld(t, seed, 16, 520)
	built := time.Since(start)
	if len(w.agencies) < 20 || len(w.editions) < 500 {
		t.Fatalf("world too small: %d agencies, %d editions", len(w.agencies), len(w.editions))
	}
	pairs := w.allPairs(seed)
	st := w.differential(t, pairs)
	for i, d := range st.disagreements {
		if i == 50 {
			t.Errorf("… and %d more disagreements", len(st.disagreements)-50)
			break
		}
		t.Error(d)
	}
	if st.checked < 10000 || st.checked != int64(len(pairs)) {
		t.Errorf("checked %d pairs of %d, want all and at least 10,000", st.checked, len(pairs))
	}
	// The world must exercise both answers, or agreement proves little.
	if st.visible-st.owned < 1000 || int64(len(pairs))-st.visible < 1000 {
		t.Errorf("degenerate world: %d visible pairs (%d as owner) of %d", st.visible, st.owned, len(pairs))
	}
	rescinded, received := 0, 0
	for _, e := range w.editions {
		if e.Rescinded {
			rescinded++
		}
		received += len(e.Recipients)
	}
	t.Logf("%d agencies, %d editions (%d rescinded, %d ledger rows); %d pairs checked, %d visible (%d as owner), %d disagreements; world built in %v, total %v",
		len(w.agencies), len(w.editions), rescinded, received, st.checked, st.visible, st.owned, len(st.disagreements),
		built.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	t.Run("inbox equals the model", func(t *testing.T) { w.checkInboxes(t) })
	t.Run("RLS alone shows exactly the visible set", func(t *testing.T) { w.checkRLSSets(t) })
	t.Run("empty or missing setting sees nothing", func(t *testing.T) { checkNoSetting(t, w) })
}

// TestLeakDifferentialDetectsPlantedLeaks checks the checker: leaks planted in a small world's
// database (a policy that forgets rescission, a ledger row the generator never wrote) must be
// reported, each naming the pair.
func TestLeakDifferentialDetectsPlantedLeaks(t *testing.T) {
	seed := leakSeed(t)
	t.Logf("seed %d", seed)
	w := newLeakWorld(t, seed, 6, 60)
	ctx := context.Background()
	if st := w.differential(t, w.allPairs(seed)); len(st.disagreements) != 0 {
		t.Fatalf("the unmodified world disagrees: %v", st.disagreements[0])
	}
	var victim *genEdition
	var outsider agency.Agency
	for _, e := range w.editions {
		for _, a := range w.agencies {
			if a.ID != e.Owner && !e.Recipients[a.ID] && victim == nil {
				victim, outsider = e, a
			}
		}
	}
	if victim == nil {
		t.Fatal("no edition with an outsider")
	}
	var reviewer int64
	if err := w.owner.Pool.QueryRow(ctx, `SELECT id FROM app_user WHERE subject = 'reviewer@hstc'`).Scan(&reviewer); err != nil {
		t.Fatal(err)
	}
	// A ledger row the generator does not know: the SQL filter, the store and RLS all show the
	// edition; the model and authz do not.
	if _, err := w.owner.Pool.Exec(ctx, `INSERT INTO release_ledger (edition_id, agency_id, released_by, justification, caveats)
		VALUES ($1, $2, $3, 'Planted by the self-test', '')`, victim.ID, outsider.ID, reviewer); err != nil {
		t.Fatal(err)
	}
	st := w.differential(t, []leakPair{{outsider, victim}})
	if len(st.disagreements) == 0 || !strings.Contains(st.disagreements[0], fmt.Sprintf("edition %d", victim.ID)) {
		t.Errorf("a planted ledger row went unnoticed: %v", st.disagreements)
	}
	// A recipient policy that forgets rescission: RLS alone would show rescinded editions.
	var rescinded []leakPair
	for _, e := range w.editions {
		for a := range e.Recipients {
			if e.Rescinded {
				ag, _ := w.owner.FindAgencyByID(ctx, a)
				rescinded = append(rescinded, leakPair{ag, e})
			}
		}
	}
	if len(rescinded) == 0 { // rescind one with recipients so that the check has something to see
		for _, e := range w.editions {
			if len(e.Recipients) > 0 && e.Owner == w.releasers[0].agency.ID {
				rl := w.releasers[0]
				if err := w.app.RescindEdition(actorCtx(rl.user, rl.agency.ID), rl.agency.ID, rl.user, e.ID, "Planted rescission"); err != nil {
					t.Fatal(err)
				}
				e.Rescinded = true
				for a := range e.Recipients {
					ag, _ := w.owner.FindAgencyByID(ctx, a)
					rescinded = append(rescinded, leakPair{ag, e})
				}
				break
			}
		}
	}
	if _, err := w.owner.Pool.Exec(ctx, `ALTER POLICY edition_recipient ON edition USING (tearline_received(id))`); err != nil {
		t.Fatal(err)
	}
	st = w.differential(t, rescinded)
	if len(st.disagreements) != len(rescinded) || !strings.Contains(st.disagreements[0], "rls=true") {
		t.Errorf("a policy that forgets rescission: %d disagreements for %d pairs: %v", len(st.disagreements), len(rescinded), st.disagreements)
	}
}

// checkInboxes compares every agency's inbox (all pages, and each type filter) with the model, both
// through the application role and through the SQL filter alone (owner role).
func (w *leakWorld) checkInboxes(t *testing.T) {
	ctx := context.Background()
	for _, a := range w.agencies {
		var want []int64
		byType := map[product.Type][]int64{}
		for _, e := range w.editions {
			if e.received(a.ID) {
				want = append(want, e.ID)
				byType[e.Type] = append(byType[e.Type], e.ID)
			}
		}
		for name, db := range map[string]*postgres.DB{"app": w.app, "sql-only": w.owner} {
			// Every page of 50, newest first.
			var got []int64
			var last time.Time
			for page := 0; ; page++ {
				box, err := db.FindInbox(ctx, a.ID, 0, product.InboxFilter{Limit: 50, Offset: page * 50})
				items, total := box.Items, box.Total
				if err != nil {
					t.Fatalf("%s inbox of %s: %v", name, a.Code, err)
				}
				if len(items) > 0 && total != len(want) {
					t.Errorf("%s inbox of %s: total %d, model %d", name, a.Code, total, len(want))
				}
				for _, it := range items {
					if !last.IsZero() && it.ReleasedAt.After(last) {
						t.Errorf("%s inbox of %s is not newest first at edition %d", name, a.Code, it.EditionID)
					}
					last = it.ReleasedAt
					got = append(got, it.EditionID)
					if e := w.byID[it.EditionID]; e == nil || e.Title != it.Title {
						t.Errorf("%s inbox of %s: item %d %q is not a generated edition", name, a.Code, it.EditionID, it.Title)
					}
				}
				if len(items) < 50 {
					break
				}
			}
			if d := diffIDs(got, want); d != "" {
				t.Errorf("%s inbox of %s (%d items) differs from the model (%d): %s", name, a.Code, len(got), len(want), d)
			}
			for _, typ := range leakTypes {
				box, err := db.FindInbox(ctx, a.ID, 0, product.InboxFilter{Type: typ, Limit: 1000})
				items, total := box.Items, box.Total
				if err != nil {
					t.Fatal(err)
				}
				ids := make([]int64, 0, len(items))
				for _, it := range items {
					ids = append(ids, it.EditionID)
				}
				if d := diffIDs(ids, byType[typ]); d != "" || (len(items) > 0 && total != len(byType[typ])) {
					t.Errorf("%s inbox of %s filtered by %s: total %d, %s", name, a.Code, typ, total, d)
				}
			}
		}
	}
}

// checkRLSSets asks RLS alone, per agency, for every edition id it shows, and compares the set with
// the model (owned editions plus live received ones).
func (w *leakWorld) checkRLSSets(t *testing.T) {
	ctx := context.Background()
	for _, a := range w.agencies {
		var want []int64
		for _, e := range w.editions {
			if e.visibleTo(a.ID) {
				want = append(want, e.ID)
			}
		}
		tx, err := w.app.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('tearline.agency_id', $1, true)`, strconv.FormatInt(a.ID, 10)); err != nil {
			t.Fatal(err)
		}
		rows, _ := tx.Query(ctx, `SELECT id FROM edition`)
		got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		_ = tx.Rollback(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffIDs(got, want); d != "" {
			t.Errorf("RLS shows %s (%s) %d editions, model %d: %s", a.Code, a.Kind, len(got), len(want), d)
		}
	}
}

// checkNoSetting: a transaction without the agency setting, or with an empty one, sees no row of any
// protected table (the world holds rows in all of them but acknowledgement, feedback and attachment),
// and the store asked for agency 0 finds nothing.
func checkNoSetting(t *testing.T, w *leakWorld) {
	ctx := context.Background()
	tables := []string{"edition", "release_ledger", "receipt", "edition_rescission", "acknowledgement", "feedback", "product", "portion", "attachment"}
	// Receipts: recipients open a few editions, so that the receipt table holds rows too.
	opened := 0
	for _, e := range w.editions {
		for a := range e.Recipients {
			if opened < 30 && e.received(a) {
				got, _, err := w.app.FindVisibleEdition(ctx, a, e.ID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.app.ViewEdition(actorCtx(w.releasers[0].user, a), a, w.releasers[0].user, got); err != nil {
					t.Fatal(err)
				}
				opened++
			}
		}
	}
	for _, tbl := range []string{"edition", "release_ledger", "receipt", "edition_rescission", "product", "portion"} {
		if count(t, w.owner, `SELECT count(*) FROM `+pgx.Identifier{tbl}.Sanitize()) == 0 {
			t.Fatalf("the world holds no %s rows; the check would prove nothing", tbl)
		}
	}
	conn, err := w.app.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// "0" names no agency; "missing" sends no setting at all.
	for _, setting := range []string{"missing", "", "0"} {
		for _, tbl := range tables {
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if setting != "missing" {
				if _, err := tx.Exec(ctx, `SELECT set_config('tearline.agency_id', $1, true)`, setting); err != nil {
					t.Fatal(err)
				}
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{tbl}.Sanitize()).Scan(&n); err != nil {
				t.Fatalf("%s: %v", tbl, err)
			}
			_ = tx.Rollback(ctx)
			if n != 0 {
				t.Errorf("with the setting %q the application role sees %d rows of %s", setting, n, tbl)
			}
		}
	}
	if box, err := w.app.FindInbox(ctx, 0, 0, product.InboxFilter{Limit: 1000}); err != nil || len(box.Items) != 0 || box.Total != 0 || len(box.Recalled) != 0 {
		t.Errorf("inbox of agency 0: %d items, total %d, %d recall notices, %v", len(box.Items), box.Total, len(box.Recalled), err)
	}
	for _, e := range w.editions[:50] {
		if _, _, err := w.app.FindVisibleEdition(ctx, 0, e.ID); apperr.Code(err) != apperr.ENOTFOUND {
			t.Errorf("agency 0 opening edition %d: %v", e.ID, err)
		}
	}
}

// diffIDs describes how got differs from want as sets (and flags duplicates), or returns "".
func diffIDs(got, want []int64) string {
	g, wnt := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(wnt)
	if slices.Equal(g, wnt) {
		return ""
	}
	in := map[int64]int{}
	for _, id := range g {
		in[id]++
	}
	var extra, missing, dup []int64
	for id, n := range in {
		if n > 1 {
			dup = append(dup, id)
		}
	}
	for _, id := range wnt {
		if in[id] == 0 {
			missing = append(missing, id)
		}
		delete(in, id)
	}
	for id := range in {
		extra = append(extra, id)
	}
	return fmt.Sprintf("extra (leaked) %v, missing %v, duplicated %v", extra, missing, dup)
}

// TestLeakPoolInterleaving runs two agencies' requests interleaved over an application-role pool of
// two connections for a few seconds: no answer may ever hold the other agency's editions, and a query
// without the setting on a connection the other agency just used sees nothing.
func TestLeakPoolInterleaving(t *testing.T) {
	d := pgtest.New(t)
	app, owner := pgtest.Open(t, d), pgtest.OpenOwner(t, d)
	ctx := context.Background()
	u, err := url.Parse(d.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "2")
	u.RawQuery = q.Encode()
	small, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	if n := small.Pool.Config().MaxConns; n != 2 {
		t.Fatalf("pool max conns = %d, want 2", n)
	}

	hstc, reviewer := seedHSTC(t, owner)
	ice, err := owner.FindAgencyByCode(ctx, "ICE")
	if err != nil {
		t.Fatal(err)
	}
	nca, err := owner.FindAgencyByCode(ctx, "NCA")
	if err != nil {
		t.Fatal(err)
	}
	sets := map[int64][]int64{}
	for i := range 12 {
		to := ice
		if i%2 == 1 {
			to = nca
		}
		id := approvedProduct(t, app, hstc, reviewer, product.TypeBulletin, fmt.Sprintf("Pool bulletin %d for %s", i, to.Code))
		e, err := app.ReleaseProduct(actorCtx(reviewer, hstc), hstc, reviewer, id, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if v := dissem.Check(e.Content.Banner, to, dissem.Options{}); !v.Allowed {
			t.Fatalf("%s refused: %v", to.Code, v.Reasons)
		}
		if _, err := app.DisseminateEdition(actorCtx(reviewer, hstc), hstc, reviewer, e.ID, []int64{to.ID}, "Pool test audience, one agency each", e.Banner); err != nil {
			t.Fatal(err)
		}
		sets[to.ID] = append(sets[to.ID], e.ID)
	}
	other := map[int64]int64{ice.ID: nca.ID, nca.ID: ice.ID}

	t.Run("the setting is transaction-local on the same connection", func(t *testing.T) {
		conn, err := small.Pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Release()
		var pid, pid2 int32
		if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		after := func(how string) {
			t.Helper()
			var setting *string
			var n int
			if err := conn.QueryRow(ctx, `SELECT current_setting('tearline.agency_id', true), (SELECT count(*) FROM edition), pg_backend_pid()`).
				Scan(&setting, &n, &pid2); err != nil {
				t.Fatal(err)
			}
			if pid2 != pid {
				t.Fatalf("not the same connection (%d then %d)", pid, pid2)
			}
			if (setting != nil && *setting != "") || n != 0 {
				s := "NULL"
				if setting != nil {
					s = strconv.Quote(*setting)
				}
				t.Errorf("after %s: the next query on the connection has setting %s and sees %d editions", how, s, n)
			}
		}
		// An explicit transaction, committed.
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if _, err := tx.Exec(ctx, `SELECT set_config('tearline.agency_id', $1, true)`, strconv.FormatInt(ice.ID, 10)); err != nil {
			t.Fatal(err)
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM edition`).Scan(&n); err != nil || n != len(sets[ice.ID]) {
			t.Fatalf("inside the transaction ICE sees %d editions (%v), want %d", n, err, len(sets[ice.ID]))
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		after("a committed transaction")
		// An explicit transaction, rolled back after an error.
		tx, err = conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('tearline.agency_id', $1, true)`, strconv.FormatInt(nca.ID, 10)); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `SELECT 1/0`); err == nil {
			t.Fatal("division by zero succeeded")
		}
		_ = tx.Rollback(ctx)
		after("a failed, rolled-back transaction")
		// The A3 form: one batch, setting and query in one implicit transaction.
		b := &pgx.Batch{}
		b.Queue(`SELECT set_config('tearline.agency_id', $1, true)`, strconv.FormatInt(nca.ID, 10))
		b.Queue(`SELECT count(*) FROM edition`)
		br := conn.SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			t.Fatal(err)
		}
		if err := br.QueryRow().Scan(&n); err != nil || n != len(sets[nca.ID]) {
			t.Fatalf("in the batch NCA sees %d editions (%v)", n, err)
		}
		if err := br.Close(); err != nil {
			t.Fatal(err)
		}
		after("a batch")
		// The store's own inbox query, on whichever connection it gets (there are two).
		for range 4 {
			if _, err := small.FindInbox(ctx, ice.ID, 0, product.InboxFilter{Limit: 50}); err != nil {
				t.Fatal(err)
			}
		}
		after("store inbox queries")
	})

	t.Run("interleaved agencies", func(t *testing.T) {
		var ops, leaks atomic.Int64
		var mu sync.Mutex
		var first []string
		fail := func(format string, args ...any) {
			leaks.Add(1)
			mu.Lock()
			defer mu.Unlock()
			if len(first) < 20 {
				first = append(first, fmt.Sprintf(format, args...))
			}
		}
		deadline := time.Now().Add(3 * time.Second)
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(g), 7))
				agencies := []int64{ice.ID, nca.ID}
				for time.Now().Before(deadline) {
					me := agencies[r.IntN(2)]
					mine, theirs := sets[me], sets[other[me]]
					switch r.IntN(5) {
					case 0:
						box, err := small.FindInbox(ctx, me, 0, product.InboxFilter{Limit: 50})
						items, total := box.Items, box.Total
						if err != nil {
							fail("inbox: %v", err)
							continue
						}
						var ids []int64
						for _, it := range items {
							ids = append(ids, it.EditionID)
						}
						if d := diffIDs(ids, mine); d != "" || total != len(mine) {
							fail("inbox of %d: %s (total %d)", me, d, total)
						}
					case 1:
						id := theirs[r.IntN(len(theirs))]
						if _, _, err := small.FindVisibleEdition(ctx, me, id); apperr.Code(err) != apperr.ENOTFOUND {
							fail("agency %d opened the other agency's edition %d: %v", me, id, err)
						}
					case 2:
						id := mine[r.IntN(len(mine))]
						if e, _, err := small.FindVisibleEdition(ctx, me, id); err != nil || e.ID != id {
							fail("agency %d could not open its edition %d: %v", me, id, err)
						}
					case 3: // no setting at all, on a connection the other goroutines keep using
						var n int
						if err := small.Pool.QueryRow(ctx, `SELECT count(*) FROM edition`).Scan(&n); err != nil || n != 0 {
							fail("a query without the setting saw %d editions (%v)", n, err)
						}
					default: // RLS alone, in the A3 batch form
						b := &pgx.Batch{}
						b.Queue(`SELECT set_config('tearline.agency_id', $1, true)`, strconv.FormatInt(me, 10))
						b.Queue(`SELECT coalesce(array_agg(id), '{}') FROM edition`)
						br := small.Pool.SendBatch(ctx, b)
						var ids []int64
						_, err := br.Exec()
						if err == nil {
							err = br.QueryRow().Scan(&ids)
						}
						if cerr := br.Close(); err == nil {
							err = cerr
						}
						if err != nil {
							fail("batch: %v", err)
						} else if d := diffIDs(ids, mine); d != "" {
							fail("RLS batch for %d: %s", me, d)
						}
					}
					ops.Add(1)
					if st := small.Pool.Stat(); st.TotalConns() > 2 {
						fail("pool grew to %d connections", st.TotalConns())
					}
				}
			}()
		}
		wg.Wait()
		for _, f := range first {
			t.Error(f)
		}
		if leaks.Load() > 0 {
			t.Errorf("%d failures in %d interleaved operations", leaks.Load(), ops.Load())
		}
		if ops.Load() < 500 {
			t.Errorf("only %d operations in 3 s; the interleaving proves little", ops.Load())
		}
		st := small.Pool.Stat()
		t.Logf("%d interleaved operations of 16 goroutines over %d connections (%d acquires, %d waited for a connection)",
			ops.Load(), st.TotalConns(), st.AcquireCount(), st.EmptyAcquireCount())
	})
}
