package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
)

func TestEveryActionHasARule(t *testing.T) {
	for _, a := range []Action{Public, SignIn, SignOut, AccountView, AccountEdit, TokensManage, UserList, UserView, UserCreate, UserEdit, OrgList, OrgView, OrgCreate, OrgEdit, AuditRead} {
		if _, ok := Rules[a]; !ok {
			t.Errorf("action %q has no rule", a)
		}
	}
	if got := Decide(Subject{UserID: 1, Roles: greyline.Roles}, "no.such.action", nil); got != Deny {
		t.Errorf("unknown action: %v, want deny", got)
	}
}

func TestDecide(t *testing.T) {
	admin := Subject{UserID: 1, OrgID: 10, Roles: []greyline.Role{greyline.RoleAdmin}}
	analyst := Subject{UserID: 2, OrgID: 10, Roles: []greyline.Role{greyline.RoleAnalyst}}
	applicant := Subject{UserID: 3, OrgID: 20, Roles: []greyline.Role{greyline.RoleApplicant}}
	readToken := Subject{UserID: 4, OrgID: 30, Roles: []greyline.Role{greyline.RoleAdmin}, Token: true, Scopes: []string{"read"}}
	tests := []struct {
		name string
		s    Subject
		a    Action
		rec  *Record
		want Decision
	}{
		{"anonymous public", Subject{}, Public, nil, Allow},
		{"anonymous account", Subject{}, AccountView, nil, Unauthenticated},
		{"admin lists users", admin, UserList, nil, Allow},
		{"analyst lists users", analyst, UserList, nil, Deny},
		{"analyst reads audit", analyst, AuditRead, nil, Allow},
		{"applicant reads audit", applicant, AuditRead, nil, Deny},
		{"user views self", applicant, UserView, &Record{OrgID: 20, UserID: 3}, Allow},
		{"user views colleague", applicant, UserView, &Record{OrgID: 20, UserID: 5}, Hide},
		{"admin views anyone", admin, UserView, &Record{OrgID: 99, UserID: 5}, Allow},
		{"user views own org", applicant, OrgView, &Record{OrgID: 20}, Allow},
		{"user views other org", applicant, OrgView, &Record{OrgID: 10}, Hide},
		{"read token reads", readToken, UserList, nil, Allow},
		{"read token writes", readToken, UserCreate, nil, Deny},
		{"read token signs out", readToken, SignOut, nil, Deny},
	}
	for _, tt := range tests {
		if got := Decide(tt.s, tt.a, tt.rec); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestRolesSeeAdmin pins who reaches administration, the most sensitive surface.
func TestRolesSeeAdmin(t *testing.T) {
	var got []greyline.Role
	for _, r := range greyline.Roles {
		if Decide(Subject{UserID: 1, Roles: []greyline.Role{r}}, UserCreate, nil) == Allow {
			got = append(got, r)
		}
	}
	if diff := cmp.Diff([]greyline.Role{greyline.RoleAdmin}, got); diff != "" {
		t.Error(diff)
	}
}

func TestLicensingRules(t *testing.T) {
	nccia := Subject{UserID: 1, OrgID: 2, OrgCode: "NCCIA", Roles: []greyline.Role{greyline.RoleReviewer}}
	pseb := Subject{UserID: 3, OrgID: 4, OrgCode: "PSEB", Roles: []greyline.Role{greyline.RoleReviewer}}
	applicant := Subject{UserID: 5, OrgID: 6, OrgCode: "BIZ", Roles: []greyline.Role{greyline.RoleApplicant}}
	tests := []struct {
		name string
		s    Subject
		a    Action
		rec  *Record
		want Decision
	}{
		{"NCCIA reviewer suspends", nccia, LicenceEnforce, &Record{OrgID: 6}, Allow},
		{"PSEB reviewer cannot suspend", pseb, LicenceEnforce, nil, Deny},
		{"reviewer decides own agency's task", nccia, TaskDecide, &Record{OrgID: 2}, Allow},
		{"reviewer cannot see another agency's task", nccia, TaskDecide, &Record{OrgID: 4}, Hide},
		{"applicant sees own business", applicant, BusinessView, &Record{OrgID: 6}, Allow},
		{"applicant cannot see another business", applicant, BusinessView, &Record{OrgID: 7}, Hide},
		{"applicant cannot decide", applicant, TaskDecide, nil, Deny},
		{"reviewer cannot edit an application", nccia, ApplicationEdit, nil, Deny},
	}
	for _, tt := range tests {
		if got := Decide(tt.s, tt.a, tt.rec); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
