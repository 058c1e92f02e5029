//go:build !race

package customerio

const raceOn = false
