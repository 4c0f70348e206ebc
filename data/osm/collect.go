package osm

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	posm "github.com/paulmach/osm"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

const fixed = 1e7 // int32 fixed point: 1e-7 degree, the PBF precision

// nodeRec is one node position in fixed point.
type nodeRec struct {
	id       int64
	lon, lat int32
}

// wayRec locates one way's node ids in the arena.
type wayRec struct {
	id  int64
	off int
	n   int
}

// elemKey orders output by element type (node, way, relation) then id.
type elemKey struct {
	typ int8
	id  int64
}

func (k elemKey) ref() string {
	return fmt.Sprintf("%s/%d", [...]string{"node", "way", "relation"}[k.typ], k.id)
}

func (k elemKey) compare(o elemKey) int {
	return cmp.Or(cmp.Compare(k.typ, o.typ), cmp.Compare(k.id, o.id))
}

// keyed pairs an output record with its sort key.
type keyed[T any] struct {
	k elemKey
	v T
}

// finish sorts records by key (stable, so parts of one element keep their
// order) and numbers them 1..n with setID.
func finish[T any](xs []keyed[T], setID func(*T, int64)) []T {
	slices.SortStableFunc(xs, func(a, b keyed[T]) int { return a.k.compare(b.k) })
	out := make([]T, len(xs))
	for i := range xs {
		out[i] = xs[i].v
		setID(&out[i], int64(i+1))
	}
	return out
}

// wayInfo is a way worth resolving: a road, an area feature, or both.
type wayInfo struct {
	id   int64
	off  int // routable ways: offset and count of node indices in resolveRoads
	n    int
	road *profile
	feat feature
	tags posm.Tags // kept only for area features (names, heights)
}

type member struct {
	way   bool
	ref   int64
	inner bool
}

type relInfo struct {
	id      int64
	multi   bool
	feat    feature
	tags    posm.Tags
	members []member
}

// collector accumulates one scan. mu guards nodes, arena, ways and bad,
// which the PBF decoders fill concurrently through the scanner filters.
type collector struct {
	name string
	opt  Options

	mu    sync.Mutex
	nodes []nodeRec
	arena []int64
	ways  []wayRec
	bad   error

	wayInfos []wayInfo
	rels     []relInfo

	kiosks    []keyed[planner.Kiosk]
	cameras   []keyed[planner.Camera]
	buildings []keyed[planner.Building]
	sites     []keyed[planner.Site]
	pois      []keyed[POI]
	missing   int
}

// addNode records a node position; a coordinate outside WGS84 range is
// remembered as the scan's error.
func (c *collector) addNode(n *posm.Node) {
	p := geo.Point{Lon: n.Lon, Lat: n.Lat}
	c.mu.Lock()
	if !p.Valid() {
		if c.bad == nil {
			c.bad = fmt.Errorf("node %d: coordinate %v,%v out of range", n.ID, n.Lon, n.Lat)
		}
	} else {
		c.nodes = append(c.nodes, nodeRec{int64(n.ID), int32(math.Round(n.Lon * fixed)), int32(math.Round(n.Lat * fixed))})
	}
	c.mu.Unlock()
}

// addWay records a way's node ids in the arena.
func (c *collector) addWay(w *posm.Way) {
	c.mu.Lock()
	c.ways = append(c.ways, wayRec{int64(w.ID), len(c.arena), len(w.Nodes)})
	for _, wn := range w.Nodes {
		c.arena = append(c.arena, int64(wn.ID))
	}
	c.mu.Unlock()
}

// The filters run on the PBF decoder goroutines: they record positions
// and node lists, and pass on only elements with wanted tags.
func (c *collector) filterNode(n *posm.Node) bool {
	c.addNode(n)
	return nodeWanted(n.Tags)
}

func (c *collector) filterWay(w *posm.Way) bool {
	c.addWay(w)
	return wayWanted(w.Tags)
}

func nodeWanted(tags posm.Tags) bool { return classify(tags).any() }

func wayWanted(tags posm.Tags) bool {
	_, road := roadProfile(tags)
	return road || classify(tags).any()
}

func relWanted(r *posm.Relation) bool { return classify(r.Tags).any() }

// handle processes one scanned element; harvest is true when the scanner
// has no filters (XML) and positions and node lists are recorded here.
func (c *collector) handle(o posm.Object, harvest bool) {
	switch o := o.(type) {
	case *posm.Node:
		if harvest {
			c.addNode(o)
		}
		p := geo.Point{Lon: o.Lon, Lat: o.Lat}
		if f := classify(o.Tags); f.any() && p.Valid() {
			c.emit(elemKey{0, int64(o.ID)}, f, o.Tags, p, nil)
		}
	case *posm.Way:
		if harvest {
			c.addWay(o)
		}
		wi := wayInfo{id: int64(o.ID), feat: classify(o.Tags)}
		if p, ok := roadProfile(o.Tags); ok {
			wi.road = &p
		}
		if wi.feat.any() {
			wi.tags = o.Tags
		}
		if wi.road != nil || wi.feat.any() {
			c.wayInfos = append(c.wayInfos, wi)
		}
	case *posm.Relation:
		f := classify(o.Tags)
		if !f.any() {
			return
		}
		ri := relInfo{id: int64(o.ID), multi: o.Tags.Find("type") == "multipolygon", feat: f, tags: o.Tags}
		for _, m := range o.Members {
			if m.Type == posm.TypeWay || m.Type == posm.TypeNode {
				ri.members = append(ri.members, member{m.Type == posm.TypeWay, m.Ref, m.Role == "inner"})
			}
		}
		c.rels = append(c.rels, ri)
	}
}

// inside reports whether p passes the clip box.
func (c *collector) inside(p geo.Point) bool {
	return c.opt.Bound == nil || c.opt.Bound.Contains(p)
}

// emit turns a classified element at point p (with polygons for areas)
// into kiosks, cameras, sites, POIs and buildings, applying the clip box.
func (c *collector) emit(k elemKey, f feature, tags posm.Tags, p geo.Point, polys []geo.Polygon) {
	if f.building && k.typ > 0 {
		sign := int64(1)
		if k.typ == 2 {
			sign = -1
		}
		h := buildingHeight(tags)
		for _, pg := range polys {
			if c.opt.Bound == nil || c.opt.Bound.Intersects(pg.Bound()) {
				c.buildings = append(c.buildings, keyed[planner.Building]{k, planner.Building{OSMID: sign * k.id, Polygon: pg, LevelsM: h}})
			}
		}
	}
	if !c.inside(p) {
		return
	}
	ref, nm := k.ref(), name(tags)
	if f.police {
		c.kiosks = append(c.kiosks, keyed[planner.Kiosk]{k, planner.Kiosk{Ref: ref, Name: nm, Location: p, Source: "osm"}})
	}
	if f.camera && k.typ == 0 {
		cam := camera(tags)
		cam.Ref, cam.Location = ref, p
		c.cameras = append(c.cameras, keyed[planner.Camera]{k, cam})
	}
	if f.site != "" {
		s := planner.Site{Ref: ref, Name: nm, Category: f.site, Location: p, Tier: planner.DefaultTier(f.site), Source: "osm"}
		if len(polys) > 0 {
			s.Area = polys[0]
		}
		c.sites = append(c.sites, keyed[planner.Site]{k, s})
	}
	if f.poi != "" {
		c.pois = append(c.pois, keyed[POI]{k, POI{Location: p, Kind: f.poi, Name: nm}})
	}
}

// index sorts the node table and way index by id (dropping duplicate
// ids) so lookups can binary search.
func (c *collector) index() {
	c.nodes = compactByID(c.nodes, func(n nodeRec) int64 { return n.id })
	c.ways = compactByID(c.ways, func(w wayRec) int64 { return w.id })
	slices.SortFunc(c.wayInfos, func(a, b wayInfo) int { return cmp.Compare(a.id, b.id) })
	slices.SortFunc(c.rels, func(a, b relInfo) int { return cmp.Compare(a.id, b.id) })
}

func compactByID[T any](xs []T, id func(T) int64) []T {
	slices.SortStableFunc(xs, func(a, b T) int { return cmp.Compare(id(a), id(b)) })
	return slices.CompactFunc(xs, func(a, b T) bool { return id(a) == id(b) })
}

// nodeIdx returns the index of node id in the sorted node table.
func (c *collector) nodeIdx(id int64) (int, bool) {
	return slices.BinarySearchFunc(c.nodes, id, func(n nodeRec, id int64) int { return cmp.Compare(n.id, id) })
}

func (c *collector) point(i int) geo.Point {
	n := c.nodes[i]
	return geo.Point{Lon: float64(n.lon) / fixed, Lat: float64(n.lat) / fixed}
}

// wayRefs returns the node ids of way id, or nil when the file lacks it.
func (c *collector) wayRefs(id int64) []int64 {
	i, ok := slices.BinarySearchFunc(c.ways, id, func(w wayRec, id int64) int { return cmp.Compare(w.id, id) })
	if !ok {
		return nil
	}
	w := c.ways[i]
	return c.arena[w.off : w.off+w.n]
}

// ring resolves node ids to a closed ring; ok is false when a node is
// missing or the list is not closed.
func (c *collector) ring(refs []int64) (geo.Ring, bool) {
	if len(refs) < 4 || refs[0] != refs[len(refs)-1] {
		return nil, false
	}
	r := make(geo.Ring, len(refs))
	for i, id := range refs {
		j, ok := c.nodeIdx(id)
		if !ok {
			return nil, false
		}
		r[i] = c.point(j)
	}
	return r, true
}

// vertices resolves the node ids that exist in the file.
func (c *collector) vertices(refs []int64) []geo.Point {
	pts := make([]geo.Point, 0, len(refs))
	for _, id := range refs {
		if j, ok := c.nodeIdx(id); ok {
			pts = append(pts, c.point(j))
		}
	}
	return pts
}

// resolveAreas emits the features of tagged ways and relations.
func (c *collector) resolveAreas(ctx context.Context) error {
	for i, w := range c.wayInfos {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if !w.feat.any() {
			continue
		}
		refs := c.wayRefs(w.id)
		k := elemKey{1, w.id}
		if r, ok := c.ring(refs); ok {
			pg := []geo.Polygon{{r}}
			c.emit(k, w.feat, w.tags, centroid(pg), pg)
		} else if pts := c.vertices(refs); len(pts) > 0 {
			f := w.feat
			f.building = false
			c.emit(k, f, w.tags, meanPoint(pts), nil)
		}
	}
	for _, r := range c.rels {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.resolveRelation(r)
	}
	return nil
}

// resolveRelation emits a relation: multipolygons with their rings,
// other relations at the mean of their member vertices.
func (c *collector) resolveRelation(r relInfo) {
	k := elemKey{2, r.id}
	var outer, inner [][]int64
	var pts []geo.Point
	for _, m := range r.members {
		if !m.way {
			if j, ok := c.nodeIdx(m.ref); ok {
				pts = append(pts, c.point(j))
			}
			continue
		}
		refs := c.wayRefs(m.ref)
		pts = append(pts, c.vertices(refs)...)
		if m.inner {
			inner = append(inner, refs)
		} else {
			outer = append(outer, refs)
		}
	}
	if r.multi {
		if polys := polygons(c.rings(joinRings(outer)), c.rings(joinRings(inner))); len(polys) > 0 {
			c.emit(k, r.feat, r.tags, centroid(polys), polys)
			return
		}
	}
	if len(pts) > 0 {
		f := r.feat
		f.building = false
		c.emit(k, f, r.tags, meanPoint(pts), nil)
	}
}

func (c *collector) rings(ids [][]int64) []geo.Ring {
	var rs []geo.Ring
	for _, refs := range ids {
		if r, ok := c.ring(refs); ok {
			rs = append(rs, r)
		}
	}
	return rs
}
