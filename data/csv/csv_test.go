package csv

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

func openFile(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestBaltimoreCCTV2014(t *testing.T) {
	path := sharedtest.Path(t, "incidents/baltimore_cctv_locations_2014.csv")
	cams, err := ReadCameras(openFile(t, path), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cams) != 614 {
		t.Fatalf("got %d cameras, want 614", len(cams))
	}
	want := planner.Camera{ID: 1, Ref: "277", Name: "733 North Ave West - Etting/Whitelock",
		Location: geo.Point{Lon: -76.640704, Lat: 39.310861}, Kind: planner.CameraDome, FOVDeg: 360,
		RangeM: planner.DefaultDomeRange, Defaulted: []string{"kind", "direction", "range"},
		Source: "file:baltimore_cctv_locations_2014.csv"}
	if !reflect.DeepEqual(cams[0], want) {
		t.Errorf("first camera\n got %+v\nwant %+v", cams[0], want)
	}
	if last := cams[613]; last.ID != 614 || last.Location.Lat < 39.1 || last.Location.Lat > 39.4 {
		t.Errorf("last camera %+v", last)
	}

	// The Location column holds POINT (lat lon): detection must read every
	// row as swapped and land exactly on the Latitude/Longitude columns.
	tb, err := open(openFile(t, path), path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		rw, err := tb.next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		if !rw.hasWKT || !rw.swapped || rw.wkt != rw.loc {
			t.Errorf("line %d: WKT %v swapped=%v, columns %v", rw.line, rw.wkt, rw.swapped, rw.loc)
		}
	}
	if n != 614 {
		t.Errorf("checked %d rows, want 614", n)
	}
}

func TestBaltimoreCitiWatch(t *testing.T) {
	path := sharedtest.Path(t, "incidents/baltimore_bpd_citiwatch_cameras.csv")
	cams, err := ReadCameras(openFile(t, path), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cams) != 592 {
		t.Fatalf("got %d cameras, want 592", len(cams))
	}
	c := cams[0]
	if c.Location != (geo.Point{Lon: -76.60947777777777, Lat: 39.32478055555556}) || c.Name != "535 - Greenmount  - 30th" ||
		c.Kind != planner.CameraDome || c.Source != "file:baltimore_bpd_citiwatch_cameras.csv" {
		t.Errorf("first camera %+v", c)
	}
	b := geo.Bound{Min: geo.Point{Lon: -76.8, Lat: 39.1}, Max: geo.Point{Lon: -76.4, Lat: 39.5}}
	for _, c := range cams {
		if !b.Contains(c.Location) {
			t.Errorf("camera %d at %v is outside Baltimore", c.ID, c.Location)
		}
	}
}

func TestBaltimoreIncidents(t *testing.T) {
	path := sharedtest.Path(t, "incidents/baltimore_incidents_merged.csv")
	incs, err := ReadIncidents(openFile(t, path), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != 11542 {
		t.Fatalf("got %d incidents, want 11542", len(incs))
	}
	first := planner.Incident{ID: 1, Location: geo.Point{Lon: -76.681241, Lat: 39.293899},
		Time: time.Date(2014, 1, 1, 15, 20, 0, 0, time.UTC), Category: "homicide", Weight: 1,
		Source: "file:baltimore_incidents_merged.csv"}
	if !reflect.DeepEqual(incs[0], first) {
		t.Errorf("first incident\n got %+v\nwant %+v", incs[0], first)
	}
	last := incs[len(incs)-1]
	if got := last.Time.Format(time.DateTime); got != "2019-08-10 18:24:00" || last.Category != "shooting" ||
		last.Location != (geo.Point{Lon: -76.5747697635, Lat: 39.3207433657}) {
		t.Errorf("last incident %+v", last)
	}
	cats := map[string]int{}
	for _, in := range incs {
		cats[in.Category]++
	}
	if want := map[string]int{"burglary": 6197, "shooting": 3504, "homicide": 1716, "arson": 125}; !reflect.DeepEqual(cats, want) {
		t.Errorf("categories %v, want %v", cats, want)
	}
}

func TestSmallFiles(t *testing.T) {
	cams, err := ReadCameras(openFile(t, "testdata/cameras.csv"), "testdata/cameras.csv")
	if err != nil {
		t.Fatal(err)
	}
	wantCams := []planner.Camera{
		{ID: 1, Ref: "C1", Name: "Gate cam", Location: geo.Point{Lon: 121.4737, Lat: 31.2304}, Kind: planner.CameraFixed,
			DirectionDeg: 90, FOVDeg: 70, RangeM: 35},
		{ID: 2, Ref: "C2", Name: "Square dome", Location: geo.Point{Lon: 121.4751, Lat: 31.2311}, Kind: planner.CameraDome,
			FOVDeg: 360, RangeM: planner.DefaultDomeRange, Defaulted: []string{"kind", "direction", "range"}},
		{ID: 3, Ref: "C3", Name: "Quoted, name", Location: geo.Point{Lon: 121.476, Lat: 31.2299}, Kind: planner.CameraPTZ,
			FOVDeg: 360, RangeM: planner.DefaultPTZRange, Defaulted: []string{"direction", "range"}},
	}
	for i := range wantCams {
		wantCams[i].Source = "file:cameras.csv"
	}
	if !reflect.DeepEqual(cams, wantCams) {
		t.Errorf("cameras\n got %+v\nwant %+v", cams, wantCams)
	}

	kiosks, err := ReadKiosks(openFile(t, "testdata/kiosks.csv"), "kiosks.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(kiosks) != 2 || kiosks[0].Name != "南京路警务站" || kiosks[0].Staff != 6 || kiosks[0].Vehicles != 2 ||
		kiosks[1].Vehicles != 0 || kiosks[1].Location != (geo.Point{Lon: 121.4801, Lat: 31.2335}) {
		t.Errorf("kiosks %+v", kiosks)
	}

	incs, err := ReadIncidents(openFile(t, "testdata/incidents.csv"), "incidents.csv")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range incs {
		got = append(got, fmt.Sprintf("%s %s %s %g", in.Ref, in.Time.Format(time.RFC3339), in.Category, in.Weight))
	}
	want := []string{"A1 2024-03-01T22:15:00Z theft 1", "A2 2024-03-02T00:00:00Z fight 2.5", "A3 2024-03-02T13:05:09Z theft 1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("incidents %q, want %q", got, want)
	}

	sites, err := ReadSites(openFile(t, "testdata/sites.csv"), "sites.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 2 || sites[0].Category != planner.SiteSchool || sites[0].Tier != 3 || sites[1].Tier != 1 ||
		sites[1].Location != (geo.Point{Lon: 121.479, Lat: 31.229}) {
		t.Errorf("sites %+v", sites)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", "f.csv: empty file"},
		{"header only", "lat,lon\n", "f.csv: no records"},
		{"missing coordinates", "name,lat,lon,time\na,1,2,2024-01-01T00:00:00\nb,,,2024-01-01T00:00:00\n", "f.csv:3: no coordinates"},
		{"lat without lon", "name,lat\na,1\n", "f.csv:1: a latitude column needs a longitude column"},
		{"bad number", "lat,lon,time\n1,2,2024-01-01T00:00:00\r\n\r\nx,2,2024-01-01T00:00:00\r\n", `f.csv:4: lat "x" is not a number`},
		{"out of range", "lat,lon,time\n95,2,2024-01-01T00:00:00\n", "f.csv:2: coordinates lon 2, lat 95 out of range"},
		{"field count", "lat,lon,time\n1,2\n", "f.csv:2: wrong number of fields"},
		{"bad quote", "lat,lon,time\n1,2,\"x\"y\n", "f.csv:2: "},
		{"bad wkt", "geom,time\nPOINT (1),2024-01-01T00:00:00\n", `f.csv:2: column geom: malformed WKT point "POINT (1)"`},
		{"no time", "lat,lon,category\n1,2,theft\n", "f.csv:2: no time"},
		{"bad clock", "lat,lon,date,time\n1,2,2024-01-02,25:00\n", `f.csv:2: time "25:00" is not HH:MM[:SS]`},
		{"multi-line record", "lat,lon,time,note\n1,2,2024-01-01 10:00,\"a\nb\"\n1,x,2024-01-01 10:00,c\n", `f.csv:4: lon "x" is not a number`},
	}
	for _, c := range cases {
		_, err := ReadIncidents(strings.NewReader(c.in), "dir/f.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		} else if planner.ErrorCode(err) != planner.EINVALID {
			t.Errorf("%s: code %q", c.name, planner.ErrorCode(err))
		}
	}
	if _, err := ReadCameras(strings.NewReader("x,y,kind\n1,2,laser\n"), "c.csv"); err == nil ||
		!strings.Contains(err.Error(), `c.csv:2: kind "laser" is not a camera kind`) {
		t.Errorf("bad kind: %v", err)
	}
}

func TestWKT(t *testing.T) {
	for _, c := range []struct {
		in      string
		a, b    float64
		ok, err bool
	}{
		{"POINT (-76.6 39.3)", -76.6, 39.3, true, false},
		{"point(1 2)", 1, 2, true, false},
		{"POINT Z (1 2 3)", 1, 2, true, false},
		{"SRID=4326;POINT(1 2)", 1, 2, true, false},
		{"POINT EMPTY", 0, 0, false, false},
		{"Pointe Claire", 0, 0, false, false},
		{"Point Reyes", 0, 0, false, false},
		{"POINT (1 2", 0, 0, false, true},
		{"LINESTRING (1 2, 3 4)", 0, 0, false, false},
		{"POINT (a b)", 0, 0, false, true},
	} {
		a, b, ok, err := parseWKTPoint(c.in)
		if a != c.a || b != c.b || ok != c.ok || (err != nil) != c.err {
			t.Errorf("parseWKTPoint(%q) = %v %v %v %v", c.in, a, b, ok, err)
		}
	}
	if p, sw := orderWKT(39.3, -176.6, geo.Point{}, false); !sw || p != (geo.Point{Lon: -176.6, Lat: 39.3}) {
		t.Errorf("magnitude swap: %v %v", p, sw)
	}
	if p, sw := orderWKT(39.3, -76.6, geo.Point{}, false); sw || p != (geo.Point{Lon: 39.3, Lat: -76.6}) {
		t.Errorf("ambiguous without columns: %v %v", p, sw)
	}
	if _, sw := orderWKT(-76.6, 39.3, geo.Point{Lon: -76.6, Lat: 39.3}, true); sw {
		t.Error("lon lat matching the columns read as swapped")
	}
}

// TestGuardedCells: a file from a program that guards formula-like cells
// with an apostrophe (as WriteKiosks does) reads without it, numbers too;
// other apostrophes stay.
func TestGuardedCells(t *testing.T) {
	in := "ref,name,staff,lat,lon\n'-1,'=1+1,2,'-33.9,'-76.6\n'q,''@x,'+3,1,2\n"
	ks, err := ReadKiosks(strings.NewReader(in), "k.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 2 || ks[0].Ref != "-1" || ks[0].Name != "=1+1" || ks[0].Location != (geo.Point{Lon: -76.6, Lat: -33.9}) ||
		ks[1].Ref != "'q" || ks[1].Name != "'@x" || ks[1].Staff != 3 {
		t.Errorf("kiosks %+v", ks)
	}
}
