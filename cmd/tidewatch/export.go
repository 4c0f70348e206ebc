package main

import (
	"context"
	"fmt"

	csvfile "github.com/tidewatch/tidewatch/data/csv"
	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/planner"
)

func (m *Main) runExport(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "cameras" {
		return m.exportCameras(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "grids" {
		return m.exportGrids(ctx, args[1:])
	}
	if len(args) == 0 || args[0] != "roads" {
		return usageError{"export: want 'export roads --db ws.db --mode car --format csv'"}
	}
	fs := m.newFlagSet("export roads")
	db := fs.String("db", "", "workspace store to read")
	modeName := fs.String("mode", "car", "travel mode: car, ebike or foot")
	format := fs.String("format", "csv", "csv (the routing graph: from_osm_node,to_osm_node,length_m,forward_s,backward_s) or geojson")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	mode, err := planner.ParseMode(*modeName)
	if err != nil {
		return usageError{err.Error()}
	}
	ws, err := m.load(ctx, *db)
	if err != nil {
		return err
	}
	switch *format {
	case "csv":
		return csvfile.WriteRoadGraph(m.Stdout, ws.Roads, mode)
	case "geojson":
		return geojson.WriteRoads(m.Stdout, ws.Roads, func(r *planner.Road) bool { return r.TravelFor(mode).Allowed() }, 0)
	}
	return usageError{fmt.Sprintf("export: unknown --format %q (want csv or geojson)", *format)}
}
