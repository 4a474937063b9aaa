package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// envPrefix starts every environment variable greyline reads.
const envPrefix = "GREYLINE_"

// envName is the variable for a flag: --tls-cert is GREYLINE_TLS_CERT.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyEnv sets flags from the environment before the command line is
// parsed, so that flags win. Secret flags may also be read from a file
// named by GREYLINE_X_FILE, which keeps them out of process listings.
func applyEnv(fs *flag.FlagSet, getenv func(string) string, secrets map[string]bool) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil {
			return
		}
		name := envName(f.Name)
		v := getenv(name)
		if secrets[f.Name] {
			if path := getenv(name + "_FILE"); path != "" {
				if v != "" {
					err = fmt.Errorf("setting %s: set %s or %s_FILE, not both", name, name, name)
					return
				}
				b, rerr := os.ReadFile(path)
				if rerr != nil {
					err = fmt.Errorf("setting %s_FILE: %v", name, rerr)
					return
				}
				v = strings.TrimSpace(string(b))
			}
		}
		if v == "" {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = fmt.Errorf("setting %s=%q: %v", name, redact(secrets[f.Name], v), serr)
		}
	})
	return err
}

func redact(secret bool, v string) string {
	if secret {
		return "(hidden)"
	}
	return v
}

// usageFunc prints a command's help with each flag's variable.
func usageFunc(fs *flag.FlagSet, synopsis, about string) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: %s\n\n%s\n", synopsis, about)
		any := false
		fs.VisitAll(func(*flag.Flag) { any = true })
		if !any {
			return
		}
		fmt.Fprintf(w, "\nOptions (each can also be set with the environment variable shown):\n")
		fs.VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			line := "  --" + f.Name
			if name != "" {
				line += " " + name
			}
			fmt.Fprintf(w, "%s\n      %s", line, usage)
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
			fmt.Fprintf(w, "\n      [%s]\n", envName(f.Name))
		})
	}
}
