// Package demo loads demonstration data into an empty greyline, so that a
// newcomer can sign in and look around with one command.
package demo

import (
	"context"
	"errors"

	"github.com/greyline/greyline"
)

// Password is the password of every demo account. Demo data is for trying
// greyline out on a laptop, never for a real deployment.
const Password = "greyline-demo-password"

// OrgCode is the demo organisation, which does not require 2FA so that the
// demo accounts can sign in straight away.
const OrgCode = "DEMO"

// Account is a demo sign-in.
type Account struct {
	Email string
	Role  greyline.Role
}

// Accounts lists one demo user per role.
func Accounts() []Account {
	out := make([]Account, len(greyline.Roles))
	for i, r := range greyline.Roles {
		out[i] = Account{Email: string(r) + "@demo.greyline.pk", Role: r}
	}
	return out
}

// ErrNotEmpty means users exist already, so no demo data was added.
var ErrNotEmpty = errors.New("demo: the database already has users")

// Load creates the demo organisation and one user per role. It refuses a
// database that already has users, so it never mixes with real accounts.
func Load(ctx context.Context, orgs greyline.OrgService, users greyline.UserService) ([]Account, error) {
	n, err := users.CountUsers(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrNotEmpty
	}
	org := &greyline.Org{Code: OrgCode, Name: "Demonstration organisation", Kind: greyline.OrgOther}
	if err := orgs.CreateOrg(ctx, org); err != nil {
		return nil, err
	}
	accts := Accounts()
	for _, a := range accts {
		if _, err := users.CreateUser(ctx, greyline.NewUser{OrgID: org.ID, Email: a.Email, Name: "Demo " + a.Role.Label(), Roles: []greyline.Role{a.Role}, Password: Password}); err != nil {
			return nil, err
		}
	}
	return accts, nil
}
