package greyline

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is a capability held by a user. What each role may do is decided only
// by package access.
type Role string

const (
	RoleAdmin        Role = "admin"
	RoleApplicant    Role = "applicant"
	RoleReviewer     Role = "reviewer"
	RoleInspector    Role = "inspector"
	RoleInvestigator Role = "investigator"
	RoleHelpline     Role = "helpline"
	RoleAnalyst      Role = "analyst"
	RolePartner      Role = "partner"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleApplicant, RoleReviewer, RoleInspector, RoleInvestigator, RoleHelpline, RoleAnalyst, RolePartner}

// Label is the plain-English name of a role.
func (r Role) Label() string {
	switch r {
	case RoleHelpline:
		return "Helpline operator"
	case RolePartner:
		return "Partner (machine client)"
	}
	s := string(r)
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// OrgKind says what sort of body an organisation is.
type OrgKind string

const (
	OrgAgency   OrgKind = "agency"
	OrgBank     OrgKind = "bank"
	OrgTelco    OrgKind = "telco"
	OrgExchange OrgKind = "exchange"
	OrgBusiness OrgKind = "business"
	OrgOther    OrgKind = "other"
)

// OrgKinds lists every organisation kind.
var OrgKinds = []OrgKind{OrgAgency, OrgBank, OrgTelco, OrgExchange, OrgBusiness, OrgOther}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool { return slices.Contains(OrgKinds, k) }

// Org is an organisation: an agency, a partner or a licensed business.
type Org struct {
	ID         int64     `json:"id"`
	Code       string    `json:"code"` // short, unique, upper-case: "PTA"
	Name       string    `json:"name"`
	Kind       OrgKind   `json:"kind"`
	Require2FA bool      `json:"require_2fa"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// SeedOrgs are created on first start.
var SeedOrgs = []Org{
	{Code: "PTA", Name: "Pakistan Telecommunication Authority", Kind: OrgAgency, Require2FA: true},
	{Code: "NCCIA", Name: "National Cyber Crime Investigation Agency", Kind: OrgAgency, Require2FA: true},
	{Code: "SA", Name: "Security Agency", Kind: OrgAgency, Require2FA: true},
	{Code: "SECP", Name: "Securities and Exchange Commission of Pakistan", Kind: OrgAgency, Require2FA: true},
	{Code: "PSEB", Name: "Pakistan Software Export Board", Kind: OrgAgency, Require2FA: true},
}

// Validate checks an organisation before it is stored.
func (o *Org) Validate() error {
	var v Validation
	o.Code = strings.ToUpper(strings.TrimSpace(o.Code))
	o.Name = strings.TrimSpace(o.Name)
	v.Check(o.Code != "", "code", "is required")
	if o.Code != "" {
		v.Check(validCode(o.Code), "code", "must be 2 to 16 letters, digits or hyphens")
	}
	v.Check(o.Name != "", "name", "is required")
	v.Check(utf8.RuneCountInString(o.Name) <= 200, "name", "must be at most 200 characters")
	v.Check(o.Kind.Valid(), "kind", "must be one of agency, bank, telco, exchange, business, other")
	return v.Err()
}

func validCode(s string) bool {
	if len(s) < 2 || len(s) > 16 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// User is a person or machine client who signs in.
type User struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id"`
	OrgCode     string     `json:"org_code"`
	OrgKind     OrgKind    `json:"org_kind"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Roles       []Role     `json:"roles"`
	Disabled    bool       `json:"disabled"`
	TOTPEnabled bool       `json:"totp_enabled"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// HasRole reports whether u holds r.
func (u *User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// NormalizeEmail lower-cases and trims an e-mail address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NewUser is the input for creating a user.
type NewUser struct {
	OrgID    int64  `json:"org_id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Roles    []Role `json:"roles"`
	Password string `json:"password"`
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// Validate checks and normalises the input.
func (n *NewUser) Validate() error {
	var v Validation
	n.Email = NormalizeEmail(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	v.Check(n.OrgID > 0, "org_id", "is required")
	validateEmail(&v, "email", n.Email)
	v.Check(n.Name != "", "name", "is required")
	v.Check(utf8.RuneCountInString(n.Name) <= 200, "name", "must be at most 200 characters")
	validateRoles(&v, "roles", n.Roles)
	if err := CheckPassword(n.Password); err != nil {
		v.Add("password", err.Error())
	}
	slices.Sort(n.Roles)
	n.Roles = slices.Compact(n.Roles)
	return v.Err()
}

func validateEmail(v *Validation, field, s string) {
	if s == "" {
		v.Add(field, "is required")
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		v.Add(field, "is not a valid e-mail address")
	}
}

func validateRoles(v *Validation, field string, roles []Role) {
	if len(roles) == 0 {
		v.Add(field, "at least one role is required")
		return
	}
	for _, r := range roles {
		if !r.Valid() {
			v.Add(field, "unknown role "+strconvQuote(string(r)))
			return
		}
	}
}

func strconvQuote(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

// passwordError carries only a reason, for use as a FieldError.
type passwordError string

func (e passwordError) Error() string { return string(e) }

// CheckPassword applies the password rules and returns the reason it fails.
func CheckPassword(p string) error {
	n := utf8.RuneCountInString(p)
	switch {
	case p == "":
		return passwordError("is required")
	case n < MinPasswordLength:
		return passwordError("must be at least 12 characters")
	case len(p) > 512:
		return passwordError("must be at most 512 bytes")
	case !utf8.ValidString(p):
		return passwordError("must be valid text")
	}
	return nil
}

// UserFilter selects users for listing.
type UserFilter struct {
	OrgID  int64
	Role   Role // only users holding it; "" for all
	Active bool // only users who are not disabled
	Query  string
	Limit  int
	Offset int
}

// SessionState is how far a sign-in has progressed.
type SessionState string

const (
	// SessionNeeds2FA: password accepted, the TOTP code is still due.
	SessionNeeds2FA SessionState = "needs_2fa"
	// SessionNeedsEnrolment: the user's organisation requires 2FA and the user has none yet.
	SessionNeedsEnrolment SessionState = "needs_enrolment"
	// SessionFull: fully signed in.
	SessionFull SessionState = "full"
)

// Session is a server-side web session. Only the hash of its token is stored.
type Session struct {
	ID        string // hex SHA-256 of the cookie token
	UserID    int64
	State     SessionState
	CSRF      string // per-session secret for form tokens
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time // absolute expiry
}

// APIToken is a bearer token for machine clients. Its secret is shown once.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // first characters, to recognise it
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Active reports whether the token can be used at now.
func (t *APIToken) Active(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// Token scopes. A token may only do what both its scopes and its user's roles allow.
const (
	ScopeRead  = "read"  // read-only API calls
	ScopeWrite = "write" // state-changing API calls
)

// Scopes lists every token scope.
var Scopes = []string{ScopeRead, ScopeWrite}

// NewAPIToken is the input for creating a token.
type NewAPIToken struct {
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	ExpiresIn int      `json:"expires_in_days"`
}

// MaxTokenDays bounds token lifetime.
const MaxTokenDays = 365

// Validate checks and normalises the input.
func (n *NewAPIToken) Validate() error {
	var v Validation
	n.Name = strings.TrimSpace(n.Name)
	v.Check(n.Name != "", "name", "is required")
	v.Check(utf8.RuneCountInString(n.Name) <= 100, "name", "must be at most 100 characters")
	if len(n.Scopes) == 0 {
		v.Add("scopes", "at least one scope is required")
	}
	for _, s := range n.Scopes {
		if !slices.Contains(Scopes, s) {
			v.Add("scopes", "unknown scope "+strconvQuote(s))
			break
		}
	}
	slices.Sort(n.Scopes)
	n.Scopes = slices.Compact(n.Scopes)
	v.Check(n.ExpiresIn >= 1 && n.ExpiresIn <= MaxTokenDays, "expires_in_days", "must be between 1 and 365")
	return v.Err()
}

// Actor is who performs an operation. It travels in the context so that the
// storage layer can write the audit event in the same transaction.
type Actor struct {
	UserID    int64
	OrgID     int64
	TokenID   int64
	IP        string
	RequestID string
	// System is set for the CLI and start-up tasks, which act without a user.
	System bool
}

type actorKey struct{}

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx; the zero Actor is anonymous.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}
