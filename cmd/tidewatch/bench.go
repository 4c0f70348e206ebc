package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tidewatch/tidewatch/data/mclp"
	"github.com/tidewatch/tidewatch/planner"
)

// runBench runs a benchmark: 'bench mclp' solves a covering-location
// benchmark instance with the planner's covering solver, 'bench top' a
// team orienteering instance with the orienteering solver.
func (m *Main) runBench(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"bench: want 'bench mclp --instance FILE --radius R --p P [--seed S] [--json]' or 'bench top --instance FILE [--time-limit 2s] [--seed S] [--json]'"}
	}
	switch args[0] {
	case "mclp":
		return m.runBenchMCLP(ctx, args[1:])
	case "top":
		return m.runBenchTop(ctx, args[1:])
	}
	return usageError{fmt.Sprintf("bench: unknown benchmark %q (available: mclp, top)", args[0])}
}

// benchMCLPResult is the JSON output of 'bench mclp'.
type benchMCLPResult struct {
	Objective  float64 `json:"objective"`
	Sites      []int   `json:"sites"` // 1-based node ids, in pick order
	Ms         float64 `json:"ms"`    // solve time, reading excluded
	UpperBound float64 `json:"upper_bound"`
	Gap        float64 `json:"gap"`
}

// runBenchMCLP solves the maximal covering location problem on a Swain or
// SJC instance: every node is demand and candidate, covered within the
// radius, p sites to open.
func (m *Main) runBenchMCLP(ctx context.Context, args []string) error {
	fs := m.newFlagSet("bench mclp")
	instance := fs.String("instance", "", "instance file (Swain: 'n' then 'id x y demand'; SJC: 'n 9999 p S' then 'x y demand')")
	format := fs.String("format", "auto", "instance format: auto, swain or sjc")
	radius := fs.Float64("radius", 0, "coverage radius, in the instance's units (> 0)")
	p := fs.Int("p", 0, "number of sites to open (> 0)")
	seed := fs.Int64("seed", 1, "seed of the local search")
	maxIter := fs.Int("max-iter", 0, "iterated local search rounds (0: the solver's default)")
	asJSON := fs.Bool("json", false, "print one JSON object: objective, sites (1-based), ms, upper_bound, gap")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *instance == "":
		return usageError{"bench mclp: --instance is required"}
	case !(*radius > 0):
		return usageError{"bench mclp: --radius must be > 0"}
	case *p <= 0:
		return usageError{"bench mclp: --p must be > 0"}
	}
	read := mclp.Read
	switch *format {
	case "auto":
	case "swain":
		read = mclp.ReadSwain
	case "sjc":
		read = mclp.ReadSJC
	default:
		return usageError{fmt.Sprintf("bench mclp: unknown --format %q (want auto, swain or sjc)", *format)}
	}
	f, err := os.Open(*instance)
	if err != nil {
		return planner.Errorf(planner.EINVALID, "bench mclp: %v", err)
	}
	in, err := read(f, filepath.Base(*instance))
	f.Close()
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := planner.MaxCover(ctx, in.Problem(*radius), *p, planner.CoverOptions{Seed: *seed, MaxIter: *maxIter})
	if err != nil {
		return err
	}
	out := benchMCLPResult{
		Objective:  res.Covered,
		Sites:      make([]int, len(res.Open)),
		Ms:         float64(time.Since(start).Microseconds()) / 1000,
		UpperBound: res.UpperBound,
		Gap:        res.Gap,
	}
	for t, j := range res.Open {
		out.Sites[t] = int(j) + 1
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(out)
	}
	total := in.TotalDemand()
	share := 0.0
	if total > 0 {
		share = 100 * res.Covered / total
	}
	fmt.Fprintf(m.Stdout, "%s: R=%g p=%d\n", in, *radius, *p)
	fmt.Fprintf(m.Stdout, "covered     %g (%.2f%% of demand)\n", res.Covered, share)
	fmt.Fprintf(m.Stdout, "upper bound %g (gap %.3f%%)\n", res.UpperBound, 100*res.Gap)
	fmt.Fprintf(m.Stdout, "sites       %v\n", out.Sites)
	fmt.Fprintf(m.Stdout, "time        %.1f ms\n", out.Ms)
	return nil
}
