package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/tidewatch/tidewatch/data/gpx"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// lateNightWorkspace is gridWorkspace with a dozen incidents late on a
// Friday evening near the middle of the grid.
func lateNightWorkspace(t *testing.T) *planner.Workspace {
	ws := gridWorkspace(t)
	pr := geo.NewProjection(geo.Point{Lon: 114.30, Lat: 30.59})
	for i := range 12 {
		ws.Incidents = append(ws.Incidents, planner.Incident{ID: int64(i + 1), Weight: 1,
			Location: pr.Inverse(geo.XY{X: 500 + float64(i%3)*10, Y: 400 + float64(i%4)*150}),
			Time:     time.Date(2026, 11, 20, 23, 5*i, 0, 0, time.UTC)})
	}
	return ws
}

// firstDiff names the first place where a and b differ ("" when equal).
func firstDiff(path string, a, b reflect.Value) string {
	if a.Type() != b.Type() {
		return path + ": types differ"
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
			}
			return ""
		}
		return firstDiff(path, a.Elem(), b.Elem())
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[time.Time]() {
			ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
			if !ta.Equal(tb) || ta.Location().String() != tb.Location().String() {
				return fmt.Sprintf("%s: %v vs %v", path, ta, tb)
			}
			return ""
		}
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if d := firstDiff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		fallthrough
	case reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return path + ": maps differ"
		}
		return ""
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return fmt.Sprintf("%s: %v vs %v", path, a.Interface(), b.Interface())
	}
	return ""
}

// TestPlanDocRoundTrip: a stored plan document reads back as the plan it
// was made from, less the solver internals, bit for bit.
func TestPlanDocRoundTrip(t *testing.T) {
	ws := lateNightWorkspace(t)
	units, breaks, err := ExpandUnits(ws, []UnitSpec{
		{Name: "巡逻车", Kind: "car", Kiosk: []byte("1"), Count: 2},
		{Kind: "foot", Kiosk: []byte(`"K1"`), Shift: "22:30-01:30", Breaks: []string{"00:00-00:15"}},
		{Name: "义警", Kind: "volunteer", Kiosk: []byte("1")},
	})
	if err != nil {
		t.Fatal(err)
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	fri := time.Friday
	for _, opt := range []planner.PlanOptions{
		{Window: planner.Shift{Start: 22 * 60, End: 2 * 60}, Day: &fri, Date: time.Date(2026, 11, 20, 0, 0, 0, 0, shanghai),
			Units: units, Breaks: breaks, Seed: 7, Vary: 0.3, Patrol: planner.PatrolOptions{Pin: []geo.Point{ws.Roads[7].Geometry[0]}}},
		{Window: planner.Shift{Start: 20 * 60, End: 23 * 60}, Units: units[:2], Seed: 1},
	} {
		plan, err := planner.PlanPatrol(context.Background(), ws, opt)
		if err != nil {
			t.Fatal(err)
		}
		links := []ShareInfo{{Unit: plan.Units[0].Unit, URL: "/r/" + newShareToken(), Expires: time.Date(2026, 11, 21, 18, 0, 0, 123, time.UTC)}}
		b, err := encodePlanDoc(plan, links)
		if err != nil {
			t.Fatal(err)
		}
		got, gotLinks, err := decodePlanDoc(b)
		if err != nil {
			t.Fatal(err)
		}
		want := *plan
		want.Problems, want.Results = nil, nil
		if want.Targets != nil {
			tg := *want.Targets
			tg.Risk = nil
			want.Targets = &tg
		}
		if d := firstDiff("Plan", reflect.ValueOf(got), reflect.ValueOf(&want)); d != "" {
			t.Fatalf("plan after the document round trip differs at %s", d)
		}
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("plan after the document round trip is not DeepEqual")
		}
		if !reflect.DeepEqual(gotLinks, links) || !gotLinks[0].Expires.Equal(links[0].Expires) {
			t.Fatalf("links %+v, want %+v", gotLinks, links)
		}
		// What the API serves from it is the same.
		g1, err1 := PlanGeoJSON(plan)
		g2, err2 := PlanGeoJSON(got)
		if err1 != nil || err2 != nil || !bytes.Equal(g1, g2) {
			t.Fatalf("plan GeoJSON differs after the round trip (%v, %v)", err1, err2)
		}
		for i := range plan.Units {
			var x, y bytes.Buffer
			_ = gpx.Write(&x, gpx.FromUnit(plan, plan.Units[i]))
			_ = gpx.Write(&y, gpx.FromUnit(got, got.Units[i]))
			if !bytes.Equal(x.Bytes(), y.Bytes()) {
				t.Fatalf("unit %d GPX differs after the round trip", i+1)
			}
		}
		if len(b) > 4<<20 {
			t.Errorf("plan document of %d bytes", len(b))
		}
	}
	if _, _, err := decodePlanDoc([]byte(`{"format":99}`)); err == nil {
		t.Error("a plan document of an unknown format was read")
	}
}

// withURLParam returns r routed with chi URL parameter key=value.
func withURLParam(r *http.Request, key, value string) *http.Request {
	rctx := chi.NewRouteContext()
	rctx.URLParams.Add(key, value)
	return r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rctx))
}

// TestPlansAndShareLinksLiveInTheStore: a plan made on one server is read,
// shared and revoked through another on the same store.
func TestPlansAndShareLinksLiveInTheStore(t *testing.T) {
	ts := newTestServer(t, lateNightWorkspace(t), Config{})
	a := ts.h
	loaded, err := ts.store.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srvB := NewServer(loaded, Config{Store: ts.store})
	b := srvB.Handler()
	cm := planner.RoleCommander

	rec, m := doOn(t, ts, a, cm, "POST", "/api/v1/plans", `{"window":"22:00-02:00","seed":1,"date":"2026-11-20","units":[{"name":"义警","kind":"volunteer","kiosk":1,"count":2},{"name":"车","kind":"car","kiosk":1}]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST plan: %d %s", rec.Code, rec.Body)
	}
	id := m["id"].(string)
	var urls, units []string
	for _, l := range m["links"].([]any) {
		urls = append(urls, l.(map[string]any)["url"].(string))
		units = append(units, l.(map[string]any)["unit"].(string))
	}
	if len(urls) != 3 {
		t.Fatalf("links %v", m["links"])
	}
	// The links follow the plan's unit order; put 义警-1 and 义警-2 first.
	order := map[string]int{"义警-1": 0, "义警-2": 1, "车": 2}
	sorted := make([]string, 3)
	for i, u := range units {
		k, ok := order[u]
		if !ok {
			t.Fatalf("link for unit %q", u)
		}
		sorted[k] = urls[i]
	}
	urls = sorted

	// The store holds the plan (owned by the commander) and the links by
	// the SHA-256 of their tokens, never the tokens.
	ctx := context.Background()
	doc, err := ts.store.PlanDoc(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Owner != "commander" {
		t.Errorf("plan owner %q, want the signed-in commander", doc.Owner)
	}
	rows, err := ts.store.SharesOfPlan(ctx, id)
	if err != nil || len(rows) != 3 {
		t.Fatalf("SharesOfPlan: %d, %v", len(rows), err)
	}
	byID := map[string]planner.ShareLink{}
	for _, l := range rows {
		byID[l.ID] = l
	}
	for i, u := range urls {
		tok := strings.TrimPrefix(u, "/r/")
		l, ok := byID[shareID(tok)]
		if !ok || l.PlanID != id || byID[tok].ID != "" {
			t.Errorf("link %d: stored %+v (found %v)", i, l, ok)
		}
		if !bytes.Contains(doc.Body, []byte(u)) {
			t.Errorf("the plan document lacks link %s (route cards print it)", u)
		}
	}

	// B serves the plan, its GPX and its links as A does.
	for _, u := range []string{"/api/v1/plans/" + id, "/api/v1/plans/" + id + "/units/2.gpx", "/api/v1/plans/" + id + "/status"} {
		ra, _ := doOn(t, ts, a, planner.RoleViewer, "GET", u, "")
		rb, _ := doOn(t, ts, b, planner.RoleViewer, "GET", u, "")
		if ra.Code != 200 || rb.Code != 200 || !bytes.Equal(ra.Body.Bytes(), rb.Body.Bytes()) {
			t.Errorf("%s: A %d, B %d, bodies equal %v", u, ra.Code, rb.Code, bytes.Equal(ra.Body.Bytes(), rb.Body.Bytes()))
		}
	}
	req := withURLParam(httptest.NewRequest("GET", "/", nil), "id", id)
	links, err := srvB.planShares(req)
	if err != nil || len(links) != 3 {
		t.Fatalf("B's planShares: %v, %v", links, err)
	}
	p, err := srvB.lookupPlan(req)
	if err != nil || len(p.Units) != 3 {
		t.Fatalf("B's lookupPlan: %v", err)
	}
	for i, l := range links {
		tok := strings.TrimPrefix(l.URL, "/r/")
		if l.Unit != p.Units[i].Unit || byID[shareID(tok)].Unit != i {
			t.Errorf("planShares[%d] = %+v, want unit %d %s", i, l, i, p.Units[i].Unit)
		}
	}
	if _, err := srvB.planShares(withURLParam(req, "id", "nosuchplan")); planner.ErrorCode(err) != planner.ENOTFOUND {
		t.Errorf("planShares of an unknown plan: %v", err)
	}

	// Both serve each link (no sign-in); revoking on B kills it on A at once.
	for _, h := range []http.Handler{a, b} {
		rec, _ := doOn(t, ts, h, "", "GET", urls[0], "")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "义警-1") || strings.Contains(rec.Body.String(), "义警-2") {
			t.Fatalf("route page: %d", rec.Code)
		}
	}
	if rec, _ := doOn(t, ts, b, cm, "DELETE", "/api/v1/share/"+strings.TrimPrefix(urls[0], "/r/"), ""); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke on B: %d %s", rec.Code, rec.Body)
	}
	for _, u := range []string{urls[0], urls[0] + ".gpx"} {
		if rec, _ := doOn(t, ts, a, "", "GET", u, ""); rec.Code != http.StatusNotFound {
			t.Errorf("A serves %s after B revoked it: %d", u, rec.Code)
		}
	}
	if rec, _ := doOn(t, ts, a, cm, "DELETE", "/api/v1/share/"+strings.TrimPrefix(urls[0], "/r/"), ""); rec.Code != http.StatusNotFound {
		t.Errorf("second revoke: %d", rec.Code)
	}
	if rec, _ := doOn(t, ts, a, "", "GET", urls[1], ""); rec.Code != 200 {
		t.Errorf("the other link after the revoke: %d", rec.Code)
	}
	if links, _ := ts.srv.planShares(req); len(links) != 3 {
		t.Errorf("planShares after a revoke: %d links, want all 3 (revoked ones included)", len(links))
	}
	for _, u := range []string{"/r/00000000000000000000000000000000", "/r/xyz", "/r/" + strings.Repeat("A", 32)} {
		if rec, _ := doOn(t, ts, a, "", "GET", u, ""); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d", u, rec.Code)
		}
	}
	// A day later the links have expired, on every server.
	later := time.Now().Add(ShareTTL + time.Minute)
	ts.srv.shares.now = func() time.Time { return later }
	if rec, _ := doOn(t, ts, a, "", "GET", urls[1], ""); rec.Code != http.StatusNotFound {
		t.Errorf("expired link: %d", rec.Code)
	}
	ts.srv.shares.now = nil

	// A finished background plan is readable on the other server.
	rec, m = doOn(t, ts, a, cm, "POST", "/api/v1/plans", `{"async":true,"seed":2,"units":[{"kind":"foot","kiosk":1,"count":2}]}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("POST async: %d %s", rec.Code, rec.Body)
	}
	status := m["status"].(string)
	var st map[string]any
	for i := 0; i < 600; i++ {
		_, st = doOn(t, ts, a, planner.RoleViewer, "GET", status, "")
		if st["state"] != "running" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st["state"] != "done" {
		t.Fatalf("async plan: %v", st)
	}
	rec, stB := doOn(t, ts, b, planner.RoleViewer, "GET", status, "")
	if rec.Code != 200 || stB["state"] != "done" || fmt.Sprint(stB["links"]) != fmt.Sprint(st["links"]) {
		t.Errorf("B's status of A's finished plan: %d %v", rec.Code, stB)
	}
	if rec, _ := doOn(t, ts, b, planner.RoleViewer, "GET", "/api/v1/plans/nosuchplan/status", ""); rec.Code != 404 {
		t.Errorf("unknown plan status: %d", rec.Code)
	}
}
