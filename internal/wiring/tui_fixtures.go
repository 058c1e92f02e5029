package wiring

import (
	"context"
	"errors"
	"io"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/fixtures"
	"github.com/ciosim/ciosim/tui"
)

// fixtureScenarios adapts the built-in scenarios of package fixtures to tui.Scenarios.
type fixtureScenarios struct{ list []tui.Scenario }

var _ tui.Scenarios = (*fixtureScenarios)(nil)

func NewFixtureScenarios() (*fixtureScenarios, error) {
	s := &fixtureScenarios{}
	for _, n := range fixtures.Names() {
		sc, err := fixtures.Load(n)
		if err != nil {
			return nil, err
		}
		s.list = append(s.list, tui.Scenario{Name: n, Description: sc.Description})
	}
	return s, nil
}

func (s *fixtureScenarios) List() []tui.Scenario { return s.list }

var _ tui.ScenarioFiles = (*fixtureScenarios)(nil)

// Describe parses the scenario file at path (YAML or JSON, strict) and returns its
// description, or why it does not parse; Generate runs it by the same path.
func (s *fixtureScenarios) Describe(path string) (string, error) {
	sc, err := fixtures.Load(path)
	if err != nil {
		return "", err
	}
	return sc.Description, nil
}

// Generate runs scenario name with seed, stopping when ctx ends.
func (s *fixtureScenarios) Generate(ctx context.Context, name string, seed int64) ([]customerio.Event, error) {
	sc, err := fixtures.Load(name)
	if err != nil {
		return nil, err
	}
	run, err := sc.Run(fixtures.RunOptions{Seed: seed, SeedSet: true})
	if err != nil {
		return nil, err
	}
	var out []customerio.Event
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ev, err := run.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
}
