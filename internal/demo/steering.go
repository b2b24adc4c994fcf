package demo

import (
	"context"
	"fmt"
	"time"

	"tearline/internal/product"
	"tearline/internal/workflow"
)

// SteeringStore is what seeding the steering group's work needs.
type SteeringStore interface {
	EditionStore
	AssignSteering(ctx context.Context, agencyID, userID, productID int64, memberIDs []int64) error
	RecordSteeringDecision(ctx context.Context, memberUserID, memberAgencyID, productID int64, d workflow.Decision, comment string) (product.State, error)
}

// SeedSteering walks the clean seeded strategic assessments through the steering group: the first
// is approved by State and Justice and released, the second waits in steering review with State's
// concurrence recorded and Justice and DHS I&A still to decide. Assessments already past draft are
// left alone, so running it again changes nothing.
func SeedSteering(ctx context.Context, s SteeringStore, issuer string) (released, waiting int, err error) {
	hstc, err := s.FindAgencyByCode(ctx, "HSTC")
	if err != nil {
		return 0, 0, fmt.Errorf("find HSTC: %w", err)
	}
	type who struct{ id, agency int64 }
	people := map[string]who{}
	for _, hint := range []string{"analyst@hstc", "analyst2@hstc", "reviewer@hstc", "steering@dos", "steering@doj", "steering@dhs-ia"} {
		u, err := s.FindUserByIdentity(ctx, issuer, hint)
		if err != nil {
			return 0, 0, fmt.Errorf("find %s: %w", hint, err)
		}
		people[hint] = who{u.ID, u.AgencyID}
	}
	chief := people["reviewer@hstc"].id
	var clean []Draft
	for _, d := range Drafts() {
		if d.Product.Type == product.TypeAssessment && !d.Flawed && !d.Hedged {
			clean = append(clean, d)
		}
	}
	for i, d := range clean[:min(2, len(clean))] {
		id, state, err := s.FindProductIDByTitle(ctx, hstc.ID, d.Product.Title)
		if err != nil {
			return released, waiting, fmt.Errorf("find %q: %w", d.Product.Title, err)
		}
		if state != product.StateDraft {
			continue
		}
		author, peer := people[d.Author].id, people["analyst2@hstc"].id
		if author == peer {
			peer = people["analyst@hstc"].id
		}
		step := func(by int64, from, to product.State, action string) error {
			if err := s.TransitionProduct(ctx, hstc.ID, by, id, from, to, action, ""); err != nil {
				return fmt.Errorf("%s %q: %w", action, d.Product.Title, err)
			}
			return nil
		}
		if err := step(author, product.StateDraft, product.StatePeerReview, "submit"); err != nil {
			return released, waiting, err
		}
		if err := step(peer, product.StatePeerReview, product.StateSupervisoryReview, "peer_approve"); err != nil {
			return released, waiting, err
		}
		members := []int64{people["steering@dos"].id, people["steering@doj"].id, people["steering@dhs-ia"].id}
		if err := s.AssignSteering(ctx, hstc.ID, chief, id, members); err != nil {
			return released, waiting, fmt.Errorf("assign steering to %q: %w", d.Product.Title, err)
		}
		if err := step(chief, product.StateSupervisoryReview, product.StateSteeringReview, "supervise_approve"); err != nil {
			return released, waiting, err
		}
		decide := func(hint string, dec workflow.Decision, comment string) error {
			m := people[hint]
			if _, err := s.RecordSteeringDecision(ctx, m.id, m.agency, id, dec, comment); err != nil {
				return fmt.Errorf("%s decides on %q: %w", hint, d.Product.Title, err)
			}
			return nil
		}
		if err := decide("steering@dos", workflow.ConcurWithComments,
			"State concurs; the outlook should mention the visa-policy changes announced by transit countries."); err != nil {
			return released, waiting, err
		}
		if i == 1 {
			waiting++
			continue
		}
		if err := decide("steering@doj", workflow.Concur, ""); err != nil {
			return released, waiting, err
		}
		if _, err := s.ReleaseProduct(ctx, hstc.ID, chief, id, time.Now()); err != nil {
			return released, waiting, fmt.Errorf("release %q: %w", d.Product.Title, err)
		}
		released++
	}
	return released, waiting, nil
}
