package api

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
)

// TestSiteCamerasEndpoint asks for two new cameras on testWorkspace (one
// 960 m road seen only by camera 1's 40 m sector, an incident at 22:15
// 11 m off the road), posts the first proposal's "camera" object to
// POST /api/v1/cameras and checks the coverage report grows by about the
// road length the proposal promised.
func TestSiteCamerasEndpoint(t *testing.T) {
	ws := testWorkspace()
	ts := newTestServer(t, ws, Config{})
	srv := ts.srv

	rec, body := ts.do(t, "POST", "/api/v1/siting/cameras", `{"count":2,"min_spacing_m":50,"hours":[22,23,0,1],"candidate_spacing_m":25}`)
	if rec.Code != 200 {
		t.Fatalf("siting: %d %s", rec.Code, rec.Body.String())
	}
	for _, k := range []string{"covered_before", "covered_after", "total_weight", "upper_bound", "gap", "candidates", "proposals"} {
		if _, ok := body[k]; !ok {
			t.Errorf("siting JSON lacks %q", k)
		}
	}
	props := body["proposals"].([]any)
	if len(props) != 2 || num(t, body, "covered_after") <= num(t, body, "covered_before") || num(t, body, "gap") < 0 {
		t.Fatalf("siting %v", body)
	}
	p := props[0].(map[string]any)
	for _, k := range []string{"rank", "lon", "lat", "kind", "direction_deg", "fov_deg", "range_m", "gain", "gain_road_m", "share_after"} {
		if _, ok := p[k]; !ok {
			t.Errorf("proposal JSON lacks %q: %v", k, p)
		}
	}
	// The incident doubles the weight of the road within 25 m of it: the
	// first pick looks at it.
	inc := ws.Incidents[0].Location
	at := geo.Point{Lon: num(t, p, "lon"), Lat: num(t, p, "lat")}
	if d := geo.Distance(at, inc); d > 40 {
		t.Errorf("first pick %.1f m from the incident", d)
	}
	if q := props[1].(map[string]any); geo.Distance(at, geo.Point{Lon: num(t, q, "lon"), Lat: num(t, q, "lat")}) < 50 {
		t.Errorf("the two picks are closer than 50 m")
	}

	_, before := ts.do(t, "GET", "/api/v1/coverage", "")
	roadBefore := num(t, before["total"].(map[string]any), "covered_road_m")
	cam, err := json.Marshal(p["camera"])
	if err != nil {
		t.Fatal(err)
	}
	rec, saved := ts.do(t, "POST", "/api/v1/cameras", string(cam))
	if rec.Code != 201 {
		t.Fatalf("posting the proposal %s: %d %s", cam, rec.Code, rec.Body.String())
	}
	if saved["kind"] != p["kind"] || num(t, saved, "range_m") != num(t, p, "range_m") || num(t, saved, "lon") != num(t, p, "lon") {
		t.Errorf("saved %v, proposed %v", saved, p)
	}
	roadAfter := num(t, saved["total"].(map[string]any), "covered_road_m")
	// The report clips the road exactly; siting counts 10 m pieces by
	// their midpoints: they agree to within a piece.
	t.Logf("first proposal %s at %.1f m from the incident, gain %.1f, %.1f m road; report grew %.1f → %.1f m",
		p["kind"], geo.Distance(at, inc), num(t, p, "gain"), num(t, p, "gain_road_m"), roadBefore, roadAfter)
	if grown := roadAfter - roadBefore; math.Abs(grown-num(t, p, "gain_road_m")) > 10 {
		t.Errorf("covered road grew %.1f m, the proposal promised %.1f m", grown, num(t, p, "gain_road_m"))
	}
	if len(srv.idx.Load().WS.Cameras) != 3 {
		t.Errorf("%d cameras after accepting a proposal", len(srv.idx.Load().WS.Cameras))
	}

	// A second siting sees the accepted camera and proposes elsewhere.
	_, body = ts.do(t, "POST", "/api/v1/siting/cameras", `{"count":1,"min_spacing_m":50,"hours":[22,23,0,1],"candidate_spacing_m":25}`)
	q := body["proposals"].([]any)[0].(map[string]any)
	if d := geo.Distance(at, geo.Point{Lon: num(t, q, "lon"), Lat: num(t, q, "lat")}); d < 50 {
		t.Errorf("after accepting: new pick %.1f m from the accepted camera", d)
	}

	for _, bad := range []string{`{"count":0}`, `{"count":1,"hours":[25]}`, `{"count":1,"kinds":["drone"]}`, `{"count":1,"bbox":[1,2,3]}`, `{"count":1,"colour":"red"}`} {
		if rec, _ := ts.do(t, "POST", "/api/v1/siting/cameras", bad); rec.Code != 400 {
			t.Errorf("%s: status %d, want 400", bad, rec.Code)
		}
	}
}
