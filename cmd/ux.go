package cmd

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/fixtures"
	"github.com/ciosim/ciosim/internal/suggest"
	"github.com/ciosim/ciosim/xdm"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// This file holds what every command shares on the command line: "did you mean" for
// commands and flags, clean flag-value errors, --version and value completion.

// finishRoot applies the shared conventions to root and every command under it; call it
// after all commands are added.
func finishRoot(root *cobra.Command, a *app) {
	root.PersistentPreRun = func(c *cobra.Command, _ []string) { a.command = c.Name() }
	root.Args = unknownCommand
	root.Version = version(debug.ReadBuildInfo())
	root.SetVersionTemplate("ciosim {{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	walk(root, registerCompletions)
}

func walk(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		walk(sub, f)
	}
}

// unknownCommand refuses arguments to the root command (which starts the TUI) and names the
// command the user probably meant.
func unknownCommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
			names = append(names, sub.Aliases...)
		}
	}
	return usageErrorf("unknown command %q for %q%s (see '%s --help')", args[0], c.CommandPath(),
		suggest.Hint(suggest.Closest(args[0], names)), c.CommandPath())
}

var (
	unknownFlagRE = regexp.MustCompile(`^unknown flag: --([^\s=]+)`)
	badValueRE    = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?--([\w-]+)" flag: `)
)

// flagError rewrites pflag's errors for people: an unknown flag names the flags it was
// probably meant to be; a bad value says what the flag wants instead of strconv's text.
func flagError(c *cobra.Command, err error) error {
	msg := err.Error()
	if m := unknownFlagRE.FindStringSubmatch(msg); m != nil {
		var names []string
		c.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		c.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		hint := suggest.Closest(m[1], names)
		for i := range hint {
			hint[i] = "--" + hint[i]
		}
		return usageErrorf("unknown flag --%s%s (see '%s --help')", m[1], suggest.Hint(hint), c.CommandPath())
	}
	if m := badValueRE.FindStringSubmatch(msg); m != nil {
		want := "a valid value"
		if f := c.Flags().Lookup(m[2]); f != nil {
			want = wantFor(f.Value.Type())
		}
		return usageErrorf("--%s %q: want %s (see '%s --help')", m[2], m[1], want, c.CommandPath())
	}
	return &UsageError{Err: fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
}

func wantFor(typ string) string {
	switch typ {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "count":
		return "a whole number, e.g. 10"
	case "float32", "float64":
		return "a number, e.g. 2.5"
	case "bool":
		return "true or false"
	case "duration":
		return "a duration such as 500ms, 30s or 2m"
	}
	return "a valid " + typ
}

// version is the module version and VCS revision the binary was built from.
func version(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "unknown (built without module information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v += " (" + rev
	if at != "" {
		v += ", " + at
	}
	if modified {
		v += ", modified"
	}
	return v + ")"
}

// Values offered by shell completion, by flag name, wherever the flag exists.
var completions = map[string]func(c *cobra.Command) []string{
	"type": func(*cobra.Command) []string { return customerio.ObjectTypes() },
	"metric": func(c *cobra.Command) []string {
		if f := c.Flags().Lookup("type"); f != nil && f.Value.String() != "" {
			return customerio.Metrics(f.Value.String())
		}
		var all []string
		for _, t := range customerio.ObjectTypes() {
			for _, m := range customerio.Metrics(t) {
				if !slices.Contains(all, m) {
					all = append(all, m)
				}
			}
		}
		return all
	},
	"scenario": func(*cobra.Command) []string { return append(fixtures.Names(), "list") },
	"mode":     func(*cobra.Command) []string { return []string{"raw", "xdm", "batch"} },
	"mapping":  func(*cobra.Command) []string { return xdm.DefaultNames() },
	"origin": func(*cobra.Command) []string {
		var out []string
		for _, o := range customerio.Origins() {
			out = append(out, string(o))
		}
		return out
	},
}

// fileValued flags also complete file names (a scenario or mapping file).
var fileValued = map[string]bool{"scenario": true, "mapping": true}

func registerCompletions(c *cobra.Command) {
	for name, values := range completions {
		if c.Flags().Lookup(name) == nil {
			continue
		}
		_ = c.RegisterFlagCompletionFunc(name, func(c *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			var out []string
			for _, v := range values(c) {
				if strings.HasPrefix(v, prefix) {
					out = append(out, v)
				}
			}
			if fileValued[name] && len(out) == 0 {
				return nil, cobra.ShellCompDirectiveDefault
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		})
	}
}

// isInputError reports whether err is about a file or directory that could not be read or
// written: exit code 3, not the command's finding (1).
func isInputError(err error) bool {
	var pe *fs.PathError
	var ie *InputError
	return errors.As(err, &pe) || errors.As(err, &ie)
}

// InputError marks an input that could not be read (missing, unreadable, not the expected
// kind of file); Main exits 3 for it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }
