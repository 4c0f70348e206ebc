package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
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

	"github.com/tidewatch/tidewatch/api"
	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/planner"
)

// sharedData returns the shared/data folder (see data/sharedtest).
func sharedData(t *testing.T) string {
	return filepath.Dir(filepath.Dir(sharedtest.Path(t, "osm/baltimore_downtown.osm.pbf")))
}

// loadCounts reads the workspace stored at db and returns its counts.
func loadCounts(t *testing.T, db string) planner.Counts {
	t.Helper()
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ws, err := st.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatalf("%s: store unreadable: %v", db, err)
	}
	return ws.Counts()
}

// run runs one tidewatch command in-process and returns stdout, stderr.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	err := m.Run(context.Background(), args)
	return out.String(), errb.String(), err
}

func importJSON(t *testing.T, args ...string) planner.Counts {
	t.Helper()
	out, stderr, err := run(t, append([]string{"import", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("import %v: %v\nstderr: %s", args, err, stderr)
	}
	var c planner.Counts
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	return c
}

// csvRows counts data rows (records after the header) of a CSV file.
func csvRows(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	n := -1
	for {
		if _, err := r.Read(); err == io.EOF {
			return n
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
}

func TestImportBaltimoreCountsMatchFiles(t *testing.T) {
	data := sharedData(t)
	osmPath := filepath.Join(data, "osm", "baltimore_downtown.osm.pbf")
	cams2014 := filepath.Join(data, "incidents", "baltimore_cctv_locations_2014.csv")
	citiwatch := filepath.Join(data, "incidents", "baltimore_bpd_citiwatch_cameras.csv")
	incidents := filepath.Join(data, "incidents", "baltimore_incidents_merged.csv")
	db := filepath.Join(t.TempDir(), "baltimore.db")

	c := importJSON(t, "--db", db, "--osm", osmPath, "--cameras", cams2014, "--cameras", citiwatch, "--incidents", incidents)
	wantCams := csvRows(t, cams2014) + csvRows(t, citiwatch)
	if wantCams != 614+592 {
		t.Fatalf("camera files hold %d rows, README says 1206", wantCams)
	}
	if c.Cameras != wantCams || c.Incidents != csvRows(t, incidents) || c.Incidents != 11542 {
		t.Errorf("cameras %d incidents %d, want %d and 11542", c.Cameras, c.Incidents, wantCams)
	}
	if c.Kiosks != 5 { // the extract's amenity=police features, used since no --kiosks is given
		t.Errorf("kiosks = %d, want the 5 OSM police", c.Kiosks)
	}
	if c.RoadEdges < 1000 || c.RoadNodes < 1000 || c.RoadKm < 100 || c.Grids == 0 || c.Sites == 0 {
		t.Errorf("implausible network/grids/sites: %+v", c)
	}
	t.Logf("baltimore: %+v", c)

	// What was stored reads back with the same counts.
	if got := loadCounts(t, db); got != c {
		t.Errorf("stored counts %+v, printed %+v", got, c)
	}

	// Clipped to the extract's box, the files' README gives the counts: 145 + 139 cameras, 1,821 incidents.
	clipped := importJSON(t, "--db", filepath.Join(t.TempDir(), "clip.db"), "--osm", osmPath,
		"--bbox", "-76.6081,39.2586,-76.5288,39.3065", "--cameras", cams2014+","+citiwatch, "--incidents", incidents)
	if clipped.Cameras != 145+139 || clipped.Incidents != 1821 {
		t.Errorf("clipped: cameras %d incidents %d, want 284 and 1821", clipped.Cameras, clipped.Incidents)
	}
}

func TestBadInputLeavesStoreUnchanged(t *testing.T) {
	data := sharedData(t)
	osmPath := filepath.Join(data, "osm", "baltimore_downtown.osm.pbf")
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	before := importJSON(t, "--db", db, "--osm", osmPath)

	bad := map[string]string{
		"cams.csv":          "name,lat,lon\nok,39.29,-76.61\nbroken,139.29,-76.61\n",
		"kiosks.geojson":    `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-76.6,39.3]},"properties":{"name":"A"}},{"type":"Feature","geometry":{"type":"LineString","coordinates":[[-76.6,39.3],[-76.5,39.3]]},"properties":{}}]}`,
		"grids.geojson":     `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[-76.6,39.3],[-76.5,39.3],[-76.6,39.2],[-76.5,39.2],[-76.6,39.3]]]},"properties":{}}]}`,
		"empty.csv":         "",
		"incidents.csv":     "date,time,lat,lon\n2019-01-01,22:00,39.29,-76.61\n2019-13-45,22:00,39.29,-76.61\n",
		"truncated.osm.pbf": "",
	}
	flagOf := map[string]string{"cams.csv": "--cameras", "kiosks.geojson": "--kiosks", "grids.geojson": "--grids", "empty.csv": "--incidents", "incidents.csv": "--incidents"}
	want := map[string]string{
		"cams.csv":          "cams.csv:3",
		"kiosks.geojson":    "feature 2",
		"grids.geojson":     "feature 1",
		"empty.csv":         "empty.csv",
		"incidents.csv":     "incidents.csv:3",
		"truncated.osm.pbf": "truncated.osm.pbf",
	}
	pbf, err := os.ReadFile(osmPath)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range bad {
		p := filepath.Join(dir, name)
		if name == "truncated.osm.pbf" {
			body = string(pbf[:len(pbf)/2])
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"import", "--db", db, "--osm", osmPath, flagOf[name], p}
		if name == "truncated.osm.pbf" {
			args = []string{"import", "--db", db, "--osm", p}
		}
		_, _, err := run(t, args...)
		if err == nil {
			t.Errorf("%s: import succeeded, want an error", name)
			continue
		}
		if !strings.Contains(err.Error(), want[name]) {
			t.Errorf("%s: error %q does not name %q", name, err, want[name])
		}
		if exitCode(err) == 0 {
			t.Errorf("%s: exit code 0", name)
		}
		if got := loadCounts(t, db); got != before {
			t.Errorf("%s: store changed by a failed import: %+v, was %+v", name, got, before)
		}
	}
}

func TestExportRoadsMatchesStore(t *testing.T) {
	data := sharedData(t)
	db := filepath.Join(t.TempDir(), "ws.db")
	c := importJSON(t, "--db", db, "--osm", filepath.Join(data, "osm", "baltimore_downtown.osm.pbf"))
	for _, mode := range []string{"car", "ebike", "foot"} {
		out, stderr, err := run(t, "export", "roads", "--db", db, "--mode", mode, "--format", "csv")
		if err != nil {
			t.Fatalf("%s: %v %s", mode, err, stderr)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "from_osm_node,to_osm_node,length_m,forward_s,backward_s" {
			t.Fatalf("header %v", rows[0])
		}
		oneWay := 0
		for i, r := range rows[1:] {
			for _, k := range []int{0, 1} {
				if _, err := strconv.ParseInt(r[k], 10, 64); err != nil {
					t.Fatalf("%s row %d: node id %q", mode, i+2, r[k])
				}
			}
			if l, err := strconv.ParseFloat(r[2], 64); err != nil || l <= 0 {
				t.Fatalf("%s row %d: length %q", mode, i+2, r[2])
			}
			if r[3] == "" && r[4] == "" {
				t.Fatalf("%s row %d: no direction allowed but exported", mode, i+2)
			}
			if r[3] == "" || r[4] == "" {
				oneWay++
			}
		}
		if mode == "car" {
			if len(rows)-1 != c.RoadEdges {
				t.Errorf("car rows %d, import said %d road edges", len(rows)-1, c.RoadEdges)
			}
			if oneWay == 0 {
				t.Error("no one-way car edge in downtown Baltimore")
			}
		}
		if mode == "foot" && len(rows)-1 <= c.RoadEdges {
			t.Errorf("foot network (%d) should exceed the car network (%d)", len(rows)-1, c.RoadEdges)
		}
	}
}

// startServe runs "serve --db db" on a free loopback port in-process; it
// returns the address, the command's stdout, its result channel and the
// cancel that shuts it down.
func startServe(t *testing.T, db string) (addr string, out *bytes.Buffer, done chan error, cancel context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ready := make(chan string, 1)
	out, errb := &bytes.Buffer{}, &bytes.Buffer{}
	m := &Main{Stdout: out, Stderr: errb, Ready: func(a string) { ready <- a }}
	token := adminToken(t, db)
	done = make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}) }()
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve exited: %v %s", err, errb.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	serveTokens.Store(addr, token)
	return addr, out, done, cancel
}

// serveTokens maps the address of a server startServe started to a bearer
// token of an admin of its store.
var serveTokens sync.Map

// adminToken returns a bearer token (an hour) for user "test-admin" of the
// store at db, made an admin first if need be.
func adminToken(t *testing.T, db string) string {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.UserByName(ctx, "test-admin")
	if planner.ErrorCode(err) == planner.ENOTFOUND {
		hash, herr := planner.HashPassword("test-admin password")
		if herr != nil {
			t.Fatal(herr)
		}
		u, err = st.CreateUser(ctx, planner.User{Name: "test-admin", Role: planner.RoleAdmin, PasswordHash: hash})
	}
	if err != nil {
		t.Fatalf("test admin: %v", err)
	}
	tok, _, err := api.NewBearerToken(ctx, st, u, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// metaCounts reads /api/v1/meta's counts from a server at addr (started
// by startServe), as its admin.
func metaCounts(t *testing.T, addr string) planner.Counts {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+addr+"/api/v1/meta", nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok, ok := serveTokens.Load(addr); ok {
		req.Header.Set("Authorization", "Bearer "+tok.(string))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/meta: %s", resp.Status)
	}
	var meta struct{ Counts planner.Counts }
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	return meta.Counts
}

func TestServeAndGracefulShutdown(t *testing.T) {
	data := sharedData(t)
	db := filepath.Join(t.TempDir(), "ws.db")
	c := importJSON(t, "--db", db, "--osm", filepath.Join(data, "osm", "baltimore_downtown.osm.pbf"))
	addr, out, done, cancel := startServe(t, db)
	if got := metaCounts(t, addr); got != c {
		t.Errorf("meta counts %+v, want %+v", got, c)
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != http.StatusServiceUnavailable { // 503 = frontend not built in this checkout
		t.Errorf("GET / = %d", resp.StatusCode)
	}
	if !strings.Contains(out.String(), "http://"+addr+"/") {
		t.Errorf("serve did not print its URL: %q", out.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"import"}, {"import", "--osm", "x.pbf"}, {"export", "roads", "--db", "x.db", "--mode", "boat"}, {"import", "--db", "x", "--osm", "y", "--bbox", "1,2,3"}} {
		_, _, err := run(t, args...)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err %v exit %d, want a usage error (exit 2)", args, err, exitCode(err))
		}
	}
}

// The test binary runs the command itself when TIDEWATCH_RUN_MAIN=1, so
// tests can start the real program as a child process (signals, exit
// codes) without building it: os.Args[0] with the command's arguments.
// (An init function, as postgis_test.go owns TestMain.)
func init() {
	if os.Getenv("TIDEWATCH_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
}

// runWithStdin runs a command in-process with stdin.
func runWithStdin(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	err := m.Run(context.Background(), args)
	return out.String(), errb.String(), err
}

func TestUserCommands(t *testing.T) {
	t.Setenv(PasswordEnv, "") // the password comes from stdin unless set
	db := filepath.Join(t.TempDir(), "users.db")
	if out, stderr, err := runWithStdin(t, "long enough password\n", "user", "add", "--db", db, "--name", "张队长", "--role", "commander"); err != nil || !strings.Contains(out, "张队长") {
		t.Fatalf("user add (stdin): %q %q %v", out, stderr, err)
	}
	t.Setenv(PasswordEnv, "another long password")
	if _, _, err := runWithStdin(t, "", "user", "add", "--db", db, "--name", "viewer1", "--role", "viewer"); err != nil {
		t.Fatalf("user add (env): %v", err)
	}
	for _, c := range []struct {
		args  []string
		stdin string
		usage bool
	}{
		{[]string{"user", "add", "--db", db, "--name", "张队长", "--role", "viewer"}, "", false}, // name taken
		{[]string{"user", "add", "--db", db, "--name", "x", "--role", "chief"}, "", true},
		{[]string{"user", "add", "--db", db, "--name", "x"}, "", true},
		{[]string{"user", "add", "--db", db, "--name", "x", "--role", "viewer", "--password", "secret secret"}, "", true}, // never a flag
		{[]string{"user"}, "", true},
		{[]string{"user", "rename"}, "", true},
		{[]string{"user", "token", "--db", db, "--name", "viewer1", "--days", "91"}, "", true},
		{[]string{"user", "token", "--db", db, "--name", "nobody"}, "", false},
	} {
		_, _, err := runWithStdin(t, c.stdin, c.args...)
		if err == nil || (exitCode(err) == 2) != c.usage {
			t.Errorf("%v: err %v (exit %d), want an error (usage: %v)", c.args, err, exitCode(err), c.usage)
		}
	}
	t.Setenv(PasswordEnv, "")
	if _, _, err := runWithStdin(t, "short\n", "user", "add", "--db", db, "--name", "x", "--role", "viewer"); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Errorf("short password: %v", err)
	}
	if _, _, err := runWithStdin(t, "", "user", "add", "--db", db, "--name", "x", "--role", "viewer"); err == nil {
		t.Error("no password at all: accepted")
	}

	out, _, err := runWithStdin(t, "", "user", "list", "--db", db)
	if err != nil || !strings.Contains(out, "张队长") || !strings.Contains(out, "commander") || !strings.Contains(out, "viewer1") || strings.Contains(out, "argon2") {
		t.Errorf("user list: %q %v", out, err)
	}

	out, stderr, err := runWithStdin(t, "", "user", "token", "--db", db, "--name", "张队长", "--days", "3")
	tok := strings.TrimSpace(out)
	if err != nil || len(tok) < 40 || strings.Contains(tok, "\n") || !strings.Contains(stderr, "Bearer") {
		t.Fatalf("user token: %q %q %v", out, stderr, err)
	}
	ctx := context.Background()
	st, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	se, u, err := st.SessionByID(ctx, api.SessionID(tok), time.Now())
	if err != nil || u.Name != "张队长" || !se.Bearer || se.Expires.Sub(time.Now()) < 71*time.Hour || se.Expires.Sub(time.Now()) > 73*time.Hour {
		t.Errorf("token's session %+v user %+v: %v", se, u, err)
	}
	// passwd replaces the password.
	if _, _, err := runWithStdin(t, "a completely new password\n", "user", "passwd", "--db", db, "--name", "张队长"); err != nil {
		t.Fatalf("user passwd: %v", err)
	}
	u, err = st.UserByName(ctx, "张队长")
	if err != nil || !planner.CheckPassword(u.PasswordHash, "a completely new password") || planner.CheckPassword(u.PasswordHash, "long enough password") {
		t.Errorf("after passwd: %+v %v", u, err)
	}
}

// TestEnsureAdmin: demo makes user "admin" with a random password when the
// store has no admin, and leaves an existing one alone.
func TestEnsureAdmin(t *testing.T) {
	ctx := context.Background()
	st, err := openStore(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pw, err := ensureAdmin(ctx, st)
	if err != nil || len(pw) < planner.MinPasswordLen {
		t.Fatalf("ensureAdmin: %q %v", pw, err)
	}
	u, err := st.UserByName(ctx, "admin")
	if err != nil || u.Role != planner.RoleAdmin || !planner.CheckPassword(u.PasswordHash, pw) {
		t.Fatalf("admin %+v %v", u, err)
	}
	if again, err := ensureAdmin(ctx, st); err != nil || again != "" {
		t.Errorf("second ensureAdmin: %q %v, want none", again, err)
	}
	if a, b := randomPassword(16), randomPassword(16); a == b || len(a) != 16 {
		t.Errorf("random passwords %q %q", a, b)
	}
}

// TestSIGTERMFinishesRequests starts `tidewatch serve` as a process, begins
// a slow request (a sign-in whose body trickles in), sends SIGTERM, and
// checks that the server stops accepting, the request still completes, and
// the process exits 0.
func TestSIGTERMFinishesRequests(t *testing.T) {
	data := sharedData(t)
	db := filepath.Join(t.TempDir(), "ws.db")
	importJSON(t, "--db", db, "--osm", filepath.Join(data, "osm", "baltimore_downtown.osm.pbf"))
	if _, _, err := runWithStdin(t, "sigterm test password\n", "user", "add", "--db", db, "--name", "值班员", "--role", "viewer"); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "serve", "--db", db, "--addr", "127.0.0.1:0", "--shutdown-timeout", "20s")
	cmd.Env = append(os.Environ(), "TIDEWATCH_RUN_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string, 100)
	scan := func(r io.Reader) {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}
	go scan(stdout)
	go scan(stderr)
	waitFor := func(what string) string {
		t.Helper()
		deadline := time.After(60 * time.Second)
		for {
			select {
			case l := <-lines:
				if strings.Contains(l, what) {
					return l
				}
			case <-deadline:
				t.Fatalf("no %q from serve", what)
			}
		}
	}
	_, rest, _ := strings.Cut(waitFor("Tidewatch is serving http://"), "http://")
	addr := strings.TrimSuffix(strings.Fields(rest)[0], "/")

	// The slow request: headers and half the body now, the rest after SIGTERM.
	body := `{"name":"值班员","password":"sigterm test password"}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:10])
	time.Sleep(300 * time.Millisecond) // the server is reading the body: the request is in flight

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor("stopping")
	// No new connections once it is stopping.
	refused := false
	for range 50 {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			refused = true
			break
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	if !refused {
		t.Error("the server still accepts connections after SIGTERM")
	}
	// The request in flight completes.
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatalf("finishing the request: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("response to the request in flight: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"csrf"`) {
		t.Errorf("request in flight: %s %s", resp.Status, b)
	}
	waitFor("stopped")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exited with %v, want 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit after SIGTERM")
	}
}
