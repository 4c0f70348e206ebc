package kml

import (
	"bytes"
	"encoding/xml"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func pf(v float64) *float64 { return &v }

// line builds a line from lon,lat pairs.
func line(xy ...float64) geo.LineString {
	var out geo.LineString
	for i := 0; i+1 < len(xy); i += 2 {
		out = append(out, geo.Point{Lon: xy[i], Lat: xy[i+1]})
	}
	return out
}

// square returns a closed ring of side d degrees at (lon,lat), clockwise
// when cw.
func square(lon, lat, d float64, cw bool) geo.Ring {
	r := geo.Ring(line(lon, lat, lon+d, lat, lon+d, lat+d, lon, lat+d, lon, lat))
	if cw {
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
	}
	return r
}

// fixture is a tiny workspace whose names need escaping.
func fixture() *planner.Workspace {
	walk := planner.Travel{Forward: 10, Backward: 10}
	return &planner.Workspace{
		Name: `武汉 <test> & "quotes"`,
		Roads: []planner.Road{
			{ID: 1, WayID: 100, From: 1, To: 2, Highway: "primary", Name: "解放大道 & <1>", LengthM: 120.5,
				Geometry: line(114.3, 30.59, 114.301, 30.5905, 114.302, 30.591),
				Travel:   [planner.NumModes]planner.Travel{{Forward: 8, Backward: planner.NoAccess}, walk, walk}},
		},
		Grids: []planner.Grid{
			// A clockwise outer ring with a counter-clockwise hole: the writer must flip both.
			{ID: 1, Name: "一网格", Polygon: geo.Polygon{square(114.3, 30.59, 0.01, true), square(114.303, 30.593, 0.002, false)}, Population: pf(1200)},
			{ID: 2, Polygon: geo.Polygon{square(114.31, 30.59, 0.01, false)}, Generated: true},
		},
		Cameras: []planner.Camera{
			{ID: 1, Ref: "C<1>", Name: "东门 'gate' cam", Location: geo.Point{Lon: 114.3001234, Lat: 30.5904321}, Kind: planner.CameraFixed,
				DirectionDeg: 90, FOVDeg: 60, RangeM: 40, Source: "file:cams.csv", Defaulted: []string{"fov", "range"}},
			{ID: 2, Location: geo.Point{Lon: -0.0000001, Lat: 30.59}, Kind: planner.CameraDome, FOVDeg: 360, RangeM: 30, Source: "osm"},
		},
		Kiosks: []planner.Kiosk{{ID: 1, Name: "人民路警务站", Location: geo.Point{Lon: 114.305, Lat: 30.595}, Staff: 6, Vehicles: 2, Source: "osm"}},
		Incidents: []planner.Incident{{ID: 1, Ref: "A1", Location: geo.Point{Lon: 114.306, Lat: 30.596}, Category: "theft",
			Time: time.Date(2024, 3, 1, 22, 15, 0, 0, time.UTC), Weight: 1.5, Source: "file:inc.csv"}},
		Sites: []planner.Site{{ID: 1, Name: "第一小学", Category: planner.SiteSchool, Tier: 3, Location: geo.Point{Lon: 114.307, Lat: 30.597}, Source: "osm"}},
	}
}

func fixturePlan() *planner.Plan {
	return &planner.Plan{
		Window: planner.Shift{Start: 1320, End: 120},
		Units: []planner.UnitPlan{{
			Unit: "巡逻车-1", Kind: planner.UnitCar, Mode: planner.ModeCar, KioskID: 1, Leave: "22:00", Return: "23:10",
			DistanceM: 5400, DurationS: 4200,
			Path: line(114.305, 30.595, 114.306, 30.596, 114.305, 30.595),
			Stops: []planner.Stop{
				{Kind: "point", ID: "P1", Arrive: "22:05", Depart: "22:20", Location: geo.Point{Lon: 114.306, Lat: 30.596}},
				{Kind: "line", ID: "L2", Arrive: "22:30", Depart: "22:40", Location: geo.Point{Lon: 114.3055, Lat: 30.5955}},
			},
		}},
	}
}

func docs() map[string]Document {
	ws := fixture()
	rings := []planner.Ring{
		{Minutes: 1, RoadKm: 0.5, Polygon: geo.MultiPolygon{{square(114.3, 30.59, 0.002, false)}}},
		{Minutes: 3, RoadKm: 1.5, Polygon: geo.MultiPolygon{{square(114.3, 30.59, 0.004, false)}, {square(114.31, 30.59, 0.001, false)}}},
	}
	fps := []planner.CameraFootprint{{Camera: ws.Cameras[0], Polygon: geo.Polygon{square(114.3, 30.59, 0.0003, false)}, AreaM2: 900}}
	one := func(f ...Folder) Document { return Document{Name: ws.Name, Styles: Styles(), Folders: f} }
	return map[string]Document{
		"roads":      one(Roads(ws.Roads)),
		"grids":      one(Grids(ws.Grids)),
		"cameras":    one(Cameras(ws.Cameras)),
		"kiosks":     one(Kiosks(ws.Kiosks)),
		"incidents":  one(Incidents(ws.Incidents)),
		"sites":      one(Sites(ws.Sites)),
		"rings":      one(Rings(rings, planner.ModeCar, []float64{1, 3, 5})),
		"footprints": one(Footprints(fps)),
		"plan":       one(Plan(fixturePlan(), map[string]string{"P1": "解放大道"})...),
	}
}

func TestGolden(t *testing.T) {
	for name, d := range docs() {
		var buf bytes.Buffer
		if err := Write(&buf, d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join("testdata", name+".kml")
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./data/kml -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs from %s (go test ./data/kml -update rewrites it):\n%s", name, path, buf.String())
		}
	}
}

// The parsed shape of what Write produces.
type xKML struct {
	XMLName xml.Name `xml:"http://www.opengis.net/kml/2.2 kml"`
	Doc     struct {
		Name   string `xml:"name"`
		Styles []struct {
			ID string `xml:"id,attr"`
		} `xml:"Style"`
		Folders []struct {
			Name       string       `xml:"name"`
			Placemarks []xPlacemark `xml:"Placemark"`
		} `xml:"Folder"`
	} `xml:"Document"`
}

type xPlacemark struct {
	Name     string `xml:"name"`
	StyleURL string `xml:"styleUrl"`
	Data     []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value"`
	} `xml:"ExtendedData>Data"`
	Point *struct {
		Coords string `xml:"coordinates"`
	} `xml:"Point"`
	xGeoms
	Multi *xGeoms `xml:"MultiGeometry"`
}

type xGeoms struct {
	Lines []struct {
		Coords string `xml:"coordinates"`
	} `xml:"LineString"`
	Polygons []xPolygon `xml:"Polygon"`
}

type xPolygon struct {
	Outer string   `xml:"outerBoundaryIs>LinearRing>coordinates"`
	Inner []string `xml:"innerBoundaryIs>LinearRing>coordinates"`
}

func parseCoords(t *testing.T, s string) []geo.Point {
	t.Helper()
	var out []geo.Point
	for _, tup := range strings.Fields(s) {
		parts := strings.Split(tup, ",")
		if len(parts) != 2 {
			t.Fatalf("tuple %q: want lon,lat", tup)
		}
		lon, err1 := strconv.ParseFloat(parts[0], 64)
		lat, err2 := strconv.ParseFloat(parts[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("tuple %q: %v %v", tup, err1, err2)
		}
		out = append(out, geo.Point{Lon: lon, Lat: lat})
	}
	return out
}

func near(a, b geo.Point) bool {
	return math.Abs(a.Lon-b.Lon) <= 5e-8 && math.Abs(a.Lat-b.Lat) <= 5e-8
}

func parse(t *testing.T, d Document) xKML {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	var k xKML
	if err := xml.Unmarshal(buf.Bytes(), &k); err != nil {
		t.Fatalf("parse back: %v\n%s", err, buf.String())
	}
	return k
}

func dataOf(p xPlacemark) map[string]string {
	m := map[string]string{}
	for _, d := range p.Data {
		m[d.Name] = d.Value
	}
	return m
}

func TestParseBackPoints(t *testing.T) {
	ws := fixture()
	k := parse(t, Document{Name: ws.Name, Styles: Styles(), Folders: []Folder{Cameras(ws.Cameras), Kiosks(ws.Kiosks), Incidents(ws.Incidents), Sites(ws.Sites)}})
	if k.Doc.Name != ws.Name {
		t.Errorf("document name %q, want %q", k.Doc.Name, ws.Name)
	}
	styles := map[string]bool{}
	for _, s := range k.Doc.Styles {
		styles["#"+s.ID] = true
	}
	if len(k.Doc.Folders) != 4 {
		t.Fatalf("%d folders, want 4", len(k.Doc.Folders))
	}
	cams := k.Doc.Folders[0].Placemarks
	if len(cams) != len(ws.Cameras) {
		t.Fatalf("%d camera placemarks, want %d", len(cams), len(ws.Cameras))
	}
	for i, p := range cams {
		c := ws.Cameras[i]
		if p.Point == nil {
			t.Fatalf("camera %d: no Point", i)
		}
		pts := parseCoords(t, p.Point.Coords)
		if len(pts) != 1 || !near(pts[0], c.Location) {
			t.Errorf("camera %d at %v, want %v", i, pts, c.Location)
		}
		if !styles[p.StyleURL] {
			t.Errorf("camera %d: style %q not defined", i, p.StyleURL)
		}
		d := dataOf(p)
		if d["ref"] != c.Ref || d["name"] != c.Name || d["kind"] != string(c.Kind) || d["range_m"] != f64(c.RangeM) {
			t.Errorf("camera %d data %v", i, d)
		}
	}
	if got := cams[0].Name; got != `东门 'gate' cam` {
		t.Errorf("escaped name read back as %q", got)
	}
	if got := cams[1].Name; got != "天网 Camera 2" {
		t.Errorf("unnamed camera named %q", got)
	}
	if got := dataOf(k.Doc.Folders[2].Placemarks[0])["time"]; got != "2024-03-01T22:15:00Z" {
		t.Errorf("incident time %q", got)
	}
	if got := dataOf(k.Doc.Folders[3].Placemarks[0])["tier"]; got != "3" {
		t.Errorf("site tier %q", got)
	}
}

func TestParseBackLinesAndPolygons(t *testing.T) {
	ws := fixture()
	k := parse(t, Document{Styles: Styles(), Folders: []Folder{Roads(ws.Roads), Grids(ws.Grids)}})
	road := k.Doc.Folders[0].Placemarks[0]
	if road.Name != ws.Roads[0].Name || len(road.Lines) != 1 {
		t.Fatalf("road %+v", road)
	}
	got := parseCoords(t, road.Lines[0].Coords)
	for i, p := range ws.Roads[0].Geometry {
		if !near(got[i], p) {
			t.Errorf("road vertex %d: %v, want %v", i, got[i], p)
		}
	}
	if d := dataOf(road); d["car_forward"] != "true" || d["car_backward"] != "false" || d["foot"] != "true" {
		t.Errorf("road access %v", d)
	}
	grids := k.Doc.Folders[1].Placemarks
	for i, p := range grids {
		if len(p.Polygons) != 1 {
			t.Fatalf("grid %d: %d polygons", i, len(p.Polygons))
		}
		pg := ws.Grids[i].Polygon
		outer := geo.Ring(parseCoords(t, p.Polygons[0].Outer))
		if !outer.Closed() || outer.SignedArea() <= 0 {
			t.Errorf("grid %d: outer ring must be closed and counter-clockwise (area %g)", i, outer.SignedArea())
		}
		if math.Abs(outer.Area()-pg[0].Area()) > 1e-6*pg[0].Area() {
			t.Errorf("grid %d: area %g, want %g", i, outer.Area(), pg[0].Area())
		}
		if len(p.Polygons[0].Inner) != len(pg)-1 {
			t.Fatalf("grid %d: %d holes, want %d", i, len(p.Polygons[0].Inner), len(pg)-1)
		}
		for _, h := range p.Polygons[0].Inner {
			if r := geo.Ring(parseCoords(t, h)); r.SignedArea() >= 0 {
				t.Errorf("grid %d: hole must be clockwise", i)
			}
		}
	}
	if d := dataOf(grids[0]); d["population"] != "1200" || d["risk"] != "" {
		t.Errorf("grid data %v", d)
	}
}

func TestParseBackRingsAndPlan(t *testing.T) {
	d := docs()
	k := parse(t, d["rings"])
	rings := k.Doc.Folders[0].Placemarks
	if len(rings) != 2 || len(rings[0].Polygons) != 1 || rings[1].Multi == nil || len(rings[1].Multi.Polygons) != 2 {
		t.Fatalf("rings %+v", rings)
	}
	if rings[0].StyleURL != "#ring-1" || rings[1].StyleURL != "#ring-2" {
		t.Errorf("ring styles %q %q", rings[0].StyleURL, rings[1].StyleURL)
	}
	k = parse(t, d["plan"])
	if len(k.Doc.Folders) != 2 {
		t.Fatalf("plan folders %d", len(k.Doc.Folders))
	}
	route := k.Doc.Folders[0].Placemarks[0]
	if route.Name != "巡逻车-1" || len(route.Lines) != 1 || len(parseCoords(t, route.Lines[0].Coords)) != 3 {
		t.Errorf("route %+v", route)
	}
	stops := k.Doc.Folders[1].Placemarks
	if len(stops) != 2 {
		t.Fatalf("%d stops", len(stops))
	}
	if s := dataOf(stops[0]); s["seq"] != "1" || s["id"] != "P1" || s["arrive"] != "22:05" || s["street"] != "解放大道" {
		t.Errorf("stop 1 %v", s)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		`a<b>&"c'`:    "a&lt;b&gt;&amp;&#34;c&#39;",
		"中文":          "中文",
		"bad\x00\xff": "bad\uFFFD\uFFFD",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColor(t *testing.T) {
	if got := Color("#1F5FBF", 1); got != "ffbf5f1f" {
		t.Errorf("Color = %s", got)
	}
	if got := Color("#000000", 0.5); got != "80000000" {
		t.Errorf("Color = %s", got)
	}
}

func TestBadGeometry(t *testing.T) {
	for _, g := range []any{nil, line(1, 2), geo.Polygon{}, "text"} {
		err := Write(&bytes.Buffer{}, Document{Folders: []Folder{{Name: "x", Placemarks: []Placemark{{Geometry: g}}}}})
		if err == nil {
			t.Errorf("geometry %#v: no error", g)
		}
	}
}

func TestNoExternalReferences(t *testing.T) {
	for name, d := range docs() {
		var buf bytes.Buffer
		if err := Write(&buf, d); err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(buf.String(), Namespace, "")
		if strings.Contains(s, "http") || strings.Contains(s, "<href>") {
			t.Errorf("%s refers to another resource", name)
		}
	}
}
