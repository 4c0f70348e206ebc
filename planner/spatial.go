package planner

import (
	"sync"

	"github.com/tidewatch/tidewatch/geo"
)

// SpatialIndex answers "which records lie in this box" for each layer of
// one workspace. It is built once and is read-only afterwards, so it is
// safe for concurrent use.
type SpatialIndex struct {
	WS                                              *Workspace
	roads, grids, cameras, kiosks, incidents, sites *geo.Index
	countsOnce                                      sync.Once
	counts                                          Counts
}

// Counts returns WS.Counts(), computed once per index (the workspace an
// index holds is never modified).
func (x *SpatialIndex) Counts() Counts {
	x.countsOnce.Do(func() { x.counts = x.WS.Counts() })
	return x.counts
}

// NewSpatialIndex indexes every layer of ws by bounding box (lon,lat).
func NewSpatialIndex(ws *Workspace) *SpatialIndex {
	pt := func(p geo.Point) geo.Bound { return geo.Bound{Min: p, Max: p} }
	return &SpatialIndex{
		WS:        ws,
		roads:     geo.NewIndex(len(ws.Roads), func(i int) geo.Bound { return ws.Roads[i].Geometry.Bound() }),
		grids:     geo.NewIndex(len(ws.Grids), func(i int) geo.Bound { return ws.Grids[i].Polygon.Bound() }),
		cameras:   geo.NewIndex(len(ws.Cameras), func(i int) geo.Bound { return pt(ws.Cameras[i].Location) }),
		kiosks:    geo.NewIndex(len(ws.Kiosks), func(i int) geo.Bound { return pt(ws.Kiosks[i].Location) }),
		incidents: geo.NewIndex(len(ws.Incidents), func(i int) geo.Bound { return pt(ws.Incidents[i].Location) }),
		sites:     geo.NewIndex(len(ws.Sites), func(i int) geo.Bound { return pt(ws.Sites[i].Location) }),
	}
}

// Roads returns the indexes into WS.Roads of segments whose bound meets b.
func (s *SpatialIndex) Roads(b geo.Bound) []int { return s.roads.Search(b) }

// Grids returns the indexes into WS.Grids of cells whose bound meets b.
func (s *SpatialIndex) Grids(b geo.Bound) []int { return s.grids.Search(b) }

// Cameras returns the indexes into WS.Cameras of cameras inside b.
func (s *SpatialIndex) Cameras(b geo.Bound) []int { return s.cameras.Search(b) }

// Kiosks returns the indexes into WS.Kiosks of kiosks inside b.
func (s *SpatialIndex) Kiosks(b geo.Bound) []int { return s.kiosks.Search(b) }

// Incidents returns the indexes into WS.Incidents of incidents inside b.
func (s *SpatialIndex) Incidents(b geo.Bound) []int { return s.incidents.Search(b) }

// Sites returns the indexes into WS.Sites of sites inside b.
func (s *SpatialIndex) Sites(b geo.Bound) []int { return s.sites.Search(b) }

// RoadRank orders OSM highway classes by importance: 0 motorway/trunk,
// 1 primary, 2 secondary, 3 tertiary, 4 residential/unclassified/
// living_street, 5 service/track, 6 paths (footway, path, steps,
// pedestrian, cycleway, bridleway). Links rank with their parent class.
func RoadRank(highway string) int {
	switch highway {
	case "motorway", "motorway_link", "trunk", "trunk_link":
		return 0
	case "primary", "primary_link":
		return 1
	case "secondary", "secondary_link":
		return 2
	case "tertiary", "tertiary_link":
		return 3
	case "residential", "unclassified", "living_street", "road":
		return 4
	case "service", "track":
		return 5
	}
	return 6
}

// SyntheticLayers names the layers ("cameras", "incidents", ...) whose
// records are all synthetic (Source "synthetic"); empty layers are not
// listed.
func (w *Workspace) SyntheticLayers() []string {
	var out []string
	add := func(name string, n int, src func(i int) string) {
		if n == 0 {
			return
		}
		for i := 0; i < n; i++ {
			if src(i) != SourceSynthetic {
				return
			}
		}
		out = append(out, name)
	}
	add("cameras", len(w.Cameras), func(i int) string { return w.Cameras[i].Source })
	add("kiosks", len(w.Kiosks), func(i int) string { return w.Kiosks[i].Source })
	add("incidents", len(w.Incidents), func(i int) string { return w.Incidents[i].Source })
	add("sites", len(w.Sites), func(i int) string { return w.Sites[i].Source })
	return out
}

// Record sources.
const (
	SourceOSM       = "osm"
	SourceSynthetic = "synthetic"
)
