package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/planner"
)

// runCoverage prints the camera coverage report: per grid the covered
// area, road length and incident weight.
func (m *Main) runCoverage(ctx context.Context, args []string) error {
	fs := m.newFlagSet("coverage")
	db := fs.String("db", "", "workspace store to read")
	hours := fs.String("hours", "", "weigh only incidents in these local hours (0-23, comma-separated, e.g. 22,23,0,1)")
	uncovered := fs.Int("uncovered", 10, "also list this many uncovered road stretches, most incidents nearby first (table only)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	opt, err := parseHours(*hours)
	if err != nil {
		return usageError{"--hours: " + err.Error()}
	}
	ws, err := m.load(ctx, *db)
	if err != nil {
		return err
	}
	cov, err := planner.NewCoverage(ctx, ws)
	if err != nil {
		return err
	}
	rep := cov.ReportFor(opt)
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(rep)
	}
	pct := func(a, b float64) string {
		if b <= 0 {
			return "     —"
		}
		return fmt.Sprintf("%5.1f%%", 100*a/b)
	}
	fmt.Fprintf(m.Stdout, "%-16s %7s %9s %7s %9s %7s %9s %7s\n", "grid", "cameras", "area m²", "seen", "road m", "seen", "incidents", "seen")
	row := func(g planner.GridCoverage) {
		fmt.Fprintf(m.Stdout, "%-16s %7d %9.0f %7s %9.0f %7s %9.1f %7s\n", g.Name, g.Cameras, g.AreaM2, pct(g.CoveredAreaM2, g.AreaM2),
			g.RoadM, pct(g.CoveredRoadM, g.RoadM), g.IncidentWeight, pct(g.CoveredIncidentWeight, g.IncidentWeight))
	}
	for _, g := range rep.Grids {
		row(g)
	}
	row(rep.Total)
	if *uncovered > 0 {
		fmt.Fprintf(m.Stdout, "\nuncovered road stretches (incidents within %g m):\n", planner.IncidentNearM)
		for _, s := range cov.UncoveredRoadsFor(*uncovered, opt) {
			name := s.Name
			if name == "" {
				name = "(" + s.Highway + ")"
			}
			fmt.Fprintf(m.Stdout, "  %-28s road %-6d %6.0f m  incidents %5.1f  from %s\n", name, s.RoadID, s.LengthM, s.IncidentWeight, s.Geometry[0])
		}
	}
	return nil
}

// parseHours parses "22,23,0,1" into coverage options.
func parseHours(s string) (planner.CoverageOptions, error) {
	var opt planner.CoverageOptions
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		h, err := strconv.Atoi(f)
		if err != nil {
			return opt, fmt.Errorf("%q is not an hour", f)
		}
		opt.Hours = append(opt.Hours, h)
	}
	return opt, opt.Validate()
}

// footprintProps are the properties of an exported camera footprint.
type footprintProps struct {
	ID           int64   `json:"id"`
	Kind         string  `json:"kind"`
	DirectionDeg float64 `json:"direction_deg"`
	FOVDeg       float64 `json:"fov_deg"`
	RangeM       float64 `json:"range_m"`
	Lon          float64 `json:"lon"`
	Lat          float64 `json:"lat"`
	AreaM2       float64 `json:"area_m2"`
}

// exportCameras writes each camera's occluded footprint as a Polygon
// feature (properties id, kind, direction_deg, fov_deg, range_m, lon, lat
// of the camera and area_m2).
func (m *Main) exportCameras(ctx context.Context, args []string) error {
	fs := m.newFlagSet("export cameras")
	db := fs.String("db", "", "workspace store to read")
	format := fs.String("format", "geojson", "geojson (each camera's footprint, occluded by buildings)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "geojson" {
		return usageError{fmt.Sprintf("export cameras: unknown --format %q (want geojson)", *format)}
	}
	ws, err := m.load(ctx, *db)
	if err != nil {
		return err
	}
	fps, err := planner.Footprints(ctx, ws)
	if err != nil {
		return err
	}
	shapes := make([]geojson.Shape, 0, len(fps))
	for _, f := range fps {
		if len(f.Polygon) == 0 {
			continue
		}
		sec := planner.CameraSector(f.Camera)
		shapes = append(shapes, geojson.Shape{Geometry: f.Polygon, Properties: footprintProps{ID: f.Camera.ID, Kind: string(f.Camera.Kind),
			DirectionDeg: f.Camera.DirectionDeg, FOVDeg: sec.FOVDeg, RangeM: sec.RangeM,
			Lon: f.Camera.Location.Lon, Lat: f.Camera.Location.Lat, AreaM2: f.AreaM2}})
	}
	return geojson.WriteShapes(m.Stdout, shapes)
}

// exportGrids writes the grids as Polygon features (id, name, population,
// risk, generated).
func (m *Main) exportGrids(ctx context.Context, args []string) error {
	fs := m.newFlagSet("export grids")
	db := fs.String("db", "", "workspace store to read")
	format := fs.String("format", "geojson", "geojson")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "geojson" {
		return usageError{fmt.Sprintf("export grids: unknown --format %q (want geojson)", *format)}
	}
	ws, err := m.load(ctx, *db)
	if err != nil {
		return err
	}
	return geojson.WriteGrids(m.Stdout, ws.Grids)
}
