package planner

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/tidewatch/tidewatch/geo"
)

// Camera coverage (天网覆盖): which part of each grid, of its streets and of
// its incidents some camera sees, where the blind spots are, and how the
// figures change as cameras are added, moved or removed.
//
// A camera sees its Sector (see CameraSector) minus what buildings hide
// (geo.Viewshed). Areas are square metres, lengths metres, positions
// lon,lat throughout.

// MaxCameraRangeM is the largest camera range accepted, metres.
const MaxCameraRangeM = 500.0

// IncidentNearM is how close an incident must be to an uncovered stretch
// of road to count towards its weight, metres.
const IncidentNearM = 25.0

// MinStretchM is the shortest uncovered stretch UncoveredRoads reports,
// metres; shorter slivers between footprints are ignored.
const MinStretchM = 1.0

// CameraSector returns the area camera c sees without obstacles: a fixed
// camera its FOVDeg sector (DefaultFixedFOV when unset) about
// DirectionDeg (degrees clockwise from north), a dome or PTZ camera the
// disc of its range; RangeM (metres) defaults by kind when not positive.
func CameraSector(c Camera) geo.Sector {
	rng := c.RangeM
	if !(rng > 0) {
		switch c.Kind {
		case CameraFixed:
			rng = DefaultFixedRange
		case CameraPTZ:
			rng = DefaultPTZRange
		default:
			rng = DefaultDomeRange
		}
	}
	fov := FullCircle
	if c.Kind == CameraFixed {
		fov = c.FOVDeg
		if !(fov > 0) {
			fov = DefaultFixedFOV
		}
		fov = math.Min(fov, FullCircle)
	}
	return geo.Sector{Origin: c.Location, RangeM: rng, DirectionDeg: c.DirectionDeg, FOVDeg: fov}
}

// Footprint returns the ground camera c sees (lon,lat): its CameraSector
// with the parts the buildings hide removed. buildings need only hold the
// ones within the camera's range (others are harmless); a building that
// contains the camera (a camera on a wall) does not block it. An invalid
// location yields an empty polygon.
func Footprint(c Camera, buildings []Building) geo.Polygon {
	if !c.Location.Valid() {
		return nil
	}
	obs := make([]geo.Polygon, 0, len(buildings))
	for i := range buildings {
		obs = append(obs, buildings[i].Polygon)
	}
	return geo.Viewshed(CameraSector(c), obs)
}

// rangeBound returns the box (lon,lat) of the disc of radius m metres
// about p.
func rangeBound(p geo.Point, m float64) geo.Bound {
	kx, ky := geo.NewProjection(p).MetresPerDegree()
	return geo.Bound{Min: geo.Point{Lon: p.Lon - m/kx, Lat: p.Lat - m/ky}, Max: geo.Point{Lon: p.Lon + m/kx, Lat: p.Lat + m/ky}}
}

// CameraFootprint is one camera with the ground it sees.
type CameraFootprint struct {
	Camera  Camera
	Polygon geo.Polygon // lon,lat; empty when the camera sees nothing
	AreaM2  float64     // square metres
}

// footprinter computes footprints with buildings looked up in an R-tree.
type footprinter struct {
	buildings []Building
	ix        *geo.Index
}

func newFootprinter(ws *Workspace) *footprinter {
	return &footprinter{buildings: ws.Buildings,
		ix: geo.NewIndex(len(ws.Buildings), func(i int) geo.Bound { return ws.Buildings[i].Polygon.Bound() })}
}

func (f *footprinter) footprint(c Camera) geo.Polygon {
	if !c.Location.Valid() {
		return nil
	}
	s := CameraSector(c)
	hits := f.ix.Search(rangeBound(c.Location, s.RangeM))
	near := make([]Building, len(hits))
	for i, k := range hits {
		near[i] = f.buildings[k]
	}
	return Footprint(c, near)
}

// parallel runs fn(i) for i in [0,n) on up to GOMAXPROCS goroutines and
// returns ctx's error if it was cancelled.
func parallel(ctx context.Context, n int, fn func(i int)) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// Footprints returns every camera's footprint in ws, in camera order.
func Footprints(ctx context.Context, ws *Workspace) ([]CameraFootprint, error) {
	f := newFootprinter(ws)
	out := make([]CameraFootprint, len(ws.Cameras))
	err := parallel(ctx, len(ws.Cameras), func(i int) {
		pg := f.footprint(ws.Cameras[i])
		out[i] = CameraFootprint{Camera: ws.Cameras[i], Polygon: pg, AreaM2: geo.MultiPolygon{pg}.Area()}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GridCoverage is one grid's camera coverage. Areas are square metres,
// lengths metres.
type GridCoverage struct {
	ID                    int64   `json:"id"`
	Name                  string  `json:"name"`
	AreaM2                float64 `json:"area_m2"`
	CoveredAreaM2         float64 `json:"covered_area_m2"` // area of the union of footprints ∩ grid
	RoadM                 float64 `json:"road_m"`          // road length inside the grid
	CoveredRoadM          float64 `json:"covered_road_m"`  // of which inside some footprint
	IncidentWeight        float64 `json:"incident_weight"`
	CoveredIncidentWeight float64 `json:"covered_incident_weight"` // incidents inside some footprint
	Cameras               int     `json:"cameras"`                 // cameras located in the grid
}

// CoverageReport is the coverage of every grid (in workspace order) and
// their sums.
type CoverageReport struct {
	Grids []GridCoverage `json:"grids"`
	Total GridCoverage   `json:"total"`
}

// CoverageOptions filters the incidents a report weighs.
type CoverageOptions struct {
	// Hours keeps incidents whose local hour (0–23) is listed; empty keeps all.
	Hours []int
}

// Validate checks the hours.
func (o CoverageOptions) Validate() error {
	for _, h := range o.Hours {
		if h < 0 || h > 23 {
			return Errorf(EINVALID, "hour %d: want 0 to 23", h)
		}
	}
	return nil
}

func (o CoverageOptions) keep(inc *Incident) bool {
	return len(o.Hours) == 0 || slices.Contains(o.Hours, inc.Time.Hour())
}

// interval is a stretch [from, to] of a line, metres along it.
type interval = [2]float64

// roadPart is the part of one road (index into the workspace's roads)
// inside a grid or a footprint.
type roadPart struct {
	road int32
	iv   []interval
}

// camState is one camera's footprint and what it covers.
type camState struct {
	cam   Camera
	fp    geo.Polygon
	area  float64
	bound geo.Bound
	grids []int32    // grids whose bound meets the footprint's bound
	roads []roadPart // roads' stretches inside the footprint, by road index
	home  int32      // the grid the camera stands in, -1 none
	gen   uint64     // when the state was attached, for the cluster cache
}

// gridState is one grid's fixed figures and its current coverage.
type gridState struct {
	area      float64
	mp        geo.MultiPolygon
	roads     []roadPart // stretches inside the grid, by road index
	roadM     float64
	incidents []int32              // indexes of incidents located in this grid
	cams      map[int64]bool       // cameras whose footprint bound meets the grid's
	covered   geo.MultiPolygon     // union of footprints ∩ grid
	coveredM  float64              // covered road, metres
	seen      []bool               // per incidents[k]: inside some footprint
	located   int                  // cameras standing in the grid
	coverA    float64              // area of covered, m²
	roadCover map[int32][]interval // covered stretches of each road inside the grid
	rect      bool                 // the grid is its own bounding box
	clusters  map[string]clusterCover
}

// Coverage is the incremental camera-coverage engine over one workspace's
// roads, grids, buildings and incidents. NewCoverage computes every
// footprint and grid; SetCamera and DeleteCamera then recompute only the
// grids the old and new footprints touch. It is safe for concurrent use:
// edits are serialised and readers see a consistent state.
type Coverage struct {
	mu      sync.RWMutex
	ws      *Workspace // roads, grids, incidents (never modified)
	fp      *footprinter
	gridIx  *geo.Index
	roadIx  *geo.Index
	incIx   *geo.Index
	grids   []gridState
	cams    map[int64]*camState
	incGrid []int32 // per incident, its grid or -1
	gen     uint64  // camera states attached so far
}

// NewCoverage computes the coverage of ws's cameras. The workspace is not
// modified and must not be modified while the Coverage is in use (camera
// edits go through SetCamera/DeleteCamera).
func NewCoverage(ctx context.Context, ws *Workspace) (*Coverage, error) {
	c := &Coverage{ws: ws, fp: newFootprinter(ws), cams: map[int64]*camState{}}
	c.gridIx = geo.NewIndex(len(ws.Grids), func(i int) geo.Bound { return ws.Grids[i].Polygon.Bound() })
	c.roadIx = geo.NewIndex(len(ws.Roads), func(i int) geo.Bound { return ws.Roads[i].Geometry.Bound() })
	c.incIx = geo.NewIndex(len(ws.Incidents), func(i int) geo.Bound {
		p := ws.Incidents[i].Location
		return geo.Bound{Min: p, Max: p}
	})
	c.grids = make([]gridState, len(ws.Grids))
	err := parallel(ctx, len(ws.Grids), func(i int) {
		g := &c.grids[i]
		pg := ws.Grids[i].Polygon
		g.mp = geo.MultiPolygon{pg}
		g.area = g.mp.Area()
		g.rect = isRect(pg)
		g.cams = map[int64]bool{}
		for _, r := range c.roadIx.Search(pg.Bound()) {
			iv := geo.ClipLineInside(ws.Roads[r].Geometry, g.mp)
			if len(iv) > 0 {
				g.roads = append(g.roads, roadPart{road: int32(r), iv: iv})
				g.roadM += ivLength(iv)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	c.incGrid = make([]int32, len(ws.Incidents))
	for i := range ws.Incidents {
		c.incGrid[i] = c.locate(ws.Incidents[i].Location)
		if g := c.incGrid[i]; g >= 0 {
			c.grids[g].incidents = append(c.grids[g].incidents, int32(i))
		}
	}
	states := make([]*camState, len(ws.Cameras))
	if err := parallel(ctx, len(ws.Cameras), func(i int) { states[i] = c.camState(ws.Cameras[i]) }); err != nil {
		return nil, err
	}
	for _, st := range states {
		if old := c.cams[st.cam.ID]; old != nil {
			c.detach(old) // duplicate IDs: the last one wins, as with SetCamera
		}
		c.attach(st)
	}
	all := make([]int32, len(c.grids))
	for i := range all {
		all[i] = int32(i)
	}
	if err := c.recompute(ctx, all); err != nil {
		return nil, err
	}
	return c, nil
}

// locate returns the first grid (in workspace order) containing p, or -1.
func (c *Coverage) locate(p geo.Point) int32 {
	for _, gi := range c.gridIx.Search(geo.Bound{Min: p, Max: p}) {
		if c.ws.Grids[gi].Polygon.Contains(p) {
			return int32(gi)
		}
	}
	return -1
}

// camState computes one camera's footprint, grids and covered roads.
func (c *Coverage) camState(cam Camera) *camState {
	st := &camState{cam: cam, home: -1}
	st.fp = c.fp.footprint(cam)
	st.area = geo.MultiPolygon{st.fp}.Area()
	st.bound = st.fp.Bound()
	if cam.Location.Valid() {
		st.home = c.locate(cam.Location)
	}
	if len(st.fp) == 0 || st.bound.IsEmpty() {
		return st
	}
	for _, g := range c.gridIx.Search(st.bound) {
		st.grids = append(st.grids, int32(g))
	}
	mp := geo.MultiPolygon{st.fp}
	for _, r := range c.roadIx.Search(st.bound) {
		if iv := geo.ClipLineInside(c.ws.Roads[r].Geometry, mp); len(iv) > 0 {
			st.roads = append(st.roads, roadPart{road: int32(r), iv: iv})
		}
	}
	return st
}

func (c *Coverage) attach(st *camState) {
	c.gen++
	st.gen = c.gen
	c.cams[st.cam.ID] = st
	for _, g := range st.grids {
		c.grids[g].cams[st.cam.ID] = true
	}
}

func (c *Coverage) detach(st *camState) {
	delete(c.cams, st.cam.ID)
	for _, g := range st.grids {
		delete(c.grids[g].cams, st.cam.ID)
	}
}

// affected returns the grids a camera state touches, appended to gs.
func (st *camState) affected(gs []int32) []int32 {
	gs = append(gs, st.grids...)
	if st.home >= 0 {
		gs = append(gs, st.home)
	}
	return gs
}

// SetCamera adds cam, or replaces the camera with its ID (a move, turn or
// range change), and recomputes the grids its old and new footprints
// touch.
func (c *Coverage) SetCamera(cam Camera) {
	st := c.camState(cam) // the slow part, outside the lock
	c.mu.Lock()
	defer c.mu.Unlock()
	gs := st.affected(nil)
	if old := c.cams[cam.ID]; old != nil {
		gs = old.affected(gs)
		c.detach(old)
	}
	c.attach(st)
	_ = c.recompute(context.Background(), uniq(gs))
}

// DeleteCamera removes the camera with the given ID and recomputes the
// grids its footprint touched; it reports whether there was one.
func (c *Coverage) DeleteCamera(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.cams[id]
	if old == nil {
		return false
	}
	c.detach(old)
	_ = c.recompute(context.Background(), uniq(old.affected(nil)))
	return true
}

func uniq(gs []int32) []int32 {
	slices.Sort(gs)
	return slices.Compact(gs)
}

// gridCams returns the states of the cameras touching grid g, by ID.
func (c *Coverage) gridCams(g int) []*camState {
	ids := make([]int64, 0, len(c.grids[g].cams))
	for id := range c.grids[g].cams {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*camState, len(ids))
	for i, id := range ids {
		out[i] = c.cams[id]
	}
	return out
}

// recompute refreshes the coverage of the given grids.
func (c *Coverage) recompute(ctx context.Context, gs []int32) error {
	located := make(map[int32]int, len(gs))
	for _, g := range gs {
		located[g] = 0
	}
	for _, st := range c.cams {
		if _, ok := located[st.home]; ok {
			located[st.home]++
		}
	}
	cams := make([][]*camState, len(gs))
	for k, g := range gs {
		cams[k] = c.gridCams(int(g))
	}
	return parallel(ctx, len(gs), func(k int) {
		g := gs[k]
		c.grids[g].located = located[g]
		c.recomputeGrid(int(g), cams[k])
	})
}

// recomputeGrid refreshes grid g's covered area, road and incidents from
// the cameras whose footprints may touch it.
func (c *Coverage) recomputeGrid(g int, cams []*camState) {
	gs := &c.grids[g]
	byRoad := map[int32][]interval{}
	for _, st := range cams {
		for _, rp := range st.roads {
			byRoad[rp.road] = append(byRoad[rp.road], rp.iv...)
		}
	}
	c.coverArea(gs, cams)
	gs.coveredM = 0
	gs.roadCover = map[int32][]interval{}
	for _, rp := range gs.roads {
		cov := byRoad[rp.road]
		if len(cov) == 0 {
			continue
		}
		in := ivIntersect(rp.iv, ivMerge(cov))
		if len(in) > 0 {
			gs.roadCover[rp.road] = in
			gs.coveredM += ivLength(in)
		}
	}
	gs.seen = make([]bool, len(gs.incidents))
	for k, i := range gs.incidents {
		p := c.ws.Incidents[i].Location
		for _, st := range cams {
			if st.bound.Contains(p) && st.fp.Contains(p) {
				gs.seen[k] = true
				break
			}
		}
	}
}

// clusterCover is the union of one cluster of footprints, clipped to a
// grid, and its area (m²).
type clusterCover struct {
	mp   geo.MultiPolygon
	area float64
}

// coverArea sets gs.covered to the union of the cameras' footprints
// clipped to the grid. Footprints are grouped into clusters whose bounds
// overlap (transitively); clusters are disjoint, so only footprints within
// a cluster need a union, and a cluster whose cameras did not change since
// the last recompute (same IDs and attach generations) is reused. The
// result is the same whatever the edit history.
func (c *Coverage) coverArea(gs *gridState, cams []*camState) {
	var pieces []*camState
	for _, st := range cams {
		if len(st.fp) > 0 && !st.bound.IsEmpty() {
			pieces = append(pieces, st)
		}
	}
	n := len(pieces)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// Sweep by west edge: only pairs whose longitude spans overlap are tested.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(pieces[a].bound.Min.Lon, pieces[b].bound.Min.Lon) })
	for x, i := range order {
		for _, j := range order[x+1:] {
			if pieces[j].bound.Min.Lon > pieces[i].bound.Max.Lon {
				break
			}
			if pieces[i].bound.Intersects(pieces[j].bound) {
				if a, b := find(i), find(j); a != b {
					parent[max(a, b)] = min(a, b)
				}
			}
		}
	}
	members := map[int][]int{}
	var roots []int
	for i := range pieces {
		r := find(i)
		if _, ok := members[r]; !ok {
			roots = append(roots, r)
		}
		members[r] = append(members[r], i)
	}
	gridB := gs.mp.Bound()
	next := make(map[string]clusterCover, len(roots))
	gs.covered, gs.coverA = nil, 0
	var key []byte
	for _, r := range roots {
		key = key[:0]
		b := geo.EmptyBound()
		fps := make([]geo.Polygon, 0, len(members[r]))
		for _, i := range members[r] {
			st := pieces[i]
			key = fmt.Appendf(key, "%d:%d,", st.cam.ID, st.gen)
			b = b.Union(st.bound)
			fps = append(fps, st.fp)
		}
		cc, ok := gs.clusters[string(key)]
		if !ok {
			var u geo.MultiPolygon
			if len(fps) == 1 {
				u = geo.MultiPolygon{fps[0]}
			} else {
				u = geo.UnionPolygons(fps)
			}
			if !gs.rect || !inside(b, gridB) {
				u = geo.Intersection(u, gs.mp)
			}
			cc = clusterCover{mp: u, area: u.Area()}
		}
		next[string(key)] = cc
		gs.covered = append(gs.covered, cc.mp...)
		gs.coverA += cc.area
	}
	gs.clusters = next
}

// inside reports whether bound a lies within bound b.
func inside(a, b geo.Bound) bool {
	return a.Min.Lon >= b.Min.Lon && a.Min.Lat >= b.Min.Lat && a.Max.Lon <= b.Max.Lon && a.Max.Lat <= b.Max.Lat
}

// isRect reports whether pg is exactly its bounding box: one ring whose
// positions all lie on the bound's four corners.
func isRect(pg geo.Polygon) bool {
	if len(pg) != 1 || len(pg[0]) < 4 {
		return false
	}
	b := pg.Bound()
	corners := map[geo.Point]bool{}
	for _, p := range pg[0] {
		if (p.Lon != b.Min.Lon && p.Lon != b.Max.Lon) || (p.Lat != b.Min.Lat && p.Lat != b.Max.Lat) {
			return false
		}
		corners[p] = true
	}
	return len(corners) == 4
}

// Report returns the coverage of every grid, weighing all incidents.
func (c *Coverage) Report() CoverageReport { return c.ReportFor(CoverageOptions{}) }

// ReportFor returns the coverage of every grid, weighing the incidents
// opt keeps. Each incident and camera counts in the first grid (in
// workspace order) containing it.
func (c *Coverage) ReportFor(opt CoverageOptions) CoverageReport {
	c.mu.RLock()
	defer c.mu.RUnlock()
	rep := CoverageReport{Grids: make([]GridCoverage, len(c.grids))}
	for i := range c.grids {
		gs := &c.grids[i]
		gc := GridCoverage{ID: c.ws.Grids[i].ID, Name: c.ws.Grids[i].Name, AreaM2: gs.area, CoveredAreaM2: gs.coverA,
			RoadM: gs.roadM, CoveredRoadM: gs.coveredM, Cameras: gs.located}
		for k, inc := range gs.incidents {
			x := &c.ws.Incidents[inc]
			if !opt.keep(x) {
				continue
			}
			gc.IncidentWeight += x.Weight
			if gs.seen[k] {
				gc.CoveredIncidentWeight += x.Weight
			}
		}
		rep.Grids[i] = gc
		t := &rep.Total
		t.AreaM2 += gc.AreaM2
		t.CoveredAreaM2 += gc.CoveredAreaM2
		t.RoadM += gc.RoadM
		t.CoveredRoadM += gc.CoveredRoadM
		t.IncidentWeight += gc.IncidentWeight
		t.CoveredIncidentWeight += gc.CoveredIncidentWeight
		t.Cameras += gc.Cameras
	}
	rep.Total.Name = "total"
	return rep
}

// Footprint returns the current footprint of the camera with the given
// ID.
func (c *Coverage) Footprint(id int64) (CameraFootprint, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	st := c.cams[id]
	if st == nil {
		return CameraFootprint{}, false
	}
	return CameraFootprint{Camera: st.cam, Polygon: st.fp, AreaM2: st.area}, true
}

// Footprints returns the footprints (with their cameras) whose bound
// meets b (lon,lat), ordered by camera ID.
func (c *Coverage) Footprints(b geo.Bound) []CameraFootprint {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []CameraFootprint
	for _, st := range c.cams {
		bb := st.bound
		if bb.IsEmpty() && st.cam.Location.Valid() {
			bb = geo.Bound{Min: st.cam.Location, Max: st.cam.Location}
		}
		if bb.Intersects(b) {
			out = append(out, CameraFootprint{Camera: st.cam, Polygon: st.fp, AreaM2: st.area})
		}
	}
	slices.SortFunc(out, func(a, b CameraFootprint) int { return cmp.Compare(a.Camera.ID, b.Camera.ID) })
	return out
}

// Covered returns the union of footprints inside the grid with the given
// ID (lon,lat), or ENOTFOUND.
func (c *Coverage) Covered(gridID int64) (geo.MultiPolygon, error) {
	g, err := c.gridIndex(gridID)
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.grids[g].covered, nil
}

// Gaps returns the part of the grid with the given ID that no camera
// sees (the grid minus the union of footprints, lon,lat), or ENOTFOUND.
func (c *Coverage) Gaps(gridID int64) (geo.MultiPolygon, error) {
	g, err := c.gridIndex(gridID)
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	gs := &c.grids[g]
	if len(gs.covered) == 0 {
		return gs.mp, nil
	}
	return geo.Difference(gs.mp, gs.covered), nil
}

func (c *Coverage) gridIndex(id int64) (int, error) {
	for i := range c.ws.Grids {
		if c.ws.Grids[i].ID == id {
			return i, nil
		}
	}
	return -1, Errorf(ENOTFOUND, "no grid %d", id)
}

// UncoveredStretch is a maximal stretch of road inside the grids that no
// camera sees.
type UncoveredStretch struct {
	RoadID   int64          `json:"road_id"`
	Name     string         `json:"name"`
	Highway  string         `json:"highway"`
	GridID   int64          `json:"grid_id"`
	FromM    float64        `json:"from_m"` // metres along the road's geometry
	ToM      float64        `json:"to_m"`
	Geometry geo.LineString `json:"-"` // lon,lat
	LengthM  float64        `json:"length_m"`
	// IncidentWeight sums the weights of incidents within IncidentNearM
	// metres of the stretch.
	IncidentWeight float64 `json:"incident_weight"`
}

// UncoveredRoads returns up to limit (all when limit ≤ 0) uncovered
// stretches of road at least MinStretchM long, the most incident weight
// nearby first, then the longest, weighing all incidents.
func (c *Coverage) UncoveredRoads(limit int) []UncoveredStretch {
	return c.UncoveredRoadsFor(limit, CoverageOptions{})
}

// UncoveredRoadsFor is UncoveredRoads weighing the incidents opt keeps.
func (c *Coverage) UncoveredRoadsFor(limit int, opt CoverageOptions) []UncoveredStretch {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []UncoveredStretch
	for g := range c.grids {
		gs := &c.grids[g]
		for _, rp := range gs.roads {
			rd := &c.ws.Roads[rp.road]
			for _, iv := range ivSubtract(rp.iv, gs.roadCover[rp.road]) {
				if iv[1]-iv[0] < MinStretchM {
					continue
				}
				ls := SubLine(rd.Geometry, iv[0], iv[1])
				out = append(out, UncoveredStretch{RoadID: rd.ID, Name: rd.Name, Highway: rd.Highway, GridID: c.ws.Grids[g].ID,
					FromM: iv[0], ToM: iv[1], Geometry: ls, LengthM: iv[1] - iv[0], IncidentWeight: c.weightNear(ls, opt)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b UncoveredStretch) int {
		if c := cmp.Compare(b.IncidentWeight, a.IncidentWeight); c != 0 {
			return c
		}
		if c := cmp.Compare(b.LengthM, a.LengthM); c != 0 {
			return c
		}
		if c := cmp.Compare(a.RoadID, b.RoadID); c != 0 {
			return c
		}
		return cmp.Compare(a.FromM, b.FromM)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// weightNear sums the weights of kept incidents within IncidentNearM of ls.
func (c *Coverage) weightNear(ls geo.LineString, opt CoverageOptions) float64 {
	if len(ls) == 0 {
		return 0
	}
	b := ls.Bound()
	pr := geo.NewProjection(b.Center())
	kx, ky := pr.MetresPerDegree()
	d := IncidentNearM
	box := geo.Bound{Min: geo.Point{Lon: b.Min.Lon - d/kx, Lat: b.Min.Lat - d/ky}, Max: geo.Point{Lon: b.Max.Lon + d/kx, Lat: b.Max.Lat + d/ky}}
	var w float64
	for _, i := range c.incIx.Search(box) {
		x := &c.ws.Incidents[i]
		if opt.keep(x) && lineDistance(pr, x.Location, ls) <= d {
			w += x.Weight
		}
	}
	return w
}

// lineDistance returns the planar distance in metres from p to ls.
func lineDistance(pr geo.Projection, p geo.Point, ls geo.LineString) float64 {
	q := pr.Forward(p)
	best := math.Inf(1)
	prev := pr.Forward(ls[0])
	if len(ls) == 1 {
		return math.Hypot(q.X-prev.X, q.Y-prev.Y)
	}
	for _, pt := range ls[1:] {
		cur := pr.Forward(pt)
		dx, dy := cur.X-prev.X, cur.Y-prev.Y
		t := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			t = math.Max(0, math.Min(1, ((q.X-prev.X)*dx+(q.Y-prev.Y)*dy)/l2))
		}
		best = math.Min(best, math.Hypot(q.X-prev.X-t*dx, q.Y-prev.Y-t*dy))
		prev = cur
	}
	return best
}

// SubLine returns the part of ls (lon,lat) from fromM to toM metres along
// it, measured as geo.LineString.Length measures (haversine per segment);
// positions are interpolated linearly in lon,lat.
func SubLine(ls geo.LineString, fromM, toM float64) geo.LineString {
	if len(ls) < 2 || toM < fromM {
		return nil
	}
	at := func(i int, t float64) geo.Point {
		a, b := ls[i], ls[i+1]
		return geo.Point{Lon: a.Lon + t*(b.Lon-a.Lon), Lat: a.Lat + t*(b.Lat-a.Lat)}
	}
	var out geo.LineString
	s := 0.0
	for i := 0; i+1 < len(ls); i++ {
		d := geo.Distance(ls[i], ls[i+1])
		e := s + d
		if e >= fromM && s <= toM {
			t0, t1 := 0.0, 1.0
			if d > 0 {
				t0 = math.Max(0, (fromM-s)/d)
				t1 = math.Min(1, (toM-s)/d)
			}
			p0, p1 := at(i, t0), at(i, t1)
			if len(out) == 0 || out[len(out)-1] != p0 {
				out = append(out, p0)
			}
			if out[len(out)-1] != p1 {
				out = append(out, p1)
			}
		}
		s = e
		if s > toM {
			break
		}
	}
	if len(out) == 1 {
		out = append(out, out[0])
	}
	return out
}

// ivLength returns the total length of intervals, metres.
func ivLength(iv []interval) float64 {
	var s float64
	for _, x := range iv {
		s += x[1] - x[0]
	}
	return s
}

// ivMerge sorts intervals and merges overlapping or touching ones.
func ivMerge(iv []interval) []interval {
	iv = slices.Clone(iv)
	slices.SortFunc(iv, func(a, b interval) int { return cmp.Compare(a[0], b[0]) })
	out := iv[:0]
	for _, x := range iv {
		if n := len(out); n > 0 && x[0] <= out[n-1][1] {
			out[n-1][1] = math.Max(out[n-1][1], x[1])
		} else {
			out = append(out, x)
		}
	}
	return out
}

// ivIntersect intersects two sorted, merged interval lists.
func ivIntersect(a, b []interval) []interval {
	var out []interval
	for i, j := 0, 0; i < len(a) && j < len(b); {
		lo, hi := math.Max(a[i][0], b[j][0]), math.Min(a[i][1], b[j][1])
		if hi > lo {
			out = append(out, interval{lo, hi})
		}
		if a[i][1] < b[j][1] {
			i++
		} else {
			j++
		}
	}
	return out
}

// ivSubtract returns a minus b, both sorted and merged.
func ivSubtract(a, b []interval) []interval {
	var out []interval
	j := 0
	for _, x := range a {
		lo := x[0]
		for j < len(b) && b[j][1] <= lo {
			j++
		}
		for k := j; k < len(b) && b[k][0] < x[1]; k++ {
			if b[k][0] > lo {
				out = append(out, interval{lo, b[k][0]})
			}
			lo = math.Max(lo, b[k][1])
		}
		if lo < x[1] {
			out = append(out, interval{lo, x[1]})
		}
	}
	return out
}

// NormalizeCamera fills a camera's defaults by kind (range, field of
// view; direction normalised to [0,360) degrees) and checks it: a valid
// lon,lat, a known kind, a range up to MaxCameraRangeM metres and a field
// of view in (0,360] degrees.
func NormalizeCamera(c Camera) (Camera, error) {
	if !c.Location.Valid() {
		return c, Errorf(EINVALID, "camera position %v is not a valid lon,lat", c.Location)
	}
	c.Kind = CameraKind(strings.ToLower(strings.TrimSpace(string(c.Kind))))
	if c.Kind == "" {
		c.Kind = CameraDome
	}
	switch c.Kind {
	case CameraFixed, CameraDome, CameraPTZ:
	default:
		return c, Errorf(EINVALID, "camera kind %q: want fixed, dome or ptz", c.Kind)
	}
	if math.IsNaN(c.DirectionDeg) || math.IsInf(c.DirectionDeg, 0) || math.IsNaN(c.FOVDeg) || math.IsNaN(c.RangeM) {
		return c, Errorf(EINVALID, "camera direction, field of view and range must be numbers")
	}
	c.DirectionDeg = math.Mod(c.DirectionDeg, 360)
	if c.DirectionDeg < 0 {
		c.DirectionDeg += 360
	}
	if c.RangeM == 0 {
		c.RangeM = CameraSector(c).RangeM
	}
	if c.RangeM < 0 || c.RangeM > MaxCameraRangeM {
		return c, Errorf(EINVALID, "camera range %g m: want more than 0 and at most %g", c.RangeM, MaxCameraRangeM)
	}
	if c.Kind == CameraFixed {
		if c.FOVDeg == 0 {
			c.FOVDeg = DefaultFixedFOV
		}
		if c.FOVDeg < 0 || c.FOVDeg > FullCircle {
			return c, Errorf(EINVALID, "camera field of view %g°: want more than 0 and at most 360", c.FOVDeg)
		}
	} else {
		c.FOVDeg = FullCircle
	}
	return c, nil
}

// WithCamera returns a copy of ws with c added (ID 0: under the next free
// ID) or replacing the camera with c's ID (ENOTFOUND when there is none);
// the original is not modified. c is normalised by NormalizeCamera; an
// empty name becomes "新摄像头 N".
func WithCamera(ws *Workspace, c Camera) (*Workspace, Camera, error) {
	c, err := NormalizeCamera(c)
	if err != nil {
		return nil, c, err
	}
	c.Name = strings.TrimSpace(c.Name)
	cams := make([]Camera, 0, len(ws.Cameras)+1)
	cams = append(cams, ws.Cameras...)
	if c.ID == 0 {
		var next int64
		for _, x := range ws.Cameras {
			next = max(next, x.ID)
		}
		c.ID = next + 1
		if c.Name == "" {
			c.Name = fmt.Sprintf("新摄像头 %d", c.ID)
		}
		cams = append(cams, c)
	} else {
		i := slices.IndexFunc(cams, func(x Camera) bool { return x.ID == c.ID })
		if i < 0 {
			return nil, c, Errorf(ENOTFOUND, "no camera %d", c.ID)
		}
		if c.Name == "" {
			c.Name = cams[i].Name
		}
		if c.Ref == "" {
			c.Ref = cams[i].Ref
		}
		if c.Source == "" {
			c.Source = cams[i].Source
		}
		cams[i] = c
	}
	cp := *ws
	cp.Cameras = cams
	return &cp, c, nil
}

// WithoutCamera returns a copy of ws without the camera with the given ID
// (ENOTFOUND when there is none); the original is not modified.
func WithoutCamera(ws *Workspace, id int64) (*Workspace, error) {
	i := slices.IndexFunc(ws.Cameras, func(x Camera) bool { return x.ID == id })
	if i < 0 {
		return nil, Errorf(ENOTFOUND, "no camera %d", id)
	}
	cp := *ws
	cp.Cameras = slices.Concat(ws.Cameras[:i], ws.Cameras[i+1:])
	return &cp, nil
}
