package emulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults describes what the emulator does wrong, on purpose. The zero value injects nothing.
// Each request draws once from a seeded generator: with probability Timeout it hangs, with
// Reset it drops the connection, and with Rates[code] it answers that status; otherwise it is
// processed normally. Latency is added to every request.
type Faults struct {
	// Seed seeds the generator (the same seed and request order give the same faults).
	Seed int64
	// Latency is added before each answer.
	Latency Latency
	// Rates maps an HTTP status (429, 500, 503, ...) to the fraction of requests answered with it.
	Rates map[int]float64
	// ElementRates maps a status to the fraction of batch messages failed with it inside an
	// otherwise successful 207 (per-message failures).
	ElementRates map[int]float64
	// Timeout is the fraction of requests that get no answer until the client gives up
	// (or TimeoutHold passes, after which they get 504).
	Timeout float64
	// Reset is the fraction of requests whose connection is closed without an answer.
	Reset float64
	// RetryAfter is the Retry-After header sent with injected 429 and 503 answers;
	// 0 sends none. It is written in whole seconds, rounded up.
	RetryAfter time.Duration
	// TimeoutHold bounds how long a timed-out request is held; 0 means 30 s.
	TimeoutHold time.Duration
}

// Validate checks that the rates are fractions that add up to at most 1.
func (f Faults) Validate() error {
	sum := f.Timeout + f.Reset
	for code, r := range f.Rates {
		if code < 400 || code > 599 {
			return fmt.Errorf("emulator: fault status %d: want 400–599", code)
		}
		if r < 0 || r > 1 {
			return fmt.Errorf("emulator: fault rate %d=%g: want 0–1", code, r)
		}
		sum += r
	}
	if f.Timeout < 0 || f.Reset < 0 {
		return fmt.Errorf("emulator: fault rates must not be negative")
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("emulator: fault rates add up to %g, more than 1", sum)
	}
	esum := 0.0
	for code, r := range f.ElementRates {
		if code < 400 || code > 599 || r < 0 {
			return fmt.Errorf("emulator: element fault %d=%g: want a 4xx/5xx status and a rate 0–1", code, r)
		}
		esum += r
	}
	if esum > 1+1e-9 {
		return fmt.Errorf("emulator: element fault rates add up to %g, more than 1", esum)
	}
	return nil
}

// ParseRates reads "503=0.1,429=0.05" (also "timeout=0.05" and "reset=0.01") into f.
func (f *Faults) ParseRates(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	for part := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("fault %q: want STATUS=RATE, timeout=RATE or reset=RATE", part)
		}
		r, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
		if err != nil {
			return fmt.Errorf("fault %q: rate: %w", part, err)
		}
		if strings.HasSuffix(v, "%") {
			r /= 100
		}
		switch k {
		case "timeout":
			f.Timeout = r
		case "reset":
			f.Reset = r
		default:
			code, err := strconv.Atoi(k)
			if err != nil {
				return fmt.Errorf("fault %q: %q is not an HTTP status, timeout or reset", part, k)
			}
			if f.Rates == nil {
				f.Rates = map[int]float64{}
			}
			f.Rates[code] = r
		}
	}
	return f.Validate()
}

// Latency is added delay: Base, spread by Spread according to Dist.
type Latency struct {
	Base, Spread time.Duration
	// Dist is "uniform" (Base±Spread, the default), "normal" (σ = Spread) or "exp"
	// (exponential with mean Base; Spread unused).
	Dist string
}

// ParseLatency reads "20ms", "20ms±10ms" (or "20ms+-10ms"), "normal:20ms±5ms" or "exp:20ms".
func ParseLatency(s string) (Latency, error) {
	var l Latency
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return l, nil
	}
	if d, rest, ok := strings.Cut(s, ":"); ok {
		l.Dist, s = d, rest
	}
	switch l.Dist {
	case "", "uniform", "normal", "exp":
	default:
		return l, fmt.Errorf("latency %q: unknown distribution %q (uniform, normal, exp)", s, l.Dist)
	}
	s = strings.Replace(s, "+-", "±", 1)
	base, spread, hasSpread := strings.Cut(s, "±")
	var err error
	if l.Base, err = time.ParseDuration(base); err != nil {
		return l, fmt.Errorf("latency %q: %w", s, err)
	}
	if hasSpread {
		if l.Spread, err = time.ParseDuration(spread); err != nil {
			return l, fmt.Errorf("latency %q: %w", s, err)
		}
	}
	if l.Base < 0 || l.Spread < 0 {
		return l, fmt.Errorf("latency %q: must not be negative", s)
	}
	return l, nil
}

// String formats l the way ParseLatency reads it.
func (l Latency) String() string {
	s := l.Base.String()
	if l.Spread > 0 {
		s += "±" + l.Spread.String()
	}
	if l.Dist != "" && l.Dist != "uniform" {
		s = l.Dist + ":" + s
	}
	return s
}

// fault is the decision for one request.
type fault struct {
	delay   time.Duration
	timeout bool
	reset   bool
	status  int
}

// dice is the emulator's seeded random source.
type dice struct {
	mu    sync.Mutex
	r     *rand.Rand
	f     Faults
	codes []int
	ecode []int
}

func newDice(f Faults) *dice {
	d := &dice{r: rand.New(rand.NewPCG(uint64(f.Seed), uint64(f.Seed)^0x9e3779b97f4a7c15)), f: f}
	for c := range f.Rates {
		d.codes = append(d.codes, c)
	}
	slices.Sort(d.codes)
	for c := range f.ElementRates {
		d.ecode = append(d.ecode, c)
	}
	slices.Sort(d.ecode)
	return d
}

func (d *dice) roll() fault {
	d.mu.Lock()
	defer d.mu.Unlock()
	var ft fault
	ft.delay = d.latency()
	u := d.r.Float64()
	if u < d.f.Timeout {
		ft.timeout = true
		return ft
	}
	u -= d.f.Timeout
	if u < d.f.Reset {
		ft.reset = true
		return ft
	}
	u -= d.f.Reset
	for _, c := range d.codes {
		if u < d.f.Rates[c] {
			ft.status = c
			return ft
		}
		u -= d.f.Rates[c]
	}
	return ft
}

// element returns an injected status for one batch message, or 0.
func (d *dice) element() int {
	if len(d.ecode) == 0 {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.r.Float64()
	for _, c := range d.ecode {
		if u < d.f.ElementRates[c] {
			return c
		}
		u -= d.f.ElementRates[c]
	}
	return 0
}

func (d *dice) latency() time.Duration {
	l := d.f.Latency
	var v float64
	switch l.Dist {
	case "normal":
		v = float64(l.Base) + d.r.NormFloat64()*float64(l.Spread)
	case "exp":
		v = d.r.ExpFloat64() * float64(l.Base)
	default:
		v = float64(l.Base) + (2*d.r.Float64()-1)*float64(l.Spread)
	}
	return time.Duration(math.Max(0, v))
}
