package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/report"
)

const reportHelp = `Usage: greyline report committee --from DATE --to DATE [--city C] [--province P] [--format F] [options]

Print the committee briefing on Operation Grey and licensing for a period
(dates YYYY-MM-DD, inclusive, Pakistan time): raids, arrests and accused by
nationality, FIRs, money uncovered and recovered, complaints by category,
monthly trends and licensing figures. --format text (default), json, csv
(every table, one after another, each under a "# name" line) or pdf.
`

func (m *Main) reportCmd(ctx context.Context, args []string) error {
	if err := m.only(args, "committee", "report", reportHelp); err != nil {
		return err
	}
	fs := m.flags("report", args)
	var sf storeFlags
	sf.register(fs)
	from := fs.String("from", "", "first `date` of the period, YYYY-MM-DD")
	to := fs.String("to", "", "last `date` of the period, YYYY-MM-DD")
	city := fs.String("city", "", "only this `city`")
	province := fs.String("province", "", "only this `province`")
	format := fs.String("format", "text", "`format`: text, json, csv or pdf")
	if err := m.parse(fs, args[1:], secretFlags); err != nil {
		return err
	}
	var v greyline.Validation
	day := func(flagName, s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), greyline.Karachi)
		if err != nil {
			v.Add(flagName, "must be a date written YYYY-MM-DD")
		}
		return t
	}
	f, t := day("--from", *from), day("--to", *to)
	switch *format {
	case "text", "json", "csv", "pdf":
	default:
		v.Add("--format", "must be text, json, csv or pdf")
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
	in, err := db.CommitteeInput(greyline.WithActor(ctx, greyline.Actor{System: true}), f, t, *city, *province)
	if err != nil {
		return err
	}
	c, err := report.Build(in)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	case "csv":
		for i, tb := range c.Tables() {
			if i > 0 {
				fmt.Fprintln(m.Stdout)
			}
			fmt.Fprintf(m.Stdout, "# %s\n", tb.Name)
			if err := tb.WriteCSV(m.Stdout); err != nil {
				return err
			}
		}
		return nil
	case "pdf":
		return c.WritePDF(m.Stdout)
	}
	return c.WriteText(m.Stdout)
}
