package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap are the root model's keys: actions that work whichever pane has focus. Each pane
// has its own KeyMap for moving around inside it.
type KeyMap struct {
	NextPane, PrevPane                    key.Binding
	Generate, Regenerate, Edit            key.Binding
	Fire, FireAll, Mode                   key.Binding
	Replay, Pause, Faster, Slower, Cancel key.Binding
	Record, DeadLetters, Mapping          key.Binding
	// Dataflow opens the dataflow picker (dataflows.go).
	Dataflow                             key.Binding
	Endpoint, Envelope, CopyCIO, CopyXDM key.Binding
	Save, Filter, Help, Quit             key.Binding
	Confirm, Deny                        key.Binding
	// Open shows the whole of the selected event or send-log entry (the detail view).
	Open key.Binding
}

// DefaultKeyMap returns the documented keys (docs/tui.md lists them).
func DefaultKeyMap() KeyMap {
	return KeyMap{
		NextPane:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "pane")),
		PrevPane:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Generate:    key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "generate/load")),
		Regenerate:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "regenerate, new seed")),
		Edit:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit a field")),
		Fire:        key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fire")),
		FireAll:     key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "fire all visible")),
		Mode:        key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mode")),
		Replay:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "replay file")),
		Pause:       key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "pause replay")),
		Faster:      key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "replay faster")),
		Slower:      key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "replay slower")),
		Cancel:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel job")),
		Record:      key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "record")),
		DeadLetters: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "dead letters")),
		Mapping:     key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "switch mapping set")),
		Endpoint:    key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "switch endpoint")),
		Dataflow:    key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "dataflows")),
		Envelope:    key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "XDM envelope")),
		CopyCIO:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy Customer.io JSON")),
		CopyXDM:     key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy XDM")),
		Save:        key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "save fixture")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Confirm:     key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y", "yes")),
		Deny:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
	}
}

// ShortHelp implements help.KeyMap: the help line.
func (k KeyMap) ShortHelp() []key.Binding {
	// Quit and help come early: narrow terminals cut the line from the right. Dataflow
	// shows only when dataflows are wired (a disabled binding is skipped).
	return []key.Binding{k.Generate, k.Fire, k.NextPane, k.Help, k.Quit, k.Dataflow, k.Open, k.FireAll, k.Mode, k.Replay, k.Record, k.Filter}
}

// FullHelp implements help.KeyMap: the "?" screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Generate, k.Regenerate, k.Edit, k.Filter, k.Save, k.NextPane, k.PrevPane, k.Open},
		{k.Fire, k.FireAll, k.Mode, k.Mapping, k.Endpoint, k.Dataflow, k.DeadLetters, k.Cancel},
		{k.Replay, k.Pause, k.Faster, k.Slower, k.Record, k.Envelope, k.CopyCIO, k.CopyXDM},
		{k.Help, k.Quit},
	}
}

// fullHelp adapts grouped bindings to help.KeyMap for the "?" screen.
type fullHelp [][]key.Binding

// ShortHelp implements help.KeyMap; the "?" screen uses only FullHelp.
func (f fullHelp) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (f fullHelp) FullHelp() [][]key.Binding { return f }
