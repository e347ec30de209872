package identity_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	adminapp "github.com/topsmile/topsmile/functions/admin/app"
	authapp "github.com/topsmile/topsmile/functions/auth/app"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

const staffPassword = "long-enough-pass-2026"

// env is the auth and admin functions as their composition roots build
// them, on a fresh database with two clinics; callers named by role are
// users of the first.
type env struct {
	*apitest.Env
	fe     storetest.FunctionEnv
	clock  *clock.Fake
	users  *identity.Store
	outbox *apitest.Outbox
	// faults fails the Redis writes it is armed for (revocation tests).
	faults *redisFaults
	clinic identity.Clinic
	other  identity.Clinic
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{fe: storetest.NewFunctionEnv(t), clock: clock.NewFake(time.Now()), outbox: &apitest.Outbox{}, faults: &redisFaults{}}
	e.users = identity.NewStore(e.fe.Mongo(t), e.clock)
	e.Env = e.serve(t, e.fe)
	ctx := context.Background()
	var err error
	if e.clinic, err = e.users.CreateClinic(ctx, "Clinic A"); err != nil {
		t.Fatal(err)
	}
	if e.other, err = e.users.CreateClinic(ctx, "Clinic B"); err != nil {
		t.Fatal(err)
	}
	return e
}

// serve builds both functions from fe.
func (e *env) serve(t *testing.T, fe storetest.FunctionEnv) *apitest.Env {
	t.Helper()
	opts := apitest.Options(e.clock, nil)
	opts.RedisHooks = []redis.Hook{e.faults}
	auth := apitest.Build(t, fe.Lookup, func(c authapp.Config) (*boot.App, error) {
		return authapp.New(c, authapp.Options{Options: opts, Publisher: e.outbox})
	})
	admin := apitest.Build(t, fe.Lookup, func(c adminapp.Config) (*boot.App, error) {
		return adminapp.New(c, adminapp.Options{Options: opts, Publisher: e.outbox})
	})
	return apitest.New(t, func(tb testing.TB, role string) (string, string) {
		return e.mustUser(tb, e.clinic.ID, identity.Role(role)).Email, staffPassword
	}, auth, admin)
}

// withDeadRedis is e's API served again on the same database with Redis
// unreachable.
func (e *env) withDeadRedis(t *testing.T) *apitest.Env {
	t.Helper()
	fe := maps.Clone(e.fe)
	fe["REDIS_URL"], fe["REDIS_TIMEOUT"] = "redis://127.0.0.1:1", "200ms"
	return e.serve(t, fe)
}

// mustUser creates a user with role in clinicID.
func (e *env) mustUser(tb testing.TB, clinicID string, role identity.Role) identity.User {
	tb.Helper()
	u, err := e.users.CreateUser(context.Background(), clinicID, identity.NewUser{
		Email: ids.New() + "@staff.example", Password: staffPassword, Role: role, FirstName: "Test", LastName: string(role),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// signedIn is a client signed in as a new user of role in clinicID.
func (e *env) signedIn(t *testing.T, clinicID string, role identity.Role) (*apitest.Client, identity.User) {
	t.Helper()
	u := e.mustUser(t, clinicID, role)
	return e.Login(t, u.Email, staffPassword), u
}
