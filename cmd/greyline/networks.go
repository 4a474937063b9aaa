package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/fraudnet"
	"github.com/greyline/greyline/network"
	"github.com/greyline/greyline/warninglist"
)

// networkFlags configure the fraud-network guards.
type networkFlags struct {
	warninglistFile string
	holdComplaints  int
	holdVictims     int
	list            *warninglist.List
}

func (nf *networkFlags) register(fs *flag.FlagSet) {
	def := network.DefaultConfig().Default
	fs.StringVar(&nf.warninglistFile, "warninglist", "", "`file` of values that must never link complaints (helplines, platforms…), added to the shipped lists; one \"TYPE VALUE # reason\" per line")
	fs.IntVar(&nf.holdComplaints, "hold-complaints", def.Complaints, "hold for review an identifier in more than this many `complaints`…")
	fs.IntVar(&nf.holdVictims, "hold-victims", def.Victims, "…from more than this many different `victims`")
}

func (nf *networkFlags) validate(v *greyline.Validation) {
	v.Check(nf.holdComplaints >= 2, "--hold-complaints", "must be at least 2")
	v.Check(nf.holdVictims >= 1, "--hold-victims", "must be at least 1")
	nf.list = warninglist.Default()
	if nf.warninglistFile == "" {
		return
	}
	f, err := os.Open(nf.warninglistFile)
	if err != nil {
		v.Add("--warninglist", "cannot be read: "+err.Error())
		return
	}
	defer f.Close()
	extra, err := warninglist.Parse(nf.warninglistFile, f)
	if err != nil {
		v.Add("--warninglist", circlesReason(err))
		return
	}
	nf.list = nf.list.Merge(extra)
}

// options gives the engine the configured thresholds: the per-type
// defaults scale with the general one.
func (nf *networkFlags) options() fraudnet.Options {
	cfg := network.DefaultConfig()
	def := cfg.Default
	cfg.Default = network.Threshold{Complaints: nf.holdComplaints, Victims: nf.holdVictims}
	for typ, t := range cfg.ByType {
		cfg.ByType[typ] = network.Threshold{Complaints: t.Complaints * nf.holdComplaints / def.Complaints, Victims: max(1, t.Victims*nf.holdVictims/def.Victims)}
	}
	return fraudnet.Options{Warninglist: nf.list, Engine: cfg}
}

const networksHelp = `Usage: greyline networks rebuild [options]

Rebuild the fraud networks from the database, recompute every identifier's
risk tier, store the tiers that changed (they feed the partners), and print
how long each step took. The server does this by itself when it starts.
`

func (m *Main) networksCmd(ctx context.Context, args []string) error {
	if err := m.only(args, "rebuild", "subcommand", networksHelp); err != nil {
		return err
	}
	fs := m.flags("networks", args)
	var sf storeFlags
	var nf networkFlags
	sf.register(fs)
	nf.register(fs)
	if err := m.parse(fs, args[1:], secretFlags); err != nil {
		return err
	}
	var v greyline.Validation
	nf.validate(&v)
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
	start := time.Now()
	svc := fraudnet.New(db, nf.options())
	st, err := svc.Rebuild(greyline.WithActor(ctx, greyline.Actor{System: true}))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d complaints, %d identifiers, %d links: %d networks of two or more (largest %d complaints), %d identifiers held for review\n",
		st.Complaints, st.Identifiers, st.Links, st.Networks, st.Largest, st.Held)
	fmt.Fprintf(m.Stdout, "%d tiers changed\n", st.TiersChanged)
	fmt.Fprintf(m.Stdout, "rebuilt in %s (read %s, build %s, save tiers %s)\n", round(time.Since(start)), round(st.Read), round(st.Build), round(st.Save))
	return nil
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
