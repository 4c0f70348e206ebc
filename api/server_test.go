package api

import (
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// testWorkspace is two roads (a primary and a footway), one grid, two
// cameras 1 km apart, a kiosk, an incident and a site around Wuhan.
func testWorkspace() *planner.Workspace {
	p := func(lon, lat float64) geo.Point { return geo.Point{Lon: lon, Lat: lat} }
	road := func(id int64, hw string, a, b geo.Point, car planner.Travel) planner.Road {
		ls := geo.LineString{a, b}
		r := planner.Road{ID: id, WayID: id * 10, From: id * 100, To: id*100 + 1, Geometry: ls, Highway: hw, LengthM: ls.Length()}
		r.Travel = [planner.NumModes]planner.Travel{car, car, {Forward: 60, Backward: 60}}
		return r
	}
	return &planner.Workspace{
		Name:  "武汉测试",
		Bound: geo.Bound{Min: p(114.29, 30.58), Max: p(114.32, 30.60)},
		Roads: []planner.Road{
			road(1, "primary", p(114.30, 30.59), p(114.31, 30.59), planner.Travel{Forward: 70, Backward: planner.NoAccess}),
			road(2, "footway", p(114.30, 30.595), p(114.301, 30.595), planner.Travel{Forward: planner.NoAccess, Backward: planner.NoAccess}),
		},
		Grids: []planner.Grid{{ID: 1, Name: "网格 A1", Polygon: geo.Polygon{geo.Ring{p(114.29, 30.58), p(114.31, 30.58), p(114.31, 30.60), p(114.29, 30.60), p(114.29, 30.58)}}, Generated: true}},
		Cameras: []planner.Camera{
			{ID: 1, Ref: "C1", Location: p(114.300, 30.59), Kind: planner.CameraFixed, DirectionDeg: 90, FOVDeg: 60, RangeM: 40, Source: planner.SourceSynthetic},
			{ID: 2, Ref: "C2", Location: p(114.3105, 30.59), Kind: planner.CameraDome, FOVDeg: 360, RangeM: 30, Source: planner.SourceSynthetic},
		},
		Kiosks:    []planner.Kiosk{{ID: 1, Name: "江汉路警务站", Location: p(114.305, 30.591), Staff: 4, Vehicles: 1, Source: planner.SourceOSM}},
		Incidents: []planner.Incident{{ID: 1, Location: p(114.302, 30.5901), Time: time.Date(2026, 8, 1, 22, 15, 0, 0, time.UTC), Category: "theft", Weight: 1, Source: planner.SourceSynthetic}},
		Sites:     []planner.Site{{ID: 1, Name: "汉口站", Category: planner.SiteStation, Location: p(114.306, 30.592), Tier: 1, Source: planner.SourceOSM}},
		Notes:     []string{"test"},
	}
}

func features(t *testing.T, body map[string]any) []map[string]any {
	t.Helper()
	if body["type"] != "FeatureCollection" {
		t.Fatalf("type = %v, want FeatureCollection", body["type"])
	}
	var out []map[string]any
	for _, f := range body["features"].([]any) {
		out = append(out, f.(map[string]any))
	}
	return out
}

func TestHealthz(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	rec, _ := ts.get(t, "/healthz")
	if rec.Code != 200 || rec.Body.String() != "ok" {
		t.Fatalf("healthz = %d %q", rec.Code, rec.Body.String())
	}
}

func TestMeta(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{Basemap: Basemap{URL: "http://tiles.local/{z}/{x}/{y}.png", Attribution: "局内底图"}})
	rec, body := ts.get(t, "/api/v1/meta")
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if body["name"] != "武汉测试" {
		t.Errorf("name = %v", body["name"])
	}
	counts := body["counts"].(map[string]any)
	// Only road 1 is open to cars: 2 nodes, 1 edge.
	if counts["road_edges"] != 1.0 || counts["road_nodes"] != 2.0 || counts["cameras"] != 2.0 || counts["kiosks"] != 1.0 {
		t.Errorf("counts = %v", counts)
	}
	if km := counts["road_km"].(float64); km < 0.95 || km > 0.97 { // 0.01° of longitude at 30.59°N ≈ 958 m
		t.Errorf("road_km = %v, want ≈ 0.958", km)
	}
	syn := body["synthetic"].([]any)
	if len(syn) != 2 || syn[0] != "cameras" || syn[1] != "incidents" {
		t.Errorf("synthetic = %v, want [cameras incidents]", syn)
	}
	if bm := body["basemap"].(map[string]any); bm["attribution"] != "局内底图" {
		t.Errorf("basemap = %v", bm)
	}
	if b := body["bound"].([]any); b[0] != 114.29 || b[3] != 30.60 {
		t.Errorf("bound = %v", b)
	}
}

func TestLayersBBoxAndZoom(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	cases := []struct {
		url  string
		want int
	}{
		{"/api/v1/layers/roads", 2},
		{"/api/v1/layers/roads?zoom=11", 1}, // footways dropped on a city view
		{"/api/v1/layers/cameras", 2},
		{"/api/v1/layers/cameras?bbox=114.299,30.589,114.305,30.591", 1},
		{"/api/v1/layers/cameras?bbox=100,20,101,21", 0},
		{"/api/v1/layers/grids", 1},
		{"/api/v1/layers/kiosks", 1},
		{"/api/v1/layers/incidents", 1},
		{"/api/v1/layers/sites", 1},
	}
	for _, c := range cases {
		rec, body := ts.get(t, c.url)
		if rec.Code != 200 {
			t.Errorf("%s: status %d: %s", c.url, rec.Code, rec.Body.String())
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/geo+json") {
			t.Errorf("%s: content type %q", c.url, ct)
		}
		if got := len(features(t, body)); got != c.want {
			t.Errorf("%s: %d features, want %d", c.url, got, c.want)
		}
	}
	_, body := ts.get(t, "/api/v1/layers/roads")
	props := features(t, body)[0]["properties"].(map[string]any)
	if props["car"] != "forward" || props["highway"] != "primary" {
		t.Errorf("road properties = %v", props)
	}
	_, body = ts.get(t, "/api/v1/layers/incidents")
	props = features(t, body)[0]["properties"].(map[string]any)
	if props["hour"] != 22.0 || props["time"] != "2026-08-01T22:15:00Z" || props["source"] != "synthetic" {
		t.Errorf("incident properties = %v", props)
	}
}

func TestErrorsAreCoded(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	for url, want := range map[string]int{
		"/api/v1/layers/bridges":            404,
		"/api/v1/layers/roads?bbox=1,2,3":   400,
		"/api/v1/layers/roads?bbox=5,5,1,1": 400,
		"/api/v1/layers/roads?zoom=abc":     400,
		"/api/v1/nothing":                   404,
	} {
		rec, body := ts.get(t, url)
		if rec.Code != want {
			t.Errorf("%s: status %d, want %d", url, rec.Code, want)
		}
		if body["error"] == "" || body["code"] == "" {
			t.Errorf("%s: body %v lacks code/error", url, body)
		}
	}
}
