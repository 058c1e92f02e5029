// Package emulatortest starts the AEP streaming emulator for other packages' tests, in the
// spirit of net/http/httptest: on a loopback port, closed when the test ends.
package emulatortest

import (
	"testing"

	"github.com/ciosim/ciosim/aep/emulator"
)

// Start runs an emulator with o on 127.0.0.1:0 and registers its Close with t.Cleanup.
// It fails the test if the emulator cannot be built or started.
func Start(t testing.TB, o emulator.Options) (*emulator.Server, *emulator.Running) {
	t.Helper()
	s, err := emulator.New(o)
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	return s, run
}
