package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/data/postgis/pgtest"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// buildTidewatch builds this command into a temporary directory and
// returns the binary's path (the go build cache makes a second build a
// link).
func buildTidewatch(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tidewatch")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// syncBuffer is a bytes.Buffer safe for a process's output and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveProc is a `tidewatch serve` process.
type serveProc struct {
	url    string // http://127.0.0.1:PORT
	cmd    *exec.Cmd
	stderr *syncBuffer
}

// startServeProc starts `tidewatch serve --db db` on a free loopback port
// and waits for it to print its URL; the process is stopped (SIGINT, then
// SIGKILL) when the test ends.
func startServeProc(t *testing.T, bin, db string) *serveProc {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), "Tidewatch is serving "); ok {
				found <- strings.TrimSuffix(strings.Fields(rest)[0], "/")
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case p.url = <-found:
	case <-exited:
		t.Fatalf("serve exited: %s", p.stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start: %s", p.stderr)
	}
	return p
}

// apiClient sends requests with a bearer token.
type apiClient struct {
	t     *testing.T
	token string
}

// do sends a request and returns the response with its body read, and
// the body decoded as a JSON object when it is one.
func (c apiClient) do(method, url, body string, hdr ...string) (*http.Response, []byte, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp, b, m
}

// newBearer stores an admin user and a bearer session for it directly in
// the store and returns the session's secret token.
func newBearer(t *testing.T, st planner.Store, name string) string {
	t.Helper()
	ctx := context.Background()
	hash, err := planner.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, planner.User{Name: name, Role: planner.RoleAdmin, PasswordHash: hash})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	tok := hex.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(tok))
	now := time.Now()
	if err := st.CreateSession(ctx, planner.Session{ID: hex.EncodeToString(sum[:]), UserID: u.ID, Bearer: true,
		Created: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return tok
}

// streetGrid is a 7×7 street grid of 150 m blocks with a kiosk at a
// corner, a camera at every other junction and an evening's incidents:
// small enough to plan on in a second.
func streetGrid(t *testing.T) *planner.Workspace {
	t.Helper()
	o := geo.Point{Lon: 114.30, Lat: 30.59}
	pr := geo.NewProjection(o)
	at := func(i, j int) geo.Point { return pr.Inverse(geo.XY{X: float64(i) * 150, Y: float64(j) * 150}) }
	id := func(i, j int) int64 { return int64(1000 + 10*i + j) }
	var roads []planner.Road
	add := func(i, j, i2, j2 int) {
		ls := geo.LineString{at(i, j), at(i2, j2)}
		tr := planner.Travel{Forward: 15, Backward: 15}
		roads = append(roads, planner.Road{WayID: 1, From: id(i, j), To: id(i2, j2), Geometry: ls, Highway: "residential",
			LengthM: ls.Length(), Travel: [planner.NumModes]planner.Travel{tr, tr, {Forward: 108, Backward: 108}}})
	}
	var cams []planner.Camera
	for i := 0; i < 7; i++ {
		for j := 0; j < 7; j++ {
			if i < 6 {
				add(i, j, i+1, j)
			}
			if j < 6 {
				add(i, j, i, j+1)
			}
			if (i+j)%2 == 0 {
				cams = append(cams, planner.Camera{Ref: fmt.Sprintf("C%d%d", i, j), Location: at(i, j), Kind: planner.CameraDome, FOVDeg: 360, RangeM: 30, Source: "test"})
			}
		}
	}
	var incs []planner.Incident
	for k := range 40 {
		incs = append(incs, planner.Incident{Location: pr.Inverse(geo.XY{X: 300 + float64(k%5)*40, Y: 450 + float64(k%7)*20}),
			Time: time.Date(2026, 11, 1+k%20, 22+k%2, 3*k%60, 0, 0, time.UTC), Category: "theft", Weight: 1, Source: "test"})
	}
	ws, _, err := planner.Assemble(context.Background(), planner.Parts{Name: "街区", Roads: roads, Cameras: cams, Incidents: incs,
		Kiosks: []planner.Kiosk{{Name: "K1", Location: at(0, 0), Staff: 4, Source: "test"}},
	}, planner.AssembleOptions{GridSizeM: 500})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// TestTwoServersOnePostGIS runs two real `tidewatch serve` processes on one
// PostGIS database: they act as one system. An edit made through one is
// served by the other after its revision check, a stale edit through
// either is refused (412), and plans and share links made on one are
// served and revoked through the other.
func TestTwoServersOnePostGIS(t *testing.T) {
	dsn := pgtest.Start(t)
	bin := buildTidewatch(t)
	ctx := context.Background()
	st, err := openStore(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.ReplaceWorkspace(ctx, streetGrid(t)); err != nil {
		t.Fatal(err)
	}
	c := apiClient{t: t, token: newBearer(t, st, "值班长")}
	a := startServeProc(t, bin, dsn)
	b := startServeProc(t, bin, dsn)
	const camID = 5
	camURL := fmt.Sprintf("/api/v1/cameras/%d", camID)

	// Both read camera X with the same version.
	ra, _, camA := c.do("GET", a.url+camURL, "")
	rb, _, _ := c.do("GET", b.url+camURL, "")
	if ra.StatusCode != 200 || rb.StatusCode != 200 {
		t.Fatalf("GET camera: A %d, B %d (%s)", ra.StatusCode, rb.StatusCode, a.stderr)
	}
	etag := ra.Header.Get("ETag")
	if etag == "" || etag != rb.Header.Get("ETag") {
		t.Fatalf("ETags A %q, B %q: want one strong tag", etag, rb.Header.Get("ETag"))
	}
	lon := camA["lon"].(float64) + 0.0004
	move := fmt.Sprintf(`{"lon":%v,"lat":%v,"kind":"dome","range_m":30}`, lon, camA["lat"])

	// A updates it; B's update made against the old version is refused.
	resp, body, m := c.do("PUT", a.url+camURL, move, "If-Match", etag)
	if resp.StatusCode != 200 {
		t.Fatalf("A's PUT: %d %s", resp.StatusCode, body)
	}
	etag2 := resp.Header.Get("ETag")
	if etag2 == "" || etag2 == etag || m["lon"] != lon {
		t.Fatalf("A's PUT: ETag %q after %q, body %v", etag2, etag, m)
	}
	resp, body, m = c.do("PUT", b.url+camURL, fmt.Sprintf(`{"lon":%v,"lat":%v}`, lon+0.001, camA["lat"]), "If-Match", etag)
	if resp.StatusCode != http.StatusPreconditionFailed || resp.Header.Get("ETag") != etag2 ||
		m["kind"] != "camera" || m["id"] != float64(camID) || fmt.Sprintf("%q", strconv.FormatFloat(m["version"].(float64), 'f', -1, 64)) != etag2 {
		t.Fatalf("B's stale PUT: %d %s, want 412 naming the current version %s", resp.StatusCode, body, etag2)
	}

	// B serves the new position once its revision check ran (every 500 ms).
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, _, m = c.do("GET", b.url+camURL, "")
		if resp.Header.Get("ETag") == etag2 && m["lon"] == lon {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B still serves %v (ETag %s), want lon %v at %s", m, resp.Header.Get("ETag"), lon, etag2)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, layer, _ := c.do("GET", b.url+"/api/v1/layers/cameras", "")
	if !bytes.Contains(layer, []byte(fmt.Sprintf(`"version":%s`, strings.Trim(etag2, `"`)))) {
		t.Errorf("B's cameras layer lacks the new version %s", etag2)
	}

	// A plan made on A is readable on B, and its share link works on B.
	resp, body, m = c.do("POST", a.url+"/api/v1/plans", `{"window":"22:00-01:00","seed":3,"units":[{"name":"义警","kind":"volunteer","kiosk":1,"count":2}]}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST plan on A: %d %s", resp.StatusCode, body)
	}
	planID := m["id"].(string)
	links := m["links"].([]any)
	if len(links) != 2 {
		t.Fatalf("links %v", links)
	}
	share := links[0].(map[string]any)["url"].(string)
	_, planA, _ := c.do("GET", a.url+"/api/v1/plans/"+planID, "")
	resp, planB, _ := c.do("GET", b.url+"/api/v1/plans/"+planID, "")
	if resp.StatusCode != 200 || !bytes.Equal(planA, planB) {
		t.Fatalf("plan on B: %d, same as A's %v", resp.StatusCode, bytes.Equal(planA, planB))
	}
	anon := apiClient{t: t}
	for _, srv := range []*serveProc{b, a} {
		resp, page, _ := anon.do("GET", srv.url+share, "")
		if resp.StatusCode != 200 || !strings.Contains(string(page), links[0].(map[string]any)["unit"].(string)) {
			t.Fatalf("share link on %s: %d", srv.url, resp.StatusCode)
		}
	}
	// Revoking on B makes it 404 on A at once.
	if resp, body, _ := c.do("DELETE", b.url+"/api/v1/share/"+strings.TrimPrefix(share, "/r/"), ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("revoke on B: %d %s", resp.StatusCode, body)
	}
	for _, u := range []string{share, share + ".gpx"} {
		if resp, _, _ := anon.do("GET", a.url+u, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("A serves %s after B revoked it: %d", u, resp.StatusCode)
		}
	}
	other := links[1].(map[string]any)["url"].(string)
	if resp, _, _ := anon.do("GET", a.url+other, ""); resp.StatusCode != 200 {
		t.Errorf("the plan's other link on A: %d", resp.StatusCode)
	}

	// Both servers are still healthy and agree on the revision's data.
	_, la, _ := c.do("GET", a.url+"/api/v1/layers/cameras", "")
	time.Sleep(600 * time.Millisecond)
	_, lb, _ := c.do("GET", b.url+"/api/v1/layers/cameras", "")
	if !bytes.Equal(la, lb) {
		t.Error("A and B serve different camera layers")
	}
	// The stored audit names the user for the edit.
	log, err := st.Audit(ctx, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range log {
		if e.Kind == "camera" && e.RecordID == camID && e.Actor == "值班长" {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry by 值班长 for camera %d: %+v", camID, log)
	}
	for _, p := range []*serveProc{a, b} {
		_ = p.cmd.Process.Signal(syscall.SIGINT)
	}
}
