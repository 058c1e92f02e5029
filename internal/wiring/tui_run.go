package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ciosim/ciosim/tui"
	"github.com/muesli/termenv"
)

// nonTTYHint is printed instead of starting the TUI when stdout is not a terminal.
const nonTTYHint = `ciosim: the TUI needs a terminal, and stdout is not one.
Use the commands instead, for example:
  ciosim generate --type email --metric opened --count 10
  ciosim catalog
Run 'ciosim --help' for the full list.
`

// RunTUI runs the TUI with cfg on the terminal of a's streams (the root command without a
// subcommand); without a terminal it prints a hint and exits 1.
func RunTUI(a *Env, cfg TUIConfig) error {
	if !IsTerminal(a.Out) {
		fmt.Fprint(a.Err, nonTTYHint)
		return &ExitError{Code: ExitFailure}
	}
	logger, closeLog, err := OpenLog(cfg.LogFile)
	if err != nil {
		return err
	}
	defer closeLog()
	if a.Getenv("NO_COLOR") != "" { // https://no-color.org
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	ctx, cancel := context.WithCancel(a.Ctx)
	defer cancel()
	deps, opts, cleanup, err := WireTUI(ctx, cfg, logger, OSC52Clipboard{W: a.clipboardWriter(), Tmux: a.Getenv("TMUX") != ""})
	if err != nil {
		return err
	}
	defer cleanup()
	m := tui.New(ctx, deps, opts)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithAltScreen(),
		tea.WithInput(a.In), tea.WithOutput(a.Out))
	final, err := p.Run()
	switch {
	case errors.Is(err, tea.ErrProgramPanic): // also wraps ErrProgramKilled: a crash, not an interrupt
		return fmt.Errorf("tui: %w", err)
	case errors.Is(err, tea.ErrInterrupted), errors.Is(err, tea.ErrProgramKilled):
		return context.Canceled
	case err != nil:
		return fmt.Errorf("tui: %w", err)
	}
	if fm, ok := final.(tui.Model); ok && fm.Err() != nil {
		return fm.Err()
	}
	return nil
}

// OpenLog opens the TUI's JSON log (0600, appended); "" discards.
func OpenLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, Usagef("--log-file: %w", err)
	}
	return slog.New(slog.NewJSONHandler(f, nil)), func() { f.Close() }, nil
}

// clipboardWriter is where OSC52 goes: stderr when it is the terminal (so the sequence
// never interleaves with the TUI's frames on stdout), else stdout.
func (a *Env) clipboardWriter() io.Writer {
	if IsTerminal(a.Err) {
		return a.Err
	}
	return a.Out
}

// OSC52Clipboard copies with the OSC52 escape sequence, which terminals (and tmux with
// set-clipboard on) turn into a clipboard write, also over SSH.
type OSC52Clipboard struct {
	W    io.Writer
	Tmux bool
}

var _ tui.Clipboard = OSC52Clipboard{}

// Copy writes text to the clipboard.
func (c OSC52Clipboard) Copy(_ context.Context, text string) error {
	seq := osc52.New(text)
	if c.Tmux {
		seq = seq.Tmux()
	}
	_, err := seq.WriteTo(c.W)
	return err
}
