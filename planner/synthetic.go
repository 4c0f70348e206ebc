package planner

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/tidewatch/tidewatch/geo"
)

// Attractor is a point of interest that draws people, and trouble, in the
// evening: a bar, pub, nightclub, restaurant, fast-food outlet, cafe or shop
// taken from OSM by the caller. Location is lon,lat; Weight is its relative
// pull, and a Weight ≤ 0 (unset) counts as 1.
type Attractor struct {
	Location geo.Point
	Kind     string // the OSM amenity/shop value: "bar", "pub", "cafe", ...
	Weight   float64
}

// Parameters of the synthetic generators.
const (
	synCameraSpacingM  = 80.0  // minimum distance between synthetic cameras, metres
	synAttractorSigmaM = 150.0 // reach of an attractor's pull on camera siting, metres
	synJitterSigmaM    = 60.0  // spread of incidents around an attractor, metres
	synNearAttractor   = 0.7   // share of incidents drawn near attractors
	synWeekendFactor   = 1.3   // Saturday/Sunday incident rate relative to weekdays
)

// synHourWeights is the relative incident rate in each local hour 00–23:
// lowest 03:00–07:00, flat through the day, rising from 16:00 to a peak
// 21:00–24:00 and tailing off after midnight.
var synHourWeights = [24]float64{
	7, 5, 3.5, 2, 1.5, 1.5, 2, 3, // 00–07
	4, 4.5, 5, 5, 5.5, 5, 5, 5, // 08–15
	6, 6.5, 7, 7.5, 8, 9, 9.5, 9, // 16–23
}

// synCategories are the synthetic incident categories (English codes; the
// UI translates them): share is how often each occurs, weight its severity,
// stored in Incident.Weight.
var synCategories = []struct {
	code          string
	share, weight float64
}{
	{"theft", 0.30, 1},    // 盗窃
	{"dispute", 0.25, 1},  // 纠纷
	{"traffic", 0.15, 1},  // 交通
	{"fight", 0.12, 2},    // 斗殴
	{"burglary", 0.10, 2}, // 入室盗窃
	{"robbery", 0.08, 3},  // 抢劫
}

// SyntheticCameras sites up to n demo cameras (Source "synthetic", Ref
// "SYN-CAM-0001", ...) at road junctions, nodes where at least three road
// ends meet (from Road.From/To), at least 80 m apart (great-circle).
//
// Junctions are drawn by weighted sampling without replacement; a
// junction's weight is (1 + 2·Σ w·exp(−d²/2σ²)) over attractors of weight
// w at distance d metres (σ = 150 m), tripled when a road of RoadRank ≤ 3
// (motorway/trunk to tertiary) meets there. About 60 % of cameras are
// fixed, aimed along one of the junction's roads (bearing in degrees
// clockwise from north) with DefaultFixedFOV and DefaultFixedRange; 30 %
// are domes and 10 % PTZ with their default ranges and a 360° view.
//
// The result is deterministic for a seed whatever the order of roads and
// attractors; it has fewer than n cameras when the junctions run out.
func SyntheticCameras(roads []Road, attractors []Attractor, n int, seed int64) []Camera {
	rs, proj := synRoads(roads)
	if n <= 0 || len(rs) == 0 {
		return nil
	}
	js := synJunctions(rs, proj)
	ats := synAttractors(attractors)
	axy := make([]geo.XY, len(ats))
	for i, a := range ats {
		axy[i] = proj.Forward(a.Location)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0xCA3E5A))
	// Efraimidis–Spirakis keys: sorting by log(u)/w draws a weighted
	// sample without replacement.
	keys := make([]float64, len(js))
	for i := range js {
		keys[i] = math.Log(1-rng.Float64()) / synJunctionWeight(&js[i], ats, axy)
	}
	order := make([]int, len(js))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(keys[b], keys[a]) })

	// Accepted cameras bucketed on a grid wider than the spacing, so a
	// too-close camera is always in the 3×3 block around a candidate.
	const cell = 1.25 * synCameraSpacingM
	taken := map[[2]int][]geo.Point{}
	var out []Camera
	for _, i := range order {
		if len(out) == n {
			break
		}
		j := &js[i]
		cx, cy := int(math.Floor(j.xy.X/cell)), int(math.Floor(j.xy.Y/cell))
		if synTooClose(taken, cx, cy, j.at) {
			continue
		}
		taken[[2]int{cx, cy}] = append(taken[[2]int{cx, cy}], j.at)
		c := Camera{ID: int64(len(out) + 1), Ref: fmt.Sprintf("SYN-CAM-%04d", len(out)+1), Location: j.at,
			Source: SourceSynthetic}
		c.Name = c.Ref
		synDress(&c, j.bearings, rng)
		out = append(out, c)
	}
	return out
}

// synDress sets a synthetic camera's kind and optics: 60 % fixed, aimed
// along one of the bearings, 30 % dome, 10 % PTZ.
func synDress(c *Camera, bearings []float64, rng *rand.Rand) {
	u := rng.Float64()
	if u < 0.6 {
		c.Kind, c.DirectionDeg, c.FOVDeg, c.RangeM = CameraFixed, DefaultDirection, DefaultFixedFOV, DefaultFixedRange
		c.Defaulted = []string{"fov", "range"}
		if len(bearings) > 0 { // else every road here has zero length
			c.DirectionDeg = bearings[rng.IntN(len(bearings))]
		}
		return
	}
	c.Kind, c.RangeM = CameraDome, DefaultDomeRange
	if u >= 0.9 {
		c.Kind, c.RangeM = CameraPTZ, DefaultPTZRange
	}
	c.DirectionDeg, c.FOVDeg = DefaultDirection, FullCircle
	c.Defaulted = []string{"direction", "fov", "range"}
}

// synTooClose reports whether a camera already taken in the 3×3 block of
// cells around (cx, cy) is nearer than the spacing to p.
func synTooClose(taken map[[2]int][]geo.Point, cx, cy int, p geo.Point) bool {
	for x := cx - 1; x <= cx+1; x++ {
		for y := cy - 1; y <= cy+1; y++ {
			for _, q := range taken[[2]int{x, y}] {
				if geo.Distance(p, q) < synCameraSpacingM {
					return true
				}
			}
		}
	}
	return false
}

// SyntheticIncidents draws n demo incidents 警情 (Source "synthetic", Ref
// "SYN-INC-00001", ..., sorted by time) on the road network.
//
// Places: 70 % start at an attractor picked by weight, jittered by a
// gaussian of σ = 60 metres and snapped to the nearest point of a road;
// the rest (and all of them when there are no attractors) lie uniformly
// along the total road length. Every incident lies on a road geometry.
//
// Times: day 0 is from's calendar date (in from's location) and the days
// run to day days−1; Saturdays and Sundays are 1.3 times as likely as
// weekdays. The hour follows an evening-peaked profile (relative rates
// 00–07: 7 5 3.5 2 1.5 1.5 2 3; 08–15: 4 4.5 5 5 5.5 5 5 5; 16–23: 6 6.5
// 7 7.5 8 9 9.5 9), so 03–07 is quietest and 21–24 busiest; the minute
// and second are uniform. Like every Incident.Time the result is a local
// wall-clock time stored as UTC fields.
//
// Categories (English codes, translated by the UI) with their share and
// severity weight (Incident.Weight): theft 30 % ×1, dispute 25 % ×1,
// traffic 15 % ×1, fight 12 % ×2, burglary 10 % ×2, robbery 8 % ×3.
//
// The result is deterministic for a seed whatever the order of roads and
// attractors; it is nil when n ≤ 0, days ≤ 0 or no road has geometry.
func SyntheticIncidents(roads []Road, attractors []Attractor, n int, seed int64, from time.Time, days int) []Incident {
	rs, proj := synRoads(roads)
	if n <= 0 || days <= 0 || len(rs) == 0 {
		return nil
	}
	net := newSynNetwork(rs, proj)
	ats := synAttractors(attractors)
	atCum := synCumulative(len(ats), func(i int) float64 { return ats[i].Weight })
	y, m, d := from.Date()
	dayCum := synCumulative(days, func(k int) float64 {
		if wd := time.Date(y, m, d+k, 0, 0, 0, 0, time.UTC).Weekday(); wd == time.Saturday || wd == time.Sunday {
			return synWeekendFactor
		}
		return 1
	})
	hourCum := synCumulative(24, func(h int) float64 { return synHourWeights[h] })
	catCum := synCumulative(len(synCategories), func(i int) float64 { return synCategories[i].share })

	rng := rand.New(rand.NewPCG(uint64(seed), 0x1AC1DE))
	out := make([]Incident, n)
	for i := range out {
		var q geo.XY
		if len(ats) > 0 && rng.Float64() < synNearAttractor {
			a := proj.Forward(ats[synPick(rng, atCum)].Location)
			q = net.nearest(geo.XY{X: a.X + synJitterSigmaM*rng.NormFloat64(), Y: a.Y + synJitterSigmaM*rng.NormFloat64()})
		} else {
			q = net.along(rng.Float64() * net.cum[len(net.cum)-1])
		}
		cat := synCategories[synPick(rng, catCum)]
		out[i] = Incident{
			Location: proj.Inverse(q),
			Time:     time.Date(y, m, d+synPick(rng, dayCum), synPick(rng, hourCum), 0, rng.IntN(3600), 0, time.UTC),
			Category: cat.code,
			Weight:   cat.weight,
			Source:   SourceSynthetic,
		}
	}
	slices.SortStableFunc(out, func(a, b Incident) int { return a.Time.Compare(b.Time) })
	for i := range out {
		out[i].ID, out[i].Ref = int64(i+1), fmt.Sprintf("SYN-INC-%05d", i+1)
	}
	return out
}

// synRoads returns the roads with at least two positions sorted by ID,
// From and To, so that the caller's order never leaks into a result, and a
// local projection about their bound's centre.
func synRoads(roads []Road) ([]*Road, geo.Projection) {
	var rs []*Road
	b := geo.EmptyBound()
	for i := range roads {
		if len(roads[i].Geometry) >= 2 {
			rs = append(rs, &roads[i])
			b = b.Union(roads[i].Geometry.Bound())
		}
	}
	slices.SortFunc(rs, func(a, b *Road) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	if len(rs) == 0 {
		return nil, geo.Projection{}
	}
	return rs, geo.NewProjection(b.Center())
}

// synAttractors returns the attractors sorted by position, kind and weight,
// with unset weights replaced by 1.
func synAttractors(attractors []Attractor) []Attractor {
	out := slices.Clone(attractors)
	for i := range out {
		if !(out[i].Weight > 0) {
			out[i].Weight = 1
		}
	}
	slices.SortFunc(out, func(a, b Attractor) int {
		return cmp.Or(cmp.Compare(a.Location.Lon, b.Location.Lon), cmp.Compare(a.Location.Lat, b.Location.Lat),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Weight, b.Weight))
	})
	return out
}

// synJunction is a road node where at least three road ends meet.
type synJunction struct {
	node     int64
	at       geo.Point
	xy       geo.XY
	ends     int       // road ends meeting here
	bearings []float64 // degrees clockwise from north of each road leaving the node
	major    bool      // a road of RoadRank ≤ 3 meets here
}

// synJunctions returns the junctions of rs sorted by node id; xy is in
// proj's metres.
func synJunctions(rs []*Road, proj geo.Projection) []synJunction {
	byNode := map[int64]*synJunction{}
	end := func(node int64, g geo.LineString, r *Road) {
		j := byNode[node]
		if j == nil {
			j = &synJunction{node: node, at: g[0], xy: proj.Forward(g[0])}
			byNode[node] = j
		}
		j.ends++
		j.major = j.major || RoadRank(r.Highway) <= 3
		for _, p := range g[1:] {
			if q := proj.Forward(p); q != j.xy {
				b := math.Atan2(q.X-j.xy.X, q.Y-j.xy.Y) * 180 / math.Pi
				j.bearings = append(j.bearings, math.Mod(b+360, 360))
				return
			}
		}
	}
	for _, r := range rs {
		end(r.From, r.Geometry, r)
		back := slices.Clone(r.Geometry)
		slices.Reverse(back)
		end(r.To, back, r)
	}
	var out []synJunction
	for _, j := range byNode {
		if j.ends >= 3 {
			out = append(out, *j)
		}
	}
	slices.SortFunc(out, func(a, b synJunction) int { return cmp.Compare(a.node, b.node) })
	return out
}

// synJunctionWeight is a junction's sampling weight for camera siting;
// axy holds the attractors' projected positions.
func synJunctionWeight(j *synJunction, ats []Attractor, axy []geo.XY) float64 {
	pull := 0.0
	for i, a := range ats {
		q := axy[i]
		d2 := (q.X-j.xy.X)*(q.X-j.xy.X) + (q.Y-j.xy.Y)*(q.Y-j.xy.Y)
		if d2 < 16*synAttractorSigmaM*synAttractorSigmaM {
			pull += a.Weight * math.Exp(-d2/(2*synAttractorSigmaM*synAttractorSigmaM))
		}
	}
	w := 1 + 2*pull
	if j.major {
		w *= 3
	}
	return w
}

// synCumulative returns the running sums of weight(0..n-1).
func synCumulative(n int, weight func(i int) float64) []float64 {
	cum := make([]float64, n)
	s := 0.0
	for i := range cum {
		s += weight(i)
		cum[i] = s
	}
	return cum
}

// synPick draws an index with probability proportional to its weight,
// given the running sums cum (total > 0).
func synPick(rng *rand.Rand, cum []float64) int {
	u := rng.Float64() * cum[len(cum)-1]
	return min(sort.Search(len(cum), func(i int) bool { return cum[i] > u }), len(cum)-1)
}

// synNetwork holds road segments in projected metres with running lengths
// and a bucket grid for nearest-point queries.
type synNetwork struct {
	segs    [][2]geo.XY
	cum     []float64 // cum[i] = total length of segs[0..i], metres
	buckets map[[2]int][]int32
	lo, hi  [2]int // bucket index extent
}

// synBucketM is the bucket size of synNetwork's grid, metres.
const synBucketM = 100.0

func synBucket(q geo.XY) [2]int {
	return [2]int{int(math.Floor(q.X / synBucketM)), int(math.Floor(q.Y / synBucketM))}
}

// newSynNetwork projects every segment of rs with proj and buckets it in
// every cell its bounding box meets.
func newSynNetwork(rs []*Road, proj geo.Projection) *synNetwork {
	nw := &synNetwork{buckets: map[[2]int][]int32{},
		lo: [2]int{math.MaxInt, math.MaxInt}, hi: [2]int{math.MinInt, math.MinInt}}
	total := 0.0
	for _, r := range rs {
		for k := 1; k < len(r.Geometry); k++ {
			a, b := proj.Forward(r.Geometry[k-1]), proj.Forward(r.Geometry[k])
			total += math.Hypot(b.X-a.X, b.Y-a.Y)
			id := int32(len(nw.segs))
			nw.segs, nw.cum = append(nw.segs, [2]geo.XY{a, b}), append(nw.cum, total)
			c0 := synBucket(geo.XY{X: math.Min(a.X, b.X), Y: math.Min(a.Y, b.Y)})
			c1 := synBucket(geo.XY{X: math.Max(a.X, b.X), Y: math.Max(a.Y, b.Y)})
			for x := c0[0]; x <= c1[0]; x++ {
				for y := c0[1]; y <= c1[1]; y++ {
					nw.buckets[[2]int{x, y}] = append(nw.buckets[[2]int{x, y}], id)
				}
			}
			nw.lo = [2]int{min(nw.lo[0], c0[0]), min(nw.lo[1], c0[1])}
			nw.hi = [2]int{max(nw.hi[0], c1[0]), max(nw.hi[1], c1[1])}
		}
	}
	return nw
}

// along returns the point at distance s metres along the concatenated
// segments.
func (nw *synNetwork) along(s float64) geo.XY {
	i := min(sort.SearchFloat64s(nw.cum, s), len(nw.cum)-1)
	for i > 0 && nw.cum[i] == nw.cum[i-1] { // skip zero-length segments
		i--
	}
	start := 0.0
	if i > 0 {
		start = nw.cum[i-1]
	}
	a, b := nw.segs[i][0], nw.segs[i][1]
	f := 0.0
	if l := nw.cum[i] - start; l > 0 {
		f = math.Min(1, (s-start)/l)
	}
	return geo.XY{X: a.X + f*(b.X-a.X), Y: a.Y + f*(b.Y-a.Y)}
}

// nearest returns the point of the network nearest to q, searching rings
// of buckets outwards until no unvisited bucket can hold a nearer point.
func (nw *synNetwork) nearest(q geo.XY) geo.XY {
	c := synBucket(q)
	reach := max(synAbs(c[0]-nw.lo[0]), synAbs(c[0]-nw.hi[0]), synAbs(c[1]-nw.lo[1]), synAbs(c[1]-nw.hi[1]))
	best, bestP := math.Inf(1), q
	for k := 0; k <= reach && best > float64(k-1)*synBucketM; k++ {
		for x := c[0] - k; x <= c[0]+k; x++ {
			for y := c[1] - k; y <= c[1]+k; y++ {
				if max(synAbs(x-c[0]), synAbs(y-c[1])) != k {
					continue
				}
				for _, id := range nw.buckets[[2]int{x, y}] {
					if p := synClosest(q, nw.segs[id][0], nw.segs[id][1]); math.Hypot(p.X-q.X, p.Y-q.Y) < best {
						best, bestP = math.Hypot(p.X-q.X, p.Y-q.Y), p
					}
				}
			}
		}
	}
	return bestP
}

// synClosest returns the point of segment ab nearest to q (metres).
func synClosest(q, a, b geo.XY) geo.XY {
	dx, dy := b.X-a.X, b.Y-a.Y
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return a
	}
	f := math.Max(0, math.Min(1, ((q.X-a.X)*dx+(q.Y-a.Y)*dy)/l2))
	return geo.XY{X: a.X + f*dx, Y: a.Y + f*dy}
}

func synAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
