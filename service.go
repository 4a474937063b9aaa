package greyline

import (
	"context"
	"time"
)

// The services below are implemented by package sqlstore for both engines.
// Every method that changes state runs in one transaction that also writes
// its audit event; the actor comes from the context (see WithActor).

// OrgService manages organisations.
type OrgService interface {
	CreateOrg(ctx context.Context, o *Org) error
	UpdateOrg(ctx context.Context, id int64, upd OrgUpdate) (*Org, error)
	FindOrgByID(ctx context.Context, id int64) (*Org, error)
	FindOrgByCode(ctx context.Context, code string) (*Org, error)
	ListOrgs(ctx context.Context) ([]*Org, error)
}

// OrgUpdate holds the changeable fields; nil means unchanged.
type OrgUpdate struct {
	Name       *string `json:"name"`
	Require2FA *bool   `json:"require_2fa"`
}

// UserService manages users and their credentials.
type UserService interface {
	CreateUser(ctx context.Context, n NewUser) (*User, error)
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	SetUserDisabled(ctx context.Context, id int64, disabled bool) error
	SetUserRoles(ctx context.Context, id int64, roles []Role) error
	// ResetPassword sets a new password chosen by an admin and ends the user's sessions.
	ResetPassword(ctx context.Context, id int64, password string) error
	// ChangePassword is the user's own change; the current password is checked.
	ChangePassword(ctx context.Context, id int64, current, next string) error
	// ResetTOTP removes the second factor so that the user enrols again.
	ResetTOTP(ctx context.Context, id int64) error
	CountUsers(ctx context.Context) (int, error)
}

// AuthService signs users in and manages sessions, second factors and tokens.
type AuthService interface {
	// Authenticate checks a password, applying per-account lockout.
	Authenticate(ctx context.Context, email, password string) (*User, error)
	CreateSession(ctx context.Context, userID int64, state SessionState) (token string, s *Session, err error)
	// FindSession returns the live session for a cookie token and extends its idle expiry.
	FindSession(ctx context.Context, token string) (*Session, error)
	// PromoteSession replaces a session by a new one in the given state (renewal defeats fixation).
	PromoteSession(ctx context.Context, token string, state SessionState) (newToken string, s *Session, err error)
	DeleteSession(ctx context.Context, token string) error

	BeginTOTPEnrolment(ctx context.Context, userID int64) (*TOTPEnrolment, error)
	ConfirmTOTPEnrolment(ctx context.Context, userID int64, code string) (recoveryCodes []string, err error)
	VerifySecondFactor(ctx context.Context, userID int64, code string) error

	CreateAPIToken(ctx context.Context, userID int64, n NewAPIToken) (secret string, t *APIToken, err error)
	ListAPITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	RevokeAPIToken(ctx context.Context, userID, tokenID int64) error
	// FindAPIToken resolves a bearer secret to its active token.
	FindAPIToken(ctx context.Context, secret string) (*APIToken, error)

	// CreateSetupToken returns a one-time link secret for the first admin, if no user exists.
	CreateSetupToken(ctx context.Context) (string, error)
	// SetupTokenValid reports whether secret is a live set-up secret.
	SetupTokenValid(ctx context.Context, secret string) bool
	// CompleteSetup creates the first admin, consuming the setup secret.
	CompleteSetup(ctx context.Context, secret string, n NewUser) (*User, error)
}

// TOTPEnrolment is what the user scans to enrol a second factor.
type TOTPEnrolment struct {
	Secret  string // base32, shown for manual entry
	URL     string // otpauth:// URL
	QRPNG   []byte
	Account string
}

// AuditService reads and verifies the audit log. There is no way to change it.
type AuditService interface {
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)
	// RecordAudit writes a stand-alone event (a refused login, a read of personal data).
	RecordAudit(ctx context.Context, e AuditEvent) error
	VerifyAudit(ctx context.Context) (checked int64, problems []ChainProblem, err error)
}

// Clock is injected wherever the current time matters.
type Clock func() time.Time
