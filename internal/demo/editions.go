package demo

import (
	"context"
	"fmt"
	"time"

	"tearline/internal/product"
)

// EditionStore is what seeding released editions needs.
type EditionStore interface {
	DraftStore
	FindProductIDByTitle(ctx context.Context, agencyID int64, title string) (int64, product.State, error)
	TransitionProduct(ctx context.Context, agencyID, userID, productID int64, from, to product.State, action, comment string) error
	ReleaseProduct(ctx context.Context, agencyID, userID, productID int64, now time.Time) (product.Edition, error)
}

// SeedEditions walks the first clean seeded draft of each type through peer review (by the other
// analyst), supervisory review and release (by the releasing official), so the demo holds a released
// edition of every type. Drafts already past draft are left alone, so running it again changes nothing.
func SeedEditions(ctx context.Context, s EditionStore, issuer string) (released int, err error) {
	hstc, err := s.FindAgencyByCode(ctx, "HSTC")
	if err != nil {
		return 0, fmt.Errorf("find HSTC: %w", err)
	}
	ids := map[string]int64{}
	for _, hint := range []string{"analyst@hstc", "analyst2@hstc", "reviewer@hstc"} {
		u, err := s.FindUserByIdentity(ctx, issuer, hint)
		if err != nil {
			return 0, fmt.Errorf("find %s: %w", hint, err)
		}
		ids[hint] = u.ID
	}
	done := map[product.Type]bool{}
	for _, d := range Drafts() {
		t := d.Product.Type
		// Assessments are released only through the steering group; SeedSteering seeds those.
		if done[t] || d.Flawed || d.Hedged || t == product.TypeAssessment {
			continue
		}
		done[t] = true
		id, state, err := s.FindProductIDByTitle(ctx, hstc.ID, d.Product.Title)
		if err != nil {
			return released, fmt.Errorf("find %q: %w", d.Product.Title, err)
		}
		if state != product.StateDraft {
			continue
		}
		author := ids[d.Author]
		peer := ids["analyst2@hstc"]
		if author == peer {
			peer = ids["analyst@hstc"]
		}
		steps := []struct {
			by       int64
			from, to product.State
			action   string
		}{
			{author, product.StateDraft, product.StatePeerReview, "submit"},
			{peer, product.StatePeerReview, product.StateSupervisoryReview, "peer_approve"},
			{ids["reviewer@hstc"], product.StateSupervisoryReview, product.StateApproved, "supervise_approve"},
		}
		for _, st := range steps {
			if err := s.TransitionProduct(ctx, hstc.ID, st.by, id, st.from, st.to, st.action, ""); err != nil {
				return released, fmt.Errorf("%s %q: %w", st.action, d.Product.Title, err)
			}
		}
		if _, err := s.ReleaseProduct(ctx, hstc.ID, ids["reviewer@hstc"], id, time.Now()); err != nil {
			return released, fmt.Errorf("release %q: %w", d.Product.Title, err)
		}
		released++
	}
	return released, nil
}
