package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"tearline/internal/agency"
	"tearline/internal/apperr"
	"tearline/internal/postgres"
	"tearline/internal/user"
)

func newAgency(code string) agency.Agency {
	return agency.Agency{Code: code, Name: "Agency " + code, Kind: agency.KindMember, Country: "USA", Federal: true}
}

func TestAgencyStore(t *testing.T) {
	app, owner := setup(t)
	ctx := actorCtx(901, 77)

	center := agency.Agency{Code: "HSTC", Name: "Human Smuggling and Trafficking Center", Kind: agency.KindCenter, Country: "USA", Federal: true}
	if err := app.CreateAgency(ctx, &center); err != nil {
		t.Fatalf("create center: %v", err)
	}
	before := len(auditRows(t, owner))
	a := agency.Agency{Code: "NCA", Name: "National Crime Agency", Kind: agency.KindPartner, Country: "GBR", Foreign: true}
	if err := app.CreateAgency(ctx, &a); err != nil {
		t.Fatalf("CreateAgency: %v", err)
	}
	if a.ID == 0 || a.CreatedAt.IsZero() || a.UpdatedAt.IsZero() {
		t.Fatalf("CreateAgency did not set id and times: %+v", a)
	}
	checkAudit(t, owner, before, "agency.create", "agency", strconv.FormatInt(a.ID, 10), 901, 77)
	if d := auditRows(t, owner)[before].Details; d["code"] != "NCA" || d["country"] != "GBR" || d["foreign"] != true {
		t.Errorf("agency.create details = %v", d)
	}

	t.Run("find by id and code", func(t *testing.T) {
		byID, err := app.FindAgencyByID(ctx, a.ID)
		if err != nil || byID.Code != "NCA" || byID.Name != a.Name || byID.Kind != agency.KindPartner ||
			byID.Country != "GBR" || !byID.Foreign || byID.IntlOrg || byID.Federal {
			t.Errorf("FindAgencyByID = %+v, %v", byID, err)
		}
		byCode, err := app.FindAgencyByCode(ctx, "NCA")
		if err != nil || byCode.ID != a.ID {
			t.Errorf("FindAgencyByCode = %+v, %v", byCode, err)
		}
	})

	t.Run("update", func(t *testing.T) {
		before := len(auditRows(t, owner))
		a.Name, a.Country, a.Foreign, a.IntlOrg = "NCA renamed", "", false, true
		if err := app.UpdateAgency(actorCtx(902, 78), &a); err != nil {
			t.Fatalf("UpdateAgency: %v", err)
		}
		checkAudit(t, owner, before, "agency.update", "agency", strconv.FormatInt(a.ID, 10), 902, 78)
		got, err := app.FindAgencyByCode(ctx, "NCA")
		if err != nil || got.Name != "NCA renamed" || got.Country != "" || !got.IntlOrg || got.Foreign {
			t.Errorf("after update = %+v, %v", got, err)
		}
		if !got.UpdatedAt.After(got.CreatedAt) && !got.UpdatedAt.Equal(got.CreatedAt) {
			t.Errorf("updated_at %v before created_at %v", got.UpdatedAt, got.CreatedAt)
		}
	})

	t.Run("list puts the center first, then by code", func(t *testing.T) {
		for _, code := range []string{"ICE", "CBP"} {
			x := newAgency(code)
			if err := app.CreateAgency(ctx, &x); err != nil {
				t.Fatalf("create %s: %v", code, err)
			}
		}
		list, err := app.FindAgencies(ctx)
		if err != nil {
			t.Fatalf("FindAgencies: %v", err)
		}
		var codes []string
		for _, x := range list {
			codes = append(codes, x.Code)
		}
		if want := []string{"HSTC", "CBP", "ICE", "NCA"}; !slices.Equal(codes, want) {
			t.Errorf("FindAgencies codes = %v, want %v", codes, want)
		}
	})

	errorCases := []struct {
		name string
		run  func() error
		want string
	}{
		{"duplicate code", func() error { d := newAgency("NCA"); return app.CreateAgency(ctx, &d) }, apperr.ECONFLICT},
		{"update to a taken code", func() error { d := a; d.Code = "ICE"; return app.UpdateAgency(ctx, &d) }, apperr.ECONFLICT},
		{"update a missing id", func() error { d := newAgency("ZZZ"); d.ID = 999999; return app.UpdateAgency(ctx, &d) }, apperr.ENOTFOUND},
		{"find a missing id", func() error { _, err := app.FindAgencyByID(ctx, 999999); return err }, apperr.ENOTFOUND},
		{"find a missing code", func() error { _, err := app.FindAgencyByCode(ctx, "NOPE"); return err }, apperr.ENOTFOUND},
		{"code refused by the database", func() error { d := newAgency("bad code"); return app.CreateAgency(ctx, &d) }, apperr.EINVALID},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			before := len(auditRows(t, owner))
			err := tt.run()
			if got := apperr.Code(err); got != tt.want {
				t.Errorf("error = %v (code %q), want code %q", err, got, tt.want)
			}
			if after := len(auditRows(t, owner)); after != before {
				t.Errorf("a failed change wrote %d audit rows", after-before)
			}
		})
	}
}

// seedAgencies creates agencies by code as the owner and returns their ids.
func seedAgencies(t *testing.T, db *postgres.DB, as ...agency.Agency) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, a := range as {
		if err := db.UpsertAgency(context.Background(), &a); err != nil {
			t.Fatalf("upsert %s: %v", a.Code, err)
		}
		ids[a.Code] = a.ID
	}
	return ids
}

func TestUserStore(t *testing.T) {
	app, owner := setup(t)
	ids := seedAgencies(t, owner, newAgency("ICE"), newAgency("CBP"))
	ctx := actorCtx(5, ids["ICE"])

	u := user.User{AgencyID: ids["ICE"], Issuer: issuer, Subject: "rosa", DisplayName: "Rosa Delgado",
		Email: "rosa@ice.example.gov", Roles: []user.Role{user.RoleAgencyAdmin, user.RoleLiaison}}
	before := len(auditRows(t, owner))
	if err := app.CreateUser(ctx, &u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.ID == 0 || !u.Active {
		t.Fatalf("CreateUser left %+v", u)
	}
	uid := strconv.FormatInt(u.ID, 10)
	checkAudit(t, owner, before, "user.create", "user", uid, 5, ids["ICE"])
	other := user.User{AgencyID: ids["CBP"], Issuer: issuer, Subject: "aaron", DisplayName: "Aaron Fitzgerald", Roles: []user.Role{user.RoleLiaison}}
	if err := app.CreateUser(ctx, &other); err != nil {
		t.Fatalf("CreateUser other: %v", err)
	}

	t.Run("find by identity", func(t *testing.T) {
		got, err := app.FindUserByIdentity(ctx, issuer, "rosa")
		if err != nil {
			t.Fatalf("FindUserByIdentity: %v", err)
		}
		if got.ID != u.ID || got.AgencyCode != "ICE" || got.DisplayName != "Rosa Delgado" || got.Email != u.Email || !got.Active ||
			!slices.Equal(got.Roles, []user.Role{user.RoleAgencyAdmin, user.RoleLiaison}) {
			t.Errorf("FindUserByIdentity = %+v", got)
		}
		if _, err := app.FindUserByIdentity(ctx, "https://other.example", "rosa"); apperr.Code(err) != apperr.ENOTFOUND {
			t.Errorf("same subject at another issuer: err = %v, want not found", err)
		}
	})
	t.Run("find users by filter", func(t *testing.T) {
		tests := []struct {
			name string
			f    user.Filter
			want []int64
		}{
			{"every agency", user.Filter{}, []int64{other.ID, u.ID}}, // CBP before ICE
			{"ICE", user.Filter{AgencyID: ids["ICE"]}, []int64{u.ID}},
			{"CBP", user.Filter{AgencyID: ids["CBP"]}, []int64{other.ID}},
			{"no such agency", user.Filter{AgencyID: 999999}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, err := app.FindUsers(ctx, tt.f)
				if err != nil {
					t.Fatalf("FindUsers: %v", err)
				}
				var got []int64
				for _, x := range list {
					got = append(got, x.ID)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("FindUsers(%+v) = %v, want %v", tt.f, got, tt.want)
				}
			})
		}
	})
	t.Run("duplicate identity", func(t *testing.T) {
		d := user.User{AgencyID: ids["CBP"], Issuer: issuer, Subject: "rosa", DisplayName: "Someone Else"}
		if err := app.CreateUser(ctx, &d); apperr.Code(err) != apperr.ECONFLICT {
			t.Errorf("CreateUser with a taken identity: %v, want conflict", err)
		}
	})
	t.Run("update replaces roles", func(t *testing.T) {
		before := len(auditRows(t, owner))
		u.Roles = []user.Role{user.RoleSteering}
		u.DisplayName = "Rosa M. Delgado"
		if err := app.UpdateUser(ctx, &u, u.UpdatedAt); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		checkAudit(t, owner, before, "user.update", "user", uid, 5, ids["ICE"])
		got, err := app.FindUserByID(ctx, u.ID)
		if err != nil || got.DisplayName != "Rosa M. Delgado" || !slices.Equal(got.Roles, []user.Role{user.RoleSteering}) {
			t.Errorf("after update = %+v, %v", got, err)
		}
		if n := count(t, owner, `SELECT count(*) FROM membership WHERE user_id = $1`, u.ID); n != 1 {
			t.Errorf("memberships = %d, want 1", n)
		}
	})
	t.Run("update a missing user", func(t *testing.T) {
		d := u
		d.ID = 999999
		if err := app.UpdateUser(ctx, &d, d.UpdatedAt); !errors.Is(err, user.ErrStale) {
			t.Errorf("UpdateUser(missing) = %v, want stale", err)
		}
	})
	t.Run("a stale update is refused and changes nothing", func(t *testing.T) {
		d := u
		d.DisplayName = "Stale Name"
		d.Roles = []user.Role{user.RoleAgencyAdmin}
		if err := app.UpdateUser(ctx, &d, u.UpdatedAt.Add(-time.Second)); !errors.Is(err, user.ErrStale) {
			t.Errorf("stale UpdateUser = %v, want user.ErrStale", err)
		}
		if n := count(t, owner, `SELECT count(*) FROM app_user WHERE display_name = 'Stale Name'`); n != 0 {
			t.Error("a stale update was applied")
		}
	})
	t.Run("principal", func(t *testing.T) {
		p, err := app.FindPrincipal(ctx, u.ID)
		if err != nil {
			t.Fatalf("FindPrincipal: %v", err)
		}
		if p.UserID != u.ID || p.AgencyID != ids["ICE"] || p.AgencyCode != "ICE" || p.AgencyKind != agency.KindMember ||
			p.Issuer != issuer || p.Subject != "rosa" || !slices.Equal(p.Roles, []user.Role{user.RoleSteering}) {
			t.Errorf("FindPrincipal = %+v", p)
		}
	})
	t.Run("count active users", func(t *testing.T) {
		if n, err := app.CountActiveUsers(ctx, ids["ICE"]); err != nil || n != 1 {
			t.Errorf("CountActiveUsers(ICE) = %d, %v; want 1", n, err)
		}
	})
	t.Run("deactivate", func(t *testing.T) {
		before := len(auditRows(t, owner))
		if err := app.SetUserActive(ctx, u.ID, false); err != nil {
			t.Fatalf("SetUserActive(false): %v", err)
		}
		checkAudit(t, owner, before, "user.deactivate", "user", uid, 5, ids["ICE"])
		if p, err := app.FindPrincipal(ctx, u.ID); apperr.Code(err) != apperr.ENOTFOUND || p != nil {
			t.Errorf("FindPrincipal(deactivated) = %+v, %v; want not found", p, err)
		}
		got, err := app.FindUserByID(ctx, u.ID)
		if err != nil || got.Active || got.DeactivatedAt == nil {
			t.Errorf("deactivated user = %+v, %v", got, err)
		}
		if n, err := app.CountActiveUsers(ctx, ids["ICE"]); err != nil || n != 0 {
			t.Errorf("CountActiveUsers(ICE) = %d, %v; want 0", n, err)
		}
		before = len(auditRows(t, owner))
		if err := app.SetUserActive(ctx, u.ID, true); err != nil {
			t.Fatalf("SetUserActive(true): %v", err)
		}
		checkAudit(t, owner, before, "user.reactivate", "user", uid, 5, ids["ICE"])
		if _, err := app.FindPrincipal(ctx, u.ID); err != nil {
			t.Errorf("FindPrincipal(reactivated): %v", err)
		}
		if err := app.SetUserActive(ctx, 999999, false); apperr.Code(err) != apperr.ENOTFOUND {
			t.Errorf("SetUserActive(missing) = %v, want not found", err)
		}
	})
	t.Run("membership agency must equal user agency", func(t *testing.T) {
		_, err := owner.Pool.Exec(context.Background(),
			`INSERT INTO membership (user_id, agency_id, role) VALUES ($1, $2, 'liaison')`, u.ID, ids["CBP"])
		if code := pgCode(err); code != "23503" {
			t.Errorf("mismatched membership: err = %v (code %q), want foreign key violation 23503", err, code)
		}
		if n := count(t, owner, `SELECT count(*) FROM membership m JOIN app_user u ON u.id = m.user_id
			WHERE m.agency_id <> u.agency_id`); n != 0 {
			t.Errorf("%d memberships disagree with their user's agency", n)
		}
	})
	t.Run("moving a user moves its memberships", func(t *testing.T) {
		var err error
		if u, err = app.FindUserByID(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		u.AgencyID = ids["CBP"]
		u.Roles = []user.Role{user.RoleLiaison}
		if err := app.UpdateUser(ctx, &u, u.UpdatedAt); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if n := count(t, owner, `SELECT count(*) FROM membership WHERE user_id = $1 AND agency_id = $2`, u.ID, ids["CBP"]); n != 1 {
			t.Errorf("memberships in CBP = %d, want 1", n)
		}
	})
}
