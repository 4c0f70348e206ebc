package api

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/planner"
)

// importFilePart is one file of an import request.
type importFilePart struct{ field, name, content string }

// multipartBody encodes files as multipart/form-data; it returns the body
// and its Content-Type.
func multipartBody(t testing.TB, files ...importFilePart) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(f.content))
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), mw.FormDataContentType()
}

// importAs posts files to /api/v1/import as the user of role.
func (ts *testSrv) importAs(t testing.TB, role planner.Role, files ...importFilePart) (int, map[string]any) {
	t.Helper()
	body, ct := multipartBody(t, files...)
	rec, out := ts.doAs(t, role, "POST", "/api/v1/import", body, "Content-Type", ct)
	return rec.Code, out
}

// storeState is what must not change when an import fails.
type storeState struct {
	rev    int64
	counts planner.Counts
	kiosks []string
}

func (ts *testSrv) state(t testing.TB) storeState {
	t.Helper()
	rev, err := ts.store.Revision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ws := ts.stored(t)
	var names []string
	for _, k := range ws.Kiosks {
		names = append(names, fmt.Sprintf("%d %s", k.ID, k.Name))
	}
	return storeState{rev, ws.Counts(), names}
}

func (ts *testSrv) unchanged(t *testing.T, before storeState, what string) {
	t.Helper()
	after := ts.state(t)
	if after.rev != before.rev || after.counts != before.counts || fmt.Sprint(after.kiosks) != fmt.Sprint(before.kiosks) {
		t.Errorf("%s: the store changed: %+v, was %+v", what, after, before)
	}
	// And the server still serves the old workspace.
	if _, meta := ts.get(t, "/api/v1/meta"); fmt.Sprint(meta["counts"].(map[string]any)["kiosks"]) != fmt.Sprint(before.counts.Kiosks) {
		t.Errorf("%s: meta counts %v, want kiosks %d", what, meta["counts"], before.counts.Kiosks)
	}
}

const kiosksGeoJSON = `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"K-7","geometry":{"type":"Point","coordinates":[114.301,30.5905]},"properties":{"name":"花楼街警务站","staff":3,"vehicles":1}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[114.308,30.5912]},"properties":{"name":"江汉关警务站","staff":5}}
]}`

func TestImportGeoJSONKiosks(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	before := ts.state(t)
	camsBefore := ts.stored(t).Cameras
	code, out := ts.importAs(t, planner.RoleAdmin, importFilePart{"kiosks", "新警务站.geojson", kiosksGeoJSON})
	if code != http.StatusOK {
		t.Fatalf("import: %d %v", code, out)
	}
	if out["revision"].(float64) <= float64(before.rev) {
		t.Errorf("revision %v, was %d", out["revision"], before.rev)
	}
	if c := out["counts"].(map[string]any); c["kiosks"] != 2.0 || c["cameras"] != 2.0 || c["incidents"] != 1.0 || c["grids"] != 1.0 {
		t.Errorf("counts %v", c)
	}
	if l := out["layers"].(map[string]any); len(l) != 1 || l["kiosks"] != 2.0 {
		t.Errorf("layers %v", l)
	}
	files := out["files"].([]any)
	if f := files[0].(map[string]any); len(files) != 1 || f["file"] != "新警务站.geojson" || f["format"] != "geojson" || f["records"] != 2.0 || f["layer"] != "kiosks" {
		t.Errorf("files %v", files)
	}
	// Stored in the store...
	ws := ts.stored(t)
	if len(ws.Kiosks) != 2 || ws.Kiosks[0].Name != "花楼街警务站" || ws.Kiosks[0].Ref != "K-7" || ws.Kiosks[1].ID != 2 || ws.Kiosks[1].Staff != 5 {
		t.Errorf("stored kiosks %+v", ws.Kiosks)
	}
	if ws.Kiosks[0].Source != "file:新警务站.geojson" || ws.Kiosks[0].Version != ws.Revision {
		t.Errorf("kiosk source %q version %d (revision %d)", ws.Kiosks[0].Source, ws.Kiosks[0].Version, ws.Revision)
	}
	// ...the other layers as they were, IDs included; roads stay.
	if len(ws.Cameras) != len(camsBefore) || ws.Cameras[1].ID != camsBefore[1].ID || ws.Cameras[1].Ref != "C2" || len(ws.Roads) != 2 || len(ws.Sites) != 1 {
		t.Errorf("other layers changed: cameras %+v, roads %d, sites %d", ws.Cameras, len(ws.Roads), len(ws.Sites))
	}
	if !strings.Contains(strings.Join(ws.Notes, "\n"), "kiosks: 新警务站.geojson (2 records") {
		t.Errorf("notes %q", ws.Notes)
	}
	// ...and served.
	rec, body := ts.get(t, "/api/v1/layers/kiosks")
	if fs := features(t, body); rec.Code != 200 || len(fs) != 2 || fs[1]["properties"].(map[string]any)["name"] != "江汉关警务站" {
		t.Errorf("served kiosks: %d %v", rec.Code, body)
	}
	if _, meta := ts.get(t, "/api/v1/meta"); meta["counts"].(map[string]any)["kiosks"] != 2.0 {
		t.Errorf("meta %v", meta["counts"])
	}
	// The import is in the audit log.
	if rec, _ := ts.get(t, "/api/v1/audit?limit=5"); !strings.Contains(rec.Body.String(), `"import"`) {
		t.Errorf("audit: %s", rec.Body.String())
	}
}

func TestImportCSVLayers(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	cams := "\ufeffID,Name,lat,lon,kind,direction_deg\r\nA1,江汉路东,30.5901,114.3012,fixed,90\r\nA2,江汉路西,30.5902,114.3021,dome,\r\nA3,,30.5903,114.3031,ptz,\r\n"
	incidents := "the_geom,date,time,category\nPOINT (114.302 30.5901),2026-08-01,22:15,theft\nPOINT (114.303 30.5902),2026-08-02,23:40,fight\n"
	code, out := ts.importAs(t, planner.RoleAdmin,
		importFilePart{"cameras", "cams.csv", cams},
		importFilePart{"incidents", "jq", incidents}, // no extension: told by content
	)
	if code != http.StatusOK {
		t.Fatalf("import: %d %v", code, out)
	}
	if l := out["layers"].(map[string]any); l["cameras"] != 3.0 || l["incidents"] != 2.0 || l["kiosks"] != nil {
		t.Errorf("layers %v", l)
	}
	if f := out["files"].([]any)[1].(map[string]any); f["format"] != "csv" || f["file"] != "jq" {
		t.Errorf("second file %v", f)
	}
	ws := ts.stored(t)
	if len(ws.Cameras) != 3 || ws.Cameras[0].Ref != "A1" || ws.Cameras[0].DirectionDeg != 90 || ws.Cameras[2].Kind != planner.CameraPTZ || ws.Cameras[2].ID != 3 {
		t.Errorf("cameras %+v", ws.Cameras)
	}
	if len(ws.Incidents) != 2 || ws.Incidents[1].Category != "fight" || ws.Incidents[1].Time.Hour() != 23 {
		t.Errorf("incidents %+v", ws.Incidents)
	}
	if len(ws.Kiosks) != 1 || ws.Kiosks[0].Name != "江汉路警务站" {
		t.Errorf("kiosks changed: %+v", ws.Kiosks)
	}
	// The synthetic layers were replaced: meta says so, and the notes too.
	_, meta := ts.get(t, "/api/v1/meta")
	if syn := meta["synthetic"].([]any); len(syn) != 0 {
		t.Errorf("synthetic %v", syn)
	}
	// Served coverage follows the new cameras.
	if _, cov := ts.get(t, "/api/v1/coverage"); cov["total"].(map[string]any)["cameras"] != 3.0 {
		t.Errorf("coverage total %v", cov["total"])
	}
	// Grids from GeoJSON replace the generated ones.
	grids := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[
 [[[114.29,30.58],[114.30,30.58],[114.30,30.60],[114.29,30.60],[114.29,30.58]]],
 [[[114.30,30.58],[114.32,30.58],[114.32,30.60],[114.30,30.60],[114.30,30.58]]]]},"properties":{"name":"花楼社区","population":"5200"}}]}`
	if code, out := ts.importAs(t, planner.RoleAdmin, importFilePart{"grids", "grids.json", grids}); code != 200 || out["counts"].(map[string]any)["grids"] != 2.0 {
		t.Fatalf("grids: %d %v", code, out)
	}
	if ws := ts.stored(t); ws.Grids[1].Name != "花楼社区" || ws.Grids[1].Generated || *ws.Grids[1].Population != 5200 || len(ws.Cameras) != 3 {
		t.Errorf("grids %+v", ws.Grids)
	}
}

// TestImportBadFiles: every bad file is a 400 naming file and position,
// and nothing is stored.
func TestImportBadFiles(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{MaxImportFeatures: 4})
	before := ts.state(t)
	good := importFilePart{"kiosks", "ok.geojson", kiosksGeoJSON}
	cases := []struct {
		name  string
		files []importFilePart
		want  map[string]any // fields of the answer
		in    string         // part of the message
	}{
		{"bad CSV line", []importFilePart{good, {"cameras", "cams.csv", "name,lat,lon\nA,30.59,114.30\nB,30.59,114.30\nC,north,114.30\n"}},
			map[string]any{"file": "cams.csv", "layer": "cameras", "line": 4.0}, `lat "north" is not a number`},
		{"CSV without coordinates", []importFilePart{{"kiosks", "k.csv", "name,staff\n东门,3\n"}},
			map[string]any{"file": "k.csv", "line": 2.0}, "no coordinates"},
		{"wrong geometry type", []importFilePart{{"kiosks", "k.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[114.30,30.59]},"properties":{}},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[114.30,30.59],[114.31,30.59]]},"properties":{}}]}`}},
			map[string]any{"file": "k.geojson", "feature": 2.0, "line": 3.0, "reason": "geometry is a LineString, want Point"}, "feature 2 (line 3)"},
		{"malformed JSON", []importFilePart{{"sites", "s.geojson", "{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"type\":\"Feature\",,}]}"}},
			map[string]any{"file": "s.geojson", "line": 3.0}, "malformed JSON"},
		{"coordinates out of range", []importFilePart{{"incidents", "x.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[30.59,114.30]},"properties":{"time":"2026-08-01T22:00:00"}}]}`}},
			map[string]any{"file": "x.geojson", "feature": 1.0}, "out of range"},
		{"grids as CSV", []importFilePart{{"grids", "g.csv", "name,lat,lon\nA,30.59,114.30\n"}},
			map[string]any{"file": "g.csv", "layer": "grids"}, "GeoJSON"},
		{"shapefile", []importFilePart{{"kiosks", "k.zip", "PK\x03\x04"}},
			map[string]any{"file": "k.zip"}, "unsupported file type .zip"},
		{"empty file", []importFilePart{{"kiosks", "k.csv", ""}},
			map[string]any{"file": "k.csv", "reason": "empty file"}, "k.csv: empty file"},
		{"too many features", []importFilePart{good, {"cameras", "many.csv", "lat,lon\n30.59,114.30\n30.59,114.30\n30.59,114.30\n"}},
			map[string]any{"file": "many.csv", "layer": "cameras"}, "more than the limit of 4"},
		{"unknown field", []importFilePart{{"roads", "r.geojson", kiosksGeoJSON}}, nil, `form field "roads"`},
		{"no file", nil, nil, "no file"},
	}
	for _, c := range cases {
		code, out := ts.importAs(t, planner.RoleAdmin, c.files...)
		if code != http.StatusBadRequest || out["code"] != "invalid" || !strings.Contains(fmt.Sprint(out["error"]), c.in) {
			t.Errorf("%s: %d %v, want 400 with %q", c.name, code, out, c.in)
		}
		for k, v := range c.want {
			if out[k] != v {
				t.Errorf("%s: %s = %v, want %v (%v)", c.name, k, out[k], v, out)
			}
		}
		if c.want != nil && (out["reason"] == nil || out["reason"] == "" || strings.HasPrefix(fmt.Sprint(out["reason"]), fmt.Sprint(out["file"]))) {
			t.Errorf("%s: reason %q should be the message without the file", c.name, out["reason"])
		}
		ts.unchanged(t, before, c.name)
	}
	// Not multipart at all.
	rec, out := ts.do(t, "POST", "/api/v1/import", kiosksGeoJSON, "Content-Type", "application/json")
	if rec.Code != 400 || !strings.Contains(fmt.Sprint(out["error"]), "multipart/form-data") {
		t.Errorf("JSON body: %d %v", rec.Code, out)
	}
	ts.unchanged(t, before, "JSON body")
}

// TestImportDefaultLimit: the documented limit applies without
// configuration.
func TestImportDefaultLimit(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	before := ts.state(t)
	var c strings.Builder
	c.WriteString("time,lat,lon\n")
	for range DefaultMaxImportFeatures + 1 {
		c.WriteString("2026-08-01T22:00:00,30.59,114.3\n")
	}
	code, out := ts.importAs(t, planner.RoleAdmin, importFilePart{"incidents", "all.csv", c.String()})
	if code != 400 || out["file"] != "all.csv" || !strings.Contains(fmt.Sprint(out["error"]), fmt.Sprint(DefaultMaxImportFeatures)) {
		t.Errorf("%d records: %d %v", DefaultMaxImportFeatures+1, code, out)
	}
	ts.unchanged(t, before, "over the default limit")
}

// TestImportBodyLimit: a body over 64 MiB is refused with 413.
func TestImportBodyLimit(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	before := ts.state(t)
	big := `{"type":"FeatureCollection","features":[],"pad":"` + strings.Repeat("x", int(ImportBodyLimit)) + `"}`
	code, out := ts.importAs(t, planner.RoleAdmin, importFilePart{"kiosks", "big.geojson", big})
	if code != http.StatusRequestEntityTooLarge || out["code"] != ETOOLARGE || !strings.Contains(fmt.Sprint(out["error"]), "64 MiB") {
		t.Errorf("65 MiB: %d %v, want 413", code, out)
	}
	ts.unchanged(t, before, "too large")
}

// TestImportNeedsAdmin: only admins import; everybody else is refused and
// nothing is stored.
func TestImportNeedsAdmin(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	before := ts.state(t)
	for _, role := range []planner.Role{planner.RolePlanner, planner.RoleCommander, planner.RoleViewer, planner.RoleVolunteer} {
		if code, out := ts.importAs(t, role, importFilePart{"kiosks", "k.geojson", kiosksGeoJSON}); code != http.StatusForbidden {
			t.Errorf("%s: %d %v, want 403", role, code, out)
		}
	}
	if code, _ := ts.importAs(t, "", importFilePart{"kiosks", "k.geojson", kiosksGeoJSON}); code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", code)
	}
	// A cookie session needs the CSRF header, as every unsafe request.
	tok, csrf := ts.cookieSession(t, planner.RoleAdmin)
	body, ct := multipartBody(t, importFilePart{"kiosks", "k.geojson", kiosksGeoJSON})
	if rec, _ := ts.doCookie(t, tok, "", "POST", "/api/v1/import", body, "Content-Type", ct); rec.Code != http.StatusForbidden {
		t.Errorf("cookie without CSRF: %d, want 403", rec.Code)
	}
	ts.unchanged(t, before, "refused callers")
	if rec, out := ts.doCookie(t, tok, csrf, "POST", "/api/v1/import", body, "Content-Type", ct); rec.Code != http.StatusOK {
		t.Errorf("cookie with CSRF: %d %v", rec.Code, out)
	}
}

func TestImportNotes(t *testing.T) {
	set := &importSet{has: map[string]bool{"cameras": true, "kiosks": true},
		files: []importFile{{Layer: "cameras", File: "c.csv", Records: 3}}}
	got := importNotes([]string{
		"roads, buildings: OpenStreetMap x.osm.pbf",
		"kiosks, key sites: OpenStreetMap amenity=police and schools",
		"cameras, incidents: synthetic demo data (合成演示数据)",
		"cameras: old.csv (9 records)",
		"note without a layer",
		"Wuhan: a name, not a layer",
	}, set)
	want := []string{
		"roads, buildings: OpenStreetMap x.osm.pbf",
		"key sites: OpenStreetMap amenity=police and schools",
		"incidents: synthetic demo data (合成演示数据)",
		"note without a layer",
		"Wuhan: a name, not a layer",
		"cameras: c.csv (3 records, imported over the API)",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("notes\n%q\nwant\n%q", got, want)
	}
}

func TestImportFileName(t *testing.T) {
	for in, want := range map[string]string{
		"kiosks.csv": "kiosks.csv", `C:\data\站点.geojson`: "站点.geojson", "../../etc/passwd": "passwd",
		"": "kiosks", "a\x00b\nc.csv": "abc.csv", strings.Repeat("长", 100) + ".csv": strings.Repeat("长", 66),
	} {
		if got := importFileName(in, "kiosks"); got != want {
			t.Errorf("importFileName(%q) = %q, want %q", in, got, want)
		}
	}
}
