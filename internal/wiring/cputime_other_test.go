//go:build !unix

package wiring

import "time"

// processCPU is not measured here.
func processCPU() time.Duration { return 0 }
