package expr

import (
	"strings"

	"github.com/mileusna/useragent"
)

// The ua_* functions parse with github.com/mileusna/useragent: the one Go parser that
// gives OS and browser versions and the device kind in one pass, with no dependencies
// (ua-parser/uap-go has no device class, medama-io/go-useragent no OS version). AEP's
// own parser is not named by Adobe; the documented example (an iPhone running Safari
// 5.1) gives the same eight answers, other agents may differ in naming.
func addUserAgentFuncs(add adder) {
	ua := func(f func(useragent.UserAgent) string) func(*Env, []any) (any, error) {
		return func(_ *Env, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			v := f(useragent.Parse(str(a[0])))
			if strings.TrimSpace(v) == "" {
				return nil, nil
			}
			return v, nil
		}
	}
	major := func(v string) string {
		if i := strings.IndexByte(v, '.'); i >= 0 {
			return v[:i]
		}
		return v
	}
	join := func(a, b string) string {
		if a == "" || b == "" {
			return ""
		}
		return a + " " + b
	}
	add("ua_os_name", 1, 1, ua(func(u useragent.UserAgent) string { return u.OS }))
	add("ua_os_version", 1, 1, ua(func(u useragent.UserAgent) string { return u.OSVersion }))
	add("ua_os_version_major", 1, 1, ua(func(u useragent.UserAgent) string { return join(u.OS, major(u.OSVersion)) }))
	add("ua_os_name_version", 1, 1, ua(func(u useragent.UserAgent) string { return join(u.OS, u.OSVersion) }))
	add("ua_agent_name", 1, 1, ua(func(u useragent.UserAgent) string { return u.Name }))
	add("ua_agent_version", 1, 1, ua(func(u useragent.UserAgent) string { return u.Version }))
	add("ua_agent_version_major", 1, 1, ua(func(u useragent.UserAgent) string { return join(u.Name, major(u.Version)) }))
	// Device classes as Adobe lists them: Desktop, Phone, Tablet, Robot; Mobile for a
	// mobile device not identified further.
	add("ua_device_class", 1, 1, ua(func(u useragent.UserAgent) string {
		switch {
		case u.Bot:
			return "Robot"
		case u.Tablet:
			return "Tablet"
		case u.Mobile && u.Device != "":
			return "Phone"
		case u.Mobile:
			return "Mobile"
		case u.Desktop:
			return "Desktop"
		}
		return "Unknown"
	}))
}
