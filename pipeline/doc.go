// Package pipeline is the delivery engine: sources → schedule (pace) → rewrite and
// optional transform → the aep client (concurrency, rate, per-customer order, batching) →
// one [Result] per event with an explicit outcome (delivered, rejected, failed, cancelled)
// and, for the embedded emulator, its verdict → tally and report, journal, dead letters.
// Every firing command and the TUI deliver through [Deliver] and pace with [Schedule]. It
// knows nothing about XDM (the transform is injected) or the terminal.
package pipeline
