// Package cmd is ciosim's command line: one cobra command per file, each parsing its flags
// into a plain options struct, validating it and wiring the domain packages together. It is
// the only package that reads the environment (through an injected getenv) and the only one
// that maps errors to exit codes.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"github.com/ciosim/ciosim/internal/wiring"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
)

// Exit codes, as documented in the README.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitDeadline    = 124
	ExitInterrupted = 130
)

// Streams are the standard streams a command reads and writes; tests pass buffers.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// Terminal, when set, says Err is a terminal whatever it is (so tests can see progress
	// output, which is drawn only on a terminal).
	Terminal bool
}

// app carries what every command needs: the streams, the environment and the context.
type app struct {
	ctx    context.Context
	s      Streams
	getenv func(string) string
}

// UsageError marks a mistake in how a command was called; Main exits 2 for it.
type UsageError = wiring.UsageError

func usageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// ExitError carries an exit code for a failure already reported to the user (for example
// "some records were rejected"), so Main prints nothing more.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Main runs ciosim with args (without the program name) and returns the exit code.
// getenv is os.Getenv in production; tests pass a map lookup.
func Main(ctx context.Context, args []string, s Streams, getenv func(string) string) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	a := &app{ctx: ctx, s: s, getenv: getenv}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	err := root.ExecuteContext(ctx)
	return a.exitCode(err)
}

func (a *app) exitCode(err error) int {
	if err == nil {
		if a.ctx.Err() != nil {
			return ExitInterrupted
		}
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var ue *UsageError
	switch {
	case errors.Is(err, context.Canceled) || a.ctx.Err() != nil:
		fmt.Fprintln(a.s.Err, "ciosim: interrupted")
		return ExitInterrupted
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(a.s.Err, "ciosim: %v\n", err)
		return ExitDeadline
	case errors.As(err, &ue) || isCobraUsage(err):
		fmt.Fprintf(a.s.Err, "ciosim: %v\n", err)
		return ExitUsage
	default:
		fmt.Fprintf(a.s.Err, "ciosim: %v\n", err)
		return ExitFailure
	}
}

// isTerminal reports whether w is a terminal, for progress output and the TUI.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// noColor reports whether the user asked for no colour (https://no-color.org).
func (a *app) noColor() bool { return a.getenv("NO_COLOR") != "" }

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "ciosim",
		Short: "Simulate Customer.io Reporting Webhooks into Adobe Experience Platform",
		Long: `ciosim generates realistic Customer.io Reporting Webhook events, records and replays
real ones, transforms them to XDM with AEP Data Prep mapping sets, and fires them at an AEP
streaming endpoint — by default at its own embedded AEP streaming emulator on loopback.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &UsageError{Err: fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	attachTUI(root, a) // no subcommand: the TUI (cmd/tui.go)
	// Each command registers here, one line per file in this package.
	root.AddCommand(
		newCatalogCmd(a),
		newGenerateCmd(a),
		newRecordCmd(a),
		newReplayCmd(a),
		newRedactCmd(a),
		newScanCmd(a),
		newTransformCmd(a),
		newSendCmd(a, defaultSendDeps()),
		newServeCmd(a, defaultServeDeps()),
		newAEPCmd(a),
	)
	return root
}

// isCobraUsage recognises the argument errors cobra returns without a typed error.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
