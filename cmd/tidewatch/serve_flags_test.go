package main

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/api"
)

func TestParsePublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "",
		"https://tidewatch.bureau.local":     "https://tidewatch.bureau.local",
		"https://tidewatch.bureau.local/":    "https://tidewatch.bureau.local",
		"HTTP://10.1.2.3:8080":               "http://10.1.2.3:8080",
		"http://[fd00::1]:8443/":             "http://[fd00::1]:8443",
		"https://派出所.example/":               "https://派出所.example",
		"https://tidewatch.bureau.local:":    "https://tidewatch.bureau.local",
		"https://Tidewatch.Bureau.Local:443": "https://Tidewatch.Bureau.Local:443",
	} {
		got, err := parsePublicURL(in)
		if err != nil || got != want {
			t.Errorf("parsePublicURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, why := range map[string]string{
		"tidewatch.bureau.local":               "no scheme",
		"/r/abc":                               "no scheme",
		"ftp://tidewatch.bureau.local":         "scheme ftp",
		"https://":                             "no host",
		"https:tidewatch.bureau.local":         "no host",
		"https://:8080":                        "no host name",
		"https://tidewatch.bureau.local/map":   "path",
		"https://tidewatch.bureau.local/?x=1":  "query",
		"https://tidewatch.bureau.local?":      "query",
		"https://tidewatch.bureau.local/#a":    "fragment",
		"https://admin:pw@tidewatch.local":     "user info",
		"https://tidewatch.bureau.local:99999": "port",
		" https://tidewatch.bureau.local":      "spaces",
		"https://tide watch.local":             "invalid character",
		"http://%zz":                           "invalid URL escape",
	} {
		got, err := parsePublicURL(in)
		var u usageError
		if err == nil || !errors.As(err, &u) || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), "--public-url") {
			t.Errorf("parsePublicURL(%q) = %q, %v; want a usage error saying %q", in, got, err, why)
		}
	}
}

// TestServeFlagErrors: bad serve flags stop the command before it opens
// the store, exiting non-zero with a message naming the flag.
func TestServeFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--public-url", "tidewatch.bureau.local"}, `--public-url "tidewatch.bureau.local": no scheme`},
		{[]string{"--public-url", "https://tidewatch.bureau.local/tidewatch"}, "a path is not allowed"},
		{[]string{"--max-import-features", "0"}, "--max-import-features 0: want at least 1"},
		{[]string{"--revision-check", "soon"}, "revision-check"},
	} {
		_, stderr, err := run(t, append([]string{"serve", "--db", filepath.Join(t.TempDir(), "never.db")}, c.args...)...)
		if err == nil || exitCode(err) == 0 || !strings.Contains(err.Error()+stderr, c.want) {
			t.Errorf("%v: err %v (exit %d), stderr %q; want a non-zero exit saying %q", c.args, err, exitCode(err), stderr, c.want)
		}
	}
	// The real program prints the message and exits 2.
	cmd := exec.Command(os.Args[0], "serve", "--db", filepath.Join(t.TempDir(), "never.db"), "--public-url", "ftp://files.local")
	cmd.Env = append(os.Environ(), "TIDEWATCH_RUN_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 ||
		!strings.Contains(stderr.String(), `tidewatch: --public-url "ftp://files.local": scheme ftp is not http or https`) {
		t.Errorf("process: %v, stderr %q; want exit 2 and the reason", err, stderr.String())
	}
	// The help lists the flags with the api package's defaults.
	_, help, _ := run(t, "serve", "-h")
	for _, s := range []string{"-public-url", "-revision-check", "(default " + api.DefaultRevisionCheck.String() + ")",
		"-max-import-features", "(default 200000)"} {
		if !strings.Contains(help, s) {
			t.Errorf("serve -h lacks %q:\n%s", s, help)
		}
	}
}

// startServeArgs runs "serve --db db" with extra flags on a free loopback
// port in-process, as startServe does; the server stops when the test ends.
func startServeArgs(t *testing.T, db string, extra ...string) (addr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	var out, errb syncBuffer
	m := &Main{Stdout: &out, Stderr: &errb, Ready: func(a string) { ready <- a }}
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, extra...))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve exited: %v %s", err, errb.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return addr
}

// TestServePublicURLAndImportLimit: --public-url is the base of the share
// links the route cards print (instead of the request's host), and
// --max-import-features caps an import over HTTP.
func TestServePublicURLAndImportLimit(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	ctx := context.Background()
	st, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ReplaceWorkspace(ctx, streetGrid(t)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	c := apiClient{t: t, token: adminToken(t, db)}
	const pub = "https://tidewatch.bureau.local"
	base := "http://" + startServeArgs(t, db, "--public-url", pub+"/", "--max-import-features", "1", "--revision-check", "-1s")

	resp, body, m := c.do("POST", base+"/api/v1/plans", `{"window":"22:00-01:00","seed":3,"units":[{"name":"义警","kind":"volunteer","kiosk":1,"count":2}]}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST plan: %d %s", resp.StatusCode, body)
	}
	links, _ := m["links"].([]any)
	if len(links) != 2 {
		t.Fatalf("links %v", m["links"])
	}
	resp, cards, _ := c.do("GET", base+"/api/v1/plans/"+m["id"].(string)+"/cards", "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET cards: %d %s", resp.StatusCode, cards)
	}
	for _, l := range links {
		share := l.(map[string]any)["url"].(string) // /r/{token}
		if !strings.HasPrefix(share, "/r/") || !strings.Contains(string(cards), pub+share) {
			t.Errorf("the cards do not print %s%s", pub, share)
		}
	}
	if strings.Contains(string(cards), base+"/r/") {
		t.Error("the cards print the request's host, not --public-url")
	}

	// Two kiosks are one more record than --max-import-features 1.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("kiosks", "kiosks.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte("name,lat,lon\nA,30.59,114.30\nB,30.591,114.301\n"))
	mw.Close()
	resp, body, _ = c.do("POST", base+"/api/v1/import", form.String(), "Content-Type", mw.FormDataContentType())
	if resp.StatusCode < 400 || !strings.Contains(string(body), "limit of 1") {
		t.Errorf("import of 2 records with --max-import-features 1: %d %s", resp.StatusCode, body)
	}
}
