package wiring

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/ciosim/ciosim/xdm"
)

// LoadMapping resolves --mapping: a built-in name or a file.
func LoadMapping(name, tenant string) (xdm.MappingSet, bool, error) {
	if slices.Contains(xdm.DefaultNames(), name) {
		ms, err := xdm.Default(name, tenant)
		if err != nil {
			return ms, true, &UsageError{Err: err}
		}
		return ms, true, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return xdm.MappingSet{}, false, Usagef("--mapping %s: not a built-in set (%s) and no such file", name, strings.Join(xdm.DefaultNames(), ", "))
		}
		return xdm.MappingSet{}, false, fmt.Errorf("read mapping: %w", err)
	}
	ms, err := xdm.ParseMappingSet(b)
	if err != nil {
		return ms, false, fmt.Errorf("%s: %w", name, err)
	}
	ms.Name = name
	return ms, false, nil
}

// MaskURL returns u fit for the status bar: a password in the user info and the values of
// query parameters that look like credentials are replaced by "***". A URL that does not
// parse is shown only by its scheme and host, so nothing secret can leak through it.
func MaskURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		if i := strings.Index(u, "://"); i >= 0 {
			rest := u[i+3:]
			if j := strings.IndexAny(rest, "/?#"); j >= 0 {
				rest = rest[:j]
			}
			if k := strings.LastIndexByte(rest, '@'); k >= 0 {
				rest = "***@" + rest[k+1:]
			}
			return u[:i+3] + rest
		}
		return "(invalid URL)"
	}
	if p.User != nil {
		if _, ok := p.User.Password(); ok {
			p.User = url.UserPassword(p.User.Username(), "***")
		} else {
			p.User = url.User("***")
		}
	}
	q := p.Query()
	changed := false
	for k := range q {
		l := strings.ToLower(k)
		for _, w := range []string{"token", "key", "secret", "sig", "password", "auth"} {
			if strings.Contains(l, w) {
				q.Set(k, "***")
				changed = true
				break
			}
		}
	}
	if changed {
		p.RawQuery = strings.ReplaceAll(q.Encode(), "%2A%2A%2A", "***")
	}
	return strings.Replace(p.String(), "%2A%2A%2A", "***", 1)
}
