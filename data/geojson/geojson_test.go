package geojson

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.geojson")

func open(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got: %s\nwant: %s", name, got, want)
	}
}

func TestReadCameras(t *testing.T) {
	cams, err := ReadCameras(open(t, "cameras.geojson"), "/some/dir/cameras.geojson")
	if err != nil {
		t.Fatal(err)
	}
	want := []planner.Camera{
		{ID: 1, Ref: "CAM-001", Name: "南京东路口", Location: geo.Point{Lon: 121.4737021, Lat: 31.2304164}, Kind: planner.CameraFixed,
			DirectionDeg: 90, FOVDeg: 75, RangeM: 45},
		{ID: 2, Ref: "CAM-002", Name: "Dome at the square", Location: geo.Point{Lon: 121.4751, Lat: 31.2311}, Kind: planner.CameraDome,
			DirectionDeg: 0, FOVDeg: 360, RangeM: planner.DefaultDomeRange, Defaulted: []string{"kind", "direction", "range"}},
		{ID: 3, Ref: "7", Location: geo.Point{Lon: 121.476, Lat: 31.2299}, Kind: planner.CameraPTZ,
			FOVDeg: 360, RangeM: 80, Defaulted: []string{"direction"}},
		{ID: 4, Location: geo.Point{Lon: 121.4722, Lat: 31.2318}, Kind: planner.CameraFixed, DirectionDeg: 45,
			FOVDeg: planner.DefaultFixedFOV, RangeM: planner.DefaultFixedRange, Defaulted: []string{"kind", "fov", "range"}},
		{ID: 5, Location: geo.Point{Lon: 121.4731, Lat: 31.2290}, Kind: planner.CameraFixed, DirectionDeg: 315,
			FOVDeg: planner.DefaultFixedFOV, RangeM: planner.DefaultFixedRange, Defaulted: []string{"fov", "range"}},
	}
	for i := range want {
		want[i].Source = "file:cameras.geojson"
	}
	if !reflect.DeepEqual(cams, want) {
		t.Errorf("got  %+v\nwant %+v", cams, want)
	}
}

func TestReadGrids(t *testing.T) {
	grids, err := ReadGrids(open(t, "grids.geojson"), "grids.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if len(grids) != 3 {
		t.Fatalf("got %d grids, want 3 (a polygon and a 2-part multipolygon)", len(grids))
	}
	g := grids[0]
	if g.ID != 1 || g.Name != "网格 A1" || *g.Population != 5200 || *g.Risk != 0.8 || len(g.Polygon) != 2 || g.Generated {
		t.Errorf("grid 1 = %+v", g)
	}
	if grids[1].Name != "江边网格" || grids[2].Name != "江边网格" || grids[1].ID != 2 || grids[2].ID != 3 ||
		*grids[2].Population != 1200 || grids[2].Risk != nil || grids[1].Population == grids[2].Population {
		t.Errorf("multipolygon parts = %+v, %+v", grids[1], grids[2])
	}
	// 0.01° x 0.005° minus a 0.002° x 0.002° hole at latitude 31.23.
	kx, ky := geo.NewProjection(geo.Point{Lon: 121.475, Lat: 31.2325}).MetresPerDegree()
	if got, want := g.Polygon.Area(), (0.01*0.005-0.002*0.002)*kx*ky; math.Abs(got-want)/want > 1e-3 {
		t.Errorf("grid 1 area %.0f m², want %.0f", got, want)
	}
}

func TestReadKiosksSitesIncidents(t *testing.T) {
	kiosks, err := ReadKiosks(open(t, "kiosks.geojson"), "kiosks.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if len(kiosks) != 2 || kiosks[0].Ref != "101" || kiosks[0].Staff != 6 || kiosks[0].Vehicles != 2 ||
		kiosks[1].Name != "Bund kiosk" || kiosks[1].Staff != 0 || kiosks[1].ID != 2 {
		t.Errorf("kiosks = %+v", kiosks)
	}

	sites, err := ReadSites(open(t, "sites.geojson"), "sites.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var cats []string
	var tiers []int
	for _, s := range sites {
		cats, tiers = append(cats, string(s.Category)), append(tiers, s.Tier)
	}
	if want := []string{"school", "hospital", "station", "market", "other"}; !reflect.DeepEqual(cats, want) {
		t.Errorf("site categories %v, want %v", cats, want)
	}
	if want := []int{3, 1, 1, 5, 5}; !reflect.DeepEqual(tiers, want) {
		t.Errorf("site tiers %v, want %v", tiers, want)
	}
	if c := sites[1].Location; math.Abs(c.Lon-121.479) > 1e-7 || math.Abs(c.Lat-31.229) > 1e-7 || len(sites[1].Area) != 1 {
		t.Errorf("hospital location %v area %v, want the square's centre", c, sites[1].Area)
	}

	incs, err := ReadIncidents(open(t, "incidents.geojson"), "incidents.geojson")
	if err != nil {
		t.Fatal(err)
	}
	wantTimes := []string{"2024-03-01T22:15:00Z", "2024-03-02T01:40:00Z", "2024-03-02T13:05:09Z", "2024-03-02T07:30:00Z"}
	wantCats := []string{"盗窃", "fight", "theft", "shooting"}
	for i, in := range incs {
		if got := in.Time.Format(time.RFC3339); i >= len(wantTimes) || got != wantTimes[i] || in.Category != wantCats[i] {
			t.Errorf("incident %d: time %s category %q", i+1, got, in.Category)
		}
	}
	if len(incs) != 4 || incs[0].Ref != "JQ2024-0001" || incs[1].Weight != 2 || incs[2].Weight != 1 {
		t.Errorf("incidents = %+v", incs)
	}
}

func TestReadErrors(t *testing.T) {
	pt := func(coords, props string) string {
		return `{"type":"Feature","geometry":{"type":"Point","coordinates":` + coords + `},"properties":` + props + `}`
	}
	fc := func(features ...string) string {
		return "{\"type\":\"FeatureCollection\",\"features\":[\n" + strings.Join(features, ",\n") + "\n]}"
	}
	ok := pt("[1,2]", "{}")
	square := `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]},"properties":{}}`
	cases := []struct {
		name, in, want string
		read           func(string) error
	}{
		{"malformed", "{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"type\":\"Feature\",,}]}", "f.geojson: line 3: malformed JSON", readCams},
		{"truncated", `{"type":"FeatureCollection","features":[`, "unexpected end of file", readCams},
		{"not object", `[1,2]`, "not a GeoJSON object", readCams},
		{"geometry", `{"type":"Point","coordinates":[1,2]}`, `type "Point" is not a FeatureCollection or Feature`, readCams},
		{"empty", fc(), "f.geojson: no features", readCams},
		{"no features member", `{"type":"FeatureCollection"}`, "has no features member", readCams},
		{"wrong type", fc(ok, square), "f.geojson: feature 2 (line 3): geometry is a Polygon, want Point", readCams},
		{"null geometry", fc(`{"type":"Feature","geometry":null,"properties":{}}`), "feature 1 (line 2): no geometry", readCams},
		{"out of range", fc(ok, ok, pt("[39.3,-176.6]", "{}")), "feature 3 (line 4): coordinates 39.3,-176.6 out of range", readCams},
		{"short position", fc(pt("[1]", "{}")), "fewer than 2 numbers", readCams},
		{"string coordinates", fc(pt(`["1","2"]`, "{}")), "malformed coordinates", readCams},
		{"bad kind", fc(pt("[1,2]", `{"kind":"laser"}`)), `kind "laser" is not a camera kind`, readCams},
		{"bad fov", fc(pt("[1,2]", `{"fov":400}`)), "fov 400 is not in (0, 360]", readCams},
		{"bad direction", fc(pt("[1,2]", `{"direction":"up"}`)), `direction "up" is neither degrees nor a compass point`, readCams},
		{"feature type", fc(`{"type":"Thing","geometry":null}`), `type "Thing" is not Feature`, readCams},
		{"trailing", fc(ok) + "{}", "data after the GeoJSON object", readCams},
		{"unclosed", fc(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]},"properties":{}}`),
			"feature 1 (line 2): polygon: shell: not closed", readGrids},
		{"bow tie", fc(square, `{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[0,0],[1,1],[1,0],[0,1],[0,0]]]]},"properties":{}}`),
			"feature 2 (line 3): part 2: shell self-intersects", readGrids},
		{"grid point", fc(ok), "want Polygon or MultiPolygon", readGrids},
		{"population", fc(square[:len(square)-3] + `{"population":"many"}}`), `population "many" is not a number`, readGrids},
		{"staff", fc(pt("[1,2]", `{"staff":2.5}`)), `staff "2.5" is not a whole number`, readKiosks},
		{"tier", fc(pt("[1,2]", `{"tier":2}`)), "tier 2 is not 1, 3 or 5", readSites},
		{"no time", fc(pt("[1,2]", `{"category":"x"}`)), "feature 1 (line 2): no time", readIncidents},
		{"bad time", fc(pt("[1,2]", `{"date":"2024-13-01","time":"10:00"}`)), `date "2024-13-01" is not YYYY-MM-DD`, readIncidents},
	}
	for _, c := range cases {
		err := c.read(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
			continue
		}
		if planner.ErrorCode(err) != planner.EINVALID {
			t.Errorf("%s: code %q, want invalid", c.name, planner.ErrorCode(err))
		}
	}
}

func readCams(s string) error {
	_, err := ReadCameras(strings.NewReader(s), "f.geojson")
	return err
}

func readGrids(s string) error {
	_, err := ReadGrids(strings.NewReader(s), "f.geojson")
	return err
}

func readKiosks(s string) error {
	_, err := ReadKiosks(strings.NewReader(s), "f.geojson")
	return err
}

func readSites(s string) error {
	_, err := ReadSites(strings.NewReader(s), "f.geojson")
	return err
}

func readIncidents(s string) error {
	_, err := ReadIncidents(strings.NewReader(s), "f.geojson")
	return err
}

func TestSingleFeature(t *testing.T) {
	in := `{"properties":{"name":"k"},"type":"Feature","geometry":{"type":"Point","coordinates":[116.39,39.91]}}`
	ks, err := ReadKiosks(strings.NewReader(in), "k.json")
	if err != nil || len(ks) != 1 || ks[0].Name != "k" || ks[0].Location != (geo.Point{Lon: 116.39, Lat: 39.91}) {
		t.Fatalf("ReadKiosks = %+v, %v", ks, err)
	}
}

func TestWriteGolden(t *testing.T) {
	var buf bytes.Buffer
	write := func(name string, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name, buf.Bytes())
		buf.Reset()
	}
	cams, err := ReadCameras(open(t, "cameras.geojson"), "cameras.geojson")
	if err != nil {
		t.Fatal(err)
	}
	write("cameras.golden.geojson", WriteCameras(&buf, cams))
	grids, err := ReadGrids(open(t, "grids.geojson"), "grids.geojson")
	if err != nil {
		t.Fatal(err)
	}
	grids[2].Generated = true
	write("grids.golden.geojson", WriteGrids(&buf, grids))
	kiosks, err := ReadKiosks(open(t, "kiosks.geojson"), "kiosks.geojson")
	if err != nil {
		t.Fatal(err)
	}
	write("kiosks.golden.geojson", WriteKiosks(&buf, kiosks))
	sites, err := ReadSites(open(t, "sites.geojson"), "sites.geojson")
	if err != nil {
		t.Fatal(err)
	}
	write("sites.golden.geojson", WriteSites(&buf, sites))
	incs, err := ReadIncidents(open(t, "incidents.geojson"), "incidents.geojson")
	if err != nil {
		t.Fatal(err)
	}
	write("incidents.golden.geojson", WriteIncidents(&buf, incs))

	// Roads: a wiggly one-way residential street, a footway and a track.
	pr := geo.NewProjection(geo.Point{Lon: 121.47, Lat: 31.23})
	var wiggle geo.LineString
	for i := 0; i <= 10; i++ {
		wiggle = append(wiggle, pr.Inverse(geo.XY{X: float64(i) * 20, Y: float64(i%2) * 2}))
	}
	no := planner.Travel{Forward: planner.NoAccess, Backward: planner.NoAccess}
	roads := []planner.Road{
		{ID: 1, Highway: "residential", Name: "Wiggle Rd", Geometry: wiggle, LengthM: wiggle.Length(),
			Travel: [planner.NumModes]planner.Travel{{Forward: 20, Backward: planner.NoAccess}, {Forward: 15, Backward: 15}, {Forward: 150, Backward: 150}}},
		{ID: 2, Highway: "footway", Name: "外滩步道", Geometry: geo.LineString{{Lon: 121.4701, Lat: 31.2301}, {Lon: 121.4711, Lat: 31.2311}},
			LengthM: 145.678, Travel: [planner.NumModes]planner.Travel{no, no, {Forward: 100, Backward: 100}}},
		{ID: 3, Highway: "track", Geometry: geo.LineString{{Lon: 121.48, Lat: 31.24}, {Lon: 121.481, Lat: 31.24}}},
	}
	keep := func(r *planner.Road) bool { return r.Highway != "track" }
	write("roads.golden.geojson", WriteRoads(&buf, roads, keep, 5))
	write("roads_full.golden.geojson", WriteRoads(&buf, roads, nil, 0))
}

func TestWriteEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSites(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "{\"type\":\"FeatureCollection\",\"features\":[\n]}\n" {
		t.Errorf("empty collection = %q", got)
	}
}

func TestCameraRoundTrip(t *testing.T) {
	cams, err := ReadCameras(open(t, "cameras.geojson"), "cams.geojson")
	if err != nil {
		t.Fatal(err)
	}
	cams[1].Location = geo.Point{Lon: -76.640704, Lat: 39.310861}
	cams[2].DirectionDeg, cams[2].Defaulted = 123.456789, nil
	var buf bytes.Buffer
	if err := WriteCameras(&buf, cams); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCameras(&buf, "cams.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, cams) {
		t.Errorf("round trip changed cameras:\n got %+v\nwant %+v", back, cams)
	}
}

func TestAppendNum(t *testing.T) {
	for x, want := range map[float64]string{0: "0", -0.00000001: "0", 1.5: "1.5", -76.64070449: "-76.6407045",
		121.47370214999: "121.4737021", 180: "180", 39.310861: "39.310861"} {
		if got := string(appendNum(nil, x)); got != want {
			t.Errorf("appendNum(%v) = %s, want %s", x, got, want)
		}
	}
}
