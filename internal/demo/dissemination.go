package demo

import (
	"context"
	"fmt"
	"time"

	"tearline/internal/agency"
	"tearline/internal/dissem"
	"tearline/internal/product"
)

// DisseminationStore is what seeding the dissemination needs.
type DisseminationStore interface {
	EditionStore
	FindAgencies(ctx context.Context) ([]agency.Agency, error)
	FindEditions(ctx context.Context, agencyID, productID int64) ([]product.Edition, error)
	FindLedger(ctx context.Context, agencyID, editionID int64) ([]product.LedgerEntry, error)
	DisseminateEdition(ctx context.Context, agencyID, userID, editionID int64, recipients []int64, justification, caveats string) (int, error)
	RescindEdition(ctx context.Context, agencyID, userID, editionID int64, reason string) error
}

// audiences says, per product type, which agencies the demo releases seeded editions to; each is
// still checked against the edition's caveats, so a NOFORN edition never reaches a partner.
var audiences = map[product.Type][]string{
	product.TypeBulletin:   {"ICE", "CBP", "USCG", "FBI", "NCA", "EUROPOL"},
	product.TypeReport:     {"ICE", "CBP", "FBI", "DOS", "NCA", "EUROPOL", "FGR"},
	product.TypeNote:       {"ICE", "USCG", "NCA", "FGR", "INTERPOL"},
	product.TypeAnalysis:   {"ICE", "CBP", "USCG", "FBI", "DOJ", "DHS-IA", "ODNI", "EUROPOL", "FRONTEX"},
	product.TypeTarget:     {"ICE", "FBI", "USCG"},
	product.TypeAssessment: {"DOS", "DOJ", "DHS-IA", "ODNI", "ICE", "CBP"},
}

// SeedDissemination releases each seeded edition that reached no agency yet to its type's audience
// (as far as its caveats allow), recalls one disseminated in error, and supersedes another with a
// revision that reaches the same recipients. Running it again changes nothing.
func SeedDissemination(ctx context.Context, s DisseminationStore, issuer string) (released int, err error) {
	hstc, err := s.FindAgencyByCode(ctx, "HSTC")
	if err != nil {
		return 0, err
	}
	rev, err := s.FindUserByIdentity(ctx, issuer, "reviewer@hstc")
	if err != nil {
		return 0, err
	}
	all, err := s.FindAgencies(ctx)
	if err != nil {
		return 0, err
	}
	byCode := map[string]agency.Agency{}
	for _, a := range all {
		byCode[a.Code] = a
	}
	var first *product.Edition
	for _, d := range Drafts() {
		id, state, err := s.FindProductIDByTitle(ctx, hstc.ID, d.Product.Title)
		if err != nil || state != product.StateReleased {
			continue
		}
		eds, err := s.FindEditions(ctx, hstc.ID, id)
		if err != nil || len(eds) == 0 {
			return released, fmt.Errorf("editions of %q: %w", d.Product.Title, err)
		}
		e := eds[0]
		ledger, err := s.FindLedger(ctx, hstc.ID, e.ID)
		if err != nil {
			return released, err
		}
		if len(ledger) > 0 || e.Rescinded != nil {
			continue
		}
		var candidates []agency.Agency
		for _, code := range audiences[e.Type] {
			candidates = append(candidates, byCode[code])
		}
		var ids []int64
		for _, v := range dissem.CheckAll(e.Content.Banner, candidates, dissem.Options{}) {
			if v.Allowed {
				ids = append(ids, v.AgencyID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		if _, err := s.DisseminateEdition(ctx, hstc.ID, rev.ID, e.ID, ids,
			"Member agencies and partners working the routes and networks this product describes.", e.Banner); err != nil {
			return released, fmt.Errorf("disseminate %s: %w", e.Label(), err)
		}
		released++
		if first == nil {
			first = &e
		}
	}
	if released == 0 || first == nil {
		return released, nil
	}
	// One extra edition released in error and recalled, so recipients see a recall notice.
	if err := seedRecalled(ctx, s, hstc.ID, rev.ID, byCode); err != nil {
		return released, err
	}
	// The first disseminated edition is revised and superseded: rev 2 reaches the same recipients.
	for _, st := range []struct{ from, to product.State }{{product.StateReleased, product.StateDraft}, {product.StateDraft, product.StateApproved}} {
		if err := s.TransitionProduct(ctx, hstc.ID, rev.ID, first.ProductID, st.from, st.to, "revise", "Corrected figures"); err != nil {
			return released, fmt.Errorf("revise %s: %w", first.Label(), err)
		}
	}
	if _, err := s.ReleaseProduct(ctx, hstc.ID, rev.ID, first.ProductID, time.Now()); err != nil {
		return released, fmt.Errorf("supersede %s: %w", first.Label(), err)
	}
	return released, nil
}

func seedRecalled(ctx context.Context, s DisseminationStore, hstc, reviewer int64, byCode map[string]agency.Agency) error {
	for _, d := range Drafts() {
		if d.Product.Type != product.TypeNote || d.Flawed || d.Hedged {
			continue
		}
		id, state, err := s.FindProductIDByTitle(ctx, hstc, d.Product.Title)
		if err != nil || state != product.StateDraft {
			continue
		}
		if err := s.TransitionProduct(ctx, hstc, reviewer, id, product.StateDraft, product.StateApproved, "supervise_approve", "Seeded"); err != nil {
			return err
		}
		e, err := s.ReleaseProduct(ctx, hstc, reviewer, id, time.Now())
		if err != nil {
			return err
		}
		if _, err := s.DisseminateEdition(ctx, hstc, reviewer, e.ID, []int64{byCode["ICE"].ID, byCode["CBP"].ID},
			"Released to the wrong distribution by mistake.", e.Banner); err != nil {
			return err
		}
		return s.RescindEdition(ctx, hstc, reviewer, e.ID, "Disseminated in error: intended for the center only.")
	}
	return nil
}
