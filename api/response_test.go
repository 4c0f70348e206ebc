package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// gridWorkspace is a 6×6 street grid with 200 m blocks (36 km/h both
// ways, 20 s a block), one kiosk at a corner, one generated grid over it
// all and a school in the middle (tier 3).
func gridWorkspace(t *testing.T) *planner.Workspace {
	t.Helper()
	o := geo.Point{Lon: 114.30, Lat: 30.59}
	pr := geo.NewProjection(o)
	at := func(i, j int) geo.Point { return pr.Inverse(geo.XY{X: float64(i) * 200, Y: float64(j) * 200}) }
	id := func(i, j int) int64 { return int64(1000 + 10*i + j) }
	var roads []planner.Road
	add := func(i, j, i2, j2 int) {
		ls := geo.LineString{at(i, j), at(i2, j2)}
		tr := planner.Travel{Forward: 20, Backward: 20}
		roads = append(roads, planner.Road{WayID: 1, From: id(i, j), To: id(i2, j2), Geometry: ls, Highway: "residential",
			LengthM: ls.Length(), Travel: [planner.NumModes]planner.Travel{tr, tr, {Forward: 144, Backward: 144}}})
	}
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			if i < 5 {
				add(i, j, i+1, j)
			}
			if j < 5 {
				add(i, j, i, j+1)
			}
		}
	}
	ws, _, err := planner.Assemble(context.Background(), planner.Parts{Name: "grid", Roads: roads,
		Kiosks: []planner.Kiosk{{Name: "K1", Location: at(0, 0), Source: "test"}},
		Sites:  []planner.Site{{Name: "小学", Category: planner.SiteSchool, Location: at(5, 5), Tier: 3, Source: "test"}},
	}, planner.AssembleOptions{GridSizeM: 2000})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func TestResponseEndpoint(t *testing.T) {
	ts := newTestServer(t, gridWorkspace(t), Config{})
	rec, body := ts.do(t, "GET", "/api/v1/response?mode=car&minutes=1,3", "")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	tiers := body["tiers"].([]any)
	if len(tiers) != 2 {
		t.Fatalf("tiers %v", tiers)
	}
	km1 := tiers[0].(map[string]any)["road_km"].(float64)
	km3 := tiers[1].(map[string]any)["road_km"].(float64)
	// 60 s is 3 blocks from the corner kiosk: every edge between nodes with
	// i+j ≤ 3 (12 blocks of 200 m = 2.4 km) and nothing beyond.
	if km1 < 2.39 || km1 > 2.41 {
		t.Errorf("1-minute reach %.3f km, want 2.4", km1)
	}
	// 180 s is 9 blocks: every node but the far corner (10 blocks, 200 s),
	// whose two edges start at exactly 180 s: 60 edges less those 2 = 11.6 km.
	if km3 < 11.59 || km3 > 11.61 {
		t.Errorf("3-minute reach %.3f km", km3)
	}
	sites := body["sites"].([]any)
	school := sites[0].(map[string]any)
	if school["seconds"].(float64) != 200 || school["ok"] != false || body["failing_sites"] != 1.0 {
		t.Errorf("school at the far corner: %v (want 200 s, failing its 3-minute tier)", school)
	}

	rec, body = ts.do(t, "GET", "/api/v1/response/rings?minutes=1,3", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/geo+json") {
		t.Fatalf("rings: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if fs := body["features"].([]any); len(fs) != 2 || fs[0].(map[string]any)["geometry"].(map[string]any)["type"] != "MultiPolygon" {
		t.Errorf("rings features: %v", rec.Body.String()[:200])
	}
	for url, want := range map[string]int{
		"/api/v1/response?mode=boat":     400,
		"/api/v1/response?minutes=x":     400,
		"/api/v1/response?minutes=99":    400,
		"/api/v1/response?kiosk=42":      404,
		"/api/v1/response/rings?kiosk=a": 400,
	} {
		if rec, _ := ts.do(t, "GET", url, ""); rec.Code != want {
			t.Errorf("%s: %d, want %d", url, rec.Code, want)
		}
	}
}

func TestSitingAndAcceptKiosk(t *testing.T) {
	ws := gridWorkspace(t)
	ts := newTestServer(t, ws, Config{})
	rec, body := ts.do(t, "POST", "/api/v1/siting/kiosks", `{"mode":"car","minutes":1,"count":1}`)
	before := body2f(body, "covered_before")
	if rec.Code != 200 {
		t.Fatalf("siting: %d %s", rec.Code, rec.Body.String())
	}
	props := body["proposals"].([]any)
	if len(props) != 1 || body["covered_after"].(float64) <= body["covered_before"].(float64) {
		t.Fatalf("siting result %v", body)
	}
	p := props[0].(map[string]any)
	if body["gap"].(float64) > 1e-6 {
		t.Errorf("gap %v on a 36-node grid", body["gap"])
	}
	rec, body = ts.do(t, "POST", "/api/v1/kiosks", `{"name":"","lon":`+jsonNum(p["lon"])+`,"lat":`+jsonNum(p["lat"])+`}`)
	if rec.Code != 201 || body["id"] != 2.0 || body["name"] != "新警务站 2" {
		t.Fatalf("accept: %d %v", rec.Code, body)
	}
	if stored := ts.stored(t); len(stored.Kiosks) != 2 || len(ws.Kiosks) != 1 {
		t.Errorf("stored %d kiosks; the served original must stay at 1 (has %d)", len(stored.Kiosks), len(ws.Kiosks))
	}
	_, meta := ts.do(t, "GET", "/api/v1/meta", "")
	if meta["counts"].(map[string]any)["kiosks"] != 2.0 {
		t.Errorf("meta after accept: %v", meta["counts"])
	}
	// The accepted kiosk now counts: the same siting covers more before.
	_, again := ts.do(t, "POST", "/api/v1/siting/kiosks", `{"minutes":1,"count":1}`)
	if body2f(again, "covered_before") <= before {
		t.Errorf("coverage before did not grow after accepting: %v", again["covered_before"])
	}
	for b, want := range map[string]int{
		`{"minutes":1}`:                      400, // neither count nor target
		`{"minutes":1,"count":1,"bogus":1}`:  400,
		`not json`:                           400,
		`{"minutes":1,"target_percent":150}`: 400,
	} {
		if rec, _ := ts.do(t, "POST", "/api/v1/siting/kiosks", b); rec.Code != want {
			t.Errorf("siting %s: %d, want %d", b, rec.Code, want)
		}
	}
	if rec, _ := ts.do(t, "POST", "/api/v1/kiosks", `{"lon":500,"lat":1}`); rec.Code != 400 {
		t.Errorf("bad kiosk position: %d", rec.Code)
	}
	// A server without a store has no users: nobody may edit (401).
	ro := &testSrv{h: NewServer(ws, Config{}).Handler(), tokens: ts.tokens}
	if rec, _ := ro.do(t, "POST", "/api/v1/kiosks", `{"lon":114.3,"lat":30.59}`); rec.Code != 401 {
		t.Errorf("server without a store accepted an edit: %d", rec.Code)
	}
}

func jsonNum(v any) string { b, _ := json.Marshal(v); return string(b) }

func body2f(m map[string]any, k string) float64 {
	if v, ok := m[k].(float64); ok {
		return v
	}
	return 0
}
