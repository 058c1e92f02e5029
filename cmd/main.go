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
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes, the same for every command (README.md, "Exit codes"):
const (
	ExitOK          = 0                  // done, nothing found
	ExitFailure     = wiring.ExitFailure // the command's finding: drift, personal data, dead letters, rejections
	ExitUsage       = 2                  // how the command was called: unknown command or flag, bad value
	ExitInput       = 3                  // an input could not be read or an output written (missing file, I/O)
	ExitDeadline    = 124                // a --timeout or deadline ran out
	ExitInterrupted = 130                // Ctrl-C or SIGTERM
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
	// command is the name of the command being run ("send"), for hints.
	command string
}

// UsageError marks a mistake in how a command was called; Main exits 2 for it.
type UsageError = wiring.UsageError

func usageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// ExitError carries an exit code for a failure already reported to the user, so Main prints
// nothing more.
type ExitError = wiring.ExitError

// env is what the wiring package runs a command with.
func (a *app) env() *wiring.Env {
	return &wiring.Env{Ctx: a.ctx, In: a.s.In, Out: a.s.Out, Err: a.s.Err, Terminal: a.s.Terminal,
		Getenv: a.getenv, Command: a.command}
}

// Main runs ciosim with args (without the program name) and returns the exit code.
// getenv is os.Getenv in production; tests pass a map lookup.
func Main(ctx context.Context, args []string, s Streams, getenv func(string) string) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	a := &app{ctx: ctx, s: s, getenv: getenv}
	root := newRootCmd(a)
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
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
	case isInputError(err):
		fmt.Fprintf(a.s.Err, "ciosim: %v\n", err)
		return ExitInput
	default:
		fmt.Fprintf(a.s.Err, "ciosim: %v\n", err)
		return ExitFailure
	}
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "ciosim",
		Short: "Simulate Customer.io Reporting Webhooks into Adobe Experience Platform",
		Long: `ciosim generates realistic Customer.io Reporting Webhook events, records and replays
real ones, transforms them to XDM with AEP Data Prep mapping sets, and fires them at an AEP
streaming endpoint — by default at its own embedded AEP streaming emulator on loopback.

Exit codes, for every command: 0 ok; 1 the command's finding (drift, personal data, dead
letters, rejections); 2 usage; 3 unreadable input or I/O; 124 deadline; 130 interrupted.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
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
	finishRoot(root, a) // did-you-mean, flag errors, --version, completion (cmd/ux.go)
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
