package osm

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

const fixture = "testdata/network.osm"

// fixtureNodes are the fixture's road node positions (lon,lat).
var fixtureNodes = map[int64]geo.Point{
	1: {Lon: 120.0, Lat: 30.0}, 2: {Lon: 120.001, Lat: 30.0}, 3: {Lon: 120.002, Lat: 30.0}, 4: {Lon: 120.001, Lat: 30.001}, 5: {Lon: 120.001, Lat: 29.999},
	6: {Lon: 120.003, Lat: 30.0}, 7: {Lon: 120.005, Lat: 30.0}, 8: {Lon: 120.005, Lat: 30.0005}, 9: {Lon: 120.005, Lat: 30.0006},
	10: {Lon: 120.003, Lat: 30.001}, 12: {Lon: 120.0025, Lat: 30.0015}, 13: {Lon: 120.0025, Lat: 30.002},
	20: {Lon: 120.0, Lat: 30.005}, 21: {Lon: 120.002, Lat: 30.005}, 22: {Lon: 120.004, Lat: 30.005}, 23: {Lon: 120.005, Lat: 30.005},
	24: {Lon: 120.007, Lat: 30.005}, 25: {Lon: 120.008, Lat: 30.005}, 30: {Lon: 120.0035, Lat: 30.0},
}

// wantRoad is one expected segment: ends, vertex count and per-mode
// speed (km/h, 0 = no access) with allowed directions.
type wantRoad struct {
	way, from, to int64
	verts         int
	kmh           [planner.NumModes]float64
	fwd, bwd      [planner.NumModes]bool
}

var (
	both = [3]bool{true, true, true}
	none = [3]bool{}
	mph  = 20 * 1.609344
)

var wantRoads = []wantRoad{
	{100, 1, 2, 2, [3]float64{mph, 25, 5}, both, both},                         // maxspeed 20 mph < 50
	{100, 2, 3, 2, [3]float64{mph, 25, 5}, both, both},                         // split at junction 2
	{101, 4, 2, 2, [3]float64{25, 25, 5}, both, [3]bool{false, false, true}},   // oneway=yes
	{101, 2, 5, 2, [3]float64{25, 25, 5}, both, [3]bool{false, false, true}},   //
	{102, 3, 6, 2, [3]float64{0, 0, 5}, both, both},                            // access=no + foot=yes
	{103, 6, 30, 2, [3]float64{0, 15, 5}, both, both},                          // footway + bicycle=yes
	{103, 30, 30, 4, [3]float64{0, 15, 5}, both, both},                         // node 30 used twice
	{103, 30, 7, 2, [3]float64{0, 15, 5}, both, both},                          //
	{106, 10, 12, 3, [3]float64{35, 25, 5}, both, [3]bool{false, false, true}}, // roundabout: implied oneway
	{106, 12, 10, 2, [3]float64{35, 25, 5}, both, [3]bool{false, false, true}}, //
	{107, 6, 10, 2, [3]float64{30, 25, 5}, both, both},                         //
	{108, 12, 13, 2, [3]float64{10, 10, 5}, both, both},                        // CN:urban ignored
	{109, 7, 8, 2, [3]float64{25, 25, 5}, [3]bool{false, false, true}, both},   // oneway=-1
	{110, 8, 9, 2, [3]float64{0, 0, 4.5}, both, both},                          // steps
	{111, 20, 21, 2, [3]float64{80, 0, 0}, both, [3]bool{false, true, true}},   // motorway, maxspeed 120 > 80
	{112, 21, 22, 2, [3]float64{0, 0, 5}, both, both},                          // reversible
	{113, 22, 23, 2, [3]float64{35, 25, 5}, both, [3]bool{false, true, true}},  // oneway:bicycle=no
	{113, 24, 25, 2, [3]float64{35, 25, 5}, both, [3]bool{false, true, true}},  // broken at missing node 999
}

func TestReadFixtureRoads(t *testing.T) {
	x := readFile(t, fixture, Options{})
	if len(x.Roads) != len(wantRoads) {
		t.Fatalf("got %d roads, want %d", len(x.Roads), len(wantRoads))
	}
	for i, w := range wantRoads {
		r := x.Roads[i]
		if r.ID != int64(i+1) || r.WayID != w.way || r.From != w.from || r.To != w.to || len(r.Geometry) != w.verts {
			t.Errorf("road %d: got id %d way %d %d→%d (%d vertices), want way %d %d→%d (%d)",
				i, r.ID, r.WayID, r.From, r.To, len(r.Geometry), w.way, w.from, w.to, w.verts)
			continue
		}
		if r.Geometry[0] != fixtureNodes[w.from] || r.Geometry[len(r.Geometry)-1] != fixtureNodes[w.to] {
			t.Errorf("road %d: geometry %v does not run %d→%d", r.ID, r.Geometry, w.from, w.to)
		}
		if r.LengthM <= 0 || r.LengthM != r.Geometry.Length() {
			t.Errorf("road %d: length %v, geometry %v", r.ID, r.LengthM, r.Geometry.Length())
		}
		for m := range planner.NumModes {
			want := planner.Travel{Forward: planner.NoAccess, Backward: planner.NoAccess}
			if w.kmh[m] > 0 {
				s := r.LengthM / (w.kmh[m] / 3.6)
				if w.fwd[m] {
					want.Forward = s
				}
				if w.bwd[m] {
					want.Backward = s
				}
			}
			got := r.Travel[m]
			if math.Abs(got.Forward-want.Forward) > 1e-9 || math.Abs(got.Backward-want.Backward) > 1e-9 {
				t.Errorf("road %d (way %d) %s: got %v, want %v", r.ID, r.WayID, planner.Modes[m], got, want)
			}
		}
	}
	if x.MissingNodes != 1 {
		t.Errorf("MissingNodes = %d, want 1", x.MissingNodes)
	}
	wantBound := geo.Bound{Min: geo.Point{Lon: 120.0, Lat: 29.999}, Max: geo.Point{Lon: 120.008, Lat: 30.005}}
	if x.Bound != wantBound {
		t.Errorf("Bound = %v, want %v", x.Bound, wantBound)
	}
}

func TestReadFixtureFeatures(t *testing.T) {
	x := readFile(t, fixture, Options{})
	wantKiosks := []planner.Kiosk{
		{ID: 1, Ref: "node/60", Name: "Main Road Post", Location: geo.Point{Lon: 120.0011, Lat: 30.0001}, Source: "osm"},
		{ID: 2, Ref: "way/205", Name: "West Lake Kiosk", Location: geo.Point{Lon: 120.0021, Lat: 29.9961}, Source: "osm"},
	}
	if !kiosksEqual(x.Kiosks, wantKiosks) {
		t.Errorf("kiosks:\n got %+v\nwant %+v", x.Kiosks, wantKiosks)
	}
	wantCams := []planner.Camera{
		{ID: 1, Ref: "node/61", Location: geo.Point{Lon: 120.0012, Lat: 30.0001}, Kind: planner.CameraFixed, DirectionDeg: 45,
			FOVDeg: 60, RangeM: 40, Defaulted: []string{"fov", "range"}, Source: "osm"},
		{ID: 2, Ref: "node/64", Location: geo.Point{Lon: 120.0015, Lat: 30.0001}, Kind: planner.CameraFixed, DirectionDeg: 0,
			FOVDeg: 60, RangeM: 40, Defaulted: []string{"direction", "fov", "range"}, Source: "osm"},
		{ID: 3, Ref: "node/65", Location: geo.Point{Lon: 120.0016, Lat: 30.0001}, Kind: planner.CameraPTZ, DirectionDeg: 0,
			FOVDeg: 360, RangeM: 60, Defaulted: []string{"direction", "range"}, Source: "osm"},
		{ID: 4, Ref: "node/66", Location: geo.Point{Lon: 120.0017, Lat: 30.0001}, Kind: planner.CameraFixed, DirectionDeg: 270,
			FOVDeg: 60, RangeM: 40, Defaulted: []string{"kind", "fov", "range"}, Source: "osm"},
	}
	if !reflect.DeepEqual(x.Cameras, wantCams) {
		t.Errorf("cameras:\n got %+v\nwant %+v", x.Cameras, wantCams)
	}
	if len(x.Buildings) != 2 || x.Buildings[0].OSMID != 201 || x.Buildings[0].LevelsM != 12 || len(x.Buildings[0].Polygon) != 1 ||
		x.Buildings[1].OSMID != -300 || x.Buildings[1].LevelsM != 12 || len(x.Buildings[1].Polygon) != 2 ||
		len(x.Buildings[1].Polygon[0]) != 5 || len(x.Buildings[1].Polygon[1]) != 4 {
		t.Errorf("buildings: %+v", x.Buildings)
	}
	if len(x.Sites) != 3 {
		t.Fatalf("sites: %+v", x.Sites)
	}
	for i, w := range []struct {
		ref  string
		cat  planner.SiteCategory
		tier int
		loc  geo.Point
		area int
	}{
		{"node/68", planner.SiteMarket, 5, geo.Point{Lon: 120.0019, Lat: 30.0001}, 0},
		{"node/69", planner.SiteBank, 3, geo.Point{Lon: 120.02, Lat: 30.02}, 0},
		{"way/200", planner.SiteSchool, 3, geo.Point{Lon: 120.0005, Lat: 29.9975}, 1},
	} {
		s := x.Sites[i]
		if s.ID != int64(i+1) || s.Ref != w.ref || s.Category != w.cat || s.Tier != w.tier || len(s.Area) != w.area ||
			geo.Distance(s.Location, w.loc) > 0.01 {
			t.Errorf("site %d: got %+v, want %+v", i, s, w)
		}
	}
	wantPOIs := []POI{{geo.Point{Lon: 120.0018, Lat: 30.0001}, "restaurant", "Noodles"}, {geo.Point{Lon: 120.0019, Lat: 30.0001}, "shop", "Hualian"}}
	if !reflect.DeepEqual(x.POIs, wantPOIs) {
		t.Errorf("POIs: got %+v, want %+v", x.POIs, wantPOIs)
	}
}

func kiosksEqual(a, b []planner.Kiosk) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		p, q := a[i], b[i]
		if geo.Distance(p.Location, q.Location) > 0.01 {
			return false
		}
		p.Location = q.Location
		if p != q {
			return false
		}
	}
	return true
}

func TestReadFixtureClip(t *testing.T) {
	b := geo.Bound{Min: geo.Point{Lon: 119.9995, Lat: 29.9995}, Max: geo.Point{Lon: 120.0015, Lat: 30.0005}}
	x := readFile(t, fixture, Options{Bound: &b})
	var got [][2]int64
	for _, r := range x.Roads {
		got = append(got, [2]int64{r.From, r.To})
	}
	// Segments with a vertex in the box are kept whole.
	if want := [][2]int64{{1, 2}, {2, 3}, {4, 2}, {2, 5}}; !reflect.DeepEqual(got, want) {
		t.Errorf("clipped roads %v, want %v", got, want)
	}
	if want := (geo.Bound{Min: geo.Point{Lon: 120, Lat: 29.999}, Max: geo.Point{Lon: 120.002, Lat: 30.001}}); x.Bound != want {
		t.Errorf("Bound %v, want %v", x.Bound, want)
	}
	if len(x.Kiosks) != 1 || len(x.Cameras) != 2 || len(x.POIs) != 0 || len(x.Sites) != 0 || len(x.Buildings) != 0 {
		t.Errorf("clipped features: %d kiosks, %d cameras, %d POIs, %d sites, %d buildings; want 1, 2, 0, 0, 0",
			len(x.Kiosks), len(x.Cameras), len(x.POIs), len(x.Sites), len(x.Buildings))
	}
	far := geo.Bound{Min: geo.Point{Lon: 121, Lat: 31}, Max: geo.Point{Lon: 121.1, Lat: 31.1}}
	_, err := ReadFile(context.Background(), fixture, Options{Bound: &far})
	wantInvalid(t, err, fixture, "no routable roads inside bbox")
}

func TestReadCompressed(t *testing.T) {
	want := readFile(t, fixture, Options{})
	raw, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	gz := filepath.Join(dir, "network.osm.gz")
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []string{gz}
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Log("bzip2 command not found: skipping the .osm.bz2 case (Go has no bzip2 writer)")
	} else {
		plain := filepath.Join(dir, "network.osm")
		if err := os.WriteFile(plain, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("bzip2", "-k", plain).CombinedOutput(); err != nil {
			t.Fatalf("bzip2: %v %s", err, out)
		}
		files = append(files, plain+".bz2")
	}
	for _, f := range files {
		if got := readFile(t, f, Options{}); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: extract differs from the plain XML", f)
		}
		// Without a known suffix the format is sniffed.
		data, _ := os.ReadFile(f)
		got, err := Read(context.Background(), bytes.NewReader(data), FormatAuto, "stdin", Options{})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s sniffed: err %v, equal %v", f, err, reflect.DeepEqual(got, want))
		}
	}
}

// wantInvalid asserts err is an EINVALID error naming the input and
// containing reason.
func wantInvalid(t *testing.T, err error, name, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error about %q, got nil", reason)
	}
	if planner.ErrorCode(err) != planner.EINVALID || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), reason) {
		t.Errorf("error %q (code %s): want EINVALID naming %q and %q", err, planner.ErrorCode(err), name, reason)
	}
}

func TestReadBadInput(t *testing.T) {
	raw, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	badNode := strings.Replace(string(raw), `lat="30.0000" lon="120.0000"`, `lat="95" lon="120.0000"`, 1)
	for _, c := range []struct {
		name, data string
		format     Format
		reason     string
	}{
		{"empty.osm", "", FormatAuto, "empty file"},
		{"junk.bin", "\x00\x01junk", FormatAuto, "not an OSM PBF or XML file"},
		{"cut.osm", string(raw[:len(raw)/2]), FormatXML, "unexpected EOF"},
		{"badnode.osm", badNode, FormatXML, "node 1: coordinate 120,95 out of range"},
		{"nogzip.osm.gz", string(raw), FormatXMLGzip, "gzip"},
		{"noroads.osm", `<osm><node id="1" lat="1" lon="1"/></osm>`, FormatXML, "no routable roads"},
		{"junk.pbf", "\x00\x00\x00\x05hello", FormatPBF, "OSM PBF"},
	} {
		_, err := Read(context.Background(), strings.NewReader(c.data), c.format, c.name, Options{})
		wantInvalid(t, err, c.name, c.reason)
	}
	_, err = ReadFile(context.Background(), "testdata/nope.osm", Options{})
	wantInvalid(t, err, "testdata/nope.osm", "no such file")
}

func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ReadFile(ctx, fixture, Options{})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), fixture) {
		t.Errorf("got %v, want context.Canceled naming the file", err)
	}
}

func TestReadProgress(t *testing.T) {
	st, err := os.Stat(fixture)
	if err != nil {
		t.Fatal(err)
	}
	var last, total int64
	readFile(t, fixture, Options{Progress: func(d, tot int64) { last, total = d, tot }})
	if last != st.Size() || total != st.Size() {
		t.Errorf("progress ended at %d/%d, want %d/%d", last, total, st.Size(), st.Size())
	}
}
