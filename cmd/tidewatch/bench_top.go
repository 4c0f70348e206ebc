package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tidewatch/tidewatch/data/top"
	"github.com/tidewatch/tidewatch/planner"
)

// benchTopResult is the JSON output of 'bench top'.
type benchTopResult struct {
	Score  float64 `json:"score"`
	Routes [][]int `json:"routes"` // 0-based node indices in file order, depots excluded
	Ms     float64 `json:"ms"`     // solve time in milliseconds, reading excluded
}

// runBenchTop solves a team orienteering instance in Chao's format with
// the planner's orienteering solver.
func (m *Main) runBenchTop(ctx context.Context, args []string) error {
	fs := m.newFlagSet("bench top")
	instance := fs.String("instance", "", "instance file in Chao's format ('n N', 'm M', 'tmax T', then 'x y score' lines; first node start, last node end)")
	limit := fs.Duration("time-limit", 2*time.Second, "time limit of the search (safety stop; 0: none)")
	seed := fs.Int64("seed", 1, "seed of the iterated local search")
	maxIter := fs.Int("max-iter", 0, "iterated local search rounds (0: the solver's default)")
	asJSON := fs.Bool("json", false, "print one JSON object: score, routes (0-based node indices as in the file, depots excluded), ms")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *instance == "" {
		return usageError{"bench top: --instance is required"}
	}
	f, err := os.Open(*instance)
	if err != nil {
		return planner.Errorf(planner.EINVALID, "bench top: %v", err)
	}
	in, err := top.ReadChao(f, filepath.Base(*instance))
	f.Close()
	if err != nil {
		return err
	}
	p := in.Problem()
	start := time.Now()
	res, err := planner.SolveOrienteering(ctx, p, planner.OrienteeringOptions{Seed: *seed, TimeLimit: *limit, MaxIter: *maxIter})
	if err != nil {
		return err
	}
	ms := float64(time.Since(start).Microseconds()) / 1000
	if err := planner.CheckRoutes(p, res); err != nil {
		return planner.Errorf(planner.EINTERNAL, "bench top: solver returned infeasible routes: %v", err)
	}
	out := benchTopResult{Score: res.Prize, Routes: res.Routes, Ms: ms}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(out)
	}
	fmt.Fprintf(m.Stdout, "%s\n", in)
	fmt.Fprintf(m.Stdout, "score  %g\n", res.Prize)
	for r, route := range res.Routes {
		fmt.Fprintf(m.Stdout, "route %d %v\n", r, route)
	}
	fmt.Fprintf(m.Stdout, "time   %.1f ms (%d rounds)\n", ms, res.Iterations)
	return nil
}
