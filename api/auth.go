package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tidewatch/tidewatch/planner"
)

// Sign-in and sessions
//
// A caller is signed in by a session token: the browser's in the cookie
// tw_session (set by POST /api/v1/login, HttpOnly, SameSite=Strict, 12
// hours), a script's in "Authorization: Bearer TOKEN" (POST
// /api/v1/tokens or "tidewatch user token", at most 90 days). The store
// keeps only the hex SHA-256 of a token as the session ID, so a copy of the
// database holds no usable session. A disabled user counts as signed out.
//
// Every route is wrapped by guard with its Access level: Public routes pass;
// otherwise no session is 401 (code "unauthorized") and a role the level
// does not allow is 403 ("forbidden"). A server without a Store has no
// users: every route but the Public ones answers 401.
//
// CSRF: a cookie is sent by the browser on its own, so every unsafe request
// (POST, PUT, PATCH, DELETE) of a cookie session must echo the session's
// CSRF token (from login or GET /api/v1/me) in the X-CSRF-Token header.
// Bearer tokens are never sent on their own and need none. Independently,
// unsafe requests a browser marks cross-site (Sec-Fetch-Site, or an Origin
// naming another host than Host) are refused, Public ones (sign-in) too.
// Behind a reverse proxy that rewrites Host, browsers' Origin no longer
// matches: let the proxy keep the Host header.

// SessionCookie is the name of the browser session's cookie.
const SessionCookie = "tw_session"

// Session lifetimes.
const (
	BrowserSessionTTL = 12 * time.Hour      // a signed-in browser, a shift and then some
	MaxTokenTTL       = 90 * 24 * time.Hour // the longest a script's bearer token lives
)

type ctxKey int

const authKey ctxKey = iota

// authInfo is what authenticate found for a request.
type authInfo struct {
	user    planner.User
	session planner.Session
	signed  bool  // a live session of an enabled user
	cookie  bool  // the token came in the cookie (CSRF applies)
	err     error // the store failed: non-Public routes answer 500
}

// userFrom returns the signed-in user of a request's context (set by the
// server's authentication middleware); ok is false when nobody is signed in.
// Handlers use it to name owners; store writes are already audited under the
// user's name (planner.WithActor).
func userFrom(ctx context.Context) (planner.User, bool) {
	a, _ := ctx.Value(authKey).(*authInfo)
	if a == nil || !a.signed {
		return planner.User{}, false
	}
	return a.user, true
}

// sessionFrom returns the session of a request's context, like userFrom.
func sessionFrom(ctx context.Context) (planner.Session, bool) {
	a, _ := ctx.Value(authKey).(*authInfo)
	if a == nil || !a.signed {
		return planner.Session{}, false
	}
	return a.session, true
}

// SessionID returns the store's ID of a session token: its hex SHA-256.
func SessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newSecret returns 256 random bits, base64url-encoded.
func newSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// NewBearerToken stores a bearer session for u valid for ttl (at most
// MaxTokenTTL) and returns its secret token, which is shown once and never
// stored.
func NewBearerToken(ctx context.Context, st planner.UserStore, u planner.User, ttl time.Duration) (string, planner.Session, error) {
	if ttl <= 0 || ttl > MaxTokenTTL {
		return "", planner.Session{}, planner.Errorf(planner.EINVALID, "token lifetime: want 1 to %d days", int(MaxTokenTTL/(24*time.Hour)))
	}
	tok := newSecret()
	now := time.Now()
	se := planner.Session{ID: SessionID(tok), UserID: u.ID, Bearer: true, Created: now, Expires: now.Add(ttl)}
	if err := st.CreateSession(ctx, se); err != nil {
		return "", planner.Session{}, err
	}
	return tok, se, nil
}

// maxTokenLen bounds what is hashed: real tokens are 43 characters.
const maxTokenLen = 256

// requestToken returns the session token a request carries and whether it
// came in the cookie. The Authorization header wins over the cookie.
func requestToken(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), false
		}
		return "", false
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value, true
	}
	return "", false
}

// authenticate resolves the caller's session (cookie or bearer token) and
// puts the user and session into the request context (see userFrom), with
// the user's name as the actor of store writes.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := &authInfo{}
		ctx := context.WithValue(r.Context(), authKey, info)
		tok, cookie := requestToken(r)
		if st := s.cfg.Store; st != nil && tok != "" && len(tok) <= maxTokenLen {
			se, u, err := st.SessionByID(r.Context(), SessionID(tok), time.Now())
			switch {
			case err == nil && !u.Disabled && se.UserID == u.ID:
				// A cookie must hold a browser session (with a CSRF token),
				// never a script's bearer token.
				if !cookie || (!se.Bearer && se.CSRF != "") {
					*info = authInfo{user: u, session: se, signed: true, cookie: cookie}
					ctx = planner.WithActor(ctx, u.Name)
				}
			case err != nil && planner.ErrorCode(err) != planner.ENOTFOUND:
				info.err = err
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// unsafeMethod reports whether a method may change state.
func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// crossOrigin refuses unsafe requests a browser sends from another site.
var crossOrigin = http.NewCrossOriginProtection()

// guard refuses callers whose role the access level does not allow (401
// without a session, 403 with the wrong role), unsafe cross-site requests,
// and unsafe cookie-session requests without the session's CSRF token; it
// also caps the request body (see withBodyLimit).
func (s *Server) guard(a Access, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = capBody(w, r)
		unsafe := unsafeMethod(r.Method)
		if unsafe {
			if err := crossOrigin.Check(r); err != nil {
				Error(w, r, planner.Errorf(planner.EFORBIDDEN, "cross-site request refused: send it from the Tidewatch page itself"))
				return
			}
		}
		if a == Public {
			h(w, r)
			return
		}
		info, _ := r.Context().Value(authKey).(*authInfo)
		if info != nil && info.err != nil {
			Error(w, r, info.err)
			return
		}
		if info == nil || !info.signed {
			msg := "sign in first (POST /api/v1/login, or an Authorization: Bearer token)"
			if s.cfg.Store == nil {
				msg = "this server has no user store, so nobody can sign in"
			}
			Error(w, r, planner.Errorf(planner.EUNAUTHORIZED, "%s", msg))
			return
		}
		if !a.Allows(info.user.Role) {
			Error(w, r, planner.Errorf(planner.EFORBIDDEN, "role %s may not %s %s (needs %s access)", info.user.Role, r.Method, r.URL.Path, a))
			return
		}
		if unsafe && info.cookie {
			got := r.Header.Get("X-CSRF-Token")
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(info.session.CSRF)) != 1 {
				Error(w, r, planner.Errorf(planner.EFORBIDDEN, "missing or wrong X-CSRF-Token header: send the csrf value from POST /api/v1/login or GET /api/v1/me"))
				return
			}
		}
		h(w, r)
	})
}

// authRoutes: sign-in, sign-out, who am I, users, tokens, audit log.
func (s *Server) authRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/login", Public, `sign in: {"name","password"} → session cookie tw_session and {"user","csrf"}`, s.login},
		{"POST", "/api/v1/logout", SignedIn, "sign out: ends the session and clears the cookie", s.logout},
		{"GET", "/api/v1/me", SignedIn, `the signed-in user and the session's CSRF token: {"user","csrf"}`, s.me},
		{"POST", "/api/v1/tokens", SignedIn, `a bearer token for scripts for the caller: {"days"} (≤ 90) → {"token","expires"}, shown once`, s.createToken},
		{"GET", "/api/v1/users", AdminOnly, "every user (never a password hash)", s.listUsers},
		{"POST", "/api/v1/users", AdminOnly, `add a user: {"name","role","password"}`, s.createUser},
		{"PUT", "/api/v1/users/{id}", AdminOnly, `change a user: {"role","password","disabled","version"}; 409 on a stale version`, s.updateUser},
		{"GET", "/api/v1/audit", AdminOnly, "the audit log, newest first; ?before=ID&limit=N (≤ 500)", s.auditLog},
	}
}

// meResponse is the body of GET /api/v1/me and POST /api/v1/login.
type meResponse struct {
	User planner.User `json:"user"`
	CSRF string       `json:"csrf"`
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// errBadLogin is the one answer to a wrong name or a wrong password.
var errBadLogin = planner.Errorf(planner.EUNAUTHORIZED, "wrong user name or password")

// dummyHash is checked when the name is unknown, so that a wrong name costs
// as much time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := planner.HashPassword(newSecret())
	if err != nil {
		panic(err)
	}
	return h
})

// hashSlots bounds concurrent password checks (64 MiB each).
var hashSlots = make(chan struct{}, max(2, runtime.NumCPU()))

func checkPassword(ctx context.Context, hash, pw string) bool {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	defer func() { <-hashSlots }()
	return planner.CheckPassword(hash, pw)
}

// login serves POST /api/v1/login.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r)
	if wait, ok := s.limits().login.allow("ip " + ip); !ok {
		tooMany(w, r, wait, "too many sign-in attempts from this address")
		return
	}
	var req loginRequest
	if err := readJSON(r, &req); err != nil {
		Error(w, r, err)
		return
	}
	if wait, ok := s.limits().login.allow("name " + req.Name); !ok {
		tooMany(w, r, wait, "too many sign-in attempts for this user")
		return
	}
	st := s.cfg.Store
	if st == nil {
		Error(w, r, planner.Errorf(planner.EUNAUTHORIZED, "this server has no user store, so nobody can sign in"))
		return
	}
	ctx := r.Context()
	u, err := st.UserByName(ctx, req.Name)
	switch {
	case err == nil:
	case planner.ErrorCode(err) == planner.ENOTFOUND:
		u = planner.User{PasswordHash: dummyHash()}
	default:
		Error(w, r, err)
		return
	}
	ok := checkPassword(ctx, u.PasswordHash, req.Password)
	if !ok || u.ID == 0 || u.Disabled {
		s.audit(ctx, planner.AuditEntry{Actor: "anonymous", Action: "login failed", Kind: "user", RecordID: u.ID,
			After: mustJSON(map[string]string{"name": req.Name, "remote": ip})})
		Error(w, r, errBadLogin)
		return
	}
	// A new session at every sign-in: a token planted before is worthless.
	if tok, cookie := requestToken(r); cookie && tok != "" && len(tok) <= maxTokenLen {
		_ = st.DeleteSession(ctx, SessionID(tok))
	}
	tok, csrf, now := newSecret(), newSecret(), time.Now()
	se := planner.Session{ID: SessionID(tok), UserID: u.ID, CSRF: csrf, Created: now, Expires: now.Add(BrowserSessionTTL)}
	if err := st.CreateSession(ctx, se); err != nil {
		Error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: tok, Path: "/", Expires: se.Expires, MaxAge: int(BrowserSessionTTL / time.Second),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	s.audit(planner.WithActor(ctx, u.Name), planner.AuditEntry{Actor: u.Name, Action: "login", Kind: "user", RecordID: u.ID,
		After: mustJSON(map[string]string{"remote": ip})})
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, meResponse{User: u, CSRF: csrf})
}

// logout serves POST /api/v1/logout.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	se, _ := sessionFrom(r.Context())
	if err := s.cfg.Store.DeleteSession(r.Context(), se.ID); err != nil {
		Error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	s.audit(r.Context(), planner.AuditEntry{Actor: u.Name, Action: "logout", Kind: "user", RecordID: u.ID})
	w.WriteHeader(http.StatusNoContent)
}

// me serves GET /api/v1/me.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	se, _ := sessionFrom(r.Context())
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, meResponse{User: u, CSRF: se.CSRF})
}

// audit appends an entry to the audit log; a failure is logged, not
// shown: the action itself succeeded or failed already.
func (s *Server) audit(ctx context.Context, e planner.AuditEntry) {
	if s.cfg.Store == nil {
		return
	}
	if err := s.cfg.Store.AppendAudit(ctx, e); err != nil {
		slog.Error("audit", "action", e.Action, "actor", e.Actor, "err", err)
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
