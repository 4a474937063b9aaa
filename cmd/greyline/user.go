package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/greyline/greyline"
)

const userHelp = `Usage: greyline user <subcommand> [options]

Subcommands:
  create          create a user (--admin for an administrator)
  list            list users
  disable EMAIL   disable an account and end its sessions
  enable EMAIL    re-enable a disabled account
  reset-password EMAIL   set a new password and end the user's sessions
  reset-2fa EMAIL        remove the second factor; the user sets it up again

Run "greyline user <subcommand> --help" for its options.
`

func (m *Main) user(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(m.Stdout, userHelp)
		if len(args) == 0 {
			return greyline.Errorf(greyline.EINVALID, "a subcommand is required")
		}
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	ctx = greyline.WithActor(ctx, greyline.Actor{System: true})
	switch sub {
	case "create":
		return m.userCreate(ctx, rest)
	case "list":
		return m.userList(ctx, rest)
	case "disable", "enable", "reset-password", "reset-2fa":
		return m.userChange(ctx, sub, rest)
	}
	return greyline.Errorf(greyline.EINVALID, "unknown subcommand %q; run \"greyline user --help\"", sub)
}

// subFlags builds a FlagSet for "user SUB" with its own help text.
func (m *Main) subFlags(name, synopsis, about string) (*flag.FlagSet, *storeFlags) {
	fs := flag.NewFlagSet("user "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = usageFunc(fs, synopsis, about)
	sf := &storeFlags{}
	sf.register(fs)
	return fs, sf
}

// password returns the password read from stdin, or a generated one.
func (m *Main) password(fromStdin bool) (pw string, generated bool, err error) {
	if !fromStdin {
		b := make([]byte, 15)
		rand.Read(b)
		return base64.RawURLEncoding.EncodeToString(b), true, nil
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", false, greyline.Invalid("--password-stdin", "no password was given on standard input")
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

func (m *Main) userCreate(ctx context.Context, args []string) error {
	fs, sf := m.subFlags("create", "greyline user create --email EMAIL --name NAME --org CODE (--role ROLE… | --admin) [options]",
		"Create a user. Without --password-stdin a strong password is generated and printed once.\nRoles: "+roleList()+".")
	var email, name, org, roles string
	var admin, fromStdin bool
	fs.StringVar(&email, "email", "", "e-mail address (the sign-in name)")
	fs.StringVar(&name, "name", "", "full name")
	fs.StringVar(&org, "org", "PTA", "organisation `code`, e.g. PTA, NCCIA, SA, SECP, PSEB")
	fs.StringVar(&roles, "role", "", "comma-separated `roles`")
	fs.BoolVar(&admin, "admin", false, "make the user an administrator (adds the admin role)")
	fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	if err := m.parse(fs, args, secretFlags); err != nil {
		return err
	}
	if err := checkArgs(fs, sf); err != nil {
		return err
	}
	n := greyline.NewUser{Email: email, Name: name}
	for _, r := range strings.Split(roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			n.Roles = append(n.Roles, greyline.Role(r))
		}
	}
	if admin {
		n.Roles = append(n.Roles, greyline.RoleAdmin)
	}
	pw, generated, err := m.password(fromStdin)
	if err != nil {
		return err
	}
	n.Password = pw
	db, err := m.openCurrent(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := db.FindOrgByCode(ctx, org)
	if err != nil {
		return greyline.Invalid("--org", fmt.Sprintf("no organisation has the code %q", org))
	}
	n.OrgID = o.ID
	u, err := db.CreateUser(ctx, n)
	if err != nil {
		return flagNames(err)
	}
	fmt.Fprintf(m.Stdout, "created user %d: %s (%s) at %s\n", u.ID, u.Email, rolesText(u.Roles), o.Code)
	if generated {
		fmt.Fprintf(m.Stdout, "password: %s\n(shown once; the user can change it under My account)\n", pw)
	}
	return nil
}

// flagNames renames model fields to the CLI's flag names in field errors.
func flagNames(err error) error {
	var e *greyline.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	names := map[string]string{"email": "--email", "name": "--name", "roles": "--role", "org_id": "--org", "password": "password"}
	out := *e
	out.Fields = make([]greyline.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if n, ok := names[f.Field]; ok {
			f.Field = n
		}
		out.Fields[i] = f
	}
	return &out
}

func roleList() string {
	s := make([]string, len(greyline.Roles))
	for i, r := range greyline.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func rolesText(rs []greyline.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func (m *Main) userList(ctx context.Context, args []string) error {
	fs, sf := m.subFlags("list", "greyline user list [--org CODE] [options]", "List users with their organisation, roles and status.")
	var org string
	fs.StringVar(&org, "org", "", "only users of the organisation with this `code`")
	if err := m.parse(fs, args, secretFlags); err != nil {
		return err
	}
	if err := checkArgs(fs, sf); err != nil {
		return err
	}
	db, err := m.openCurrent(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	f := greyline.UserFilter{Limit: 500}
	if org != "" {
		o, err := db.FindOrgByCode(ctx, org)
		if err != nil {
			return greyline.Invalid("--org", fmt.Sprintf("no organisation has the code %q", org))
		}
		f.OrgID = o.ID
	}
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tORG\tROLES\t2FA\tSTATUS")
	for {
		users, total, err := db.ListUsers(ctx, f)
		if err != nil {
			return err
		}
		for _, u := range users {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			tfa := "off"
			if u.TOTPEnabled {
				tfa = "on"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.OrgCode, rolesText(u.Roles), tfa, status)
		}
		f.Offset += len(users)
		if len(users) == 0 || f.Offset >= total {
			break
		}
	}
	return tw.Flush()
}

func (m *Main) userChange(ctx context.Context, sub string, args []string) error {
	about := map[string]string{
		"disable":        "Disable an account. Its sessions end at once and its API tokens stop working.",
		"enable":         "Re-enable a disabled account.",
		"reset-password": "Set a new password (generated and printed, or read with --password-stdin) and end the user's sessions.",
		"reset-2fa":      "Remove the user's second factor and recovery codes; they set it up again at next sign-in.",
	}[sub]
	fs, sf := m.subFlags(sub, "greyline user "+sub+" EMAIL [options]", about)
	var fromStdin bool
	if sub == "reset-password" {
		fs.BoolVar(&fromStdin, "password-stdin", false, "read the new password from the first line of standard input")
	}
	if err := m.parse(fs, args, secretFlags); err != nil {
		return err
	}
	var v greyline.Validation
	sf.validate(&v)
	if fs.NArg() != 1 {
		v.Add("EMAIL", "exactly one e-mail address is required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	db, err := m.openCurrent(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.FindUserByEmail(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	switch sub {
	case "disable":
		err = db.SetUserDisabled(ctx, u.ID, true)
	case "enable":
		err = db.SetUserDisabled(ctx, u.ID, false)
	case "reset-2fa":
		err = db.ResetTOTP(ctx, u.ID)
	case "reset-password":
		pw, generated, perr := m.password(fromStdin)
		if perr != nil {
			return perr
		}
		if err = db.ResetPassword(ctx, u.ID, pw); err == nil && generated {
			fmt.Fprintf(m.Stdout, "new password: %s\n", pw)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s: done for %s\n", sub, u.Email)
	return nil
}
