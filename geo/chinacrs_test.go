package geo

import (
	"math"
	"testing"
)

// Published WGS84→GCJ-02 reference pairs of the standard algorithm (the
// eviltransform test vectors, reproduced across its Go, Haskell, C#, Ruby and
// MATLAB ports).
var gcjRefs = []struct {
	name     string
	wgs, gcj Point
}{
	{"Shanghai", Point{121.5272106, 31.1774276}, Point{121.531541859215, 31.17530398364597}},
	{"Shenzhen", Point{113.912316, 22.543847}, Point{113.9171764808363, 22.540796131694766}},
	{"Beijing", Point{116.377817, 39.911954}, Point{116.38404722455657, 39.91334545536069}},
}

func TestWGS84ToGCJ02Reference(t *testing.T) {
	for _, c := range gcjRefs {
		got := WGS84ToGCJ02(c.wgs)
		if math.Abs(got.Lon-c.gcj.Lon) > 1e-9 || math.Abs(got.Lat-c.gcj.Lat) > 1e-9 {
			t.Errorf("%s: WGS84ToGCJ02(%v) = %v, want %v", c.name, c.wgs, got, c.gcj)
		}
		back := GCJ02ToWGS84(c.gcj)
		if d := Distance(back, c.wgs); d > 0.001 {
			t.Errorf("%s: GCJ02ToWGS84(%v) = %v, %.4f m from %v", c.name, c.gcj, back, d, c.wgs)
		}
	}
}

// chinaGrid returns WGS84 points on a 0.5° grid over China's bounding box
// that lie inside the outline.
func chinaGrid() []Point {
	var pts []Point
	for lat := 18.2513; lat <= 53.5; lat += 0.5 {
		for lon := 73.7517; lon <= 135; lon += 0.5 {
			if p := (Point{lon, lat}); InChina(p) {
				pts = append(pts, p)
			}
		}
	}
	return pts
}

func TestGCJ02ShiftSizeAndRoundTrip(t *testing.T) {
	pts := chinaGrid()
	if len(pts) < 3000 {
		t.Fatalf("only %d grid points inside China; the outline is too small", len(pts))
	}
	minShift, maxShift := math.Inf(1), 0.0
	maxGCJ, maxBD := 0.0, 0.0
	for _, w := range pts {
		g := WGS84ToGCJ02(w)
		s := Distance(w, g)
		minShift, maxShift = math.Min(minShift, s), math.Max(maxShift, s)
		if d := Distance(GCJ02ToWGS84(g), w); d > maxGCJ {
			maxGCJ = d
		}
		if d := Distance(BD09ToWGS84(WGS84ToBD09(w)), w); d > maxBD {
			maxBD = d
		}
	}
	t.Logf("%d points: GCJ-02 shift %.0f–%.0f m; max round trip WGS→GCJ→WGS %.2g m, WGS→BD→WGS %.2g m",
		len(pts), minShift, maxShift, maxGCJ, maxBD)
	// The shift is a few hundred metres in populated China; it dips to
	// about 40 m in the Qaidam basin (Qinghai, near 97°E 37°N).
	if minShift < 30 || maxShift > 800 {
		t.Errorf("GCJ-02 shift %.0f–%.0f m, want within 30–800 m", minShift, maxShift)
	}
	if maxGCJ > 0.01 {
		t.Errorf("WGS→GCJ→WGS max error %.3g m, want < 0.01 m", maxGCJ)
	}
	if maxBD > 0.01 {
		t.Errorf("WGS→BD→WGS max error %.3g m, want < 0.01 m", maxBD)
	}
}

func TestGCJ02ShiftInEasternCities(t *testing.T) {
	// Where people live the shift is 100–700 m.
	for _, p := range []Point{
		{116.391, 39.907}, {121.47, 31.23}, {113.26, 23.13}, {114.06, 22.54}, {104.07, 30.67},
		{114.30, 30.59}, {126.63, 45.75}, {108.94, 34.26}, {102.71, 25.04}, {110.33, 20.03},
	} {
		if s := Distance(p, WGS84ToGCJ02(p)); s < 100 || s > 700 {
			t.Errorf("shift at %v = %.0f m, want 100–700 m", p, s)
		}
	}
}

func TestBD09(t *testing.T) {
	// BD-09 adds ~0.0065° lon, ~0.006° lat to GCJ-02 (about 1 km).
	g := Point{116.404, 39.915}
	b := GCJ02ToBD09(g)
	if dl := b.Lon - g.Lon; dl < 0.006 || dl > 0.0075 {
		t.Errorf("BD09 lon shift %.5f°", dl)
	}
	if dl := b.Lat - g.Lat; dl < 0.0055 || dl > 0.0075 {
		t.Errorf("BD09 lat shift %.5f°", dl)
	}
	max := 0.0
	for _, w := range chinaGrid() {
		g := WGS84ToGCJ02(w)
		if d := Distance(BD09ToGCJ02(GCJ02ToBD09(g)), g); d > max {
			max = d
		}
	}
	t.Logf("GCJ→BD→GCJ max error %.2g m", max)
	if max > 0.01 {
		t.Errorf("GCJ→BD→GCJ max error %.3g m", max)
	}
	// Outside China, BD-09 is WGS84 plus Baidu's shift only.
	tokyo := Point{139.767, 35.681}
	if got, want := WGS84ToBD09(tokyo), GCJ02ToBD09(tokyo); got != want {
		t.Errorf("WGS84ToBD09(Tokyo) = %v, want %v", got, want)
	}
}

func TestInChina(t *testing.T) {
	inside := map[string]Point{
		"Beijing Tiananmen": {116.3912, 39.9063}, "Shanghai": {121.47, 31.23}, "Guangzhou": {113.26, 23.13},
		"Shenzhen Futian": {114.055, 22.53}, "Shenzhen Luohu": {114.12, 22.545}, "Shenzhen Shekou": {113.91, 22.48},
		"Zhuhai": {113.58, 22.27}, "Hengqin": {113.52, 22.12}, "Xiamen": {118.09, 24.48}, "Fuzhou": {119.30, 26.08},
		"Pingtan": {119.79, 25.50}, "Zhoushan": {122.2, 30.0}, "Haikou": {110.33, 20.03}, "Sanya": {109.5, 18.25},
		"Woody Island": {112.33, 16.83}, "Urumqi": {87.62, 43.83}, "Kashgar": {75.99, 39.47}, "Lhasa": {91.13, 29.65},
		"Harbin": {126.63, 45.75}, "Heihe": {127.49, 50.245}, "Manzhouli": {117.43, 49.59}, "Erenhot": {111.97, 43.65},
		"Suifenhe": {131.15, 44.40}, "Hunchun": {130.37, 42.87}, "Dandong": {124.39, 40.13}, "Dalian": {121.6, 38.91},
		"Dongxing": {107.97, 21.545}, "Hekou": {103.945, 22.51}, "Ruili": {97.85, 24.01}, "Kunming": {102.71, 25.04},
		"Khorgos": {80.42, 44.21}, "Mohe": {122.53, 52.97},
	}
	outside := map[string]Point{
		"Seoul": {126.98, 37.57}, "Pyongyang": {125.75, 39.03}, "Sinuiju": {124.40, 40.09}, "Tokyo": {139.69, 35.69},
		"Hanoi": {105.85, 21.03}, "Mong Cai": {107.965, 21.525}, "Ulaanbaatar": {106.92, 47.92},
		"Zamyn-Uud": {111.90, 43.72}, "Blagoveshchensk": {127.54, 50.28}, "Vladivostok": {131.89, 43.12},
		"Taipei": {121.56, 25.04}, "Kaohsiung": {120.30, 22.63}, "Penghu": {119.57, 23.57}, "Kinmen": {118.32, 24.44},
		"Matsu Nangan": {119.94, 26.16}, "Hong Kong Central": {114.16, 22.28}, "Kowloon": {114.17, 22.32},
		"Sheung Shui": {114.128, 22.50}, "Tuen Mun": {113.97, 22.39}, "Lantau": {113.95, 22.26},
		"Macau": {113.539, 22.193}, "Taipa": {113.56, 22.155}, "Almaty": {76.95, 43.24}, "Kathmandu": {85.32, 27.72},
		"Thimphu": {89.64, 27.47}, "Yangon": {96.17, 16.84}, "Manila": {120.98, 14.6}, "Singapore": {103.82, 1.35},
		"Islamabad": {73.05, 33.68}, "New Delhi": {77.2, 28.6}, "Dushanbe": {68.78, 38.56},
	}
	for name, p := range inside {
		if !InChina(p) {
			t.Errorf("%s %v: InChina false, want true", name, p)
		}
	}
	for name, p := range outside {
		if InChina(p) {
			t.Errorf("%s %v: InChina true, want false", name, p)
		}
		if got := WGS84ToGCJ02(p); got != p {
			t.Errorf("%s: WGS84ToGCJ02 moved it to %v", name, got)
		}
		if got := GCJ02ToWGS84(p); got != p {
			t.Errorf("%s: GCJ02ToWGS84 moved it to %v", name, got)
		}
	}
}

func TestInChinaNearBorder(t *testing.T) {
	// Walk north across the Shenzhen River at lon 114.12 (Lo Wu): the shift
	// is off in Hong Kong and on in Shenzhen, with one change of state
	// where the outline crosses (22.534 at this longitude).
	prev, changes := false, 0
	for lat := 22.45; lat <= 22.60; lat += 0.001 {
		p := Point{114.12, lat}
		in := InChina(p)
		moved := WGS84ToGCJ02(p) != p
		if in != moved {
			t.Fatalf("%v: InChina %v but moved %v", p, in, moved)
		}
		if lat > 22.45 && in != prev {
			changes++
			if lat < 22.530 || lat > 22.538 {
				t.Errorf("border crossed at lat %.3f, want about 22.534", lat)
			}
		}
		prev = in
	}
	if changes != 1 || !prev {
		t.Errorf("%d changes of state, end inside %v; want 1 change into China", changes, prev)
	}
	// A point just inside the Dongxing border round-trips; the one just
	// across the river in Mong Cai is untouched.
	in := Point{107.97, 21.545}
	if d := Distance(GCJ02ToWGS84(WGS84ToGCJ02(in)), in); d > 0.01 {
		t.Errorf("Dongxing round trip %.3f m", d)
	}
}

func TestChinaOutlineValid(t *testing.T) {
	for i, pg := range chinaOutline {
		for j, r := range pg {
			if !r.Closed() {
				t.Errorf("polygon %d ring %d not closed", i, j)
			}
			n := len(r) - 1
			for a := range n {
				for b := a + 2; b < n; b++ {
					if a == 0 && b == n-1 {
						continue
					}
					if segmentsCross(r[a], r[a+1], r[b], r[b+1]) {
						t.Errorf("polygon %d ring %d: edge %v-%v crosses %v-%v", i, j, r[a], r[a+1], r[b], r[b+1])
					}
				}
			}
		}
		for j, h := range pg[1:] {
			if !pg[0].Contains(h[0]) {
				t.Errorf("polygon %d hole %d lies outside the outer ring", i, j+1)
			}
		}
	}
	n := 0
	for _, pg := range chinaOutline {
		for _, r := range pg {
			n += len(r)
		}
	}
	t.Logf("outline: %d vertices in all, %d in the mainland ring", n, len(chinaOutline[0][0]))
	if n < 30 || n > 300 {
		t.Errorf("outline has %d vertices", n)
	}
}

func segmentsCross(a, b, c, d Point) bool {
	o := func(p, q, r Point) float64 { return (q.Lon-p.Lon)*(r.Lat-p.Lat) - (q.Lat-p.Lat)*(r.Lon-p.Lon) }
	return o(a, b, c)*o(a, b, d) < 0 && o(c, d, a)*o(c, d, b) < 0
}

func TestBaiduMercator(t *testing.T) {
	// Baidu's own IP-location API answers Beijing's centre as BD09MC
	// (12958160.97, 4825907.72) = BD-09 (116.403874, 39.914889).
	x, y := BD09ToBaiduMercator(Point{116.403874, 39.914889})
	if math.Abs(x-12958160.97) > 0.5 || math.Abs(y-4825907.72) > 0.5 {
		t.Errorf("BD09ToBaiduMercator(Beijing) = %.2f, %.2f, want 12958160.97, 4825907.72", x, y)
	}
	p := BaiduMercatorToBD09(12958160.97, 4825907.72)
	if math.Abs(p.Lon-116.403874) > 1e-6 || math.Abs(p.Lat-39.914889) > 1e-6 {
		t.Errorf("BaiduMercatorToBD09(Beijing) = %v, want 116.403874,39.914889", p)
	}
	maxErr := 0.0
	prevY := math.Inf(-1)
	for lat := -73.9; lat <= 73.9; lat += 0.1 {
		for _, lon := range []float64{-179.5, -60, 0.3, 73.5, 104.2, 121.5, 135, 180} {
			b := Point{lon, lat}
			x, y := BD09ToBaiduMercator(b)
			if d := Distance(BaiduMercatorToBD09(x, y), b); d > maxErr {
				maxErr = d
			}
			if lon == 121.5 {
				if y <= prevY {
					t.Fatalf("northing not increasing at lat %.1f: %.1f after %.1f", lat, y, prevY)
				}
				prevY = y
			}
		}
	}
	t.Logf("BD09→BD09MC→BD09 max error %.2g m", maxErr)
	if maxErr > 0.01 {
		t.Errorf("BD09MC round trip max error %.3g m", maxErr)
	}
	// x is linear in longitude (111320.702 m per degree).
	x1, _ := BD09ToBaiduMercator(Point{100, 30})
	x2, _ := BD09ToBaiduMercator(Point{110, 30})
	if d := (x2 - x1) / 10; math.Abs(d-111320.702) > 0.01 {
		t.Errorf("BD09MC metres per degree lon = %.4f", d)
	}
}
