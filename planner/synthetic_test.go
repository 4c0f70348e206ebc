package planner

import (
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
)

// Street lattice: 12 × 16 nodes, 100 m apart east-west and 70 m apart
// north-south, so neighbouring junctions are closer than the 80 m camera
// spacing. Row 8 is a primary road, column 3 a secondary one. Node (i,j)
// has id latticeNode(i,j) and lies at wilmAt(100i, 70j).
const latNX, latNY = 12, 16

func latticeNode(i, j int) int64 { return int64(1000 + 100*i + j) }

func latticeRoads() []Road {
	var roads []Road
	add := func(i0, j0, i1, j1 int, highway string) {
		a, b := wilmAt(float64(100*i0), float64(70*j0)), wilmAt(float64(100*i1), float64(70*j1))
		mid := geo.Point{Lon: (a.Lon + b.Lon) / 2, Lat: (a.Lat + b.Lat) / 2}
		g := geo.LineString{a, mid, b}
		roads = append(roads, Road{ID: int64(len(roads) + 1), From: latticeNode(i0, j0), To: latticeNode(i1, j1),
			Geometry: g, Highway: highway, LengthM: g.Length()})
	}
	for i := range latNX {
		for j := range latNY {
			if i+1 < latNX {
				add(i, j, i+1, j, map[bool]string{true: "primary", false: "residential"}[j == 8])
			}
			if j+1 < latNY {
				add(i, j, i, j+1, map[bool]string{true: "secondary", false: "residential"}[i == 3])
			}
		}
	}
	return roads
}

// barCentre is where a cluster of nightlife attractors sits (metres from
// wilmOrigin), away from the major roads.
var barCentre = geo.XY{X: 850, Y: 245}

func latticeAttractors() []Attractor {
	var out []Attractor
	for k := range 10 {
		a := float64(k) * 2 * math.Pi / 10
		out = append(out, Attractor{Location: wilmAt(barCentre.X+40*math.Cos(a), barCentre.Y+40*math.Sin(a)), Kind: "bar", Weight: 1})
	}
	return append(out, Attractor{Location: wilmAt(150, 650), Kind: "shop"}) // unset weight counts as 1
}

// synShuffled returns a shuffled copy of s.
func synShuffled[T any](s []T, seed uint64) []T {
	out := slices.Clone(s)
	rand.New(rand.NewPCG(seed, seed)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestSyntheticCamerasDeterministic(t *testing.T) {
	roads, ats := latticeRoads(), latticeAttractors()
	a := SyntheticCameras(roads, ats, 40, 7)
	if len(a) != 40 {
		t.Fatalf("%d cameras, want 40", len(a))
	}
	if b := SyntheticCameras(synShuffled(roads, 1), synShuffled(ats, 2), 40, 7); !reflect.DeepEqual(a, b) {
		t.Error("same seed, synShuffled inputs: different cameras")
	}
	if b := SyntheticCameras(roads, ats, 40, 8); reflect.DeepEqual(a, b) {
		t.Error("different seeds gave identical cameras")
	}
	if c := SyntheticCameras(roads, ats, 0, 7); c != nil {
		t.Errorf("n=0: %d cameras", len(c))
	}
	if c := SyntheticCameras(nil, ats, 10, 7); c != nil {
		t.Errorf("no roads: %d cameras", len(c))
	}
}

func TestSyntheticCamerasOnSpacedJunctions(t *testing.T) {
	roads, ats := latticeRoads(), latticeAttractors()
	// Independent junction census: node → position and neighbouring
	// vertex of each road end.
	ends := map[int64][]geo.Point{}
	pos := map[int64]geo.Point{}
	for _, r := range roads {
		g := r.Geometry
		ends[r.From], pos[r.From] = append(ends[r.From], g[1]), g[0]
		ends[r.To], pos[r.To] = append(ends[r.To], g[len(g)-2]), g[len(g)-1]
	}
	junctionAt := map[geo.Point]int64{}
	for n, e := range ends {
		if len(e) >= 3 {
			junctionAt[pos[n]] = n
		}
	}
	ref := regexp.MustCompile(`^SYN-CAM-\d{4}$`)
	kinds := map[CameraKind]int{}
	total := 0
	for seed := range int64(20) {
		cams := SyntheticCameras(roads, ats, 1000, seed) // more than fit
		if len(cams) < 40 || len(cams) >= len(junctionAt) {
			t.Fatalf("seed %d: %d cameras from %d junctions", seed, len(cams), len(junctionAt))
		}
		for i, c := range cams {
			node, ok := junctionAt[c.Location]
			if !ok {
				t.Fatalf("camera %s at %v is not on a junction", c.Ref, c.Location)
			}
			if c.ID != int64(i+1) || !ref.MatchString(c.Ref) || c.Source != SourceSynthetic {
				t.Fatalf("camera %d: id %d ref %q source %q", i, c.ID, c.Ref, c.Source)
			}
			for _, d := range cams[:i] {
				if m := geo.Distance(c.Location, d.Location); m < 80 {
					t.Fatalf("cameras %s and %s are %.1f m apart", c.Ref, d.Ref, m)
				}
			}
			kinds[c.Kind]++
			switch c.Kind {
			case CameraFixed:
				if c.FOVDeg != DefaultFixedFOV || c.RangeM != DefaultFixedRange || !alongARoad(c, ends[node]) {
					t.Fatalf("fixed camera %+v: wrong defaults or not aimed along a road", c)
				}
			case CameraDome, CameraPTZ:
				want := map[CameraKind]float64{CameraDome: DefaultDomeRange, CameraPTZ: DefaultPTZRange}[c.Kind]
				if c.FOVDeg != FullCircle || c.RangeM != want {
					t.Fatalf("%s camera %+v: wrong defaults", c.Kind, c)
				}
			default:
				t.Fatalf("camera kind %q", c.Kind)
			}
		}
		total += len(cams)
	}
	for k, want := range map[CameraKind]float64{CameraFixed: 0.6, CameraDome: 0.3, CameraPTZ: 0.1} {
		if got := float64(kinds[k]) / float64(total); math.Abs(got-want) > 0.04 {
			t.Errorf("%s share %.3f, want %.2f ± 0.04", k, got, want)
		}
	}
	t.Logf("%d cameras over 20 seeds: %v", total, kinds)
}

// alongARoad reports whether c's bearing points within 1° at one of the
// neighbouring vertices.
func alongARoad(c Camera, neighbours []geo.Point) bool {
	pr := geo.NewProjection(c.Location)
	for _, p := range neighbours {
		q := pr.Forward(p)
		b := math.Mod(math.Atan2(q.X, q.Y)*180/math.Pi+360, 360)
		if d := math.Abs(b - c.DirectionDeg); math.Min(d, 360-d) < 1 {
			return true
		}
	}
	return false
}

func TestSyntheticCamerasPreferAttractorsAndMajorRoads(t *testing.T) {
	roads, ats := latticeRoads(), latticeAttractors()
	pr := geo.NewProjection(wilmOrigin)
	near := func(p geo.Point) bool {
		q := pr.Forward(p)
		return math.Hypot(q.X-barCentre.X, q.Y-barCentre.Y) < 200
	}
	major := func(p geo.Point) bool {
		q := pr.Forward(p)
		return math.Abs(q.Y-560) < 1 || math.Abs(q.X-300) < 1
	}
	// Base rates over the junctions (interior and edge nodes).
	var baseNear, baseMajor, nj float64
	for i := range latNX {
		for j := range latNY {
			if (i == 0 || i == latNX-1) && (j == 0 || j == latNY-1) {
				continue // corners have two roads
			}
			p := wilmAt(float64(100*i), float64(70*j))
			nj++
			if near(p) {
				baseNear++
			}
			if major(p) {
				baseMajor++
			}
		}
	}
	// Attractor pull measured with attractors, the major-road bonus
	// without them so that the bar cluster does not compete.
	var gotNear, gotMajor, nc float64
	for seed := range int64(30) {
		for _, c := range SyntheticCameras(roads, ats, 15, seed) {
			nc++
			if near(c.Location) {
				gotNear++
			}
		}
		for _, c := range SyntheticCameras(roads, nil, 15, seed) {
			if major(c.Location) {
				gotMajor++
			}
		}
	}
	t.Logf("near bars: %.3f of cameras vs %.3f of junctions; on major roads: %.3f vs %.3f",
		gotNear/nc, baseNear/nj, gotMajor/nc, baseMajor/nj)
	if gotNear/nc < 1.8*baseNear/nj {
		t.Errorf("cameras near the bar cluster %.3f, want at least 1.8× the junction share %.3f", gotNear/nc, baseNear/nj)
	}
	if gotMajor/nc < 1.8*baseMajor/nj {
		t.Errorf("cameras on major roads %.3f, want at least 1.8× the junction share %.3f", gotMajor/nc, baseMajor/nj)
	}
}

var synMonday = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)

func TestSyntheticIncidentsDeterministic(t *testing.T) {
	roads, ats := latticeRoads(), latticeAttractors()
	a := SyntheticIncidents(roads, ats, 500, 3, synMonday, 28)
	if len(a) != 500 {
		t.Fatalf("%d incidents, want 500", len(a))
	}
	if b := SyntheticIncidents(synShuffled(roads, 3), synShuffled(ats, 4), 500, 3, synMonday, 28); !reflect.DeepEqual(a, b) {
		t.Error("same seed, synShuffled inputs: different incidents")
	}
	if b := SyntheticIncidents(roads, ats, 500, 4, synMonday, 28); reflect.DeepEqual(a, b) {
		t.Error("different seeds gave identical incidents")
	}
	for _, got := range [][]Incident{
		SyntheticIncidents(roads, ats, 0, 3, synMonday, 28),
		SyntheticIncidents(roads, ats, 10, 3, synMonday, 0),
		SyntheticIncidents(nil, ats, 10, 3, synMonday, 28),
	} {
		if got != nil {
			t.Errorf("degenerate input gave %d incidents", len(got))
		}
	}
}

// segDistM returns the distance in metres from p to the nearest road
// segment, by brute force in a projection about wilmOrigin, and whether that
// segment runs east-west.
func segDistM(roads []Road, p geo.Point) (float64, bool) {
	pr := geo.NewProjection(wilmOrigin)
	q := pr.Forward(p)
	best, horiz := math.Inf(1), false
	for _, r := range roads {
		for k := 1; k < len(r.Geometry); k++ {
			a, b := pr.Forward(r.Geometry[k-1]), pr.Forward(r.Geometry[k])
			dx, dy := b.X-a.X, b.Y-a.Y
			f := math.Max(0, math.Min(1, ((q.X-a.X)*dx+(q.Y-a.Y)*dy)/(dx*dx+dy*dy)))
			if d := math.Hypot(a.X+f*dx-q.X, a.Y+f*dy-q.Y); d < best {
				best, horiz = d, math.Abs(dx) > math.Abs(dy)
			}
		}
	}
	return best, horiz
}

func TestSyntheticIncidentsDistribution(t *testing.T) {
	roads, ats := latticeRoads(), latticeAttractors()
	const n = 5000
	from := time.Date(2025, 3, 3, 18, 30, 0, 0, time.FixedZone("CST", 8*3600)) // a Monday evening in Beijing time
	incs := SyntheticIncidents(roads, ats, n, 11, from, 28)
	if len(incs) != n {
		t.Fatalf("%d incidents", len(incs))
	}
	ref := regexp.MustCompile(`^SYN-INC-\d{5}$`)
	weights := map[string]float64{"theft": 1, "dispute": 1, "fight": 2, "burglary": 2, "robbery": 3, "traffic": 1}
	var hours [24]float64
	var weekend, weekday, nearBars float64
	cats := map[string]int{}
	pr := geo.NewProjection(wilmOrigin)
	for i, x := range incs {
		if x.ID != int64(i+1) || !ref.MatchString(x.Ref) || x.Source != SourceSynthetic {
			t.Fatalf("incident %d: id %d ref %q source %q", i, x.ID, x.Ref, x.Source)
		}
		if i > 0 && x.Time.Before(incs[i-1].Time) {
			t.Fatalf("incident %d out of time order", i)
		}
		if x.Time.Location() != time.UTC || x.Time.Before(synMonday) || !x.Time.Before(synMonday.AddDate(0, 0, 28)) {
			t.Fatalf("incident %d time %v outside the 28 days from %v (UTC fields)", i, x.Time, synMonday)
		}
		if w, ok := weights[x.Category]; !ok || x.Weight != w {
			t.Fatalf("incident %d: category %q weight %v", i, x.Category, x.Weight)
		}
		cats[x.Category]++
		if i%10 == 0 { // brute-force distance check on a tenth
			if d, _ := segDistM(roads, x.Location); d > 0.5 {
				t.Fatalf("incident %d is %.1f m off the roads", i, d)
			}
		}
		q := pr.Forward(x.Location)
		if math.Hypot(q.X-barCentre.X, q.Y-barCentre.Y) < 250 {
			nearBars++
		}
		hours[x.Time.Hour()]++
		if wd := x.Time.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend++
		} else {
			weekday++
		}
	}
	t.Logf("hours %v", hours)
	t.Logf("categories %v", cats)

	peak, low := 0, 0
	for h := range hours {
		if hours[h] > hours[peak] {
			peak = h
		}
		if hours[h] < hours[low] {
			low = h
		}
	}
	if peak < 21 {
		t.Errorf("busiest hour %02d, want 21–23", peak)
	}
	if low < 3 || low > 6 {
		t.Errorf("quietest hour %02d, want 03–06", low)
	}
	sum := func(a, b int) float64 { return hours[a] + hours[a+1] + hours[b] }
	if ev, noon, night := sum(21, 23), sum(12, 14), sum(3, 5); ev < 1.4*noon || night > 0.6*noon {
		t.Errorf("21–24 %v, 12–15 %v, 03–06 %v: want an evening peak and a night trough", ev, noon, night)
	}
	// Chi-square goodness of fit against the documented profile (23
	// degrees of freedom; 49.7 is the 0.1 % critical value).
	var tot, chi2 float64
	for _, w := range synHourWeights {
		tot += w
	}
	for h, w := range synHourWeights {
		e := n * w / tot
		chi2 += (hours[h] - e) * (hours[h] - e) / e
	}
	if chi2 > 49.7 {
		t.Errorf("hour profile chi² = %.1f, want ≤ 49.7", chi2)
	}
	// 28 days from a Monday: 8 weekend days, 20 weekdays.
	ratio := (weekend / 8) / (weekday / 20)
	if ratio < 1.15 || ratio > 1.45 {
		t.Errorf("weekend/weekday incidents per day = %.2f, want about 1.3", ratio)
	}
	// 70 % start at the bar cluster (10 of 11 attractor weight) with 60 m
	// jitter; the uniform 30 % adds a little.
	if share := nearBars / n; share < 0.6 || share > 0.8 {
		t.Errorf("share within 250 m of the bars %.3f, want about 0.7·10/11 plus background", share)
	}
	if cats["theft"] < cats["robbery"]*2 {
		t.Errorf("categories %v: theft should be far commoner than robbery", cats)
	}
	t.Logf("chi²=%.1f weekend/weekday per day=%.2f near bars=%.3f", chi2, ratio, nearBars/n)
}

func TestSyntheticIncidentsUniformAlongRoads(t *testing.T) {
	// Without attractors every incident lies uniformly along the road
	// length: east-west roads are 17.6 of the 30.2 km.
	roads := latticeRoads()
	incs := SyntheticIncidents(roads, nil, 2000, 5, synMonday, 7)
	var horiz float64
	for _, x := range incs {
		d, h := segDistM(roads, x.Location)
		if d > 0.5 {
			t.Fatalf("incident %s is %.1f m off the roads", x.Ref, d)
		}
		if h {
			horiz++
		}
	}
	if got, want := horiz/float64(len(incs)), 17600.0/30200; math.Abs(got-want) > 0.035 {
		t.Errorf("share on east-west roads %.3f, want %.3f", got, want)
	}
}

// cityAttractors returns n attractors scattered over the middle of
// cityRoads(120, 80).
func cityAttractors(n int) []Attractor {
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([]Attractor, n)
	for i := range out {
		out[i] = Attractor{Location: wilmAt(2000+rng.Float64()*5500, 2000+rng.Float64()*5500), Kind: "restaurant", Weight: 1}
	}
	return out
}

func BenchmarkSyntheticCameras(b *testing.B) {
	roads, ats := cityRoads(120, 80), cityAttractors(1500)
	for b.Loop() {
		SyntheticCameras(roads, ats, 1500, 1)
	}
}

func BenchmarkSyntheticIncidents(b *testing.B) {
	roads, ats := cityRoads(120, 80), cityAttractors(1500)
	for b.Loop() {
		SyntheticIncidents(roads, ats, 20000, 1, synMonday, 90)
	}
}
