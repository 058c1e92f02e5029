//go:build race

package xdm

// raceOn: under the race detector sync.Pool drops items at random, so allocation counts
// of pooled paths are not checked.
const raceOn = true
