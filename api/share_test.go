package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// nightWorkspace is gridWorkspace with a dozen incidents late on a Friday
// evening near the middle of the grid.
func nightWorkspace(t *testing.T) *planner.Workspace {
	ws := gridWorkspace(t)
	pr := geo.NewProjection(geo.Point{Lon: 114.30, Lat: 30.59})
	for i := range 12 {
		ws.Incidents = append(ws.Incidents, planner.Incident{ID: int64(i + 1), Weight: 1,
			Location: pr.Inverse(geo.XY{X: 500 + float64(i%3)*10, Y: 400}),
			Time:     time.Date(2026, 11, 20, 23, 5*i, 0, 0, time.UTC)})
	}
	return ws
}

func TestShareLinksShowOneRouteAndExpire(t *testing.T) {
	ts := newTestServer(t, nightWorkspace(t), Config{})
	now := time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)
	ts.srv.shares.now = func() time.Time { return now }
	rec, m := ts.do(t, "POST", "/api/v1/plans", `{"window":"22:00-02:00","seed":1,"units":[{"name":"义警","kind":"volunteer","kiosk":1,"count":2}]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	links := m["links"].([]any)
	if len(links) != 2 {
		t.Fatalf("links %v, want one per unit", links)
	}
	url0 := links[0].(map[string]any)["url"].(string)
	url1 := links[1].(map[string]any)["url"].(string)
	tok := strings.TrimPrefix(url0, "/r/")
	if len(tok) != 32 || url0 == url1 || strings.Trim(tok, "0123456789abcdef") != "" {
		t.Fatalf("tokens %q %q: want distinct 128-bit hex", url0, url1)
	}
	rec, _ = ts.do(t, "GET", url0, "")
	page := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(page, "义警-1") || strings.Contains(page, "义警-2") || !strings.Contains(page, url0+".gpx") {
		t.Fatalf("route page %d: want unit 义警-1 only and its GPX link:\n%s", rec.Code, page)
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") || strings.Contains(page, "/api/") {
		t.Error("the phone page must not reach any other resource or the API")
	}
	if rec, _ := ts.do(t, "GET", url0+".gpx", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), "<gpx") {
		t.Errorf("GPX: %d", rec.Code)
	}
	// Revoked links and unknown tokens are 404; the other unit's link still works.
	if rec, _ := ts.do(t, "DELETE", "/api/v1/share/"+tok, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d", rec.Code)
	}
	for _, u := range []string{url0, url0 + ".gpx", "/r/00000000000000000000000000000000"} {
		if rec, _ := ts.do(t, "GET", u, ""); rec.Code != 404 {
			t.Errorf("%s after revoke: %d", u, rec.Code)
		}
	}
	if rec, _ := ts.do(t, "DELETE", "/api/v1/share/"+tok, ""); rec.Code != 404 {
		t.Errorf("second revoke: %d", rec.Code)
	}
	if rec, _ := ts.do(t, "GET", url1, ""); rec.Code != 200 {
		t.Fatalf("other link: %d", rec.Code)
	}
	// A day later the links have expired.
	now = now.Add(ShareTTL + time.Minute)
	if rec, _ := ts.do(t, "GET", url1, ""); rec.Code != 404 {
		t.Errorf("expired link: %d", rec.Code)
	}
}

func TestAsyncPlanReportsProgress(t *testing.T) {
	ts := newTestServer(t, nightWorkspace(t), Config{})
	rec, m := ts.do(t, "POST", "/api/v1/plans", `{"async":true,"seed":2,"units":[{"kind":"foot","kiosk":1,"count":2}]}`)
	if rec.Code != http.StatusAccepted || m["status"] == nil {
		t.Fatalf("POST async: %d %v", rec.Code, m)
	}
	status := m["status"].(string)
	var st map[string]any
	last := -1.0
	for i := 0; i < 600; i++ { // at most a minute
		_, st = ts.do(t, "GET", status, "")
		p := st["progress"].(float64)
		if p < last {
			t.Fatalf("progress went back from %v to %v", last, p)
		}
		last = p
		if st["state"] != "running" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st["state"] != "done" || st["progress"] != 1.0 || len(st["links"].([]any)) != 2 {
		t.Fatalf("final status %v", st)
	}
	_, again := ts.do(t, "GET", status, "")
	if again["links"].([]any)[0].(map[string]any)["url"] != st["links"].([]any)[0].(map[string]any)["url"] {
		t.Error("polling the status made new share links")
	}
	if rec, _ := ts.do(t, "GET", "/api/v1/plans/"+m["id"].(string), ""); rec.Code != 200 {
		t.Errorf("GET finished plan: %d", rec.Code)
	}
	if rec, _ := ts.do(t, "GET", "/api/v1/plans/nosuchplan/status", ""); rec.Code != 404 {
		t.Errorf("unknown plan status: %d", rec.Code)
	}
}
