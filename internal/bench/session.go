package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Bench-only sign-in. Bench users have an issuer no provider serves, so they cannot sign in; the
// runner writes their sessions straight into the portal's session table (scs with pgxstore, the same
// store and codec the portal uses), with the keys internal/auth reads: signed in now, the system-use
// notice acknowledged. If those keys change, the bench's own test fails (its pages answer 303/401).
const (
	keyUserID    = "user_id"
	keyIdentity  = "identity"
	keyAuthAt    = "auth_at"
	keyLastSeen  = "last_seen"
	keyNoticeAck = "notice_ack"
)

// SessionCookie is the portal's session cookie name over http.
const SessionCookie = "tearline_session"

// Persona is one signed-in bench user.
type Persona struct {
	UserID   int64
	AgencyID int64
	Code     string
	Token    string  // session token (cookie value)
	Editions []int64 // editions the agency may see, for the product page
}

// fixtures are the personas of a run: liaisons and administrators of the same random agencies.
type fixtures struct {
	liaisons, admins []Persona
	releaser         int64
	center           int64
	idle             []int64 // agencies that receive nothing
}

// loadFixtures picks n random audience agencies (seeded) and mints a session for each one's liaison
// and administrator, as the owner role (which owns the session table's rows as any other).
func loadFixtures(ctx context.Context, owner *pgxpool.Pool, n int, seed uint64) (*fixtures, error) {
	f := &fixtures{}
	if err := owner.QueryRow(ctx, `SELECT u.id, u.agency_id FROM app_user u WHERE u.issuer = $1 AND u.subject = $2`,
		Issuer, ReleaserSubject).Scan(&f.releaser, &f.center); err != nil {
		return nil, fmt.Errorf("no bench corpus in this database (run tearline seed-bench): %w", err)
	}
	rows, _ := owner.Query(ctx, `SELECT a.id FROM agency a WHERE a.code LIKE 'BX-%'
		AND NOT EXISTS (SELECT 1 FROM release_ledger l WHERE l.agency_id = a.id) ORDER BY a.code`)
	idle, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	f.idle = idle
	rows, _ = owner.Query(ctx, `SELECT a.id, a.code, l.id, ad.id FROM agency a
		JOIN app_user l ON l.agency_id = a.id AND l.issuer = $1 AND l.subject = 'liaison@' || a.code
		JOIN app_user ad ON ad.agency_id = a.id AND ad.issuer = $1 AND ad.subject = 'admin@' || a.code
		WHERE a.code LIKE 'BX-%' AND EXISTS (SELECT 1 FROM release_ledger x WHERE x.agency_id = a.id) ORDER BY a.code`, Issuer)
	type ag struct {
		id            int64
		code          string
		liaison, admn int64
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ag, error) {
		var a ag
		return a, r.Scan(&a.id, &a.code, &a.liaison, &a.admn)
	})
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("no bench agency has received anything")
	}
	r := rand.New(rand.NewPCG(seed, 99)) // #nosec G404 -- seeded on purpose: reproducible benchmark sessions
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	sm := scs.New()
	sm.Store = pgxstore.NewWithCleanupInterval(owner, 0)
	sm.Lifetime = 12 * time.Hour
	for _, a := range all[:min(n, len(all))] {
		rows, _ := owner.Query(ctx, `SELECT l.edition_id FROM release_ledger l WHERE l.agency_id = $1
			AND NOT EXISTS (SELECT 1 FROM edition_rescission x WHERE x.edition_id = l.edition_id)
			ORDER BY l.edition_id DESC LIMIT 2000`, a.id)
		eds, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, err
		}
		for i, uid := range []int64{a.liaison, a.admn} {
			subject := LiaisonSubject(a.code)
			if i == 1 {
				subject = AdminSubject(a.code)
			}
			tok, err := mint(ctx, sm, uid, subject)
			if err != nil {
				return nil, err
			}
			p := Persona{UserID: uid, AgencyID: a.id, Code: a.code, Token: tok, Editions: eds}
			if i == 0 {
				f.liaisons = append(f.liaisons, p)
			} else {
				f.admins = append(f.admins, p)
			}
		}
	}
	return f, nil
}

func mint(ctx context.Context, sm *scs.SessionManager, userID int64, subject string) (string, error) {
	ctx, err := sm.Load(ctx, "")
	if err != nil {
		return "", err
	}
	now := time.Now().Unix()
	sm.Put(ctx, keyUserID, userID)
	sm.Put(ctx, keyIdentity, Issuer+" "+subject)
	sm.Put(ctx, keyAuthAt, now)
	sm.Put(ctx, keyLastSeen, now)
	sm.Put(ctx, keyNoticeAck, true)
	tok, _, err := sm.Commit(ctx)
	return tok, err
}
