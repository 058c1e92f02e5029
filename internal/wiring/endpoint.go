package wiring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/secret"
)

// InletURL checks an inlet URL given with flag (--to, --endpoint) and returns it with the
// dataflow id: AEP shows the Customer.io source's URL with ?x-adobe-flow-id= in it, which
// is taken as the flow id (a different flowID is an error naming both). warn is told when
// the URL sends events and credentials unencrypted to another machine.
func InletURL(flag, to, flowID string, warn func(string)) (string, string, error) {
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", Usagef("%s %q: want an inlet URL like https://dcs.adobedc.net/collection/{inletId}", flag, to)
	}
	q := u.Query()
	if fid := q.Get(aep.HeaderFlowID); fid != "" {
		if flowID != "" && flowID != fid {
			return "", "", Usagef("--flow-id %s conflicts with %s=%s in %s", flowID, aep.HeaderFlowID, fid, flag)
		}
		flowID = fid
		q.Del(aep.HeaderFlowID)
		u.RawQuery = q.Encode()
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) && warn != nil {
		warn(fmt.Sprintf("warning: %s uses plain http:// to %s; events and credentials travel unencrypted", flag, u.Host))
	}
	return u.String(), flowID, nil
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Credential reads a secret from file when given, else from the environment variable env
// (through getenv: only cmd reads the environment).
func Credential(getenv func(string) string, env, file string) (secret.Secret, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return secret.Secret{}, fmt.Errorf("read credential file: %w", err)
		}
		return secret.New(string(b)), nil
	}
	return secret.New(getenv(env)), nil
}

// ParseRate reads "100", "100/s", "6000/m" as requests per second.
func ParseRate(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	num, unit, _ := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 {
		return 0, Usagef("--rate %q: want a number per second, e.g. 100 or 100/s", s)
	}
	switch unit {
	case "", "s":
	case "m":
		n /= 60
	case "h":
		n /= 3600
	default:
		return 0, Usagef("--rate %q: unit must be /s, /m or /h", s)
	}
	return n, nil
}

// XDMMessages is the xdm and batch modes' transform: a line that is already an XDM message
// (with "header" and "body") goes as it is, one with a header and no body is rejected, and
// a Customer.io event is mapped with convert (a record the mapping rejects is rejected).
func XDMMessages(convert func([]byte) ([]byte, error)) func(recordings.Record, []byte) ([]byte, error) {
	return func(rec recordings.Record, body []byte) ([]byte, error) {
		switch xdmShape(body) {
		case "message":
			return body, nil
		case "header only":
			return nil, errors.New("not an XDM message: it has a \"header\" and no \"body\" (an XDM streaming message needs both)")
		}
		if convert == nil {
			return nil, errors.New("convert to XDM: no Customer.io → XDM converter in this build; give XDM messages as input or use --mode raw")
		}
		x, err := convert(body)
		if err != nil {
			return nil, fmt.Errorf("convert to XDM: %w", err)
		}
		return x, nil
	}
}

// xdmShape says whether b is an XDM message envelope: "message" ({"header":..,"body":..}),
// "header only", or "" (anything else, such as a Customer.io event).
func xdmShape(b []byte) string {
	if !bytes.Contains(b, []byte(`"header"`)) {
		return ""
	}
	var probe struct {
		Header json.RawMessage `json:"header"`
		Body   json.RawMessage `json:"body"`
	}
	switch {
	case json.Unmarshal(b, &probe) != nil || probe.Header == nil:
		return ""
	case probe.Body == nil || string(probe.Body) == "null":
		return "header only"
	}
	return "message"
}

// CountLines counts the lines of the named files (0 when reading stdin), for a progress bar.
func CountLines(names []string) int {
	n := 0
	buf := make([]byte, 256*1024)
	for _, name := range names {
		if name == "-" {
			return 0
		}
		f, err := os.Open(name)
		if err != nil {
			return 0
		}
		for {
			k, err := f.Read(buf)
			n += bytes.Count(buf[:k], []byte{'\n'})
			if err != nil {
				break
			}
		}
		f.Close()
	}
	return n
}
