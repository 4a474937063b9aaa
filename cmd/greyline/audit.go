package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/greyline/greyline"
)

// errAuditBroken makes Run exit with ExitAuditBroken.
var errAuditBroken = errors.New("audit chain broken")

func (m *Main) audit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		fs := m.flags("audit", args)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.SetOutput(m.Stdout)
			fs.Usage()
			return flag.ErrHelp
		}
		fs.Usage()
		return greyline.Errorf(greyline.EINVALID, "the only subcommand is \"verify\"")
	}
	fs := m.flags("audit", args)
	var sf storeFlags
	sf.register(fs)
	if err := m.parse(fs, args[1:], secretFlags); err != nil {
		return err
	}
	if err := checkArgs(fs, &sf); err != nil {
		return err
	}
	db, err := m.openCurrent(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	n, problems, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintf(m.Stdout, "audit log intact: %d events checked\n", n)
		return nil
	}
	fmt.Fprintf(m.Stdout, "AUDIT LOG TAMPERED: %d problem(s) in %d events\n", len(problems), n)
	for _, p := range problems {
		fmt.Fprintf(m.Stdout, "  event %d: %s: %s\n", p.ID, p.Kind, p.Detail)
	}
	return errAuditBroken
}
