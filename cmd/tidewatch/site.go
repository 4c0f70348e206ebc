package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

func (m *Main) runSite(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "cameras" {
		return m.runSiteCameras(ctx, args[1:])
	}
	if len(args) == 0 || args[0] != "kiosks" {
		return usageError{"site: want 'site kiosks --db ws.db --minutes 3 --count 2' (or --target 100) or 'site cameras --db ws.db --count 20'"}
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

// runSiteCameras is 'site cameras': where new cameras see the most
// street no camera sees yet (天网补盲), weighted by incidents nearby.
func (m *Main) runSiteCameras(ctx context.Context, args []string) error {
	fs := m.newFlagSet("site cameras")
	db := fs.String("db", "", "workspace store to read")
	count := fs.Int("count", 0, "new cameras to place")
	spacing := fs.Float64("min-spacing", 50, "new cameras at least this many metres from each other and from existing ones (0 = no rule)")
	candSpacing := fs.Float64("candidate-spacing", planner.DefaultCameraCandidateSpacing, "metres between mid-block candidate positions (junctions are always candidates)")
	hours := fs.String("hours", "", "weigh only incidents in these local hours (0-23, comma-separated, e.g. 22,23,0,1)")
	kinds := fs.String("kinds", "fixed,dome", "camera kinds to try: fixed, dome, ptz (comma-separated)")
	directions := fs.Int("directions", 0, "also try fixed cameras facing this many evenly spaced bearings")
	bbox := fs.String("bbox", "", "site only inside W,S,E,N (degrees lon,lat)")
	seed := fs.Int64("seed", 1, "seed for the local search")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *count <= 0 {
		return usageError{"site cameras: give --count N (new cameras, ≥ 1)"}
	}
	hopt, err := parseHours(*hours)
	if err != nil {
		return usageError{"--hours: " + err.Error()}
	}
	opt := planner.CameraSitingOptions{Count: *count, MinSpacingM: *spacing, CandidateSpacingM: *candSpacing, Hours: hopt.Hours,
		Directions: *directions, Seed: *seed}
	for _, k := range strings.Split(*kinds, ",") {
		if k = strings.TrimSpace(k); k != "" {
			opt.Kinds = append(opt.Kinds, planner.CameraKind(strings.ToLower(k)))
		}
	}
	if *bbox != "" {
		b, err := geo.ParseBound(*bbox)
		if err != nil {
			return usageError{"--bbox: " + err.Error()}
		}
		opt.Bound = &b
	}
	ws, err := m.load(ctx, *db)
	if err != nil {
		return err
	}
	res, err := planner.SiteCameras(ctx, ws, opt)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(res)
	}
	pct := func(x, of float64) float64 {
		if of == 0 {
			return 0
		}
		return 100 * x / of
	}
	fmt.Fprintf(m.Stdout, "street seen (weighted by incidents within 25 m): existing %d cameras %.1f %%; with %d new: %.1f %% (upper bound %.1f %%, gap %.2f %%)\n",
		res.Existing, pct(res.Before, res.TotalWeight), len(res.Proposals), pct(res.After, res.TotalWeight), pct(res.UpperBound, res.TotalWeight), 100*res.Gap)
	fmt.Fprintf(m.Stdout, "street seen (metres): %.0f of %.0f m → %.0f m; %d candidate cameras at %d positions\n",
		res.RoadBeforeM, res.TotalRoadM, res.RoadAfterM, res.Candidates, res.CandidateSites)
	fmt.Fprintf(m.Stdout, "%4s  %-23s  %-5s  %7s  %5s  %5s  %9s  %8s  %7s\n", "rank", "lon,lat", "kind", "facing", "fov", "range", "gain", "new road", "after")
	for _, p := range res.Proposals {
		facing := "-"
		if p.Kind == planner.CameraFixed {
			facing = fmt.Sprintf("%.0f°", p.DirectionDeg)
		}
		fmt.Fprintf(m.Stdout, "%4d  %11.6f,%-11.6f  %-5s  %7s  %4.0f°  %4.0fm  %9.1f  %7.0fm  %6.2f%%\n",
			p.Rank, p.Lon, p.Lat, p.Kind, facing, p.FOVDeg, p.RangeM, p.Gain, p.GainRoadM, 100*p.Share)
	}
	return nil
}
