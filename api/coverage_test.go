package api

import (
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
)

func num(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("%q is %v, want a number (in %v)", key, m[key], m)
	}
	return v
}

func near(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s = %.3f, want %.3f within %.2g %%", what, got, want, 100*rel)
	}
}

// TestCoverageEndpoints runs the coverage report, footprints, gaps and
// uncovered stretches on testWorkspace, then adds, moves and deletes a
// camera over the incident and checks the stored workspace and report.
func TestCoverageEndpoints(t *testing.T) {
	ws := testWorkspace()
	ts := newTestServer(t, ws, Config{})
	srv := ts.srv

	rec, body := ts.do(t, "GET", "/api/v1/coverage", "")
	if rec.Code != 200 {
		t.Fatalf("coverage: %d %s", rec.Code, rec.Body.String())
	}
	grids := body["grids"].([]any)
	total := body["total"].(map[string]any)
	if len(grids) != 1 || num(t, total, "cameras") != 1 || num(t, total, "incident_weight") != 1 || num(t, total, "covered_incident_weight") != 0 {
		t.Fatalf("report %v", body)
	}
	g := grids[0].(map[string]any)
	for _, k := range []string{"id", "area_m2", "covered_area_m2", "road_m", "covered_road_m", "incident_weight", "covered_incident_weight", "cameras"} {
		if _, ok := g[k]; !ok {
			t.Errorf("grid JSON lacks %q: %v", k, g)
		}
	}
	// Camera 1 looks east along road 1 for 40 m (a 60° sector); camera 2,
	// a 30 m dome 48 m past the road's end, lies outside the grid.
	road40 := geo.Distance(geo.Point{Lon: 114.30, Lat: 30.59}, geo.NewProjection(geo.Point{Lon: 114.30, Lat: 30.59}).Inverse(geo.XY{X: 40}))
	near(t, "covered_road_m", num(t, g, "covered_road_m"), road40, 0.005)
	near(t, "covered_area_m2", num(t, g, "covered_area_m2"), math.Pi*1600/6, 0.005)
	before := num(t, g, "covered_area_m2")

	rec, body = ts.do(t, "GET", "/api/v1/coverage/footprints?bbox=114.29,30.58,114.32,30.60", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/geo+json") {
		t.Fatalf("footprints: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	fs := features(t, body)
	if len(fs) != 2 {
		t.Fatalf("%d footprints", len(fs))
	}
	p := fs[0]["properties"].(map[string]any)
	if p["id"] != 1.0 || p["kind"] != "fixed" || p["direction_deg"] != 90.0 || p["fov_deg"] != 60.0 || p["range_m"] != 40.0 || p["lon"] != 114.3 {
		t.Errorf("footprint 1 properties %v", p)
	}
	if _, body = ts.do(t, "GET", "/api/v1/coverage/footprints?bbox=114.31,30.58,114.32,30.60", ""); len(features(t, body)) != 1 {
		t.Errorf("bbox east of camera 1's footprint: want only camera 2")
	}

	rec, body = ts.do(t, "GET", "/api/v1/coverage/gaps?grid=1", "")
	if rec.Code != 200 {
		t.Fatalf("gaps: %d %s", rec.Code, rec.Body.String())
	}
	gp := features(t, body)[0]["properties"].(map[string]any)
	near(t, "gap area", num(t, gp, "area_m2")+before, num(t, g, "area_m2"), 1e-6)

	rec, body = ts.do(t, "GET", "/api/v1/coverage/uncovered?limit=1", "")
	if rec.Code != 200 {
		t.Fatalf("uncovered: %d %s", rec.Code, rec.Body.String())
	}
	un := features(t, body)
	up := un[0]["properties"].(map[string]any)
	// The incident lies 11 m off road 1, beyond camera 1's 40 m.
	if len(un) != 1 || up["road_id"] != 1.0 || up["incident_weight"] != 1.0 || un[0]["geometry"].(map[string]any)["type"] != "LineString" {
		t.Errorf("uncovered %v", un)
	}
	near(t, "uncovered length", num(t, up, "length_m"), ws.Roads[0].LengthM-road40, 0.001)

	// Add a dome over the incident.
	held := srv.cov.cov
	rec, body = ts.do(t, "POST", "/api/v1/cameras", `{"lon":114.302,"lat":30.5901,"kind":"dome","range_m":30}`)
	if rec.Code != http.StatusCreated || body["id"] != 3.0 || body["fov_deg"] != 360.0 {
		t.Fatalf("add camera: %d %v", rec.Code, body)
	}
	v3 := jsonNum(body["version"])
	if srv.cov.cov != held {
		t.Errorf("adding a camera rebuilt the coverage instead of updating it")
	}
	if tot := body["total"].(map[string]any); num(t, tot, "covered_incident_weight") != 1 || num(t, tot, "cameras") != 2 {
		t.Errorf("after add: total %v", tot)
	}
	if stored := ts.stored(t); len(stored.Cameras) != 3 || len(ws.Cameras) != 2 || stored.Cameras[2].Source != "proposal" {
		t.Errorf("stored %d cameras, original %d", len(stored.Cameras), len(ws.Cameras))
	}
	_, body = ts.do(t, "GET", "/api/v1/coverage?hours=9,10", "")
	if tot := body["total"].(map[string]any); num(t, tot, "incident_weight") != 0 {
		t.Errorf("the incident is at 22:15, not 9–10 h: %v", tot)
	}
	// Move it 200 m north: the incident is uncovered again.
	// Edits name the version they were made against (If-Match).
	rec, body = ts.do(t, "PUT", "/api/v1/cameras/3", `{"lon":114.302,"lat":30.5919,"kind":"fixed","direction_deg":180}`, "If-Match", `"`+v3+`"`)
	if rec.Code != 200 || body["range_m"] != 40.0 || num(t, body["total"].(map[string]any), "covered_incident_weight") != 0 {
		t.Fatalf("move camera: %d %v", rec.Code, body)
	}
	moved := rec.Header().Get("ETag")
	if c := ts.stored(t).Cameras[2]; c.Kind != "fixed" || c.Location.Lat != 30.5919 || c.Name != "新摄像头 3" {
		t.Errorf("stored camera %+v", c)
	}
	// A kiosk edit keeps the held coverage.
	if rec, _ := ts.do(t, "POST", "/api/v1/kiosks", `{"lon":114.301,"lat":30.59}`); rec.Code != 201 {
		t.Fatalf("add kiosk: %d", rec.Code)
	}
	rec, body = ts.do(t, "DELETE", "/api/v1/cameras/3", "", "If-Match", moved)
	if stored := ts.stored(t); rec.Code != 200 || len(stored.Cameras) != 2 || len(stored.Kiosks) != 2 {
		t.Fatalf("delete: %d %v", rec.Code, body)
	}
	if srv.cov.cov != held {
		t.Errorf("the coverage was rebuilt")
	}
	_, body = ts.do(t, "GET", "/api/v1/coverage", "")
	if got := num(t, body["grids"].([]any)[0].(map[string]any), "covered_area_m2"); got != before {
		t.Errorf("after add, move, delete: covered %v, want %v", got, before)
	}

	for _, c := range []struct {
		method, url, body string
		want              int
	}{
		{"GET", "/api/v1/coverage?hours=25", "", 400},
		{"GET", "/api/v1/coverage?hours=x", "", 400},
		{"GET", "/api/v1/coverage/gaps?grid=x", "", 400},
		{"GET", "/api/v1/coverage/gaps?grid=9", "", 404},
		{"GET", "/api/v1/coverage/uncovered?limit=0", "", 400},
		{"GET", "/api/v1/coverage/footprints?bbox=1,2", "", 400},
		{"POST", "/api/v1/cameras", `{"lon":500,"lat":30}`, 400},
		{"POST", "/api/v1/cameras", `{"lon":114.3,"lat":30.59,"kind":"laser"}`, 400},
		{"POST", "/api/v1/cameras", `{"lon":114.3,"lat":30.59,"colour":"red"}`, 400},
		{"PUT", "/api/v1/cameras/99", `{"lon":114.3,"lat":30.59}`, 404},
		{"PUT", "/api/v1/cameras/x", `{"lon":114.3,"lat":30.59}`, 400},
		{"DELETE", "/api/v1/cameras/99", "", 404},
	} {
		if rec, _ := ts.do(t, c.method, c.url, c.body); rec.Code != c.want {
			t.Errorf("%s %s %s: %d, want %d (%s)", c.method, c.url, c.body, rec.Code, c.want, rec.Body.String())
		}
	}
	// A server without a store has no users: nobody may edit (401).
	ro := &testSrv{h: NewServer(testWorkspace(), Config{}).Handler(), tokens: ts.tokens}
	if rec, _ := ro.do(t, "POST", "/api/v1/cameras", `{"lon":114.3,"lat":30.59}`); rec.Code != http.StatusUnauthorized {
		t.Errorf("read-only add: %d", rec.Code)
	}
	if rec, _ := ro.do(t, "DELETE", "/api/v1/cameras/1", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("read-only delete: %d", rec.Code)
	}
}
