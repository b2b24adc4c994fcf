package auth

import (
	"net/http"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Session keys.
const (
	keyUserID    = "user_id"
	keyIdentity  = "identity"
	keyAuthAt    = "auth_at"
	keyLastSeen  = "last_seen"
	keyPending   = "oidc_pending"
	keyNoticeAck = "notice_ack"
	keyFlash     = "flash"
)

// SessionOptions configure the session manager.
type SessionOptions struct {
	Secure   bool // served over https: Secure cookie with the __Host- prefix
	Lifetime time.Duration
}

// NewSessions returns an scs session manager storing sessions in PostgreSQL. The stored row expires at
// the absolute lifetime. The idle timeout is not scs's: with one, scs rewrites the session row on every
// request. Service.Principal enforces it instead from the session's last-seen time, which it writes at
// most once a minute, so a page read costs no session write.
func NewSessions(pool *pgxpool.Pool, o SessionOptions) *scs.SessionManager {
	sm := scs.New()
	sm.Store = pgxstore.NewWithCleanupInterval(pool, 5*time.Minute)
	sm.Lifetime = o.Lifetime
	sm.Cookie.Name = "tearline_session"
	if o.Secure {
		sm.Cookie.Name = "__Host-tearline_session"
	}
	sm.Cookie.HttpOnly = true
	sm.Cookie.Path = "/"
	sm.Cookie.Domain = ""
	sm.Cookie.Secure = o.Secure
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Persist = false
	return sm
}
