package planner

import (
	"context"
	"math"
	"slices"

	"github.com/tidewatch/tidewatch/geo"
)

// Camera siting (天网补盲): where new cameras, of which kind and facing
// which way, see the most street nobody sees yet.
//
// Demand items are road pieces of at most CameraPieceM metres cut from
// every road of the workspace that some mode (car, e-bike or foot) may use
// — streets, footways and paths alike, since a camera watches people as
// well as cars — whose midpoint lies inside a grid (when the workspace has
// grids) and inside the siting area. A piece weighs its length in metres
// times 1 + the weight of the incidents within IncidentNearM (25 m) of
// it in the time window: "newly covered weighted road length". A camera
// covers a piece when the piece's midpoint lies in its occluded footprint
// (Footprint with the buildings near it). Existing cameras are Fixed, so
// picks are scored by new coverage only; the one covering solver, MaxCover,
// picks the cameras and bounds the optimum.

// Camera siting defaults.
const (
	CameraPieceM                  = 10.0 // longest demand piece, metres
	DefaultCameraCandidateSpacing = 50.0 // metres between mid-block candidates
	// cameraBearingM: a fixed camera at a junction faces the point this
	// many metres along each road leaving it (or the road's far end).
	cameraBearingM = 20.0
	// cameraUserRoadM: a user candidate's fixed cameras face both ways
	// along the nearest road piece within this many metres.
	cameraUserRoadM = 50.0
)

// CameraSitingOptions asks where new cameras help most. Distances are
// metres, bearings degrees clockwise from north, positions lon,lat.
type CameraSitingOptions struct {
	Count int // new cameras to place (≥ 1)
	// MinSpacingM keeps new cameras at least this far from each other and
	// from existing cameras, metres (0 = no rule; the CLI's default is 50).
	MinSpacingM float64
	// CandidateSpacingM is the spacing of mid-block candidates along each
	// road, metres (default 50); road junctions (three or more road ends)
	// are always candidates. Ignored when Candidates is set.
	CandidateSpacingM float64
	// Candidates are user-proposed positions (lon,lat) used instead of the
	// junctions and mid-block points.
	Candidates []geo.Point
	// Directions adds, for fixed cameras, this many evenly spaced bearings
	// (0°, 360°/N, …) to the ones always tried: along each road leaving a
	// junction, both ways along the road mid-block (or along the nearest
	// road for a user candidate; 8 bearings when none is within 50 m).
	Directions int
	// Kinds are the camera kinds tried (default fixed and dome), each with
	// its default range and field of view.
	Kinds []CameraKind
	// Hours keeps incidents whose local hour (0–23) is listed; empty keeps
	// all.
	Hours []int
	Seed  int64
	// Bound, if set, limits demand pieces and candidates to this box
	// (lon,lat); GridIDs, if set, to these grids.
	Bound   *geo.Bound
	GridIDs []int64
}

// CameraProposal is one proposed camera. Its Camera field is a body for
// POST /api/v1/cameras as it stands.
type CameraProposal struct {
	Rank         int        `json:"rank"`
	Lon          float64    `json:"lon"`
	Lat          float64    `json:"lat"`
	Kind         CameraKind `json:"kind"`
	DirectionDeg float64    `json:"direction_deg"` // degrees clockwise from north
	FOVDeg       float64    `json:"fov_deg"`       // degrees
	RangeM       float64    `json:"range_m"`       // metres
	Gain         float64    `json:"gain"`          // newly covered weighted road length this pick adds
	GainRoadM    float64    `json:"gain_road_m"`   // plain road metres newly seen
	Share        float64    `json:"share_after"`   // covered share of the total weight after this pick, 0..1
	Camera       CameraBody `json:"camera"`
}

// CameraBody is a camera as the camera endpoints take it (lon,lat,
// degrees clockwise from north, metres).
type CameraBody struct {
	Lon          float64    `json:"lon"`
	Lat          float64    `json:"lat"`
	Kind         CameraKind `json:"kind"`
	DirectionDeg float64    `json:"direction_deg"`
	FOVDeg       float64    `json:"fov_deg"`
	RangeM       float64    `json:"range_m"`
}

// CameraSiting is the answer: proposals in pick order, before/after
// coverage (weighted road length, and plain metres) and how far from
// optimal the solver may be.
type CameraSiting struct {
	TotalWeight    float64          `json:"total_weight"`
	Before         float64          `json:"covered_before"` // by existing cameras
	After          float64          `json:"covered_after"`
	UpperBound     float64          `json:"upper_bound"` // no choice of Count cameras (spacing relaxed) covers more
	Gap            float64          `json:"gap"`         // (UpperBound-After)/UpperBound
	TotalRoadM     float64          `json:"total_road_m"`
	RoadBeforeM    float64          `json:"covered_road_before_m"`
	RoadAfterM     float64          `json:"covered_road_after_m"`
	Pieces         int              `json:"pieces"`          // demand items
	CandidateSites int              `json:"candidate_sites"` // positions tried
	Candidates     int              `json:"candidates"`      // camera configurations (position, kind, bearing) that see some road
	Existing       int              `json:"existing"`        // existing cameras seeing some road in the area
	Proposals      []CameraProposal `json:"proposals"`
}

// camProblem is one camera siting instance: candidates first, existing
// cameras (Fixed) after.
type camProblem struct {
	cover  CoverProblem
	cams   []Camera  // per candidate
	length []float64 // per item, metres
	total  float64
	nCand  int
	sites  int
}

// SiteCameras proposes opt.Count new cameras for ws (see
// CameraSitingOptions), keeping the existing ones.
func SiteCameras(ctx context.Context, ws *Workspace, opt CameraSitingOptions) (*CameraSiting, error) {
	if opt.Count <= 0 {
		return nil, Errorf(EINVALID, "camera siting: give a count of new cameras (≥ 1)")
	}
	cp, err := newCamProblem(ctx, ws, &opt)
	if err != nil {
		return nil, err
	}
	res, err := MaxCover(ctx, cp.cover, opt.Count, CoverOptions{Seed: opt.Seed})
	if err != nil {
		return nil, err
	}
	out := &CameraSiting{TotalWeight: cp.total, After: res.Covered, UpperBound: res.UpperBound, Gap: res.Gap,
		Pieces: len(cp.cover.Weights), CandidateSites: cp.sites, Candidates: cp.nCand, Existing: len(cp.cover.Fixed)}
	seen := make([]bool, len(cp.cover.Weights))
	mark := func(j int32) float64 {
		m := 0.0
		for _, i := range cp.cover.Covers[j] {
			if !seen[i] {
				seen[i] = true
				m += cp.length[i]
			}
		}
		return m
	}
	for _, m := range cp.length {
		out.TotalRoadM += m
	}
	out.Before = coveredBy(cp.cover, cp.cover.Fixed)
	for _, j := range cp.cover.Fixed {
		out.RoadBeforeM += mark(j)
	}
	out.RoadAfterM = out.RoadBeforeM
	covered := out.Before
	for i, j := range res.Open {
		covered += res.Gains[i]
		c := cp.cams[j]
		pr := CameraProposal{Rank: i + 1, Lon: c.Location.Lon, Lat: c.Location.Lat, Kind: c.Kind, DirectionDeg: c.DirectionDeg,
			FOVDeg: c.FOVDeg, RangeM: c.RangeM, Gain: res.Gains[i], GainRoadM: mark(j)}
		pr.Camera = CameraBody{Lon: pr.Lon, Lat: pr.Lat, Kind: pr.Kind, DirectionDeg: pr.DirectionDeg, FOVDeg: pr.FOVDeg, RangeM: pr.RangeM}
		out.RoadAfterM += pr.GainRoadM
		if cp.total > 0 {
			pr.Share = covered / cp.total
		}
		out.Proposals = append(out.Proposals, pr)
	}
	return out, nil
}

// CameraCoverProblem returns the covering problem SiteCameras solves for
// opt (demand items: road pieces; candidates first, then the existing
// cameras as Fixed; Conflicts from MinSpacingM), so it can be checked
// against an exact solver.
func CameraCoverProblem(ctx context.Context, ws *Workspace, opt CameraSitingOptions) (CoverProblem, error) {
	cp, err := newCamProblem(ctx, ws, &opt)
	if err != nil {
		return CoverProblem{}, err
	}
	return cp.cover, nil
}

// camPiece is one demand piece of road.
type camPiece struct {
	road     int32
	from, to float64 // metres along the road
	mid      geo.Point
	bearing  float64 // of the road at mid, degrees clockwise from north
}

func newCamProblem(ctx context.Context, ws *Workspace, opt *CameraSitingOptions) (*camProblem, error) {
	if opt.CandidateSpacingM == 0 {
		opt.CandidateSpacingM = DefaultCameraCandidateSpacing
	}
	if !(opt.CandidateSpacingM >= 1) {
		return nil, Errorf(EINVALID, "camera siting: candidate spacing %g m: want at least 1", opt.CandidateSpacingM)
	}
	if !(opt.MinSpacingM >= 0) || math.IsInf(opt.MinSpacingM, 0) {
		return nil, Errorf(EINVALID, "camera siting: minimum spacing %g m: want a distance ≥ 0", opt.MinSpacingM)
	}
	if opt.Directions < 0 || opt.Directions > 72 {
		return nil, Errorf(EINVALID, "camera siting: %d extra directions: want 0 to 72", opt.Directions)
	}
	if err := (CoverageOptions{Hours: opt.Hours}).Validate(); err != nil {
		return nil, err
	}
	kinds := opt.Kinds
	if len(kinds) == 0 {
		kinds = []CameraKind{CameraFixed, CameraDome}
	}
	for _, k := range kinds {
		if k != CameraFixed && k != CameraDome && k != CameraPTZ {
			return nil, Errorf(EINVALID, "camera siting: kind %q: want fixed, dome or ptz", k)
		}
	}
	inArea, err := camArea(ws, opt)
	if err != nil {
		return nil, err
	}

	// Demand: pieces of the usable roads.
	var pieces []camPiece
	usable := make([]bool, len(ws.Roads))
	for r := range ws.Roads {
		rd := &ws.Roads[r]
		for _, t := range rd.Travel {
			usable[r] = usable[r] || t.Allowed()
		}
		if !usable[r] || len(rd.Geometry) < 2 {
			continue
		}
		l := rd.Geometry.Length()
		n := max(1, int(math.Ceil((l-0.01)/CameraPieceM))) // a centimetre of slack for round-off
		for k := 0; k < n; k++ {
			a, b := l*float64(k)/float64(n), l*float64(k+1)/float64(n)
			mid, brg := alongLine(rd.Geometry, (a+b)/2)
			if inArea(mid) {
				pieces = append(pieces, camPiece{road: int32(r), from: a, to: b, mid: mid, bearing: brg})
			}
		}
	}
	if len(pieces) == 0 {
		return nil, Errorf(EINVALID, "camera siting: no road in the area")
	}
	cp := &camProblem{length: make([]float64, len(pieces))}
	cp.cover.Weights = make([]float64, len(pieces))
	incIx := geo.NewIndex(len(ws.Incidents), func(i int) geo.Bound {
		p := ws.Incidents[i].Location
		return geo.Bound{Min: p, Max: p}
	})
	copt := CoverageOptions{Hours: opt.Hours}
	if err := parallel(ctx, len(pieces), func(i int) {
		pc := &pieces[i]
		ls := SubLine(ws.Roads[pc.road].Geometry, pc.from, pc.to)
		pr := geo.NewProjection(pc.mid)
		w := 0.0
		for _, k := range incIx.Search(rangeBound(pc.mid, IncidentNearM+pc.to-pc.from)) {
			x := &ws.Incidents[k]
			if copt.keep(x) && len(ls) > 0 && lineDistance(pr, x.Location, ls) <= IncidentNearM {
				w += x.Weight
			}
		}
		cp.length[i] = pc.to - pc.from
		cp.cover.Weights[i] = cp.length[i] * (1 + w)
	}); err != nil {
		return nil, err
	}
	for _, w := range cp.cover.Weights {
		cp.total += w
	}
	pieceIx := geo.NewIndex(len(pieces), func(i int) geo.Bound { return geo.Bound{Min: pieces[i].mid, Max: pieces[i].mid} })

	// Candidate positions and the fixed-camera bearings tried at each.
	type site struct {
		p        geo.Point
		bearings []float64
	}
	var sites []site
	extra := func(bs []float64) []float64 {
		for i := 0; i < opt.Directions; i++ {
			bs = append(bs, 360*float64(i)/float64(opt.Directions))
		}
		return bs
	}
	if opt.Candidates != nil {
		for _, p := range opt.Candidates {
			if !p.Valid() {
				return nil, Errorf(EINVALID, "camera siting: candidate %v is not a valid lon,lat", p)
			}
			var bs []float64
			best, bd := -1, cameraUserRoadM
			for _, i := range pieceIx.Search(rangeBound(p, cameraUserRoadM)) {
				if d := geo.Distance(p, pieces[i].mid); d < bd {
					best, bd = i, d
				}
			}
			if best >= 0 {
				b := pieces[best].bearing
				bs = append(bs, b, math.Mod(b+180, 360))
			} else if opt.Directions == 0 {
				for i := 0; i < 8; i++ {
					bs = append(bs, 45*float64(i))
				}
			}
			sites = append(sites, site{p, extra(bs)})
		}
	} else {
		type end struct {
			p   geo.Point
			brg []float64
		}
		ends := map[int64]*end{}
		var order []int64
		for r := range ws.Roads {
			rd := &ws.Roads[r]
			if !usable[r] || len(rd.Geometry) < 2 {
				continue
			}
			l := rd.Geometry.Length()
			g := rd.Geometry
			for side, id := range [2]int64{rd.From, rd.To} {
				var p, q geo.Point
				if side == 0 {
					p, _ = alongLine(g, 0)
					q, _ = alongLine(g, math.Min(cameraBearingM, l))
				} else {
					p, _ = alongLine(g, l)
					q, _ = alongLine(g, math.Max(0, l-cameraBearingM))
				}
				e := ends[id]
				if e == nil {
					e = &end{p: p}
					ends[id] = e
					order = append(order, id)
				}
				if p != q {
					e.brg = append(e.brg, bearingDeg(p, q))
				}
			}
			// Mid-block points, about CandidateSpacingM apart.
			n := int(math.Round(l / opt.CandidateSpacingM))
			for k := 0; k < n; k++ {
				m := l * (float64(k) + 0.5) / float64(n)
				p, b := alongLine(g, m)
				if inArea(p) {
					sites = append(sites, site{p, extra([]float64{b, math.Mod(b+180, 360)})})
				}
			}
		}
		slices.Sort(order)
		for _, id := range order {
			if e := ends[id]; len(e.brg) >= 3 && inArea(e.p) {
				sites = append(sites, site{e.p, extra(e.brg)})
			}
		}
	}
	// Drop positions too close to an existing camera.
	if opt.MinSpacingM > 0 && len(ws.Cameras) > 0 {
		camIx := geo.NewIndex(len(ws.Cameras), func(i int) geo.Bound {
			p := ws.Cameras[i].Location
			return geo.Bound{Min: p, Max: p}
		})
		kept := sites[:0]
		for _, s := range sites {
			ok := true
			for _, i := range camIx.Search(rangeBound(s.p, opt.MinSpacingM)) {
				if geo.Distance(s.p, ws.Cameras[i].Location) < opt.MinSpacingM {
					ok = false
					break
				}
			}
			if ok {
				kept = append(kept, s)
			}
		}
		sites = kept
	}
	cp.sites = len(sites)
	var cams []Camera
	for _, s := range sites {
		for _, k := range kinds {
			if k != CameraFixed {
				cams = append(cams, Camera{Location: s.p, Kind: k})
				continue
			}
			bs := slices.Clone(s.bearings)
			for i := range bs {
				bs[i] = math.Round(bs[i]*10) / 10 // a tenth of a degree is plenty
			}
			slices.Sort(bs)
			for _, b := range slices.Compact(bs) {
				cams = append(cams, Camera{Location: s.p, Kind: k, DirectionDeg: b})
			}
		}
	}
	for i := range cams {
		cams[i], _ = NormalizeCamera(cams[i])
	}
	nCand := len(cams)
	for _, c := range ws.Cameras {
		if c.Location.Valid() {
			cams = append(cams, c)
		}
	}

	// Coverage of every configuration and existing camera, in parallel.
	fp := newFootprinter(ws)
	covers := make([][]int32, len(cams))
	if err := parallel(ctx, len(cams), func(j int) {
		pg := fp.footprint(cams[j])
		if len(pg) == 0 {
			return
		}
		var cov []int32
		for _, i := range pieceIx.Search(pg.Bound()) {
			if pg.Contains(pieces[i].mid) {
				cov = append(cov, int32(i))
			}
		}
		covers[j] = cov
	}); err != nil {
		return nil, err
	}
	// Reduce without changing the optimum: pieces existing cameras see
	// are dropped from the candidates' lists (they add nothing), then
	// candidates seeing nothing new, and candidates whose new pieces are
	// a subset of those of another configuration at the same position
	// (same conflicts, at least the same gain).
	fixedSeen := make([]bool, len(pieces))
	for _, c := range covers[nCand:] {
		for _, i := range c {
			fixedSeen[i] = true
		}
	}
	for j := range covers[:nCand] {
		covers[j] = slices.DeleteFunc(covers[j], func(i int32) bool { return fixedSeen[i] })
	}
	keep := make([]bool, nCand)
	for lo := 0; lo < nCand; {
		hi := lo + 1
		for hi < nCand && cams[hi].Location == cams[lo].Location {
			hi++
		}
		for a := lo; a < hi; a++ {
			keep[a] = len(covers[a]) > 0
			for b := lo; b < hi && keep[a]; b++ {
				if b != a && len(covers[b]) > 0 && subset(covers[a], covers[b]) && (len(covers[a]) < len(covers[b]) || b < a) {
					keep[a] = false
				}
			}
		}
		lo = hi
	}
	for j, c := range covers {
		if j < nCand {
			if !keep[j] {
				continue
			}
			cp.nCand++
		} else {
			if len(c) == 0 {
				continue
			}
			cp.cover.Fixed = append(cp.cover.Fixed, int32(len(cp.cover.Covers)))
		}
		cp.cover.Covers = append(cp.cover.Covers, c)
		cp.cams = append(cp.cams, cams[j])
	}
	if cp.nCand == 0 {
		return nil, Errorf(EINVALID, "camera siting: no candidate camera sees any road that existing cameras do not")
	}
	if opt.MinSpacingM > 0 {
		// Candidates near existing cameras were dropped above, so only
		// pairs of candidates can conflict.
		pr := geo.NewProjection(cp.cams[0].Location)
		xy := make([]geo.XY, cp.nCand)
		for j := range xy {
			xy[j] = pr.Forward(cp.cams[j].Location)
		}
		n, d2 := int32(cp.nCand), opt.MinSpacingM*opt.MinSpacingM
		cp.cover.Conflicts = func(a, b int32) bool {
			if a >= n || b >= n {
				return false
			}
			dx, dy := xy[a].X-xy[b].X, xy[a].Y-xy[b].Y
			return dx*dx+dy*dy < d2
		}
	}
	return cp, nil
}

// subset reports whether the sorted list a is a subset of the sorted list b.
func subset(a, b []int32) bool {
	if len(a) > len(b) {
		return false
	}
	k := 0
	for _, x := range a {
		for k < len(b) && b[k] < x {
			k++
		}
		if k == len(b) || b[k] != x {
			return false
		}
		k++
	}
	return true
}

// camArea returns the test of whether a position (lon,lat) is in the
// siting area: inside opt.Bound, inside one of opt.GridIDs or, without
// GridIDs, inside some grid when the workspace has any.
func camArea(ws *Workspace, opt *CameraSitingOptions) (func(geo.Point) bool, error) {
	var grids []int
	if len(opt.GridIDs) > 0 {
		for _, id := range opt.GridIDs {
			i := slices.IndexFunc(ws.Grids, func(g Grid) bool { return g.ID == id })
			if i < 0 {
				return nil, Errorf(ENOTFOUND, "camera siting: no grid %d", id)
			}
			grids = append(grids, i)
		}
	} else {
		for i := range ws.Grids {
			grids = append(grids, i)
		}
	}
	ix := geo.NewIndex(len(grids), func(k int) geo.Bound { return ws.Grids[grids[k]].Polygon.Bound() })
	b := opt.Bound
	return func(p geo.Point) bool {
		if b != nil && !b.Contains(p) {
			return false
		}
		if len(grids) == 0 {
			return true
		}
		for _, k := range ix.Search(geo.Bound{Min: p, Max: p}) {
			if ws.Grids[grids[k]].Polygon.Contains(p) {
				return true
			}
		}
		return false
	}, nil
}

// alongLine returns the point m metres along ls (measured as SubLine
// measures) and the bearing of ls there, degrees clockwise from north.
func alongLine(ls geo.LineString, m float64) (geo.Point, float64) {
	s := 0.0
	last := len(ls) - 2
	for i := 0; i <= last; i++ {
		d := geo.Distance(ls[i], ls[i+1])
		if m <= s+d || i == last {
			t := 0.0
			if d > 0 {
				t = math.Max(0, math.Min(1, (m-s)/d))
			}
			a, b := ls[i], ls[i+1]
			return geo.Point{Lon: a.Lon + t*(b.Lon-a.Lon), Lat: a.Lat + t*(b.Lat-a.Lat)}, bearingDeg(a, b)
		}
		s += d
	}
	return ls[0], 0
}

// bearingDeg is the bearing from a to b in a local projection, degrees
// clockwise from north in [0,360).
func bearingDeg(a, b geo.Point) float64 {
	q := geo.NewProjection(a).Forward(b)
	d := math.Atan2(q.X, q.Y) * 180 / math.Pi
	return math.Mod(d+360, 360)
}
