package cmd

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// run calls Main with buffers and the given environment and stdin.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	s := Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb}
	code = Main(context.Background(), args, s, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}
