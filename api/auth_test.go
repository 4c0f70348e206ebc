package api

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/planner"
)

// sessionCookie returns the tw_session cookie a response sets.
func sessionCookie(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == SessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", SessionCookie, rec.Header())
	return nil
}

// auditActions returns the newest audit entries as "action actor" lines.
func auditActions(t *testing.T, ts *testSrv) []string {
	t.Helper()
	rec, body := ts.do(t, "GET", "/api/v1/audit?limit=50", "")
	if rec.Code != 200 {
		t.Fatalf("audit: %d %s", rec.Code, rec.Body)
	}
	var out []string
	for _, e := range body["entries"].([]any) {
		m := e.(map[string]any)
		out = append(out, fmt.Sprintf("%v %v", m["action"], m["actor"]))
	}
	return out
}

func TestLoginMeLogout(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	rec, body := ts.serve(loginReq("planner", testPassword, "10.0.0.1:5000"))
	if rec.Code != 200 {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	user := body["user"].(map[string]any)
	csrf, _ := body["csrf"].(string)
	if user["name"] != "planner" || user["role"] != "planner" || len(csrf) < 40 || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("login body %v", body)
	}
	c := sessionCookie(t, rec)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure || c.MaxAge != 12*3600 ||
		c.Expires.Before(time.Now().Add(11*time.Hour)) || c.Expires.After(time.Now().Add(13*time.Hour)) || len(c.Value) < 40 {
		t.Errorf("cookie %+v", c)
	}
	// Over TLS the cookie is Secure.
	req := loginReq("viewer", testPassword, "10.0.0.1:5001")
	req.TLS = &tls.ConnectionState{}
	if rec, _ := ts.serve(req); rec.Code != 200 || !sessionCookie(t, rec).Secure {
		t.Errorf("login over TLS: %d, cookie not Secure", rec.Code)
	}

	tok := c.Value
	rec, me := ts.doCookie(t, tok, "", "GET", "/api/v1/me", "")
	if rec.Code != 200 || me["csrf"] != csrf || me["user"].(map[string]any)["id"] != user["id"] {
		t.Errorf("me: %d %v", rec.Code, me)
	}
	// The store holds the token's hash, never the token.
	if se, _, err := ts.store.SessionByID(t.Context(), tok, time.Now()); err == nil {
		t.Errorf("session stored under the token itself: %+v", se)
	}
	// A planner may add a kiosk, with the CSRF token.
	if rec, _ := ts.doCookie(t, tok, "", "POST", "/api/v1/kiosks", `{"lon":114.301,"lat":30.59}`); rec.Code != http.StatusForbidden {
		t.Errorf("POST without CSRF token: %d", rec.Code)
	}
	if rec, _ := ts.doCookie(t, tok, csrf, "POST", "/api/v1/kiosks", `{"lon":114.301,"lat":30.59}`); rec.Code != http.StatusCreated {
		t.Errorf("POST with CSRF token: %d %s", rec.Code, rec.Body)
	}
	// Store writes are audited under the user's name.
	if log := auditActions(t, ts); !strings.Contains(strings.Join(log, "\n"), "planner") {
		t.Errorf("no audit entry by planner: %v", log)
	}
	// Signing out ends the session and clears the cookie.
	if rec, _ := ts.doCookie(t, tok, "", "POST", "/api/v1/logout", ""); rec.Code != http.StatusForbidden {
		t.Errorf("logout without CSRF token: %d", rec.Code)
	}
	rec, _ = ts.doCookie(t, tok, csrf, "POST", "/api/v1/logout", "")
	if rec.Code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", rec.Code, rec.Body)
	}
	if c := sessionCookie(t, rec); c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("logout cookie %+v", c)
	}
	if rec, body := ts.doCookie(t, tok, "", "GET", "/api/v1/me", ""); rec.Code != http.StatusUnauthorized || body["code"] != planner.EUNAUTHORIZED {
		t.Errorf("me after logout: %d %v", rec.Code, body)
	}
	log := strings.Join(auditActions(t, ts), "\n")
	for _, want := range []string{"login planner", "logout planner", "login viewer"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit lacks %q:\n%s", want, log)
		}
	}
	// A second login gives a new session; the old cookie stays dead.
	rec, body = ts.serve(loginReq("planner", testPassword, "10.0.0.1:5000"))
	if rec.Code != 200 || sessionCookie(t, rec).Value == tok || body["csrf"] == csrf {
		t.Errorf("second login reused the session")
	}
}

func TestLoginFailures(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{Limits: Limits{LoginPerMinute: 1000}})
	timed := func(name, pw string) (*httptest.ResponseRecorder, time.Duration) {
		best := time.Hour
		var rec *httptest.ResponseRecorder
		for range 3 {
			start := time.Now()
			rec, _ = ts.serve(loginReq(name, pw, "10.0.0.1:1"))
			best = min(best, time.Since(start))
		}
		return rec, best
	}
	wrongPw, tPw := timed("viewer", "not the password")
	noUser, tUser := timed("nosuchuser", testPassword)
	if wrongPw.Code != 401 || noUser.Code != 401 || wrongPw.Body.String() != noUser.Body.String() {
		t.Errorf("wrong password %d %s, unknown user %d %s: want the same 401", wrongPw.Code, wrongPw.Body, noUser.Code, noUser.Body)
	}
	if len(wrongPw.Result().Cookies()) != 0 {
		t.Error("a failed login set a cookie")
	}
	// An unknown name costs a password hash too.
	t.Logf("wrong password %v, unknown user %v", tPw, tUser)
	if tUser < tPw/10 { // without the dummy hash: microseconds against tens of milliseconds
		t.Errorf("unknown user answered in %v, wrong password in %v: names can be probed by timing", tUser, tPw)
	}
	// A disabled user cannot sign in, with the right password, and is told nothing more.
	u := ts.users[planner.RoleCommander]
	u.Disabled = true
	if _, err := ts.store.UpdateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	if rec, _ := ts.serve(loginReq("commander", testPassword, "10.0.0.1:1")); rec.Code != 401 || rec.Body.String() != noUser.Body.String() {
		t.Errorf("disabled user: %d %s", rec.Code, rec.Body)
	}
	for _, bad := range []string{``, `{}`, `{"name":"viewer"}`, `{"name":"viewer","password":"x","extra":1}`, `[1]`} {
		req := httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(bad))
		if rec, _ := ts.serve(req); rec.Code != 400 && rec.Code != 401 {
			t.Errorf("login body %q: %d", bad, rec.Code)
		}
	}
	_, body := ts.do(t, "GET", "/api/v1/audit?limit=100", "")
	failed := map[string]bool{}
	for _, e := range body["entries"].([]any) {
		m := e.(map[string]any)
		if m["action"] == "login failed" {
			after, _ := m["after"].(map[string]any)
			failed[fmt.Sprint(after["name"])] = true
		}
	}
	for _, name := range []string{"viewer", "nosuchuser", "commander"} {
		if !failed[name] {
			t.Errorf("no 'login failed' audit entry naming %q: %v", name, failed)
		}
	}
}

func TestUsersAPI(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	rec, u := ts.do(t, "POST", "/api/v1/users", `{"name":"王警官","role":"planner","password":"长城长城长城长城长城"}`)
	if rec.Code != http.StatusCreated || u["name"] != "王警官" || u["role"] != "planner" || u["version"] != 1.0 || u["disabled"] != false {
		t.Fatalf("create: %d %v", rec.Code, u)
	}
	id := fmt.Sprint(u["id"])
	for body, want := range map[string]int{
		`{"name":"王警官","role":"viewer","password":"long enough password"}`:            409,
		`{"name":"short","role":"viewer","password":"short"}`:                         400,
		`{"name":"r","role":"chief","password":"long enough password"}`:               400,
		`{"name":"","role":"viewer","password":"long enough password"}`:               400,
		`{"name":" pad","role":"viewer","password":"long enough password"}`:           400,
		`{"name":"a\u0007b","role":"viewer","password":"long enough password"}`:       400,
		`{"name":"x","role":"viewer","password":"long enough password","admin":true}`: 400,
	} {
		if rec, _ := ts.do(t, "POST", "/api/v1/users", body); rec.Code != want {
			t.Errorf("create %s: %d, want %d (%s)", body, rec.Code, want, rec.Body)
		}
	}
	rec, list := ts.do(t, "GET", "/api/v1/users", "")
	if rec.Code != 200 || len(list["users"].([]any)) != len(planner.Roles)+1 {
		t.Fatalf("list: %d %v", rec.Code, list)
	}
	if rec, _ := ts.serve(loginReq("王警官", "长城长城长城长城长城", "10.0.0.1:1")); rec.Code != 200 {
		t.Errorf("login as the new user: %d", rec.Code)
	}
	// Role change with the version seen; a stale version is 409.
	rec, u = ts.do(t, "PUT", "/api/v1/users/"+id, `{"role":"viewer","version":1}`)
	if rec.Code != 200 || u["role"] != "viewer" || u["version"] != 2.0 {
		t.Fatalf("update: %d %v", rec.Code, u)
	}
	if rec, _ := ts.do(t, "PUT", "/api/v1/users/"+id, `{"role":"admin","version":1}`); rec.Code != http.StatusConflict {
		t.Errorf("stale version: %d", rec.Code)
	}
	for body, want := range map[string]int{`{"role":"viewer"}`: 400, `{"role":"god","version":2}`: 400, `{"password":"short","version":2}`: 400} {
		if rec, _ := ts.do(t, "PUT", "/api/v1/users/"+id, body); rec.Code != want {
			t.Errorf("update %s: %d, want %d", body, rec.Code, want)
		}
	}
	if rec, _ := ts.do(t, "PUT", "/api/v1/users/999", `{"role":"viewer","version":1}`); rec.Code != 404 {
		t.Errorf("unknown user: %d", rec.Code)
	}
	if rec, _ := ts.do(t, "PUT", "/api/v1/users/abc", `{"role":"viewer","version":1}`); rec.Code != 400 {
		t.Errorf("bad id: %d", rec.Code)
	}
	// New password: the old one stops working.
	if rec, _ := ts.do(t, "PUT", "/api/v1/users/"+id, `{"password":"a brand new password","version":2}`); rec.Code != 200 {
		t.Fatalf("password change: %d %s", rec.Code, rec.Body)
	}
	if rec, _ := ts.serve(loginReq("王警官", "长城长城长城长城长城", "10.0.0.1:1")); rec.Code != 401 {
		t.Errorf("old password: %d", rec.Code)
	}
	if rec, _ := ts.serve(loginReq("王警官", "a brand new password", "10.0.0.1:1")); rec.Code != 200 {
		t.Errorf("new password: %d", rec.Code)
	}
	// Disabled: no sign-in, and the role stays.
	rec, u = ts.do(t, "PUT", "/api/v1/users/"+id, `{"disabled":true,"version":3}`)
	if rec.Code != 200 || u["disabled"] != true || u["role"] != "viewer" {
		t.Fatalf("disable: %d %v", rec.Code, u)
	}
	if rec, _ := ts.serve(loginReq("王警官", "a brand new password", "10.0.0.1:1")); rec.Code != 401 {
		t.Errorf("disabled login: %d", rec.Code)
	}
	// The last enabled admin cannot be demoted or disabled.
	admin := fmt.Sprint(ts.users[planner.RoleAdmin].ID)
	for _, body := range []string{`{"role":"viewer","version":1}`, `{"disabled":true,"version":1}`} {
		if rec, _ := ts.do(t, "PUT", "/api/v1/users/"+admin, body); rec.Code != http.StatusConflict {
			t.Errorf("last admin %s: %d", body, rec.Code)
		}
	}
}

func TestBearerTokens(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	rec, body := ts.doAs(t, planner.RoleViewer, "POST", "/api/v1/tokens", `{"days":7}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	tok := body["token"].(string)
	exp, err := time.Parse(time.RFC3339Nano, body["expires"].(string))
	if err != nil || exp.Before(time.Now().Add(7*24*time.Hour-time.Minute)) || exp.After(time.Now().Add(7*24*time.Hour+time.Minute)) {
		t.Errorf("expires %v (%v)", body["expires"], err)
	}
	rec, me := ts.serve(bearer(httptest.NewRequest("GET", "/api/v1/me", nil), tok))
	if rec.Code != 200 || me["user"].(map[string]any)["name"] != "viewer" || me["csrf"] != "" {
		t.Errorf("me with the new token: %d %v", rec.Code, me)
	}
	// A token for scripts is not a cookie.
	if _, err := http.ParseSetCookie(rec.Header().Get("Set-Cookie")); err == nil {
		t.Error("the token response set a cookie")
	}
	rec, body = ts.doAs(t, planner.RoleVolunteer, "POST", "/api/v1/tokens", "")
	if rec.Code != http.StatusCreated {
		t.Errorf("token with no body (30 days): %d %s", rec.Code, rec.Body)
	} else if exp, _ := time.Parse(time.RFC3339Nano, body["expires"].(string)); exp.Sub(time.Now()) < 29*24*time.Hour {
		t.Errorf("default token lifetime ends %v", exp)
	}
	for _, b := range []string{`{"days":0}`, `{"days":91}`, `{"days":-1}`, `{"days":"7"}`} {
		if rec, _ := ts.doAs(t, planner.RoleViewer, "POST", "/api/v1/tokens", b); rec.Code != 400 {
			t.Errorf("token %s: %d, want 400", b, rec.Code)
		}
	}
}

func TestAuditLog(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{})
	for i := range 5 {
		ts.serve(loginReq(fmt.Sprintf("nobody%d", i), "wrong password", "10.0.0.1:1"))
	}
	rec, body := ts.do(t, "GET", "/api/v1/audit", "")
	if rec.Code != 200 {
		t.Fatalf("audit: %d %s", rec.Code, rec.Body)
	}
	all := body["entries"].([]any)
	if len(all) < 5 {
		t.Fatalf("%d entries", len(all))
	}
	first := all[0].(map[string]any)
	if first["action"] != "login failed" || first["after"].(map[string]any)["name"] != "nobody4" {
		t.Errorf("newest entry %v", first)
	}
	for i := 1; i < len(all); i++ {
		if all[i].(map[string]any)["id"].(float64) >= all[i-1].(map[string]any)["id"].(float64) {
			t.Fatalf("not newest first: %v", all)
		}
	}
	_, page := ts.do(t, "GET", fmt.Sprintf("/api/v1/audit?limit=2&before=%v", first["id"]), "")
	p := page["entries"].([]any)
	if len(p) != 2 || p[0].(map[string]any)["id"] != all[1].(map[string]any)["id"] {
		t.Errorf("page before %v: %v", first["id"], p)
	}
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "before=-1", "before=x"} {
		if rec, _ := ts.do(t, "GET", "/api/v1/audit?"+q, ""); rec.Code != 400 {
			t.Errorf("audit?%s: %d, want 400", q, rec.Code)
		}
	}
	if rec, _ := ts.do(t, "GET", "/api/v1/audit?limit=500", ""); rec.Code != 200 {
		t.Errorf("limit=500: %d", rec.Code)
	}
}
