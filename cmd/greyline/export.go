package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/stix"
)

const exportHelp = `Usage: greyline export stix [--since CURSOR|DATE] [--tlp LEVEL] [--out FILE] [options]

Write the shared indicators (takedown targets, watched wallets, risk tiers,
partners' indicators) as a STIX 2.1 bundle for MISP or OpenCTI, in their
latest state: withdrawn ones are revoked. --tlp is the most restrictive
marking to include (default amber; red is never exported). The cursor to
pass as --since next time is printed on standard error.
`

func (m *Main) exportCmd(ctx context.Context, args []string) error {
	if err := m.only(args, "stix", "format", exportHelp); err != nil {
		return err
	}
	fs := m.flags("export", args)
	var sf storeFlags
	sf.register(fs)
	since := fs.String("since", "", "only what changed after this `cursor` (from an earlier export), date (YYYY-MM-DD) or time (RFC 3339)")
	level := fs.String("tlp", "amber", "the most restrictive TLP `marking` to include: clear, green, amber or amber+strict")
	out := fs.String("out", "", "write the bundle to this `file` instead of standard output")
	if err := m.parse(fs, args[1:], secretFlags); err != nil {
		return err
	}
	var v greyline.Validation
	allowed := slices.Index(greyline.TLPs, greyline.TLP(*level))
	v.Check(allowed >= 0 && greyline.TLP(*level) != greyline.TLPRed, "--tlp", "must be clear, green, amber or amber+strict")
	cursor, after, err := greyline.ParseSince(*since)
	if err != nil {
		v.Add("--since", "must be a cursor from an earlier export, a date (YYYY-MM-DD) or a time (RFC 3339)")
	}
	if err := v.Err(); err != nil {
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
	sys := greyline.WithActor(ctx, greyline.Actor{System: true})
	var items []*greyline.Indicator
	for {
		page, next, err := db.SharedFeed(sys, cursor, "", 10000)
		if err != nil {
			return err
		}
		for _, in := range page {
			if slices.Index(greyline.TLPs, in.TLP) <= allowed && in.UpdatedAt.After(after) {
				items = append(items, in)
			}
		}
		if next == cursor {
			break
		}
		cursor = next
	}
	var w io.Writer = m.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return greyline.Invalid("--out", "cannot be written: "+err.Error())
		}
		defer f.Close()
		w = f
	}
	recs := stix.FromIndicators(items)
	if err := stix.Write(w, stix.Producer{Name: "greyline (NCCIA, PTA, SECP)"}, recs, m.Now()); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%d indicators exported; next time pass --since %s\n", len(recs), cursor)
	return nil
}
