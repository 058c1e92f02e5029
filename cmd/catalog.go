package cmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/ciosim/ciosim/customerio"
	"github.com/spf13/cobra"
)

type catalogOptions struct {
	json       bool
	wide       bool
	objectType string
	fields     bool
}

func newCatalogCmd(a *app) *cobra.Command {
	var o catalogOptions
	c := &cobra.Command{
		Use:   "catalog",
		Short: "List every Customer.io object type, metric and data field",
		Long: `List the Customer.io Reporting Webhook catalog: every object_type × metric pair with a
published payload (69), the four names that can be subscribed to but have no payload, and
each pair's data fields with their JSON type, whether they are required, and which message
origins (campaign, broadcast, newsletter, transactional) they belong to.`,
		Example: `  ciosim catalog
  ciosim catalog --type push --fields
  ciosim catalog --wide
  ciosim catalog --json | jq '.[] | select(.object_type=="email") | .metric'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return a.runCatalog(o) },
	}
	c.Flags().BoolVar(&o.json, "json", false, "print the catalog as JSON (always includes fields)")
	c.Flags().StringVarP(&o.objectType, "type", "t", "", "only this object type")
	c.Flags().BoolVar(&o.fields, "fields", false, "list each pair's data fields")
	c.Flags().BoolVar(&o.wide, "wide", false, "the full table (origins, required data, whole descriptions); the default fits 80 columns")
	return c
}

func (a *app) runCatalog(o catalogOptions) error {
	var pairs []customerio.Pair
	for _, p := range customerio.Catalog() {
		if o.objectType == "" || p.ObjectType == o.objectType {
			pairs = append(pairs, p)
		}
	}
	if len(pairs) == 0 {
		return usageErrorf("unknown object type %q (valid: %s)", o.objectType, strings.Join(customerio.ObjectTypes(), ", "))
	}
	if o.json {
		enc := json.NewEncoder(a.s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(pairs)
	}
	if !o.wide {
		return a.catalogNarrow(pairs, o.fields)
	}
	tw := tabwriter.NewWriter(a.s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OBJECT TYPE\tMETRIC\tORIGINS\tREQUIRED DATA\tDESCRIPTION")
	for _, p := range pairs {
		origins := make([]string, len(p.Origins))
		for i, x := range p.Origins {
			origins[i] = string(x)
		}
		var reqd []string
		for _, f := range p.Fields {
			if f.Required && len(f.Origins) == 0 && !strings.Contains(f.Path, ".") {
				reqd = append(reqd, f.Path)
			}
		}
		desc := p.Description
		if !p.HasPayload {
			desc = "(no payload) " + desc
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.ObjectType, p.Metric, dash(strings.Join(origins, ",")), dash(strings.Join(reqd, ",")), desc)
		if o.fields {
			for _, f := range p.Fields {
				req := "optional"
				if f.Required {
					req = "required"
				}
				scope := ""
				if len(f.Origins) > 0 {
					os := make([]string, len(f.Origins))
					for i, x := range f.Origins {
						os[i] = string(x)
					}
					scope = " [" + strings.Join(os, ",") + "]"
				}
				fmt.Fprintf(tw, "\t  %s\t%s\t%s%s\t%s\n", f.Path, f.TypeName, req, scope, f.Doc)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	a.catalogSummary(pairs)
	return nil
}

// catalogWidth is the width the default table fits (--wide lifts it).
const catalogWidth = 80

// catalogNarrow prints type, metric and description, each line cut to 80 columns.
func (a *app) catalogNarrow(pairs []customerio.Pair, fields bool) error {
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tMETRIC\tDESCRIPTION")
	for _, p := range pairs {
		desc := p.Description
		if !p.HasPayload {
			desc = "(no payload) " + desc
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.ObjectType, p.Metric, desc)
		if fields {
			for _, f := range p.Fields {
				req := "optional"
				if f.Required {
					req = "required"
				}
				fmt.Fprintf(tw, "\t  %s\t%s %s: %s\n", f.Path, f.TypeName, req, f.Doc)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		line = strings.TrimSuffix(line, "\n")
		if r := []rune(line); len(r) > catalogWidth {
			line = string(r[:catalogWidth-1]) + "…"
		}
		if _, err := fmt.Fprintln(a.s.Out, line); err != nil {
			return err
		}
	}
	a.catalogSummary(pairs)
	return nil
}

func (a *app) catalogSummary(pairs []customerio.Pair) {
	n := 0
	for _, p := range pairs {
		if p.HasPayload {
			n++
		}
	}
	fmt.Fprintf(a.s.Err, "%d pairs with a payload, %d subscribable without one\n", n, len(pairs)-n)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
