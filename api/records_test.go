package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/planner"
)

// doOn sends a request to handler h as the user of role of ts (bearer
// token) with extra header name/value pairs, and decodes a JSON object.
func doOn(t testing.TB, ts *testSrv, h http.Handler, role planner.Role, method, url, body string, hdr ...string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, url, rd)
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+ts.tokens[role])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec, out
}

// tagOf parses a strong ETag `"17"`.
func tagOf(t testing.TB, rec *httptest.ResponseRecorder) int64 {
	t.Helper()
	e := rec.Header().Get("ETag")
	if len(e) < 3 || e[0] != '"' || e[len(e)-1] != '"' {
		t.Fatalf("ETag %q: want a strong tag such as \"17\" (status %d, body %s)", e, rec.Code, rec.Body)
	}
	v, err := strconv.ParseInt(e[1:len(e)-1], 10, 64)
	if err != nil || v <= 0 {
		t.Fatalf("ETag %q is not a version", e)
	}
	return v
}

func ifMatch(v int64) string { return fmt.Sprintf("%q", strconv.FormatInt(v, 10)) }

// layerVersions reads the version property of every feature of a layer.
func layerVersions(t *testing.T, ts *testSrv, h http.Handler, layer string) map[int64]int64 {
	t.Helper()
	rec, body := doOn(t, ts, h, planner.RoleViewer, "GET", "/api/v1/layers/"+layer, "")
	if rec.Code != 200 {
		t.Fatalf("layer %s: %d %s", layer, rec.Code, rec.Body)
	}
	out := map[int64]int64{}
	for _, f := range features(t, body) {
		p := f["properties"].(map[string]any)
		v, ok := p["version"].(float64)
		if !ok {
			t.Fatalf("%s feature without a version property: %v", layer, p)
		}
		out[int64(p["id"].(float64))] = int64(v)
	}
	return out
}

func TestCameraEditsNeedTheCurrentVersion(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	h := ts.h
	pl := planner.RolePlanner
	vers := layerVersions(t, ts, h, "cameras")
	v1 := vers[1]
	if v1 <= 0 || len(vers) != 2 {
		t.Fatalf("camera versions %v", vers)
	}
	rec, body := doOn(t, ts, h, planner.RoleViewer, "GET", "/api/v1/cameras/1", "")
	if rec.Code != 200 || tagOf(t, rec) != v1 || body["version"] != float64(v1) || body["ref"] != "C1" {
		t.Fatalf("GET camera 1: %d %v ETag %s", rec.Code, body, rec.Header().Get("ETag"))
	}
	if rec, _ := doOn(t, ts, h, planner.RoleViewer, "GET", "/api/v1/cameras/1", "", "If-None-Match", ifMatch(v1)); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match of the current version: %d, want 304", rec.Code)
	}
	// Coverage exists before the edits: they must update it, not rebuild it.
	if rec, _ := doOn(t, ts, h, pl, "GET", "/api/v1/coverage", ""); rec.Code != 200 {
		t.Fatalf("coverage: %d", rec.Code)
	}
	held := ts.srv.cov.cov
	move := `{"lon":114.3001,"lat":30.59,"kind":"fixed","direction_deg":90,"range_m":40}`

	// No version: 428; a weak or wildcard tag: 400; a stale one: 412.
	rec, body = doOn(t, ts, h, pl, "PUT", "/api/v1/cameras/1", move)
	if rec.Code != http.StatusPreconditionRequired || !strings.Contains(body["error"].(string), "If-Match") {
		t.Fatalf("PUT without If-Match: %d %v, want 428", rec.Code, body)
	}
	for _, bad := range []string{"*", `W/"` + strconv.FormatInt(v1, 10) + `"`, `"x"`, ifMatch(v1) + ", " + ifMatch(v1+1)} {
		if rec, _ := doOn(t, ts, h, pl, "PUT", "/api/v1/cameras/1", move, "If-Match", bad); rec.Code != http.StatusBadRequest {
			t.Errorf("If-Match %s: %d, want 400", bad, rec.Code)
		}
	}
	rec, body = doOn(t, ts, h, pl, "PUT", "/api/v1/cameras/1", move, "If-Match", ifMatch(v1+1000))
	if rec.Code != http.StatusPreconditionFailed || body["kind"] != "camera" || body["id"] != 1.0 || body["version"] != float64(v1) ||
		body["code"] != planner.ECONFLICT || tagOf(t, rec) != v1 {
		t.Fatalf("PUT with a stale If-Match: %d %v, want 412 naming camera 1 at version %d", rec.Code, body, v1)
	}

	// The right version: 200 with the new version as ETag.
	rec, body = doOn(t, ts, h, pl, "PUT", "/api/v1/cameras/1", move, "If-Match", ifMatch(v1))
	if rec.Code != 200 {
		t.Fatalf("PUT with If-Match: %d %s", rec.Code, rec.Body)
	}
	v2 := tagOf(t, rec)
	if v2 <= v1 || body["version"] != float64(v2) || body["lon"] != 114.3001 || body["ref"] != "C1" || body["total"] == nil {
		t.Fatalf("PUT answer %v (ETag %d after %d)", body, v2, v1)
	}
	if ts.srv.cov.cov != held {
		t.Error("the camera edit rebuilt the coverage instead of updating it")
	}
	if got := layerVersions(t, ts, h, "cameras"); got[1] != v2 || got[2] != vers[2] {
		t.Errorf("versions after the edit %v, want camera 1 at %d and camera 2 unchanged at %d", got, v2, vers[2])
	}
	// The editor who saw v1 is refused now, with the version to reload.
	rec, body = doOn(t, ts, h, pl, "PUT", "/api/v1/cameras/1", `{"lon":114.3002,"lat":30.59}`, "If-Match", ifMatch(v1))
	if rec.Code != http.StatusPreconditionFailed || body["version"] != float64(v2) {
		t.Fatalf("second PUT with the old version: %d %v, want 412 naming version %d", rec.Code, body, v2)
	}
	// A stale body version is 409; a current one works.
	if rec, _ := doOn(t, ts, h, pl, "PUT", "/api/v1/cameras/1", fmt.Sprintf(`{"lon":114.3002,"lat":30.59,"version":%d}`, v1)); rec.Code != http.StatusConflict {
		t.Errorf("stale body version: %d, want 409", rec.Code)
	}
	rec, _ = doOn(t, ts, h, pl, "PUT", "/api/v1/cameras/1", fmt.Sprintf(`{"lon":114.3002,"lat":30.59,"kind":"fixed","direction_deg":90,"range_m":40,"version":%d}`, v2))
	if rec.Code != 200 {
		t.Fatalf("PUT with the body version: %d %s", rec.Code, rec.Body)
	}
	v3 := tagOf(t, rec)
	if rec, _ := doOn(t, ts, h, pl, "PUT", "/api/v1/cameras/1", move, "If-Match", ifMatch(v3), "Content-Type", "application/json"); rec.Code != 200 {
		t.Fatalf("PUT back: %d", rec.Code)
	}
	v4 := tagOf(t, rec)
	_ = v4

	// POST: 201 with ETag and Location.
	rec, body = doOn(t, ts, h, pl, "POST", "/api/v1/cameras", `{"lon":114.302,"lat":30.5901,"kind":"dome","range_m":30}`)
	if rec.Code != http.StatusCreated || body["id"] != 3.0 || body["name"] != "新摄像头 3" || body["source"] != planner.SourceProposal {
		t.Fatalf("POST camera: %d %v", rec.Code, body)
	}
	v5 := tagOf(t, rec)
	if rec.Header().Get("Location") != "/api/v1/cameras/3" || body["version"] != float64(v5) {
		t.Errorf("POST camera: Location %q version %v ETag %d", rec.Header().Get("Location"), body["version"], v5)
	}
	// DELETE: 428 without, 412 stale, 200 current; then 404.
	if rec, _ := doOn(t, ts, h, pl, "DELETE", "/api/v1/cameras/3", ""); rec.Code != http.StatusPreconditionRequired {
		t.Errorf("DELETE without If-Match: %d, want 428", rec.Code)
	}
	if rec, body := doOn(t, ts, h, pl, "DELETE", "/api/v1/cameras/3", "", "If-Match", ifMatch(v1)); rec.Code != http.StatusPreconditionFailed || body["version"] != float64(v5) {
		t.Errorf("DELETE with a stale If-Match: %d %v", rec.Code, body)
	}
	rec, body = doOn(t, ts, h, pl, "DELETE", "/api/v1/cameras/3", "", "If-Match", ifMatch(v5))
	if rec.Code != 200 || body["deleted"] != true || body["total"] == nil {
		t.Fatalf("DELETE: %d %v", rec.Code, body)
	}
	if rec, _ := doOn(t, ts, h, pl, "DELETE", "/api/v1/cameras/3", "", "If-Match", ifMatch(v5)); rec.Code != http.StatusNotFound {
		t.Errorf("DELETE again: %d, want 404", rec.Code)
	}
	if rec, _ := doOn(t, ts, h, pl, "PUT", "/api/v1/cameras/99", move, "If-Match", `"1"`); rec.Code != http.StatusNotFound {
		t.Errorf("PUT of a missing camera: %d, want 404", rec.Code)
	}
	if ts.srv.cov.cov != held {
		t.Error("the camera edits rebuilt the coverage")
	}
	// The incrementally updated coverage equals one computed afresh.
	_, inc := doOn(t, ts, h, pl, "GET", "/api/v1/coverage", "")
	fresh, err := planner.NewCoverage(context.Background(), ts.srv.idx.Load().WS)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := inc["total"].(map[string]any)["covered_area_m2"].(float64), fresh.Report().Total.CoveredAreaM2; abs(got-want) > 1e-6*want {
		t.Errorf("incremental covered area %v, afresh %v", got, want)
	}

	// The served workspace is the store's.
	stored, err := ts.store.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	served := ts.srv.idx.Load().WS
	if stored.Revision != served.Revision || len(stored.Cameras) != len(served.Cameras) || stored.Cameras[0].Location != served.Cameras[0].Location ||
		stored.Cameras[0].Version != served.Cameras[0].Version {
		t.Errorf("served revision %d cameras %+v; stored revision %d cameras %+v", served.Revision, served.Cameras, stored.Revision, stored.Cameras)
	}

	// Every successful edit left one audit entry naming the record.
	log, err := ts.store.Audit(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action string
		id     int64
	}{{"delete camera", 3}, {"create camera", 3}, {"update camera", 1}, {"update camera", 1}, {"update camera", 1}}
	var got []string
	for _, e := range log {
		if e.Kind == string(planner.KindCamera) {
			got = append(got, fmt.Sprintf("%s %d by %s", e.Action, e.RecordID, e.Actor))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("camera audit entries %q, want %d", got, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], fmt.Sprintf("%s %d by ", w.action, w.id)) {
			t.Errorf("audit entry %d = %q, want %s %d", i, got[i], w.action, w.id)
		}
		if !strings.HasSuffix(got[i], " by planner") {
			t.Errorf("audit entry %d = %q: want the signed-in planner as actor", i, got[i])
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestKioskCRUD(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	h := ts.h
	pl := planner.RolePlanner
	rec, body := doOn(t, ts, h, pl, "POST", "/api/v1/kiosks", `{"lon":114.301,"lat":30.59,"staff":2}`)
	if rec.Code != http.StatusCreated || body["id"] != 2.0 || body["name"] != "新警务站 2" || body["source"] != planner.SourceProposal || body["staff"] != 2.0 {
		t.Fatalf("POST kiosk: %d %v", rec.Code, body)
	}
	v := tagOf(t, rec)
	if body["version"] != float64(v) || rec.Header().Get("Location") != "/api/v1/kiosks/2" {
		t.Errorf("POST kiosk: version %v ETag %d Location %q", body["version"], v, rec.Header().Get("Location"))
	}
	if got := layerVersions(t, ts, h, "kiosks"); got[2] != v || got[1] <= 0 {
		t.Errorf("kiosk layer versions %v", got)
	}
	rec, body = doOn(t, ts, h, planner.RoleViewer, "GET", "/api/v1/kiosks/2", "")
	if rec.Code != 200 || tagOf(t, rec) != v || body["lon"] != 114.301 {
		t.Fatalf("GET kiosk: %d %v", rec.Code, body)
	}
	put := `{"name":"东门警务站","lon":114.3012,"lat":30.5901,"staff":3,"vehicles":1}`
	if rec, _ := doOn(t, ts, h, pl, "PUT", "/api/v1/kiosks/2", put); rec.Code != http.StatusPreconditionRequired {
		t.Errorf("PUT kiosk without If-Match: %d", rec.Code)
	}
	if rec, body := doOn(t, ts, h, pl, "PUT", "/api/v1/kiosks/2", put, "If-Match", ifMatch(v-1)); rec.Code != http.StatusPreconditionFailed || body["kind"] != "kiosk" || body["version"] != float64(v) {
		t.Errorf("PUT kiosk with a stale If-Match: %d %v", rec.Code, body)
	}
	rec, body = doOn(t, ts, h, pl, "PUT", "/api/v1/kiosks/2", put, "If-Match", ifMatch(v))
	if rec.Code != 200 || body["name"] != "东门警务站" || body["vehicles"] != 1.0 || body["source"] != planner.SourceProposal {
		t.Fatalf("PUT kiosk: %d %v", rec.Code, body)
	}
	v2 := tagOf(t, rec)
	if v2 <= v {
		t.Errorf("PUT kiosk: version %d after %d", v2, v)
	}
	if rec, _ := doOn(t, ts, h, pl, "PUT", "/api/v1/kiosks/2", `{"lon":500,"lat":30}`, "If-Match", ifMatch(v2)); rec.Code != http.StatusBadRequest {
		t.Errorf("PUT kiosk off the earth: %d", rec.Code)
	}
	if rec, _ := doOn(t, ts, h, pl, "DELETE", "/api/v1/kiosks/2", "", "If-Match", ifMatch(v)); rec.Code != http.StatusPreconditionFailed {
		t.Errorf("DELETE kiosk with a stale If-Match: %d", rec.Code)
	}
	if rec, body := doOn(t, ts, h, pl, "DELETE", "/api/v1/kiosks/2", fmt.Sprintf(`{"version":%d}`, v2)); rec.Code != 200 || body["deleted"] != true {
		t.Fatalf("DELETE kiosk with the body version: %d %v", rec.Code, body)
	}
	if rec, _ := doOn(t, ts, h, planner.RoleViewer, "GET", "/api/v1/kiosks/2", ""); rec.Code != http.StatusNotFound {
		t.Errorf("GET deleted kiosk: %d", rec.Code)
	}
	if got := layerVersions(t, ts, h, "kiosks"); len(got) != 1 {
		t.Errorf("kiosks after delete %v", got)
	}
	log, _ := ts.store.Audit(context.Background(), 0, 100)
	var acts []string
	for _, e := range log {
		if e.Kind == string(planner.KindKiosk) {
			acts = append(acts, e.Action)
		}
	}
	if strings.Join(acts, ",") != "delete kiosk,update kiosk,create kiosk" {
		t.Errorf("kiosk audit actions %q", acts)
	}
}

func TestUnitCRUD(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	h := ts.h
	cm := planner.RoleCommander
	rec, body := doOn(t, ts, h, planner.RoleViewer, "GET", "/api/v1/units", "")
	if rec.Code != 200 || len(body["units"].([]any)) != 0 {
		t.Fatalf("GET units: %d %v", rec.Code, body)
	}
	rec, body = doOn(t, ts, h, cm, "POST", "/api/v1/units", `{"name":"巡逻车1","kind":"car","kiosk":"江汉路警务站","shifts":["22:00-02:00"]}`)
	if rec.Code != http.StatusCreated || body["id"] != 1.0 || body["kiosk_id"] != 1.0 || body["kind"] != "car" {
		t.Fatalf("POST unit: %d %v", rec.Code, body)
	}
	v := tagOf(t, rec)
	if sh := body["shifts"].([]any); len(sh) != 1 || sh[0] != "22:00-02:00" || body["version"] != float64(v) {
		t.Errorf("POST unit: %v", body)
	}
	for _, bad := range []string{
		`{"name":"x","kind":"tank","kiosk":1}`,
		`{"name":"x","kind":"car","kiosk":9}`,
		`{"name":"","kind":"car","kiosk":1}`,
		`{"name":"x","kind":"car","kiosk":1,"shifts":["25:00-02:00"]}`,
		`{"name":"x","kind":"car"}`,
	} {
		if rec, _ := doOn(t, ts, h, cm, "POST", "/api/v1/units", bad); rec.Code != http.StatusBadRequest {
			t.Errorf("POST unit %s: %d, want 400", bad, rec.Code)
		}
	}
	// A GET's body can be sent back as the PUT, carrying its version.
	rec, got := doOn(t, ts, h, planner.RoleViewer, "GET", "/api/v1/units/1", "")
	if rec.Code != 200 || tagOf(t, rec) != v {
		t.Fatalf("GET unit: %d %v", rec.Code, got)
	}
	got["name"] = "巡逻车甲"
	got["shifts"] = []string{"20:00-23:00", "23:30-02:00"}
	b, _ := json.Marshal(got)
	rec, body = doOn(t, ts, h, cm, "PUT", "/api/v1/units/1", string(b))
	if rec.Code != 200 || body["name"] != "巡逻车甲" || len(body["shifts"].([]any)) != 2 {
		t.Fatalf("PUT unit with the GET body: %d %v", rec.Code, body)
	}
	v2 := tagOf(t, rec)
	if rec, _ := doOn(t, ts, h, cm, "PUT", "/api/v1/units/1", string(b)); rec.Code != http.StatusConflict {
		t.Errorf("the same body again (stale version): %d, want 409", rec.Code)
	}
	if rec, _ := doOn(t, ts, h, cm, "PUT", "/api/v1/units/1", `{"name":"y","kind":"foot","kiosk":1}`); rec.Code != http.StatusPreconditionRequired {
		t.Errorf("PUT unit without a version: %d, want 428", rec.Code)
	}
	rec, body = doOn(t, ts, h, cm, "PUT", "/api/v1/units/1", `{"name":"y","kind":"foot","kiosk":1}`, "If-Match", ifMatch(v))
	if rec.Code != http.StatusPreconditionFailed || body["version"] != float64(v2) || body["kind"] != "unit" {
		t.Errorf("PUT unit with a stale If-Match: %d %v", rec.Code, body)
	}
	rec, body = doOn(t, ts, h, planner.RoleViewer, "GET", "/api/v1/units", "")
	if us := body["units"].([]any); rec.Code != 200 || len(us) != 1 || us[0].(map[string]any)["version"] != float64(v2) {
		t.Errorf("GET units: %v", body)
	}
	if rec, _ := doOn(t, ts, h, cm, "DELETE", "/api/v1/units/1", "", "If-Match", ifMatch(v2)); rec.Code != 200 {
		t.Fatalf("DELETE unit: %d", rec.Code)
	}
	if rec, _ := doOn(t, ts, h, planner.RoleViewer, "GET", "/api/v1/units/1", ""); rec.Code != 404 {
		t.Errorf("GET deleted unit: %d", rec.Code)
	}
	log, _ := ts.store.Audit(context.Background(), 0, 100)
	var acts []string
	for _, e := range log {
		if e.Kind == string(planner.KindUnit) {
			acts = append(acts, fmt.Sprintf("%s by %s", e.Action, e.Actor))
		}
	}
	if strings.Join(acts, ",") != "delete unit by commander,update unit by commander,create unit by commander" {
		t.Errorf("unit audit %q", acts)
	}
}

// TestTwoServersOneStore runs two servers on one store: each sees the
// other's edits after its revision check, and a stale edit made through
// either is refused.
func TestTwoServersOneStore(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{RevisionCheck: 20 * time.Millisecond})
	a := ts.h
	loaded, err := ts.store.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srvB := NewServer(loaded, Config{Store: ts.store, RevisionCheck: 20 * time.Millisecond})
	b := srvB.Handler()
	pl := planner.RolePlanner

	recA, _ := doOn(t, ts, a, pl, "GET", "/api/v1/cameras/1", "")
	recB, _ := doOn(t, ts, b, pl, "GET", "/api/v1/cameras/1", "")
	if recA.Header().Get("ETag") != recB.Header().Get("ETag") {
		t.Fatalf("ETags differ: %s %s", recA.Header().Get("ETag"), recB.Header().Get("ETag"))
	}
	v := tagOf(t, recA)
	// B has computed its coverage: A's camera edit must update it in place.
	if rec, _ := doOn(t, ts, b, pl, "GET", "/api/v1/coverage", ""); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	heldB := srvB.cov.cov
	rec, _ := doOn(t, ts, a, pl, "PUT", "/api/v1/cameras/1", `{"lon":114.3003,"lat":30.59,"kind":"fixed","direction_deg":90}`, "If-Match", ifMatch(v))
	if rec.Code != 200 {
		t.Fatalf("A's PUT: %d %s", rec.Code, rec.Body)
	}
	v2 := tagOf(t, rec)
	// B has not checked yet (or has): either way a stale edit through B is refused.
	rec, body := doOn(t, ts, b, pl, "PUT", "/api/v1/cameras/1", `{"lon":114.3009,"lat":30.59}`, "If-Match", ifMatch(v))
	if rec.Code != http.StatusPreconditionFailed || body["version"] != float64(v2) {
		t.Fatalf("B's stale PUT: %d %v, want 412 naming version %d", rec.Code, body, v2)
	}
	time.Sleep(30 * time.Millisecond)
	rec, body = doOn(t, ts, b, pl, "GET", "/api/v1/cameras/1", "")
	if tagOf(t, rec) != v2 || body["lon"] != 114.3003 {
		t.Fatalf("B after the revision check: %v ETag %s", body, rec.Header().Get("ETag"))
	}
	if srvB.cov.cov != heldB {
		t.Error("B rebuilt its coverage for one camera changed by A")
	}
	_, covB := doOn(t, ts, b, pl, "GET", "/api/v1/coverage", "")
	_, covA := doOn(t, ts, a, pl, "GET", "/api/v1/coverage", "")
	if fmt.Sprint(covA["total"]) != fmt.Sprint(covB["total"]) {
		t.Errorf("coverage totals differ: A %v, B %v", covA["total"], covB["total"])
	}
	// B's own edit: served at once, without waiting for a check.
	rec, _ = doOn(t, ts, b, pl, "POST", "/api/v1/kiosks", `{"lon":114.301,"lat":30.59}`)
	if rec.Code != 201 {
		t.Fatalf("B's POST kiosk: %d", rec.Code)
	}
	if rb := srvB.idx.Load().WS.Revision; rb != tagOf(t, rec) || len(srvB.idx.Load().WS.Kiosks) != 2 {
		t.Errorf("B serves revision %d after its edit at %d", rb, tagOf(t, rec))
	}
	time.Sleep(30 * time.Millisecond)
	if got := layerVersions(t, ts, a, "kiosks"); len(got) != 2 {
		t.Errorf("A's kiosks after B's POST: %v", got)
	}
	if ra, rb := ts.srv.idx.Load().WS.Revision, srvB.idx.Load().WS.Revision; ra != rb {
		t.Errorf("revisions A %d, B %d", ra, rb)
	}
}

// TestConcurrentEditorsOnTwoServers: editors on two servers race to move
// one camera from the version they all read; exactly one wins, the others
// get 412, and both servers end up serving the winner's position.
func TestConcurrentEditorsOnTwoServers(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{RevisionCheck: 5 * time.Millisecond})
	loaded, err := ts.store.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srvB := NewServer(loaded, Config{Store: ts.store, RevisionCheck: 5 * time.Millisecond})
	hs := []http.Handler{ts.h, srvB.Handler()}
	rec, _ := doOn(t, ts, ts.h, planner.RolePlanner, "GET", "/api/v1/cameras/2", "")
	v := tagOf(t, rec)
	const editors = 8
	codes := make(chan int, editors)
	var wg sync.WaitGroup
	for i := range editors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"lon":%v,"lat":30.59,"kind":"dome","range_m":30}`, 114.3105+float64(i+1)*1e-5)
			rec, _ := doOn(t, ts, hs[i%2], planner.RolePlanner, "PUT", "/api/v1/cameras/2", body, "If-Match", ifMatch(v))
			codes <- rec.Code
		}()
	}
	wg.Wait()
	close(codes)
	wins, refused := 0, 0
	for c := range codes {
		switch c {
		case 200:
			wins++
		case http.StatusPreconditionFailed:
			refused++
		default:
			t.Errorf("status %d", c)
		}
	}
	if wins != 1 || refused != editors-1 {
		t.Fatalf("%d won, %d refused; want 1 and %d", wins, refused, editors-1)
	}
	stored, err := ts.store.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := *findCamera(stored, 2)
	time.Sleep(20 * time.Millisecond)
	for i, h := range hs {
		rec, body := doOn(t, ts, h, planner.RoleViewer, "GET", "/api/v1/cameras/2", "")
		if tagOf(t, rec) != want.Version || body["lon"] != want.Location.Lon {
			t.Errorf("server %d serves %v (ETag %s), store has lon %v version %d", i, body, rec.Header().Get("ETag"), want.Location.Lon, want.Version)
		}
	}
}
