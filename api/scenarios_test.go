package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// scWorkspace is gridWorkspace (a 1 km street grid, one kiosk at the
// south-west corner, a school in the middle) with a dome camera at the
// kiosk.
func scWorkspace(t *testing.T) *planner.Workspace {
	ws := gridWorkspace(t)
	ws.Cameras = []planner.Camera{{ID: 1, Name: "西南角", Location: ws.Kiosks[0].Location, Kind: planner.CameraDome, FOVDeg: 360, RangeM: 30, Source: "test"}}
	return ws
}

// scGridAt returns the point x, y metres east and north of the grid's south-west corner.
func scGridAt(x, y float64) geo.Point {
	return geo.NewProjection(geo.Point{Lon: 114.30, Lat: 30.59}).Inverse(geo.XY{X: x, Y: y})
}

func scBodyJSON(name string, edits ...string) string {
	return fmt.Sprintf(`{"name":%q,"edits":[%s]}`, name, strings.Join(edits, ","))
}

func scCamEdit(x, y, dir float64) string {
	p := scGridAt(x, y)
	return fmt.Sprintf(`{"op":"create","kind":"camera","lon":%.7f,"lat":%.7f,"direction_deg":%g}`, p.Lon, p.Lat, dir)
}

func scKioskEdit(name string, x, y float64) string {
	p := scGridAt(x, y)
	return fmt.Sprintf(`{"op":"create","kind":"kiosk","name":%q,"lon":%.7f,"lat":%.7f,"staff":3}`, name, p.Lon, p.Lat)
}

func scDecode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("scDecode %T: %v\n%s", v, err, b)
	}
	return v
}

func TestScenarioLifecycleAndCompare(t *testing.T) {
	ts := newTestServer(t, scWorkspace(t), Config{})
	camsBefore := len(ts.stored(t).Cameras)

	// A viewer may look but not save.
	if rec, _ := ts.doAs(t, planner.RoleViewer, "POST", "/api/v1/scenarios", scBodyJSON("x")); rec.Code != http.StatusForbidden {
		t.Fatalf("viewer POST: %d %s", rec.Code, rec.Body)
	}
	body := scBodyJSON("新增2个摄像头和1个警务站", scCamEdit(600, 0, 90), scCamEdit(1000, 400, 0), scKioskEdit("东北警务站", 1000, 1000))
	rec, _ := ts.doAs(t, planner.RolePlanner, "POST", "/api/v1/scenarios", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	sc := scDecode[scenarioJSON](t, rec.Body.Bytes())
	if sc.ID <= 0 || sc.Version != 1 || sc.Owner != "planner" || len(sc.Edits) != 3 || rec.Header().Get("ETag") != `"1"` ||
		rec.Header().Get("Location") != fmt.Sprintf("/api/v1/scenarios/%d", sc.ID) {
		t.Fatalf("created %+v, headers %v", sc, rec.Header())
	}
	e := sc.Edits[0]
	if e.Op != "create" || e.Kind != "camera" || *e.CameraKind != "fixed" || *e.DirectionDeg != 90 || *e.FOVDeg != planner.DefaultFixedFOV ||
		*e.RangeM != planner.DefaultFixedRange || e.ID != 0 || e.Version != 0 {
		t.Errorf("camera edit as stored: %+v", e)
	}
	if k := sc.Edits[2]; *k.Name != "东北警务站" || *k.Staff != 3 || k.CameraKind != nil {
		t.Errorf("kiosk edit as stored: %+v", k)
	}

	// List and get.
	rec, _ = ts.doAs(t, planner.RoleViewer, "GET", "/api/v1/scenarios", "")
	list := scDecode[struct{ Scenarios []scenarioJSON }](t, rec.Body.Bytes())
	if rec.Code != 200 || len(list.Scenarios) != 1 || list.Scenarios[0].Name != "新增2个摄像头和1个警务站" {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	url := fmt.Sprintf("/api/v1/scenarios/%d", sc.ID)
	rec, _ = ts.doAs(t, planner.RoleViewer, "GET", url, "")
	if rec.Code != 200 || rec.Header().Get("ETag") != `"1"` {
		t.Fatalf("get: %d %s", rec.Code, rec.Body)
	}

	// Compare.
	rec, _ = ts.doAs(t, planner.RoleViewer, "GET", url+"/compare?window=22:00-02:00", "")
	if rec.Code != 200 {
		t.Fatalf("compare: %d %s", rec.Code, rec.Body)
	}
	c := scDecode[planner.Comparison](t, rec.Body.Bytes())
	if c.Before.Cameras != 1 || c.After.Cameras != 3 || c.Delta.Cameras != 2 || c.Delta.Kiosks != 1 || len(c.Changes) != 3 || len(c.Stale) != 0 {
		t.Fatalf("comparison %s", rec.Body)
	}
	if !(c.Delta.Coverage.Share > 0) || !(c.Delta.Coverage.CoveredRoadKm > 0.05) {
		t.Errorf("coverage delta %+v, want two cameras' worth of street", c.Delta.Coverage)
	}
	if !(c.Delta.Tiers[0].Share > 0) || c.Before.Sites.Failing != 1 || c.After.Sites.Failing != 0 {
		t.Errorf("rings delta %+v, failing sites %d → %d", c.Delta.Tiers, c.Before.Sites.Failing, c.After.Sites.Failing)
	}
	if c.Before.Patrol.Note != planner.PatrolNoUnits || c.Options.Window != "22:00-02:00" || c.Options.Mode != planner.ModeCar {
		t.Errorf("patrol %+v, options %+v", c.Before.Patrol, c.Options)
	}
	if !strings.HasPrefix(rec.Header().Get("Server-Timing"), "compare;dur=") {
		t.Errorf("Server-Timing %q", rec.Header().Get("Server-Timing"))
	}
	// Again: the same answer, from the cache.
	rec2, _ := ts.doAs(t, planner.RoleViewer, "GET", url+"/compare?window=22:00-02:00", "")
	if rec2.Body.String() != rec.Body.String() || !strings.Contains(rec2.Header().Get("Server-Timing"), `desc="hit"`) {
		t.Errorf("second compare differs or missed the cache (%s)", rec2.Header().Get("Server-Timing"))
	}
	if rec, _ := ts.do(t, "GET", url+"/compare?window=25:00-02:00", ""); rec.Code != 400 {
		t.Errorf("bad window: %d", rec.Code)
	}

	// Layers with the edits applied; the stored workspace is unchanged.
	rec, body2 := ts.doAs(t, planner.RoleViewer, "GET", url+"/layers/cameras", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/geo+json") {
		t.Fatalf("layer: %d %s", rec.Code, rec.Body)
	}
	if fs := features(t, body2); len(fs) != 3 {
		t.Errorf("scenario cameras: %d features, want 3", len(fs))
	}
	info := scDecode[struct{ Scenario scenarioLayerInfo }](t, rec.Body.Bytes()).Scenario
	if fmt.Sprint(info.Added) != "[2 3]" || len(info.Deleted) != 0 || info.ID != sc.ID || info.Layer != "cameras" {
		t.Errorf("layer info %+v", info)
	}
	rec, body2 = ts.doAs(t, planner.RoleViewer, "GET", url+"/layers/kiosks", "")
	if fs := features(t, body2); rec.Code != 200 || len(fs) != 2 || fs[1]["properties"].(map[string]any)["name"] != "东北警务站" {
		t.Errorf("scenario kiosks: %d %s", rec.Code, rec.Body)
	}
	if rec, _ := ts.do(t, "GET", url+"/layers/roads", ""); rec.Code != 404 {
		t.Errorf("layer roads: %d", rec.Code)
	}
	if got := len(ts.stored(t).Cameras); got != camsBefore {
		t.Errorf("stored cameras %d, want %d", got, camsBefore)
	}
	if rec, m := ts.do(t, "GET", "/api/v1/meta", ""); rec.Code != 200 || m["counts"].(map[string]any)["cameras"] != float64(camsBefore) {
		t.Errorf("meta counts %v", m["counts"])
	}

	// Replace the edits: If-Match must be current (412 when stale), or the version field (409).
	body = scBodyJSON("只加警务站", scKioskEdit("东北警务站", 1000, 1000))
	if rec, _ := ts.doAs(t, planner.RolePlanner, "PUT", url, body); rec.Code != 400 {
		t.Errorf("PUT without version: %d %s", rec.Code, rec.Body)
	}
	if rec, _ := ts.doAs(t, planner.RolePlanner, "PUT", url, body, "If-Match", `"7"`); rec.Code != http.StatusPreconditionFailed {
		t.Errorf("PUT stale If-Match: %d %s", rec.Code, rec.Body)
	}
	stale := strings.Replace(body, `{"name"`, `{"version":9,"name"`, 1)
	if rec, _ := ts.doAs(t, planner.RolePlanner, "PUT", url, stale); rec.Code != http.StatusConflict {
		t.Errorf("PUT stale version: %d %s", rec.Code, rec.Body)
	}
	rec, _ = ts.doAs(t, planner.RolePlanner, "PUT", url, body, "If-Match", `"1"`)
	if rec.Code != 200 || rec.Header().Get("ETag") != `"2"` {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	if up := scDecode[scenarioJSON](t, rec.Body.Bytes()); up.Name != "只加警务站" || len(up.Edits) != 1 || up.Owner != "planner" {
		t.Errorf("updated %+v", up)
	}
	// A new version compares anew.
	rec, _ = ts.do(t, "GET", url+"/compare", "")
	if c := scDecode[planner.Comparison](t, rec.Body.Bytes()); c.ScenarioVersion != 2 || c.Delta.Cameras != 0 || c.Delta.Kiosks != 1 {
		t.Errorf("compare after PUT: %s", rec.Body)
	}

	// Delete: a version is required; stale is 412 or 409.
	if rec, _ := ts.doAs(t, planner.RolePlanner, "DELETE", url, ""); rec.Code != 400 {
		t.Errorf("DELETE without version: %d", rec.Code)
	}
	if rec, _ := ts.doAs(t, planner.RolePlanner, "DELETE", url, "", "If-Match", `"1"`); rec.Code != http.StatusPreconditionFailed {
		t.Errorf("DELETE stale If-Match: %d %s", rec.Code, rec.Body)
	}
	if rec, _ := ts.doAs(t, planner.RolePlanner, "DELETE", url+"?version=1", ""); rec.Code != http.StatusConflict {
		t.Errorf("DELETE stale ?version: %d %s", rec.Code, rec.Body)
	}
	if rec, _ := ts.doAs(t, planner.RolePlanner, "DELETE", url, `{"version":2}`); rec.Code != 200 {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
	}
	if rec, _ := ts.do(t, "GET", url, ""); rec.Code != 404 {
		t.Errorf("GET deleted: %d", rec.Code)
	}
	if rec, _ := ts.do(t, "GET", url+"/compare", ""); rec.Code != 404 {
		t.Errorf("compare deleted: %d", rec.Code)
	}
}

func TestScenarioEditsResolvedAndStale(t *testing.T) {
	ts := newTestServer(t, scWorkspace(t), Config{})
	ws := ts.srv.idx.Load().WS
	cam, kiosk := ws.Cameras[0], ws.Kiosks[0]
	if cam.Version <= 0 {
		t.Fatalf("stored camera has version %d", cam.Version)
	}
	// A move with only lon/lat keeps the rest; a delete without version gets the current one.
	p := scGridAt(200, 0)
	body := scBodyJSON("挪动", fmt.Sprintf(`{"op":"update","kind":"camera","id":%d,"lon":%.7f,"lat":%.7f}`, cam.ID, p.Lon, p.Lat),
		fmt.Sprintf(`{"op":"delete","kind":"kiosk","id":%d}`, kiosk.ID))
	rec, _ := ts.doAs(t, planner.RolePlanner, "POST", "/api/v1/scenarios", body)
	if rec.Code != 201 {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	sc := scDecode[scenarioJSON](t, rec.Body.Bytes())
	mv, del := sc.Edits[0], sc.Edits[1]
	if mv.Version != cam.Version || *mv.Name != "西南角" || *mv.CameraKind != "dome" || *mv.RangeM != 30 || math.Abs(*mv.Lon-p.Lon) > 1e-7 {
		t.Errorf("move as stored: %+v", mv)
	}
	if del.Version != kiosk.Version || del.Name != nil || len(sc.StaleEdits) != 0 {
		t.Errorf("delete as stored: %+v, stale %v", del, sc.StaleEdits)
	}
	url := fmt.Sprintf("/api/v1/scenarios/%d", sc.ID)
	rec, _ = ts.do(t, "GET", url+"/compare", "")
	c := scDecode[planner.Comparison](t, rec.Body.Bytes())
	if c.After.Kiosks != 0 || c.After.Sites.Failing != 1 || len(c.Stale) != 0 {
		t.Errorf("compare: %s", rec.Body)
	}
	rec, _ = ts.do(t, "GET", url+"/layers/kiosks", "")
	if info := scDecode[struct{ Scenario scenarioLayerInfo }](t, rec.Body.Bytes()).Scenario; fmt.Sprint(info.Deleted) != fmt.Sprint([]int64{kiosk.ID}) {
		t.Errorf("kiosk layer info %+v", info)
	}
	rec, _ = ts.do(t, "GET", url+"/layers/cameras", "")
	if info := scDecode[struct{ Scenario scenarioLayerInfo }](t, rec.Body.Bytes()).Scenario; fmt.Sprint(info.Changed) != fmt.Sprint([]int64{cam.ID}) {
		t.Errorf("camera layer info %+v", info)
	}

	// Someone changes the stored camera: the move no longer applies.
	moved := cam
	moved.RangeM = 35
	if _, _, err := ts.store.ApplyEdits(context.Background(), []planner.Edit{{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: cam.ID, Version: cam.Version, Camera: &moved}}); err != nil {
		t.Fatal(err)
	}
	ts.srv.SetWorkspace(ts.stored(t))
	rec, _ = ts.do(t, "GET", url+"/compare", "")
	c = scDecode[planner.Comparison](t, rec.Body.Bytes())
	if rec.Code != 200 || len(c.Stale) != 1 || c.Stale[0].Edit != 1 || c.Stale[0].Code != planner.ECONFLICT || c.Stale[0].ID != cam.ID || len(c.Changes) != 1 {
		t.Fatalf("compare after the camera changed: %d %s", rec.Code, rec.Body)
	}
	rec, _ = ts.do(t, "GET", url, "")
	if got := scDecode[scenarioJSON](t, rec.Body.Bytes()); len(got.StaleEdits) != 1 {
		t.Errorf("GET: stale %+v", got.StaleEdits)
	}
}

func TestScenarioBadEdits(t *testing.T) {
	ts := newTestServer(t, scWorkspace(t), Config{})
	p := scGridAt(100, 0)
	for _, edit := range []string{
		`{"op":"explode","kind":"camera"}`,
		`{"op":"create","kind":"road","lon":114.3,"lat":30.59}`,
		`{"op":"create","kind":"camera","lat":30.59}`,                                   // no lon
		`{"op":"create","kind":"camera","lon":114.3,"lat":30.59,"staff":2}`,             // a kiosk field
		`{"op":"create","kind":"camera","lon":114.3,"lat":30.59,"camera_kind":"laser"}`, // unknown camera kind
		`{"op":"create","kind":"camera","lon":114.3,"lat":30.59,"range_m":5000}`,        // out of range
		`{"op":"create","kind":"camera","id":4,"lon":114.3,"lat":30.59}`,                // ids are assigned
		`{"op":"update","kind":"camera","id":99,"lon":114.3,"lat":30.59}`,               // no such camera, no version
		`{"op":"delete","kind":"kiosk"}`,                                                // no id
		`{"op":"delete","kind":"camera","id":1,"version":-3}`,                           // not a version
		`{"op":"create","kind":"kiosk","lon":200,"lat":30.59}`,                          // not a lon
		`{"op":"create","kind":"unit","name":"车1","unit_kind":"tank","home_kiosk":1}`,   // unit kind
		`{"op":"create","kind":"unit","name":"车1","unit_kind":"car","home_kiosk":1,"shifts":["25:00-02:00"]}`,
		fmt.Sprintf(`{"op":"create","kind":"kiosk","lon":%.7f,"lat":%.7f,"colour":"red"}`, p.Lon, p.Lat), // unknown field
	} {
		rec, _ := ts.doAs(t, planner.RolePlanner, "POST", "/api/v1/scenarios", scBodyJSON("bad", edit))
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"code":"invalid"`) {
			t.Errorf("%s: %d %s, want 400 invalid", edit, rec.Code, rec.Body)
		}
	}
	if rec, _ := ts.doAs(t, planner.RolePlanner, "POST", "/api/v1/scenarios", scBodyJSON(" ")); rec.Code != 400 {
		t.Errorf("empty name: %d %s", rec.Code, rec.Body)
	}
	// A unit edit is accepted and shown back in the same form.
	rec, _ := ts.doAs(t, planner.RolePlanner, "POST", "/api/v1/scenarios",
		scBodyJSON("加车", `{"op":"create","kind":"unit","name":"巡逻车1","unit_kind":"car","home_kiosk":1,"shifts":["22:00-02:00"]}`))
	if rec.Code != 201 {
		t.Fatalf("unit: %d %s", rec.Code, rec.Body)
	}
	sc := scDecode[scenarioJSON](t, rec.Body.Bytes())
	if u := sc.Edits[0]; *u.UnitKind != "car" || *u.HomeKiosk != 1 || fmt.Sprint(u.Shifts) != "[22:00-02:00]" {
		t.Errorf("unit edit %+v", u)
	}
	rec, body := ts.do(t, "GET", fmt.Sprintf("/api/v1/scenarios/%d/layers/units", sc.ID), "")
	if fs := features(t, body); rec.Code != 200 || len(fs) != 1 || fs[0]["properties"].(map[string]any)["name"] != "巡逻车1" {
		t.Errorf("units layer: %d %s", rec.Code, rec.Body)
	}
	rec, _ = ts.do(t, "GET", fmt.Sprintf("/api/v1/scenarios/%d/compare", sc.ID), "")
	c := scDecode[planner.Comparison](t, rec.Body.Bytes())
	// The grid has no incidents: there is nothing to plan for, and the comparison says so.
	if rec.Code != 200 || c.Before.Patrol.Note != planner.PatrolNoUnits || c.After.Patrol.Note != planner.PatrolNoPlan ||
		c.After.Patrol.Reason == "" || c.After.Units != 1 || c.Delta.Units != 1 {
		t.Errorf("compare with a new unit: %d %s", rec.Code, rec.Body)
	}
	if rec, _ := ts.do(t, "GET", "/api/v1/scenarios/abc", ""); rec.Code != 400 {
		t.Errorf("bad id: %d", rec.Code)
	}
	if rec, _ := ts.do(t, "GET", "/api/v1/scenarios/999/compare", ""); rec.Code != 404 {
		t.Errorf("missing scenario: %d", rec.Code)
	}
}

func TestScenarioNoStore(t *testing.T) {
	srv := NewServer(scWorkspace(t), Config{})
	for _, rt := range srv.scenarioRoutes() {
		if rt.Access == Public {
			t.Errorf("%s %s is public", rt.Method, rt.Pattern)
		}
	}
}
