package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"tearline/internal/marking"
	"tearline/internal/product"
)

// EditionStore is what seeding released editions needs.
type EditionStore interface {
	DraftStore
	FindProductIDByTitle(ctx context.Context, agencyID int64, title string) (int64, product.State, error)
	TransitionProduct(ctx context.Context, agencyID, userID, productID int64, from, to product.State, action, comment string) error
	ReleaseProduct(ctx context.Context, agencyID, userID, productID int64, now time.Time) (product.Edition, error)
	CreateAttachment(ctx context.Context, agencyID, userID, productID int64, a *product.Attachment, data []byte) error
}

// annex is a demo attachment: a small, entirely fictional data file released with an edition.
type annex struct {
	filename, contentType, body string
}

// annexes are attached to the first released draft of their type before it goes to review.
var annexes = map[product.Type]annex{
	product.TypeBulletin: {"departure-windows.csv", "text/csv", "week,sector,departures_observed,vessel_type\n" +
		"2026-W36,North coast sector 2,4,rigid inflatable\n2026-W37,North coast sector 2,6,rigid inflatable\n" +
		"2026-W38,North coast sector 3,3,fishing vessel\n2026-W39,North coast sector 2,7,rigid inflatable\n"},
	product.TypeReport: {"payment-corridors.csv", "text/csv", "corridor,channel,transfers_flagged,median_amount_usd\n" +
		"Route A,informal value transfer,38,1450\nRoute A,prepaid cards,12,600\nRoute B,money service business,21,2100\n"},
}

// attachAnnex attaches the type's annex, marked like the draft's first marked paragraph so the banner
// does not change.
func attachAnnex(ctx context.Context, s EditionStore, agencyID, userID, productID int64, d Draft) error {
	x, ok := annexes[d.Product.Type]
	if !ok {
		return nil
	}
	m := marking.Marking{Control: marking.Uncontrolled}
	for _, p := range d.Product.Portions {
		if p.Kind != product.KindHeading && p.Marking.Control != "" {
			m = p.Marking
			break
		}
	}
	sum := sha256.Sum256([]byte(x.body))
	a := product.Attachment{StoredName: hex.EncodeToString(sum[:16]), Filename: x.filename, ContentType: x.contentType,
		Size: int64(len(x.body)), SHA256: hex.EncodeToString(sum[:]), Marking: m}
	return s.CreateAttachment(ctx, agencyID, userID, productID, &a, []byte(x.body))
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
		if err := attachAnnex(ctx, s, hstc.ID, author, id, d); err != nil {
			return released, fmt.Errorf("attach to %q: %w", d.Product.Title, err)
		}
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
