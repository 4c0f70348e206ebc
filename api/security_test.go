package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/planner"
)

// routeURL fills a route pattern's parameters with plausible values.
func routeURL(pattern string) string {
	u := strings.NewReplacer("{layer}", "roads", "{z}", "1", "{x}", "0", "{y}", "0", "{token}", strings.Repeat("0", 32), "{unit}", "1").Replace(pattern)
	u = regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(u, "1")
	return strings.ReplaceAll(u, "*", "x")
}

// guardRefused reports whether a response is the guard's refusal.
func guardRefused(rec *httptest.ResponseRecorder) bool {
	return rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden
}

// probe sends one request to a route as role ("" for no credentials) with a
// fresh bearer token, so that a sign-out ends no other request's session.
// Unsafe requests carry a body no handler accepts.
func (ts *testSrv) probe(t *testing.T, rt Route, role planner.Role) *httptest.ResponseRecorder {
	t.Helper()
	body := ""
	if unsafeMethod(rt.Method) {
		body = "not json"
	}
	req := httptest.NewRequest(rt.Method, routeURL(rt.Pattern), strings.NewReader(body))
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+newTestToken(t, ts.store, ts.users[role], true))
	}
	rec, _ := ts.serve(req)
	return rec
}

// TestEveryRouteIsGuarded walks the route table, so that no route can be
// added without its access level being enforced: without credentials every
// non-Public route is 401; each role passes the guard exactly where the
// route's Access allows it and is 403 elsewhere.
func TestEveryRouteIsGuarded(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	routes := ts.srv.Routes()
	if len(routes) < 25 {
		t.Fatalf("only %d routes", len(routes))
	}
	seen := map[string]bool{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Pattern
		if seen[key] {
			t.Errorf("route %s listed twice", key)
		}
		seen[key] = true
		t.Run(strings.ReplaceAll(key, "/", "_"), func(t *testing.T) {
			rec := ts.probe(t, rt, "")
			if rt.Access == Public {
				if guardRefused(rec) {
					t.Errorf("public route without credentials: %d %s", rec.Code, rec.Body)
				}
				return
			}
			if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"code":"unauthorized"`) {
				t.Errorf("no credentials: %d %s, want 401 unauthorized", rec.Code, rec.Body)
			}
			for _, role := range planner.Roles {
				rec := ts.probe(t, rt, role)
				switch {
				case rt.Access.Allows(role) && guardRefused(rec):
					t.Errorf("%s (allowed by %s access): refused %d %s", role, rt.Access, rec.Code, rec.Body)
				case !rt.Access.Allows(role) && (rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `"code":"forbidden"`)):
					t.Errorf("%s (not allowed by %s access): %d %s, want 403 forbidden", role, rt.Access, rec.Code, rec.Body)
				}
			}
			// The spelled-out cases, on top of Allows.
			vol := ts.probe(t, rt, planner.RoleVolunteer)
			if (rt.Access == SignedIn) == (vol.Code == http.StatusForbidden) {
				t.Errorf("volunteer on a %s route: %d", rt.Access, vol.Code)
			}
			viewer := ts.probe(t, rt, planner.RoleViewer)
			switch rt.Access {
			case Read, SignedIn:
				if guardRefused(viewer) {
					t.Errorf("viewer refused a %s route: %d", rt.Access, viewer.Code)
				}
			case Planning, Command, AdminOnly:
				if viewer.Code != http.StatusForbidden {
					t.Errorf("viewer on a %s route: %d, want 403", rt.Access, viewer.Code)
				}
			}
		})
	}
	for _, want := range []string{"POST /api/v1/login", "POST /api/v1/logout", "GET /api/v1/me", "GET /api/v1/users", "POST /api/v1/users",
		"PUT /api/v1/users/{id}", "POST /api/v1/tokens", "GET /api/v1/audit", "GET /r/{token}"} {
		if !seen[want] {
			t.Errorf("route table lacks %s", want)
		}
	}
}

// TestNoStoreMeansNoUsers: a server without a store has nobody to sign in,
// so every route but the Public ones is 401.
func TestNoStoreMeansNoUsers(t *testing.T) {
	ts := &testSrv{srv: NewServer(testWorkspace(), Config{}), tokens: map[planner.Role]string{planner.RoleAdmin: "whatever"}}
	ts.h = ts.srv.Handler()
	for _, rt := range ts.srv.Routes() {
		if rt.Access == Public {
			continue
		}
		req := httptest.NewRequest(rt.Method, routeURL(rt.Pattern), strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer whatever")
		if rec, body := ts.serve(req); rec.Code != http.StatusUnauthorized || !strings.Contains(fmt.Sprint(body["error"]), "no user store") {
			t.Errorf("%s %s: %d %v, want 401", rt.Method, rt.Pattern, rec.Code, body)
		}
	}
	if rec, _ := ts.do(t, "POST", "/api/v1/login", `{"name":"admin","password":"correct horse battery"}`); rec.Code != http.StatusUnauthorized {
		t.Errorf("login without a store: %d", rec.Code)
	}
	if rec, _ := ts.doAs(t, "", "GET", "/healthz", ""); rec.Code != 200 {
		t.Errorf("healthz: %d", rec.Code)
	}
}

// TestCSRF: a cookie session's unsafe requests need the session's CSRF
// token in X-CSRF-Token, on every unsafe route; bearer tokens need none.
func TestCSRF(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	n := 0
	for _, rt := range ts.srv.Routes() {
		if rt.Access == Public || !unsafeMethod(rt.Method) {
			continue
		}
		n++
		url := routeURL(rt.Pattern)
		tok, csrf := ts.cookieSession(t, planner.RoleAdmin)
		if rec, body := ts.doCookie(t, tok, "", rt.Method, url, "not json"); rec.Code != http.StatusForbidden || !strings.Contains(fmt.Sprint(body["error"]), "X-CSRF-Token") {
			t.Errorf("%s %s without X-CSRF-Token: %d %v, want 403 naming the header", rt.Method, url, rec.Code, body)
		}
		if rec, _ := ts.doCookie(t, tok, "csrf-wrong", rt.Method, url, "not json"); rec.Code != http.StatusForbidden {
			t.Errorf("%s %s with a wrong X-CSRF-Token: %d, want 403", rt.Method, url, rec.Code)
		}
		other, _ := ts.cookieSession(t, planner.RoleAdmin)
		if rec, _ := ts.doCookie(t, tok, "csrf-"+other, rt.Method, url, "not json"); rec.Code != http.StatusForbidden {
			t.Errorf("%s %s with another session's CSRF token: %d, want 403", rt.Method, url, rec.Code)
		}
		if rec, _ := ts.doCookie(t, tok, csrf, rt.Method, url, "not json"); guardRefused(rec) {
			t.Errorf("%s %s with the CSRF token: %d %s", rt.Method, url, rec.Code, rec.Body)
		}
	}
	if n < 8 {
		t.Errorf("only %d unsafe routes", n)
	}
	// Safe methods need no CSRF token.
	tok, _ := ts.cookieSession(t, planner.RoleViewer)
	if rec, _ := ts.doCookie(t, tok, "", "GET", "/api/v1/meta", ""); rec.Code != 200 {
		t.Errorf("GET with a cookie session: %d", rec.Code)
	}
	// A bearer token (never sent by a browser on its own) needs none.
	if rec, _ := ts.doAs(t, planner.RolePlanner, "POST", "/api/v1/kiosks", `{"lon":114.301,"lat":30.59}`); rec.Code != http.StatusCreated {
		t.Errorf("bearer POST without CSRF token: %d %s", rec.Code, rec.Body)
	}
	// A bearer token in the cookie is not a browser session.
	req := httptest.NewRequest("GET", "/api/v1/meta", nil)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: ts.tokens[planner.RoleAdmin]})
	if rec, _ := ts.serve(req); rec.Code != http.StatusUnauthorized {
		t.Errorf("bearer token sent as the cookie: %d, want 401", rec.Code)
	}
}

// TestCrossSiteRefused: unsafe requests a browser marks as coming from
// another site are refused whatever the credentials, sign-in included.
func TestCrossSiteRefused(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	tok, csrf := ts.cookieSession(t, planner.RolePlanner)
	for _, hdr := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "http://evil.example"},
		{"Origin", "null"},
	} {
		if rec, _ := ts.doCookie(t, tok, csrf, "POST", "/api/v1/kiosks", `{"lon":114.301,"lat":30.59}`, hdr...); rec.Code != http.StatusForbidden {
			t.Errorf("%v with cookie and CSRF token: %d, want 403", hdr, rec.Code)
		}
		if rec, _ := ts.doAs(t, "", "POST", "/api/v1/login", `{"name":"planner","password":"`+testPassword+`"}`, hdr...); rec.Code != http.StatusForbidden {
			t.Errorf("%v login: %d, want 403", hdr, rec.Code)
		}
	}
	// The page itself: same origin.
	if rec, _ := ts.doCookie(t, tok, csrf, "POST", "/api/v1/kiosks", `{"lon":114.301,"lat":30.59}`, "Sec-Fetch-Site", "same-origin", "Origin", "http://example.com"); rec.Code != http.StatusCreated {
		t.Errorf("same-origin POST: %d %s", rec.Code, rec.Body)
	}
	// A cross-site GET (a link) is fine.
	if rec, _ := ts.doCookie(t, tok, "", "GET", "/api/v1/meta", "", "Sec-Fetch-Site", "cross-site"); rec.Code != 200 {
		t.Errorf("cross-site GET: %d", rec.Code)
	}
}

// TestSessionStates: expired sessions, disabled users, deleted sessions and
// made-up tokens are all signed out.
func TestSessionStates(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	ctx := context.Background()
	me := func(tok string) int {
		rec, _ := ts.serve(bearer(httptest.NewRequest("GET", "/api/v1/me", nil), tok))
		return rec.Code
	}
	if c := me(ts.tokens[planner.RoleViewer]); c != 200 {
		t.Fatalf("live token: %d", c)
	}
	// Expired.
	expired := "expired-token-0123456789"
	if err := ts.store.CreateSession(ctx, planner.Session{ID: SessionID(expired), UserID: ts.users[planner.RoleViewer].ID, Bearer: true,
		Created: time.Now().Add(-2 * time.Hour), Expires: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if c := me(expired); c != http.StatusUnauthorized {
		t.Errorf("expired session: %d, want 401", c)
	}
	// Deleted (signed out elsewhere).
	tok := newTestToken(t, ts.store, ts.users[planner.RolePlanner], true)
	if err := ts.store.DeleteSession(ctx, SessionID(tok)); err != nil {
		t.Fatal(err)
	}
	if c := me(tok); c != http.StatusUnauthorized {
		t.Errorf("deleted session: %d, want 401", c)
	}
	// Disabled user: the live token stops working.
	u := ts.users[planner.RoleCommander]
	u.Disabled = true
	if _, err := ts.store.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if c := me(ts.tokens[planner.RoleCommander]); c != http.StatusUnauthorized {
		t.Errorf("disabled user: %d, want 401", c)
	}
	// Made-up tokens, an overlong one, another scheme.
	for _, tok := range []string{"", "x", strings.Repeat("a", 5000), "' OR '1'='1", SessionID(ts.tokens[planner.RoleAdmin])} {
		if c := me(tok); c != http.StatusUnauthorized {
			t.Errorf("token %.20q: %d, want 401", tok, c)
		}
	}
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.Header.Set("Authorization", "Basic "+ts.tokens[planner.RoleAdmin])
	if rec, _ := ts.serve(req); rec.Code != http.StatusUnauthorized {
		t.Errorf("Basic scheme: %d", rec.Code)
	}
}

func bearer(req *http.Request, tok string) *http.Request {
	req.Header.Set("Authorization", "Bearer "+tok)
	return req
}

// loginReq is a sign-in request from the client address remote.
func loginReq(name, password, remote string) *http.Request {
	b, _ := json.Marshal(map[string]string{"name": name, "password": password})
	req := httptest.NewRequest("POST", "/api/v1/login", bytes.NewReader(b))
	req.RemoteAddr = remote
	return req
}

// TestLoginRateLimit: sign-in attempts are limited per address and per
// name (10 a minute by default; 3 here, since every attempt hashes a
// password); the next is 429 with Retry-After, and it works again once
// the bucket refills.
func TestLoginRateLimit(t *testing.T) {
	if got := NewServer(testWorkspace(), Config{}).limits().login.perMinute; got != DefaultLoginPerMinute || DefaultLoginPerMinute != 10 {
		t.Errorf("default sign-in limit %v a minute, want 10", got)
	}
	ts := newTestServer(t, testWorkspace(), Config{Limits: Limits{LoginPerMinute: 3}})
	now := time.Now()
	ts.srv.limits().login.now = func() time.Time { return now }
	for i := range 3 {
		if rec, _ := ts.serve(loginReq("nobody"+strconv.Itoa(i), "wrong password", "10.0.0.1:1000")); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, rec.Code)
		}
	}
	rec, body := ts.serve(loginReq("viewer", testPassword, "10.0.0.1:1001"))
	if rec.Code != http.StatusTooManyRequests || body["code"] != planner.ETOOMANY {
		t.Fatalf("4th attempt from one address: %d %v, want 429", rec.Code, body)
	}
	if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
	// Another address may still sign in.
	if rec, _ := ts.serve(loginReq("viewer", testPassword, "10.0.0.2:1000")); rec.Code != 200 {
		t.Errorf("another address: %d", rec.Code)
	}
	// One name from many addresses: 3, then 429.
	for i := range 3 {
		ts.serve(loginReq("admin", "guess "+strconv.Itoa(i), fmt.Sprintf("10.1.0.%d:1000", i)))
	}
	if rec, _ := ts.serve(loginReq("admin", testPassword, "10.2.0.1:1000")); rec.Code != http.StatusTooManyRequests {
		t.Errorf("4th attempt for one name: %d, want 429", rec.Code)
	}
	// 20 seconds later one token is back (3 a minute).
	now = now.Add(20100 * time.Millisecond)
	if rec, _ := ts.serve(loginReq("admin", testPassword, "10.2.0.1:1000")); rec.Code != 200 {
		t.Errorf("after the refill: %d %s", rec.Code, rec.Body)
	}
}

// TestShareRateLimit: GET /r/{token} allows 60 unknown tokens a minute
// per address, so tokens cannot be brute-forced; then even a valid link
// is refused from that address until the bucket refills. Valid fetches
// cost nothing (TestShareValidFetchesNotLimited).
func TestShareRateLimit(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	get := func(remote string) int {
		req := httptest.NewRequest("GET", fmt.Sprintf("/r/%032x", time.Now().UnixNano()), nil)
		req.RemoteAddr = remote
		rec, _ := ts.serve(req)
		return rec.Code
	}
	for i := range 60 {
		if c := get("10.0.0.1:1"); c != http.StatusNotFound {
			t.Fatalf("guess %d: %d, want 404", i+1, c)
		}
	}
	if c := get("10.0.0.1:2"); c != http.StatusTooManyRequests {
		t.Errorf("61st guess: %d, want 429", c)
	}
	if c := get("10.0.0.9:1"); c != http.StatusNotFound {
		t.Errorf("another address: %d", c)
	}
}

// TestShareValidFetchesNotLimited: a volunteer group behind one address
// may open its live route far more than 60 times a minute.
func TestShareValidFetchesNotLimited(t *testing.T) {
	ts := newTestServer(t, nightWorkspace(t), Config{})
	rec, m := ts.do(t, "POST", "/api/v1/plans", `{"window":"22:00-02:00","seed":1,"units":[{"name":"义警","kind":"volunteer","kiosk":1,"count":1}]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST plan: %d %s", rec.Code, rec.Body)
	}
	tok := strings.TrimPrefix(m["links"].([]any)[0].(map[string]any)["url"].(string), "/r/")
	for i := range 200 {
		req := httptest.NewRequest("GET", "/r/"+tok, nil)
		req.RemoteAddr = "10.0.0.7:1"
		rec, _ := ts.serve(req)
		if rec.Code != http.StatusOK {
			t.Fatalf("valid fetch %d: %d", i+1, rec.Code)
		}
	}
}

// TestBodyCap: request bodies are capped at 1 MiB (413 too_large), with or
// without Content-Length, unless the route raises its limit.
func TestBodyCap(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `","role":"viewer","password":"long enough password"}`
	for _, url := range []string{"/api/v1/users", "/api/v1/siting/kiosks", "/api/v1/cameras"} {
		for _, chunked := range []bool{false, true} {
			var rd io.Reader = strings.NewReader(big)
			if chunked {
				rd = io.MultiReader(rd) // no length known
			}
			req := bearer(httptest.NewRequest("POST", url, rd), ts.tokens[planner.RoleAdmin])
			if chunked && req.ContentLength != -1 {
				req.ContentLength = -1
			}
			rec, body := ts.serve(req)
			if rec.Code != http.StatusRequestEntityTooLarge || body["code"] != ETOOLARGE || !strings.Contains(fmt.Sprint(body["error"]), "1 MiB") {
				t.Errorf("POST %s, 2 MiB (chunked %v): %d %v, want 413", url, chunked, rec.Code, body)
			}
		}
	}
	// Just under the cap is read.
	under := `{"name":"` + strings.Repeat("x", (1<<20)-200) + `","role":"viewer","password":"long enough password"}`
	if rec, body := ts.do(t, "POST", "/api/v1/users", under); rec.Code != http.StatusBadRequest || !strings.Contains(fmt.Sprint(body["error"]), "longer than") {
		t.Errorf("just under the cap: %d %v, want 400 for the name", rec.Code, body)
	}
	// A route may raise its limit (imports: 64 MiB).
	var got int
	h := ts.srv.guard(Public, withBodyLimit(4<<20, func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			Error(w, r, planner.Errorf(planner.EINVALID, "%v", err))
			return
		}
		got = len(b)
		w.WriteHeader(204)
	}))
	for size, want := range map[int]int{3 << 20: 204, 5 << 20: 413} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/x", bytes.NewReader(make([]byte, size))))
		if rec.Code != want || (want == 204 && got != size) {
			t.Errorf("raised limit, %d bytes: %d (read %d), want %d", size, rec.Code, got, want)
		}
	}
}

// TestInjectionStringsAreVerbatim: names and passwords full of SQL are
// stored and compared as they are.
func TestInjectionStringsAreVerbatim(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	name := `x' OR '1'='1'; DROP TABLE users; --`
	password := `' OR 1=1 -- "; DELETE FROM sessions; /*`
	b, _ := json.Marshal(map[string]string{"name": name, "role": "viewer", "password": password})
	rec, body := ts.do(t, "POST", "/api/v1/users", string(b))
	if rec.Code != http.StatusCreated || body["name"] != name {
		t.Fatalf("create: %d %v", rec.Code, body)
	}
	if rec, body := ts.serve(loginReq(name, password, "10.0.0.1:1")); rec.Code != 200 || body["user"].(map[string]any)["name"] != name {
		t.Errorf("login with the SQL name and password: %d %v", rec.Code, body)
	}
	for _, c := range [][2]string{
		{name, "' OR '1'='1"},
		{"x", password},
		{"' OR '1'='1", "' OR '1'='1"},
		{"admin' --", "anything at all"},
		{"admin\x00", testPassword},
		{"ADMIN", testPassword},
		{"admin ", testPassword},
	} {
		if rec, _ := ts.serve(loginReq(c[0], c[1], "10.0.0.2:1")); rec.Code != http.StatusUnauthorized {
			t.Errorf("login %q / %q: %d, want 401", c[0], c[1], rec.Code)
		}
	}
	_, list := ts.do(t, "GET", "/api/v1/users", "")
	found := false
	for _, u := range list["users"].([]any) {
		found = found || u.(map[string]any)["name"] == name
	}
	if !found || len(list["users"].([]any)) != len(planner.Roles)+1 {
		t.Errorf("users after the SQL name: %v", list)
	}
	if rec, _ := ts.doAs(t, planner.RoleViewer, "GET", "/api/v1/meta", ""); rec.Code != 200 {
		t.Errorf("the other users still work: %d", rec.Code)
	}
}

// TestShareLinksGone: /r/{token} with an unknown, revoked or expired
// token is 404, saying nothing more.
func TestShareLinksGone(t *testing.T) {
	ts := newTestServer(t, nightWorkspace(t), Config{})
	rec, m := ts.doAs(t, planner.RoleCommander, "POST", "/api/v1/plans", `{"window":"22:00-02:00","seed":1,"units":[{"kind":"volunteer","kiosk":1,"count":2}]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("plan: %d %s", rec.Code, rec.Body)
	}
	links := m["links"].([]any)
	live := links[0].(map[string]any)["url"].(string)
	revoked := links[1].(map[string]any)["url"].(string)
	if rec, _ := ts.doAs(t, "", "GET", live, ""); rec.Code != 200 {
		t.Fatalf("live link without credentials: %d", rec.Code)
	}
	if rec, _ := ts.doAs(t, planner.RoleCommander, "DELETE", "/api/v1/share/"+strings.TrimPrefix(revoked, "/r/"), ""); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	// An expired link, stored as the store keeps links.
	ctx := context.Background()
	expired := fmt.Sprintf("%032x", 42)
	plan := m["id"].(string)
	if _, err := ts.store.PlanDoc(ctx, plan); planner.ErrorCode(err) == planner.ENOTFOUND {
		if err := ts.store.SavePlan(ctx, planner.PlanDoc{ID: plan, Owner: "commander", Created: time.Now(), Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ts.store.CreateShare(ctx, planner.ShareLink{ID: SessionID(expired), PlanID: plan, Unit: 0,
		Created: time.Now().Add(-48 * time.Hour), Expires: time.Now().Add(-24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{revoked, revoked + ".gpx", "/r/" + expired, "/r/" + expired + ".gpx", "/r/" + strings.Repeat("0", 32), "/r/x", "/r/" + strings.Repeat("f", 300)} {
		rec, _ := ts.doAs(t, "", "GET", u, "")
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "义警") {
			t.Errorf("%.50s: %d, want a bare 404", u, rec.Code)
		}
	}
	if rec, _ := ts.doAs(t, "", "GET", live, ""); rec.Code != 200 {
		t.Errorf("the other link: %d", rec.Code)
	}
}

// TestSecurityHeaders: every response, errors and static files included,
// forbids sniffing and framing and carries the Content-Security-Policy.
func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{Basemap: Basemap{URL: "https://{s}.tiles.bureau.local:8443/{z}/{x}/{y}.png"},
		Web: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<!doctype html>")) })})
	for _, c := range []struct {
		role planner.Role
		url  string
	}{{"", "/healthz"}, {"", "/"}, {"", "/api/v1/meta"}, {planner.RoleAdmin, "/api/v1/meta"}, {planner.RoleAdmin, "/api/v1/nothing"}, {"", "/r/abc"}} {
		rec, _ := ts.doAs(t, c.role, "GET", c.url, "")
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") == "" ||
			!strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self';") ||
			!strings.Contains(csp, "img-src 'self' data: blob: https://*.tiles.bureau.local:8443") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s %s: headers %v", c.role, c.url, h)
		}
	}
	for in, want := range map[string]string{
		"":                                         "",
		"/tiles/{z}/{x}/{y}":                       "",
		"http://tiles.local/{z}/{x}/{y}.png":       "http://tiles.local",
		"http://10.1.2.3:8080/t/{z}/{x}/{y}.png":   "http://10.1.2.3:8080",
		"http://{s}.tiles.local/{z}/{x}/{y}.png":   "http://*.tiles.local",
		"https://t{s}.tiles.local/{z}/{x}/{y}.png": "https:",
		"http://x'; script-src *;/{z}":             "http:",
		"javascript:alert(1)":                      "",
	} {
		if got := tileSource(in); got != want {
			t.Errorf("tileSource(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNoPasswordHashLeaves: no response carries a password hash.
func TestNoPasswordHashLeaves(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	var bodies []string
	rec, _ := ts.serve(loginReq("planner", testPassword, "10.0.0.1:1"))
	bodies = append(bodies, rec.Body.String())
	rec, _ = ts.do(t, "POST", "/api/v1/users", `{"name":"新用户","role":"viewer","password":"long enough password"}`)
	bodies = append(bodies, rec.Body.String())
	for _, u := range []string{"/api/v1/users", "/api/v1/me", "/api/v1/audit?limit=500"} {
		rec, _ := ts.do(t, "GET", u, "")
		bodies = append(bodies, rec.Body.String())
	}
	for _, b := range bodies {
		if strings.Contains(b, "argon2") || strings.Contains(strings.ToLower(b), "password_hash") || strings.Contains(b, "long enough password") {
			t.Errorf("a response leaks a password or hash: %.300s", b)
		}
	}
}
