package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/demo"
)

const demoAbout = "Fill an empty database with demo data and print the demo sign-ins.\n" +
	"Migrates it first. The data: accounts for every role, licensing at every stage, the\n" +
	"complaints and fraud networks of 2025, and Operation Grey as NCCIA briefed the Senate.\n" +
	"Refuses a database that already has users or records."

func (m *Main) demoCmd(ctx context.Context, args []string) error {
	fs := m.flags("demo", args)
	var sf storeFlags
	sf.register(fs)
	// The licensing options are serve's: the demo's applications are
	// submitted, cleared and charged as the server will do it.
	var lf licensingFlags
	lf.register(fs)
	if err := m.parse(fs, args, secretFlags); err != nil {
		return err
	}
	var v greyline.Validation
	sf.validate(&v)
	lf.validate(&v)
	if fs.NArg() > 0 {
		v.Add("arguments", fmt.Sprintf("unexpected %q", fs.Args()))
	}
	if err := v.Err(); err != nil {
		return err
	}
	db, _, err := m.openWith(ctx, &sf, lf.apply)
	if err != nil {
		return err
	}
	defer db.Close()
	// The demo issues licences; create the keys that sign their
	// certificates now, as serve's first start would.
	if _, err := m.keyring(&sf, &lf); err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := db.Seed(ctx); err != nil {
		return err
	}
	sys := greyline.WithActor(ctx, greyline.Actor{System: true})
	// demo.Load checks for users itself; records without users (an import
	// run before anyone signed up) would mix with the demo's just as badly.
	cs, err := db.ListComplaints(sys, greyline.ComplaintFilter{Limit: 1})
	if err != nil {
		return err
	}
	raids, err := db.ListRaids(sys, 0)
	if err != nil {
		return err
	}
	if len(cs) > 0 || len(raids) > 0 {
		return greyline.Errorf(greyline.ECONFLICT, "The database is not empty: it already has complaints or raids. greyline demo fills only an empty database.")
	}
	start := time.Now()
	accts, err := demo.Load(sys, demo.Services{Orgs: db, Users: db, Businesses: db, Applications: db, Clearance: db, Licences: db, Complaints: db, Enforcement: db, Takedowns: db, Now: m.Now})
	if errors.Is(err, demo.ErrNotEmpty) {
		return greyline.Errorf(greyline.ECONFLICT, "The database is not empty: it already has users. greyline demo fills only an empty database.")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Demo data loaded into the %s database in %v.\n", db.Engine(), time.Since(start).Round(10*time.Millisecond))
	fmt.Fprintf(m.Stdout, "Demo accounts (password %q; two-step verification is off for the demo):\n", demo.Password)
	for _, a := range accts {
		fmt.Fprintf(m.Stdout, "  %-34s %s, %s\n", a.Email, a.Role.Label(), a.Org)
	}
	fmt.Fprintf(m.Stdout, "Run \"greyline serve\" with the same options and sign in with any of them.\n")
	return nil
}
