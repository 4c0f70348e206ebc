package api

import (
	"bytes"
	stdcsv "encoding/csv"
	"encoding/json"
	"encoding/xml"
	"mime"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/data/csv"
	"github.com/tidewatch/tidewatch/planner"
)

// download GETs url as role and checks the download headers.
func getDownload(t *testing.T, ts *testSrv, role planner.Role, url, wantType, wantName string) []byte {
	t.Helper()
	rec, _ := ts.doAs(t, role, "GET", url, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body)
	}
	h := rec.Header()
	if got := h.Get("Content-Type"); got != wantType {
		t.Errorf("GET %s: Content-Type %q, want %q", url, got, wantType)
	}
	disp, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != wantName {
		t.Errorf("GET %s: Content-Disposition %q, want attachment %s", url, h.Get("Content-Disposition"), wantName)
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("GET %s: Cache-Control %q", url, h.Get("Cache-Control"))
	}
	return rec.Body.Bytes()
}

type fcDoc struct {
	Type     string `json:"type"`
	Features []struct {
		Geometry struct {
			Type string `json:"type"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

func parseFC(t *testing.T, what string, b []byte) fcDoc {
	t.Helper()
	var fc fcDoc
	if err := json.Unmarshal(b, &fc); err != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("%s: not a FeatureCollection: %v", what, err)
	}
	return fc
}

// kmlDoc is what the tests read back from a KML export.
type kmlDoc struct {
	XMLName xml.Name `xml:"http://www.opengis.net/kml/2.2 kml"`
	Name    string   `xml:"Document>name"`
	Folders []struct {
		Name       string `xml:"name"`
		Placemarks []struct {
			Name  string `xml:"name"`
			Point string `xml:"Point>coordinates"`
			Line  string `xml:"LineString>coordinates"`
			Outer string `xml:"Polygon>outerBoundaryIs>LinearRing>coordinates"`
			Multi *struct {
				Polygons []struct{} `xml:"Polygon"`
			} `xml:"MultiGeometry"`
			Fields []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value"`
			} `xml:"ExtendedData>Data"`
		} `xml:"Placemark"`
	} `xml:"Document>Folder"`
}

func parseKML(t *testing.T, what string, b []byte) kmlDoc {
	t.Helper()
	var k kmlDoc
	if err := xml.Unmarshal(b, &k); err != nil {
		t.Fatalf("%s: KML does not parse: %v", what, err)
	}
	return k
}

func parseCSV(t *testing.T, what string, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(csv.BOM)) {
		t.Fatalf("%s: no UTF-8 byte-order mark", what)
	}
	rows, err := stdcsv.NewReader(bytes.NewReader(b[len(csv.BOM):])).ReadAll()
	if err != nil {
		t.Fatalf("%s: CSV does not parse: %v", what, err)
	}
	return rows
}

// renumbered gives records the IDs and Source a CSV reader assigns, so
// they compare with what it reads back.
func renumbered[T any](xs []T, set func(*T, int64, string)) []T {
	out := append([]T(nil), xs...)
	for i := range out {
		set(&out[i], int64(i+1), "file:export.csv")
	}
	return out
}

func TestExportLayers(t *testing.T) {
	ts := newTestServer(t, reportWorkspace(t), Config{})
	ws := ts.srv.idx.Load().WS
	slug := "b" // from "测试辖区 <b>&"
	if fileSlug(ws.Name) != slug {
		t.Fatalf("fileSlug(%q) = %q", ws.Name, fileSlug(ws.Name))
	}
	cov, err := ts.srv.cov.get(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	footprints := 0
	for _, f := range cov.Footprints(worldBound()) {
		if len(f.Polygon) > 0 {
			footprints++
		}
	}
	counts := map[string]int{"roads": len(ws.Roads), "grids": len(ws.Grids), "cameras": len(ws.Cameras), "kiosks": len(ws.Kiosks),
		"incidents": len(ws.Incidents), "sites": len(ws.Sites), "rings": 3, "footprints": footprints}
	for layer, n := range counts {
		if n == 0 {
			t.Fatalf("fixture has no %s", layer)
		}
		fileLayer := layer
		if layer == "rings" {
			fileLayer = "rings-car" // the mode is part of the name
		}
		// GeoJSON: the layer contract, every record.
		b := getDownload(t, ts, planner.RoleViewer, "/api/v1/export/"+layer+".geojson", "application/geo+json", slugName(slug, fileLayer, "geojson"))
		if fc := parseFC(t, layer, b); len(fc.Features) != n {
			t.Errorf("%s.geojson: %d features, want %d", layer, len(fc.Features), n)
		}
		// KML: one folder, a placemark per record.
		b = getDownload(t, ts, planner.RoleViewer, "/api/v1/export/"+layer+".kml", "application/vnd.google-earth.kml+xml", slugName(slug, fileLayer, "kml"))
		k := parseKML(t, layer, b)
		if k.Name != ws.Name || len(k.Folders) != 1 || len(k.Folders[0].Placemarks) != n {
			t.Errorf("%s.kml: name %q, %d folders", layer, k.Name, len(k.Folders))
		} else {
			p := k.Folders[0].Placemarks[0]
			if p.Point == "" && p.Line == "" && p.Outer == "" && p.Multi == nil {
				t.Errorf("%s.kml: first placemark has no geometry", layer)
			}
		}
		// CSV: BOM, header, a row per record.
		b = getDownload(t, ts, planner.RoleViewer, "/api/v1/export/"+layer+".csv", "text/csv; charset=utf-8", slugName(slug, fileLayer, "csv"))
		if rows := parseCSV(t, layer, b); len(rows) != n+1 {
			t.Errorf("%s.csv: %d rows, want %d + header", layer, len(rows), n)
		}
	}

	// The point layers read back with data/csv's readers to the same records.
	read := func(layer string) []byte {
		return getDownload(t, ts, planner.RoleViewer, "/api/v1/export/"+layer+".csv", "text/csv; charset=utf-8", slugName(slug, layer, "csv"))
	}
	cams, err := csv.ReadCameras(bytes.NewReader(read("cameras")), "export.csv")
	if want := renumbered(ws.Cameras, func(c *planner.Camera, id int64, src string) { c.ID, c.Source, c.Version = id, src, 0 }); err != nil || !reflect.DeepEqual(cams, want) {
		t.Errorf("cameras.csv read back: %v\n got %+v\nwant %+v", err, cams, want)
	}
	kiosks, err := csv.ReadKiosks(bytes.NewReader(read("kiosks")), "export.csv")
	if want := renumbered(ws.Kiosks, func(k *planner.Kiosk, id int64, src string) { k.ID, k.Source, k.Version = id, src, 0 }); err != nil || !reflect.DeepEqual(kiosks, want) {
		t.Errorf("kiosks.csv read back: %v\n got %+v\nwant %+v", err, kiosks, want)
	}
	inc, err := csv.ReadIncidents(bytes.NewReader(read("incidents")), "export.csv")
	if want := renumbered(ws.Incidents, func(x *planner.Incident, id int64, src string) { x.ID, x.Source = id, src }); err != nil || !reflect.DeepEqual(inc, want) {
		t.Errorf("incidents.csv read back: %v", err)
	}
	sites, err := csv.ReadSites(bytes.NewReader(read("sites")), "export.csv")
	if want := renumbered(ws.Sites, func(s *planner.Site, id int64, src string) { s.ID, s.Source, s.Area = id, src, nil }); err != nil || !reflect.DeepEqual(sites, want) {
		t.Errorf("sites.csv read back: %v\n got %+v\nwant %+v", err, sites, want)
	}

	// Rings take the response parameters; per kiosk, one ring per kiosk and tier.
	b := getDownload(t, ts, planner.RoleViewer, "/api/v1/export/rings.csv?mode=foot&minutes=2,4&per_kiosk=1", "text/csv; charset=utf-8", slugName(slug, "rings-foot", "csv"))
	rows := parseCSV(t, "rings", b)
	if len(rows) != 1+2*len(ws.Kiosks) || rows[1][0] != "foot" || rows[1][1] != "2" || !strings.HasPrefix(rows[1][4], "MULTIPOLYGON") {
		t.Errorf("per-kiosk foot rings: %q", rows)
	}
	// Units: CSV only.
	rows = parseCSV(t, "units", getDownload(t, ts, planner.RoleViewer, "/api/v1/export/units.csv", "text/csv; charset=utf-8", slug+"-units.csv"))
	if !reflect.DeepEqual(rows[0], csv.UnitHeader) || len(rows) != 1+len(ws.Units) {
		t.Errorf("units.csv %q", rows)
	}
	for _, u := range []string{"/api/v1/export/units.geojson", "/api/v1/export/units.kml", "/api/v1/export/cameras.shp", "/api/v1/export/buildings.csv", "/api/v1/export/cameras"} {
		if rec, _ := ts.do(t, "GET", u, ""); rec.Code != http.StatusNotFound || !strings.Contains(rec.Header().Get("Content-Type"), "json") {
			t.Errorf("%s: %d %s, want a 404 JSON error", u, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if rec, _ := ts.do(t, "GET", "/api/v1/export/rings.kml?mode=boat", ""); rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Disposition") != "" {
		t.Errorf("bad mode: %d, disposition %q", rec.Code, rec.Header().Get("Content-Disposition"))
	}
	if rec, _ := ts.doAs(t, planner.RoleVolunteer, "GET", "/api/v1/export/cameras.csv", ""); rec.Code != http.StatusForbidden {
		t.Errorf("volunteer exporting cameras: %d, want 403", rec.Code)
	}
}

func slugName(slug, layer, ext string) string { return slug + "-" + layer + "." + ext }

func TestExportPlan(t *testing.T) {
	ts := newTestServer(t, reportWorkspace(t), Config{})
	rec, m := ts.doAs(t, planner.RoleCommander, "POST", "/api/v1/plans", `{"window":"22:00-01:00","seed":2,"date":"2026-11-20","tz":"Asia/Shanghai",
	  "units":[{"name":"巡逻车","kind":"car","kiosk":1,"count":2},{"name":"义警, 一组","kind":"volunteer","kiosk":2}]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("plan: %d %s", rec.Code, rec.Body)
	}
	id := m["id"].(string)
	base := "/api/v1/plans/" + id + "/export."
	name := "plan-" + id + "."

	// GeoJSON: the plan exactly as GET /api/v1/plans/{id} gives it.
	gj := getDownload(t, ts, planner.RoleViewer, base+"geojson", "application/geo+json", name+"geojson")
	plain, _ := ts.do(t, "GET", "/api/v1/plans/"+id, "")
	if !bytes.Equal(gj, plain.Body.Bytes()) {
		t.Errorf("export.geojson differs from GET /api/v1/plans/{id}")
	}
	type stop struct{ unit, kind, id, eta, etd string }
	var stops []stop
	units := 0
	for _, f := range parseFC(t, "plan", gj).Features {
		if f.Properties["layer"] != "route" {
			continue
		}
		units++
		for _, s := range f.Properties["stops"].([]any) {
			st := s.(map[string]any)
			stops = append(stops, stop{f.Properties["unit"].(string), st["kind"].(string), st["id"].(string), st["eta"].(string), st["etd"].(string)})
		}
	}
	if units < 2 || len(stops) < 3 {
		t.Fatalf("plan has %d routes, %d stops", units, len(stops))
	}

	// CSV: one row per stop, in route order.
	rows := parseCSV(t, "plan csv", getDownload(t, ts, planner.RoleViewer, base+"csv", "text/csv; charset=utf-8", name+"csv"))
	if !reflect.DeepEqual(rows[0], []string{"unit", "seq", "kind", "id", "street", "arrive", "depart", "lon", "lat"}) || len(rows) != len(stops)+1 {
		t.Fatalf("plan csv: header %q, %d rows for %d stops", rows[0], len(rows)-1, len(stops))
	}
	for i, s := range stops {
		r := rows[i+1]
		if r[0] != s.unit || r[2] != s.kind || r[3] != s.id || r[5] != s.eta || r[6] != s.etd || r[7] == "" || r[8] == "" {
			t.Errorf("csv row %d %q, want %+v", i+1, r, s)
		}
	}

	// KML: routes and stops.
	k := parseKML(t, "plan kml", getDownload(t, ts, planner.RoleViewer, base+"kml", "application/vnd.google-earth.kml+xml", name+"kml"))
	if len(k.Folders) != 2 || len(k.Folders[0].Placemarks) != units || len(k.Folders[1].Placemarks) != len(stops) || k.Folders[0].Placemarks[0].Line == "" {
		t.Errorf("plan kml: %d folders", len(k.Folders))
	}

	// GPX: every unit's track in one file, a waypoint per stop, times from the date.
	var g struct {
		Version string `xml:"version,attr"`
		Wpt     []struct {
			Name string `xml:"name"`
			Time string `xml:"time"`
		} `xml:"wpt"`
		Trk []struct {
			Name string `xml:"name"`
			Pts  []struct {
				Lat float64 `xml:"lat,attr"`
				Lon float64 `xml:"lon,attr"`
			} `xml:"trkseg>trkpt"`
		} `xml:"trk"`
	}
	if err := xml.Unmarshal(getDownload(t, ts, planner.RoleViewer, base+"gpx", "application/gpx+xml", name+"gpx"), &g); err != nil {
		t.Fatal(err)
	}
	if g.Version != "1.1" || len(g.Trk) != len(m["links"].([]any)) || len(g.Wpt) != len(stops) {
		t.Fatalf("gpx: version %s, %d tracks, %d waypoints", g.Version, len(g.Trk), len(g.Wpt))
	}
	for _, trk := range g.Trk {
		if trk.Name == "" {
			t.Errorf("unnamed track")
		}
	}
	if !strings.HasPrefix(g.Wpt[0].Name, stops[0].unit+": ") || !strings.HasPrefix(g.Wpt[0].Time, "2026-11-20T") {
		t.Errorf("first waypoint %+v", g.Wpt[0])
	}

	for _, u := range []string{base + "shp", "/api/v1/plans/nope/export.csv"} {
		if rec, _ := ts.do(t, "GET", u, ""); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d", u, rec.Code)
		}
	}
}

func TestDownloadPassesErrorsThrough(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/x", nil)
	download(rec, req, func(w http.ResponseWriter, r *http.Request) {
		Error(w, r, planner.Errorf(planner.EINVALID, "nope"))
	}, "x.geojson", mediaGeoJSON)
	if rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Disposition") != "" || !strings.Contains(rec.Body.String(), "nope") {
		t.Errorf("error through download: %d %q %s", rec.Code, rec.Header().Get("Content-Disposition"), rec.Body)
	}
}

func TestFileSlug(t *testing.T) {
	for in, want := range map[string]string{"Wilmington, Delaware (demo)": "wilmington-delaware-demo", "武汉测试": "tidewatch", "江汉 District 7": "district-7", "": "tidewatch"} {
		if got := fileSlug(in); got != want {
			t.Errorf("fileSlug(%q) = %q, want %q", in, got, want)
		}
	}
}
