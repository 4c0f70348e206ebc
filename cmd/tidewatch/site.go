package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tidewatch/tidewatch/planner"
)

func (m *Main) runSite(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "kiosks" {
		return usageError{"site: want 'site kiosks --db ws.db --minutes 3 --count 2' (or --target 100)"}
	}
	fs := m.newFlagSet("site kiosks")
	db := fs.String("db", "", "workspace store to read")
	modeName := fs.String("mode", "car", "travel mode: car, ebike or foot")
	minutes := fs.Float64("minutes", 3, "response tier T in minutes")
	count := fs.Int("count", 0, "new kiosks to place (maximal covering)")
	target := fs.Float64("target", 0, "instead of --count: the fewest new kiosks reaching this percentage of the weight within T (set covering)")
	weight := fs.String("weight", "road", "what to cover: road (length) or incidents (incident weight)")
	spacing := fs.Float64("min-spacing", 0, "new kiosks at least this many metres from each other and from existing ones")
	seed := fs.Int64("seed", 1, "seed for the local search")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	mode, err := planner.ParseMode(*modeName)
	if err != nil {
		return usageError{err.Error()}
	}
	if (*count > 0) == (*target > 0) {
		return usageError{"site kiosks: give exactly one of --count N or --target PERCENT"}
	}
	ws, err := m.load(ctx, *db)
	if err != nil {
		return err
	}
	res, err := planner.SiteKiosks(ctx, ws, planner.KioskSitingOptions{Mode: mode, Minutes: *minutes, Count: *count,
		Target: *target / 100, Weight: *weight, MinSpacingM: *spacing, Seed: *seed})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(res)
	}
	share := func(x float64) float64 {
		if res.TotalWeight == 0 {
			return 0
		}
		return 100 * x / res.TotalWeight
	}
	fmt.Fprintf(m.Stdout, "%s within %g min, weight %s: existing kiosks cover %.1f %%; with %d new: %.1f %% (upper bound %.1f %%, gap %.2f %%; %d candidates)\n",
		res.Mode, res.Minutes, res.Weight, share(res.Before), len(res.Proposals), share(res.After), share(res.UpperBound), 100*res.Gap, res.Candidates)
	for _, p := range res.Proposals {
		fmt.Fprintf(m.Stdout, "  #%d  %.6f,%.6f  osm node %d  +%.1f %%  → %.1f %%\n", p.Rank, p.Lon, p.Lat, p.OSMNode, share(p.Gain), 100*p.Share)
	}
	return nil
}
