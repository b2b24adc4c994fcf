package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"tearline/internal/audit"
	"tearline/internal/config"
	"tearline/internal/demo"
	"tearline/internal/postgres"
	"tearline/internal/postgres/pgtest"
	"tearline/internal/user"
)

const issuer = "https://login.example.gov"

// setup returns a fresh database opened as the application role and as the owner.

func setup(t *testing.T) (app, owner *postgres.DB) {
	t.Helper()
	d := pgtest.New(t)
	return pgtest.Open(t, d), pgtest.OpenOwner(t, d)
}

// actorCtx returns a context carrying request metadata for an actor.
func actorCtx(userID, agencyID int64) context.Context {
	return audit.WithMeta(context.Background(), audit.Meta{
		RequestID: "req-" + strconv.FormatInt(userID, 10), ClientAddr: "192.0.2.10",
		UserAgent: "test-agent", ActorUserID: userID, ActorAgencyID: agencyID,
	})
}

func count(t *testing.T, db *postgres.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

type auditRow struct {
	Action, ObjectType, ObjectID, Outcome, RequestID, ClientAddr, UserAgent string
	ActorUserID, ActorAgencyID                                              *int64
	Details                                                                 map[string]any
}

func auditRows(t *testing.T, owner *postgres.DB) []auditRow {
	t.Helper()
	rows, _ := owner.Pool.Query(context.Background(), `SELECT action, object_type, object_id, outcome, request_id,
		client_addr, user_agent, actor_user_id, actor_agency_id, details FROM audit_event ORDER BY id`)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[auditRow])
	if err != nil {
		t.Fatalf("read audit events: %v", err)
	}
	return out
}

// checkAudit asserts that the audit table holds exactly one more row than before, written by ctx's actor.
func checkAudit(t *testing.T, owner *postgres.DB, before int, action, objectType, objectID string, actor, actorAgency int64) {
	t.Helper()
	rows := auditRows(t, owner)
	if len(rows) != before+1 {
		t.Fatalf("audit rows = %d, want %d (one for %s): %+v", len(rows), before+1, action, rows)
	}
	r := rows[len(rows)-1]
	if r.Action != action || r.ObjectType != objectType || r.ObjectID != objectID || r.Outcome != audit.Success {
		t.Errorf("audit row = %s %s %s %s, want %s on %s %s with success", r.Action, r.ObjectType, r.ObjectID, r.Outcome, action, objectType, objectID)
	}
	if r.ActorUserID == nil || *r.ActorUserID != actor || r.ActorAgencyID == nil || *r.ActorAgencyID != actorAgency {
		t.Errorf("audit actor = %s/%s, want %d/%d", deref(r.ActorUserID), deref(r.ActorAgencyID), actor, actorAgency)
	}
	if r.RequestID != "req-"+strconv.FormatInt(actor, 10) || r.ClientAddr != "192.0.2.10" || r.UserAgent != "test-agent" {
		t.Errorf("audit request metadata = %q %q %q", r.RequestID, r.ClientAddr, r.UserAgent)
	}
}

func deref(p *int64) string {
	if p == nil {
		return "NULL"
	}
	return strconv.FormatInt(*p, 10)
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestApplicationRolePrivileges(t *testing.T) {
	app, owner := setup(t)
	ctx := context.Background()

	t.Run("role attributes", func(t *testing.T) {
		var super, bypass, createRole, createDB, login bool
		err := owner.Pool.QueryRow(ctx, `SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolcanlogin
			FROM pg_roles WHERE rolname = $1`, config.AppRole).Scan(&super, &bypass, &createRole, &createDB, &login)
		if err != nil {
			t.Fatalf("look up %s: %v", config.AppRole, err)
		}
		if super || bypass || createRole || createDB || !login {
			t.Errorf("%s: super=%v bypassrls=%v createrole=%v createdb=%v login=%v; want only login",
				config.AppRole, super, bypass, createRole, createDB, login)
		}
	})
	t.Run("connected as the application role", func(t *testing.T) {
		var who string
		if err := app.Pool.QueryRow(ctx, `SELECT current_user`).Scan(&who); err != nil || who != config.AppRole {
			t.Errorf("current_user = %q (%v), want %s", who, err, config.AppRole)
		}
	})
	t.Run("member of no role", func(t *testing.T) {
		if n := count(t, owner, `SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
			WHERE r.rolname = $1`, config.AppRole); n != 0 {
			t.Errorf("%s is a member of %d roles, want 0", config.AppRole, n)
		}
	})
	t.Run("owns nothing", func(t *testing.T) {
		if n := count(t, owner, `SELECT count(*) FROM pg_tables WHERE tableowner = $1`, config.AppRole); n != 0 {
			t.Errorf("%s owns %d tables", config.AppRole, n)
		}
		if n := count(t, owner, `SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
			WHERE r.rolname = $1`, config.AppRole); n != 0 {
			t.Errorf("%s owns %d relations", config.AppRole, n)
		}
		if n := count(t, owner, `SELECT count(*) FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
			WHERE r.rolname = $1`, config.AppRole); n != 0 {
			t.Errorf("%s owns %d schemas", config.AppRole, n)
		}
		if n := count(t, owner, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`); n < 5 {
			t.Errorf("only %d tables in public; is the database migrated?", n)
		}
	})

	// The audit row that every statement below would touch.
	if _, err := owner.Pool.Exec(ctx, `INSERT INTO audit_event (action, outcome) VALUES ('test.event', 'success')`); err != nil {
		t.Fatalf("insert audit row: %v", err)
	}
	refused := []struct{ name, sql string }{
		{"update audit_event", `UPDATE audit_event SET action = 'forged'`},
		{"delete audit_event", `DELETE FROM audit_event`},
		{"truncate audit_event", `TRUNCATE audit_event`},
		{"create table in public", `CREATE TABLE public.evil (id int)`},
		{"delete an agency", `DELETE FROM agency`},
		{"drop audit_event", `DROP TABLE audit_event`},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := app.Pool.Exec(ctx, tt.sql)
			if code := pgCode(err); code != "42501" {
				t.Errorf("%s as %s: err = %v (code %q), want permission denied (42501)", tt.sql, config.AppRole, err, code)
			}
		})
	}
	if rows := auditRows(t, owner); len(rows) != 1 || rows[0].Action != "test.event" {
		t.Errorf("audit rows after refused statements = %+v, want the one untouched row", rows)
	}
}

func TestAuditRollsBackChange(t *testing.T) {
	app, owner := setup(t)
	ctx := actorCtx(1, 1)
	ids := seedAgencies(t, owner, newAgency("ICE"))
	existing := user.User{AgencyID: ids["ICE"], Issuer: issuer, Subject: "keep", DisplayName: "Kept User", Roles: []user.Role{user.RoleLiaison}}
	if err := owner.UpsertUser(ctx, &existing); err != nil {
		t.Fatalf("seed user: %v", err)
	}
	if _, err := owner.Pool.Exec(ctx, `REVOKE INSERT ON audit_event FROM `+config.AppRole); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	// unchanged is true while the database holds exactly what it held before the failed changes.
	const unchanged = `SELECT (SELECT string_agg(code || ' ' || name, ',' ORDER BY code) FROM agency) = 'ICE Agency ICE'
		AND (SELECT string_agg(subject || ' ' || display_name || ' ' || active, ',') FROM app_user) = 'keep Kept User true'
		AND (SELECT string_agg(user_id || ' ' || role, ',') FROM membership) = $1`
	tests := []struct {
		name string
		run  func() error
	}{
		{"create agency", func() error { a := newAgency("CBP"); return app.CreateAgency(ctx, &a) }},
		{"update agency", func() error {
			a := newAgency("ICE")
			a.ID, a.Name = ids["ICE"], "Renamed"
			return app.UpdateAgency(ctx, &a)
		}},
		{"create user", func() error {
			u := user.User{AgencyID: ids["ICE"], Issuer: issuer, Subject: "new", DisplayName: "New User", Roles: []user.Role{user.RoleLiaison}}
			return app.CreateUser(ctx, &u)
		}},
		{"update user", func() error {
			u, err := app.FindUserByID(ctx, existing.ID)
			if err != nil {
				return err
			}
			u.DisplayName, u.Roles = "Changed Name", []user.Role{user.RoleAgencyAdmin}
			return app.UpdateUser(ctx, &u, u.UpdatedAt)
		}},
		{"deactivate user", func() error { return app.SetUserActive(ctx, existing.ID, false) }},
	}
	wantMembership := strconv.FormatInt(existing.ID, 10) + " liaison"
	var ok bool
	if err := owner.Pool.QueryRow(ctx, unchanged, wantMembership).Scan(&ok); err != nil || !ok {
		t.Fatalf("fixture check = %v, %v; want true", ok, err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil {
				t.Fatal("the change succeeded although its audit event could not be written")
			}
			if code := pgCode(err); code != "42501" || !strings.Contains(err.Error(), "audit") {
				t.Errorf("error %v (code %q) does not come from the refused audit insert", err, code)
			}
			var ok bool
			if err := owner.Pool.QueryRow(ctx, unchanged, wantMembership).Scan(&ok); err != nil || !ok {
				t.Errorf("the change was not rolled back (unchanged = %v, %v)", ok, err)
			}
		})
	}
	if rows := auditRows(t, owner); len(rows) != 0 {
		t.Errorf("audit rows = %+v, want none", rows)
	}
}

func TestDemoSeedIsIdempotent(t *testing.T) {
	_, owner := setup(t)
	ctx := context.Background()
	wantMemberships := 0
	for _, p := range demo.Personas() {
		wantMemberships += len(p.Roles)
	}
	type snapshot struct{ agencies, users, memberships int }
	var first snapshot
	var firstIDs string
	for run := 1; run <= 2; run++ {
		if err := demo.Seed(ctx, owner, "http://localhost:8080/demo-idp"); err != nil {
			t.Fatalf("seed run %d: %v", run, err)
		}
		s := snapshot{
			count(t, owner, `SELECT count(*) FROM agency`),
			count(t, owner, `SELECT count(*) FROM app_user`),
			count(t, owner, `SELECT count(*) FROM membership`),
		}
		var ids string
		if err := owner.Pool.QueryRow(ctx, `SELECT string_agg(a.code || ':' || a.id || '/' || coalesce(
			(SELECT string_agg(u.subject || '=' || u.id, ',' ORDER BY u.subject) FROM app_user u WHERE u.agency_id = a.id), ''), ';' ORDER BY a.code)
			FROM agency a`).Scan(&ids); err != nil {
			t.Fatalf("ids: %v", err)
		}
		if s != (snapshot{14, 15, wantMemberships}) {
			t.Errorf("after run %d: %+v, want 14 agencies, 15 users, %d memberships", run, s, wantMemberships)
		}
		if run == 1 {
			first, firstIDs = s, ids
		} else if s != first || ids != firstIDs {
			t.Errorf("second run changed the data: %+v vs %+v\n%s\nvs\n%s", s, first, ids, firstIDs)
		}
	}
	if n := count(t, owner, `SELECT count(*) FROM audit_event`); n != 0 {
		t.Errorf("seeding wrote %d audit rows, want none", n)
	}
}

func TestPreviousSignInAndCountActiveUsers(t *testing.T) {
	app, owner := setup(t)
	ctx := context.Background()
	if err := demo.Seed(ctx, owner, issuer); err != nil {
		t.Fatalf("seed: %v", err)
	}
	userID := func(hint string) int64 {
		u, err := app.FindUserByIdentity(ctx, issuer, hint)
		if err != nil {
			t.Fatalf("find %s: %v", hint, err)
		}
		return u.ID
	}
	dana, marcus := userID("analyst@hstc"), userID("analyst2@hstc")
	t1 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	t2 := t1.Add(26 * time.Hour)
	t3 := t2.Add(3 * time.Hour)
	login := func(t *testing.T, uid int64, at time.Time, action, outcome string) {
		t.Helper()
		if _, err := owner.Pool.Exec(ctx, `INSERT INTO audit_event (at, actor_user_id, action, outcome) VALUES ($1, $2, $3, $4)`,
			at, uid, action, outcome); err != nil {
			t.Fatalf("insert login: %v", err)
		}
	}
	check := func(t *testing.T, want time.Time) {
		t.Helper()
		got, err := app.PreviousSignIn(ctx, dana)
		if err != nil {
			t.Fatalf("PreviousSignIn: %v", err)
		}
		if !got.Equal(want) || got.IsZero() != want.IsZero() {
			t.Errorf("PreviousSignIn = %v, want %v", got, want)
		}
	}
	steps := []struct {
		name string
		add  func(t *testing.T)
		want time.Time
	}{
		{"no logins", func(t *testing.T) {}, time.Time{}},
		{"only other users and events", func(t *testing.T) {
			login(t, marcus, t1, "auth.login", audit.Success)
			login(t, marcus, t2, "auth.login", audit.Success)
			login(t, dana, t1, "auth.logout", audit.Success)
		}, time.Time{}},
		{"one login", func(t *testing.T) { login(t, dana, t2, "auth.login", audit.Success) }, time.Time{}},
		{"a failed login does not count", func(t *testing.T) { login(t, dana, t3, "auth.login", audit.Failure) }, time.Time{}},
		{"two logins give the earlier", func(t *testing.T) { login(t, dana, t1, "auth.login", audit.Success) }, t1},
		{"three logins give the second latest", func(t *testing.T) { login(t, dana, t3, "auth.login", audit.Success) }, t2},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.add(t)
			check(t, s.want)
		})
	}

	t.Run("count active users", func(t *testing.T) {
		want := map[string]int{}
		for _, p := range demo.Personas() {
			want[p.Agency]++
		}
		for _, code := range []string{"HSTC", "ICE", "EUROPOL", "ODNI"} {
			a, err := app.FindAgencyByCode(ctx, code)
			if err != nil {
				t.Fatalf("find %s: %v", code, err)
			}
			if n, err := app.CountActiveUsers(ctx, a.ID); err != nil || n != want[code] {
				t.Errorf("CountActiveUsers(%s) = %d, %v; want %d", code, n, err, want[code])
			}
		}
		if err := app.SetUserActive(ctx, marcus, false); err != nil {
			t.Fatal(err)
		}
		hstc, _ := app.FindAgencyByCode(ctx, "HSTC")
		if n, err := app.CountActiveUsers(ctx, hstc.ID); err != nil || n != want["HSTC"]-1 {
			t.Errorf("CountActiveUsers(HSTC) after deactivation = %d, %v; want %d", n, err, want["HSTC"]-1)
		}
	})
}

func TestRecordEventSanitizes(t *testing.T) {
	app, owner := setup(t)
	ev := audit.New(context.Background(), "auth.login", "user", "7", audit.Denied, nil)
	ev.UserAgent = "evil\nagent\x7f" + strings.Repeat("x", 600)
	if err := app.RecordEvent(context.Background(), ev); err != nil {
		t.Fatalf("RecordEvent: %v", err)
	}
	rows := auditRows(t, owner)
	if len(rows) != 1 {
		t.Fatalf("audit rows = %d, want 1", len(rows))
	}
	r := rows[0]
	if !strings.HasPrefix(r.UserAgent, "evil agent ") || len(r.UserAgent) != 512 {
		t.Errorf("user agent = %q (%d bytes), want control characters replaced and 512 bytes", r.UserAgent[:20], len(r.UserAgent))
	}
	if r.ActorUserID != nil || r.ActorAgencyID != nil {
		t.Errorf("actor = %s/%s without request metadata, want NULL", deref(r.ActorUserID), deref(r.ActorAgencyID))
	}
	if r.Details == nil || len(r.Details) != 0 || r.Outcome != audit.Denied {
		t.Errorf("row = %+v, want empty details and outcome denied", r)
	}
}

func TestEnsureDatabase(t *testing.T) {
	d := pgtest.New(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "tearline_ensure_" + hex.EncodeToString(b)
	u, err := url.Parse(d.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	target := u.String()
	u.Path = "/postgres"
	maint := u.String()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, maint)
		if err != nil {
			t.Errorf("cleanup connect: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	ctx := context.Background()
	exists := func() bool {
		c, err := pgx.Connect(ctx, maint)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer c.Close(ctx)
		var ok bool
		if err := c.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, name).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if exists() {
		t.Fatalf("database %s exists before the test", name)
	}
	for i, want := range []bool{true, false} {
		created, err := postgres.EnsureDatabase(ctx, target)
		if err != nil {
			t.Fatalf("EnsureDatabase call %d: %v", i+1, err)
		}
		if created != want {
			t.Errorf("EnsureDatabase call %d: created = %v, want %v", i+1, created, want)
		}
		if !exists() {
			t.Errorf("database %s missing after call %d", name, i+1)
		}
	}
	if _, err := postgres.EnsureDatabase(ctx, "postgres://%zz"); err == nil {
		t.Error("EnsureDatabase accepted an invalid URL")
	}
}
