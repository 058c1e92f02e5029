package wiring

import "testing"

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{
		"64MiB": 64 << 20, "64mib": 64 << 20, "64 MiB": 64 << 20, "1048576": 1 << 20, "1048576B": 1 << 20,
		"512KiB": 512 << 10, "2GiB": 2 << 30, "1MB": 1e6, "10kb": 1e4, "64M": 64 << 20, "0": 0, "3k": 3 << 10,
	} {
		got, err := ParseByteSize(in)
		if err != nil || int64(got) != want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1MiB", "1.5MiB", "64 MiBs", "x", "9223372036854775807KiB", "1e6"} {
		if got, err := ParseByteSize(in); err == nil {
			t.Errorf("ParseByteSize(%q) = %d, want an error", in, got)
		}
	}
	for n, want := range map[ByteSize]string{64 << 20: "64MiB", 1000: "1000B", 0: "0B", 1536: "1536B", 3 << 30: "3GiB"} {
		if got := n.String(); got != want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(n), got, want)
		}
	}
}

// FuzzParseByteSize: whatever is accepted is non-negative and survives a print and re-parse.
func FuzzParseByteSize(f *testing.F) {
	for _, s := range []string{"64MiB", "1048576", "2 gib", "10KB", "", "-1", "99999999999999999999", "1tb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseByteSize(s)
		if err != nil {
			return
		}
		if v < 0 {
			t.Fatalf("ParseByteSize(%q) = %d < 0", s, v)
		}
		back, err := ParseByteSize(v.String())
		if err != nil || back != v {
			t.Fatalf("ParseByteSize(%q) = %d, printed %q, re-read %d, %v", s, v, v.String(), back, err)
		}
	})
}
