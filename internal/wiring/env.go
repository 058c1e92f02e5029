package wiring

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// ExitFailure is the exit code of a command's finding (drift, dead letters, rejections).
const ExitFailure = 1

// ExitError carries an exit code for a failure already reported to the user (for example
// "some records were rejected"), so the command line prints nothing more.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Env is what a command runs with (gh's factory): the context, the standard streams, the
// environment (through Getenv) and the command's name, for hints.
type Env struct {
	Ctx context.Context
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// Terminal, when set, says Err is a terminal whatever it is (so tests can see progress
	// output, which is drawn only on a terminal).
	Terminal bool
	Getenv   func(string) string
	Command  string
}

// ErrIsTerminal reports whether Err is a terminal (or Terminal says so).
func (e *Env) ErrIsTerminal() bool { return e.Terminal || IsTerminal(e.Err) }

// IsTerminal reports whether w is a terminal, for progress output and the TUI.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// Warn prints a "ciosim: " line on stderr.
func (e *Env) Warn(m string) { fmt.Fprintf(e.Err, "ciosim: %s\n", m) }
