//go:build !race

package xdm

const raceOn = false
