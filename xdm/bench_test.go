package xdm

import (
	"testing"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
)

func benchEvents(b *testing.B) [][]byte { return benchEventsT(b) }

func benchEventsT(b testing.TB) [][]byte {
	g := generator.New(generator.Options{Seed: 1, Start: start})
	var evs [][]byte
	for _, p := range customerio.Pairs() {
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			b.Fatal(err)
		}
		evs = append(evs, ev.Bytes())
	}
	return evs
}

// BenchmarkMap maps the 69 pairs round-robin with each default mapping set.
func BenchmarkMap(b *testing.B) {
	evs := benchEvents(b)
	for _, tc := range []struct {
		name string
		set  string
		opts func(b *testing.B) Options
	}{
		{"tutorial", "tutorial", func(*testing.B) Options { return Options{} }},
		{"experience-event", "experience-event", func(*testing.B) Options { return Options{Check: ExperienceEventRules{}} }},
		{"experience-event+schema", "experience-event", func(b *testing.B) Options { return Options{Schema: officialSchema(b)} }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			mp := compileDefault(b, tc.set, tc.opts(b))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := mp.Map(evs[i%len(evs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	ms, _ := Default("experience-event", "")
	for i := 0; i < b.N; i++ {
		if _, err := Compile(ms, Options{SourceFields: CustomerIOFields()}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendMap is Map/experience-event reusing one record buffer, as transform does.
func BenchmarkAppendMap(b *testing.B) {
	evs := benchEvents(b)
	mp := compileDefault(b, "experience-event", Options{Check: ExperienceEventRules{}})
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		res, err := mp.AppendMap(buf[:0], evs[i%len(evs)])
		if err != nil {
			b.Fatal(err)
		}
		buf = res.Record
	}
}

// BenchmarkValidate is experience-event mapping with the official schema: with the
// compiled per-field checks (as --validate runs), always through the validator (as it ran
// before them), and with no schema, round-robin so load hits all three alike.
func BenchmarkValidate(b *testing.B) {
	evs := benchEvents(b)
	s := officialSchema(b)
	fast := compileDefault(b, "experience-event", Options{Schema: s})
	oracle := compileDefault(b, "experience-event", Options{Schema: s})
	oracle.noFast = true
	none := compileDefault(b, "experience-event", Options{})
	for _, tc := range []struct {
		name string
		mp   *Mapper
	}{{"none", none}, {"compiled", fast}, {"validator", oracle}} {
		b.Run(tc.name, func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				res, err := tc.mp.AppendMap(buf[:0], evs[i%len(evs)])
				if err != nil || res.Rejected {
					b.Fatal(err, res.Reasons)
				}
				buf = res.Record
			}
		})
	}
}

// BenchmarkPlan is BenchmarkAppendMap through the compiled plan and through the generic
// path (the differential tests' oracle) in one run; run it with -count to alternate them.
func BenchmarkPlan(b *testing.B) {
	evs := benchEvents(b)
	for _, name := range []string{"generic", "plan"} {
		b.Run(name, func(b *testing.B) {
			mp := compileDefault(b, "experience-event", Options{Check: ExperienceEventRules{}})
			if name == "generic" {
				mp.plan = nil
			}
			var buf []byte
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				res, err := mp.AppendMap(buf[:0], evs[i%len(evs)])
				if err != nil {
					b.Fatal(err)
				}
				buf = res.Record
			}
		})
	}
}
