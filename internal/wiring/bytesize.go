package wiring

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ByteSize is a flag value for a number of bytes: a whole number, optionally followed by a
// unit — B, KiB, MiB, GiB (powers of 1024) or KB, MB, GB (powers of 1000), case-insensitive,
// with or without a space before it ("64MiB", "1048576", "2 gib"). It prints itself in the
// largest binary unit that divides it.
type ByteSize int64

var byteUnits = []struct {
	name string
	mult int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
	{"b", 1},
}

// ParseByteSize reads s as a [ByteSize].
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.name) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.name)), u.mult
			break
		}
	}
	if t == "" || len(s) > 64 {
		return 0, fmt.Errorf("%q: want a size such as 64MiB, 512KiB or 1048576", s)
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q: want a size such as 64MiB, 512KiB or 1048576", s)
	}
	if n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return ByteSize(n * mult), nil
}

// String prints the size in the largest binary unit that divides it ("64MiB", "1000B").
func (b ByteSize) String() string {
	n := int64(b)
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// Set implements pflag.Value.
func (b *ByteSize) Set(s string) error {
	v, err := ParseByteSize(s)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// Type implements pflag.Value.
func (b *ByteSize) Type() string { return "size" }
