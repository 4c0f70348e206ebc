package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/data/sqlite"
	"github.com/tidewatch/tidewatch/planner"
)

// testSrv is a server on a fresh SQLite store holding a workspace, with
// one signed-in user per role, each with a bearer token.
type testSrv struct {
	srv    *Server
	h      http.Handler
	store  planner.Store
	tokens map[planner.Role]string // bearer token per role
	users  map[planner.Role]planner.User
}

// newTestServer stores ws in a new SQLite store in t.TempDir(), makes one
// user per role (named after the role) with a 24-hour bearer token, and
// returns a server on the stored workspace (as loaded back, with
// versions). cfg.Store is set to the store.
func newTestServer(t testing.TB, ws *planner.Workspace, cfg Config) *testSrv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.ReplaceWorkspace(ctx, ws); err != nil {
		t.Fatalf("ReplaceWorkspace: %v", err)
	}
	loaded, err := st.LoadWorkspace(ctx)
	if err != nil {
		t.Fatalf("LoadWorkspace: %v", err)
	}
	cfg.Store = st
	ts := &testSrv{store: st, tokens: map[planner.Role]string{}, users: map[planner.Role]planner.User{}}
	for _, role := range planner.Roles {
		u, err := st.CreateUser(ctx, planner.User{Name: string(role), Role: role, PasswordHash: testHash(t)})
		if err != nil {
			t.Fatalf("CreateUser(%s): %v", role, err)
		}
		ts.users[role] = u
		ts.tokens[role] = newTestToken(t, st, u, true)
	}
	ts.srv = NewServer(loaded, cfg)
	ts.h = ts.srv.Handler()
	return ts
}

// testPassword is every test user's password.
const testPassword = "correct horse battery"

var testHashOnce string

// testHash hashes testPassword once per test binary (argon2id is slow on purpose).
func testHash(t testing.TB) string {
	if testHashOnce == "" {
		h, err := planner.HashPassword(testPassword)
		if err != nil {
			t.Fatalf("HashPassword: %v", err)
		}
		testHashOnce = h
	}
	return testHashOnce
}

// newTestToken stores a session for u and returns its secret token: a
// bearer token when bearer is true, else a cookie session whose CSRF
// token is "csrf-" + token.
func newTestToken(t testing.TB, st planner.Store, u planner.User, bearer bool) string {
	t.Helper()
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	tok := hex.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(tok))
	se := planner.Session{ID: hex.EncodeToString(sum[:]), UserID: u.ID, Bearer: bearer, Created: time.Now(), Expires: time.Now().Add(24 * time.Hour)}
	if !bearer {
		se.CSRF = "csrf-" + tok
	}
	if err := st.CreateSession(context.Background(), se); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return tok
}

// do sends a request as the admin (bearer token) and decodes a JSON object body.
func (ts *testSrv) do(t testing.TB, method, url, body string, hdr ...string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	return ts.doAs(t, planner.RoleAdmin, method, url, body, hdr...)
}

// doAs sends a request as the user of role (bearer token; role "" sends
// none) with extra header name/value pairs, and decodes a JSON object body.
func (ts *testSrv) doAs(t testing.TB, role planner.Role, method, url, body string, hdr ...string) (*httptest.ResponseRecorder, map[string]any) {
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
	ts.h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec, out
}

// get sends GET url as the admin and decodes a JSON body (any JSON
// content type; a body that is not JSON then fails the test).
func (ts *testSrv) get(t testing.TB, url string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+ts.tokens[planner.RoleAdmin])
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	var body map[string]any
	if strings.Contains(rec.Header().Get("Content-Type"), "json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: body is not JSON: %v\n%s", url, err, rec.Body.String())
		}
	}
	return rec, body
}

// cookieSession stores a browser (cookie) session for the user of role and
// returns its token and CSRF token.
func (ts *testSrv) cookieSession(t testing.TB, role planner.Role) (token, csrf string) {
	t.Helper()
	tok := newTestToken(t, ts.store, ts.users[role], false)
	return tok, "csrf-" + tok
}

// doCookie sends a request with the session cookie token (and X-CSRF-Token
// csrf unless empty) plus header name/value pairs, and decodes a JSON
// object body.
func (ts *testSrv) doCookie(t testing.TB, token, csrf, method, url, body string, hdr ...string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, url, rd)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: token})
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return ts.serve(req)
}

// serve runs req through the server and decodes a JSON object body.
func (ts *testSrv) serve(req *http.Request) (*httptest.ResponseRecorder, map[string]any) {
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec, out
}

// stored loads the workspace as the store holds it now.
func (ts *testSrv) stored(t testing.TB) *planner.Workspace {
	t.Helper()
	ws, err := ts.store.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatalf("LoadWorkspace: %v", err)
	}
	return ws
}
