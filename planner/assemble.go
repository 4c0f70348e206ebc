package planner

import (
	"context"
	"fmt"

	"github.com/tidewatch/tidewatch/geo"
)

// Parts are the pieces an import reads: roads and map features from OSM,
// and the station's own files, which take precedence. A nil slice means
// "not given"; an empty non-nil slice means "given and empty".
type Parts struct {
	Name      string
	Roads     []Road
	Buildings []Building
	// From OpenStreetMap: used for a layer when no file gives it.
	OSMKiosks  []Kiosk
	OSMCameras []Camera
	OSMSites   []Site
	// From the station's files.
	Grids     []Grid
	Cameras   []Camera
	Kiosks    []Kiosk
	Incidents []Incident
	Sites     []Site
	Units     []Unit
	Notes     []string
}

// AssembleOptions controls Assemble.
type AssembleOptions struct {
	Bound     *geo.Bound // keep only records inside (lon,lat); nil keeps all
	GridSizeM float64    // cell size when grids are generated, metres (default 500)
	GridShape string     // "square" (default) or "hex"
}

// AssembleReport says what Assemble kept, dropped and generated.
type AssembleReport struct {
	Dropped        map[string]int // records outside the bound, by layer
	GeneratedGrids bool
}

// Assemble builds a workspace from parts: the station's files win over
// OSM layers, records outside opt.Bound are dropped, grids are generated
// over the roads when none are given, and every layer is numbered 1..n in
// input order. It fails with EINVALID when there are no roads.
func Assemble(ctx context.Context, p Parts, opt AssembleOptions) (*Workspace, AssembleReport, error) {
	rep := AssembleReport{Dropped: map[string]int{}}
	if len(p.Roads) == 0 {
		return nil, rep, Errorf(EINVALID, "no roads: the OSM input holds no routable highway inside the area")
	}
	ws := &Workspace{Name: p.Name, Roads: p.Roads, Buildings: p.Buildings, Notes: append([]string(nil), p.Notes...)}
	ws.Bound = geo.EmptyBound()
	for i := range ws.Roads {
		ws.Bound = ws.Bound.Union(ws.Roads[i].Geometry.Bound())
	}
	if opt.Bound != nil {
		ws.Bound = *opt.Bound
	}
	in := func(pt geo.Point) bool { return opt.Bound == nil || opt.Bound.Contains(pt) }

	ws.Kiosks = keepPoints(choose(p.Kiosks, p.OSMKiosks), func(k Kiosk) geo.Point { return k.Location }, in, "kiosks", rep.Dropped)
	ws.Cameras = keepPoints(choose(p.Cameras, p.OSMCameras), func(c Camera) geo.Point { return c.Location }, in, "cameras", rep.Dropped)
	ws.Sites = keepPoints(choose(p.Sites, p.OSMSites), func(s Site) geo.Point { return s.Location }, in, "sites", rep.Dropped)
	ws.Incidents = keepPoints(p.Incidents, func(x Incident) geo.Point { return x.Location }, in, "incidents", rep.Dropped)
	ws.Units = p.Units

	if p.Grids != nil {
		for _, g := range p.Grids {
			if opt.Bound == nil || g.Polygon.Bound().Intersects(*opt.Bound) {
				ws.Grids = append(ws.Grids, g)
			} else {
				rep.Dropped["grids"]++
			}
		}
	} else {
		size, shape := opt.GridSizeM, opt.GridShape
		if size == 0 {
			size = 500
		}
		if shape == "" {
			shape = "square"
		}
		grids, err := GenerateGrids(ctx, ws.Roads, size, shape)
		if err != nil {
			return nil, rep, err
		}
		ws.Grids = grids
		rep.GeneratedGrids = true
		ws.Notes = append(ws.Notes, fmt.Sprintf("grids: generated %s cells of %g m over the road network", shape, size))
	}
	renumber(ws)
	return ws, rep, ctx.Err()
}

// choose returns the file layer when given, else the OSM layer.
func choose[T any](file, osm []T) []T {
	if file != nil {
		return file
	}
	return osm
}

func keepPoints[T any](xs []T, loc func(T) geo.Point, in func(geo.Point) bool, layer string, dropped map[string]int) []T {
	out := make([]T, 0, len(xs))
	for _, x := range xs {
		if in(loc(x)) {
			out = append(out, x)
		} else {
			dropped[layer]++
		}
	}
	return out
}

// renumber gives every record of every layer the ID 1..n in slice order.
func renumber(ws *Workspace) {
	for i := range ws.Roads {
		ws.Roads[i].ID = int64(i + 1)
	}
	for i := range ws.Grids {
		ws.Grids[i].ID = int64(i + 1)
	}
	for i := range ws.Cameras {
		ws.Cameras[i].ID = int64(i + 1)
	}
	for i := range ws.Kiosks {
		ws.Kiosks[i].ID = int64(i + 1)
	}
	for i := range ws.Incidents {
		ws.Incidents[i].ID = int64(i + 1)
	}
	for i := range ws.Sites {
		ws.Sites[i].ID = int64(i + 1)
	}
	for i := range ws.Buildings {
		ws.Buildings[i].ID = int64(i + 1)
	}
}
