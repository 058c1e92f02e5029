//go:build race

package tui

// raceOn: the race detector makes rendering ten times slower; the size sweep thins out.
const raceOn = true
