//go:build !race

package recordings

const raceOn = false
