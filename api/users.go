package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/tidewatch/tidewatch/planner"
)

// Users, bearer tokens and the audit log (see authRoutes). Passwords are
// hashed with planner.HashPassword (argon2id, at least
// planner.MinPasswordLen characters); no response ever carries a hash.

// MaxUserNameLen is the longest user name accepted, in characters.
const MaxUserNameLen = 64

// ValidUserName checks a new user's name: 1 to MaxUserNameLen characters,
// no control characters, no leading or trailing space. Anything else,
// quotes and SQL included, is kept and compared verbatim.
func ValidUserName(name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return planner.Errorf(planner.EINVALID, "user name is empty")
	case n > MaxUserNameLen:
		return planner.Errorf(planner.EINVALID, "user name longer than %d characters", MaxUserNameLen)
	case !utf8.ValidString(name):
		return planner.Errorf(planner.EINVALID, "user name is not valid UTF-8")
	case strings.TrimSpace(name) != name:
		return planner.Errorf(planner.EINVALID, "user name starts or ends with a space")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return planner.Errorf(planner.EINVALID, "user name contains a control character")
	}
	return nil
}

var errEmptyBody = planner.Errorf(planner.EINVALID, "request body is empty: want a JSON object")

// readJSON decodes a request body into v, refusing unknown fields and
// trailing data.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); errors.Is(err, io.EOF) {
		return errEmptyBody
	} else if err != nil {
		return planner.Errorf(planner.EINVALID, "request body: %v", err)
	}
	if dec.More() {
		return planner.Errorf(planner.EINVALID, "request body: data after the JSON object")
	}
	return nil
}

// listUsers serves GET /api/v1/users: {"users":[...]} by ID.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	us, err := s.cfg.Store.Users(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	if us == nil {
		us = []planner.User{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": us})
}

type createUserRequest struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

// createUser serves POST /api/v1/users: 201 and the user.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req createUserRequest
	if err := readJSON(r, &req); err != nil {
		Error(w, r, err)
		return
	}
	if err := ValidUserName(req.Name); err != nil {
		Error(w, r, err)
		return
	}
	role, err := planner.ParseRole(req.Role)
	if err != nil {
		Error(w, r, err)
		return
	}
	hash, err := planner.HashPassword(req.Password)
	if err != nil {
		Error(w, r, err)
		return
	}
	u, err := s.cfg.Store.CreateUser(r.Context(), planner.User{Name: req.Name, Role: role, PasswordHash: hash})
	if err != nil {
		Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

// updateUserRequest changes what it names: a missing role or password
// keeps the old one; version is the user's version the admin last saw.
type updateUserRequest struct {
	Role     string `json:"role"`
	Password string `json:"password"`
	Disabled *bool  `json:"disabled"`
	Version  int64  `json:"version"`
}

// updateUser serves PUT /api/v1/users/{id}: the user with its new
// version; 409 when the version is stale or the change would leave no
// enabled admin.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		Error(w, r, planner.Errorf(planner.EINVALID, "user id %q: want a positive integer", chi.URLParam(r, "id")))
		return
	}
	var req updateUserRequest
	if err := readJSON(r, &req); err != nil {
		Error(w, r, err)
		return
	}
	if req.Version <= 0 {
		Error(w, r, planner.Errorf(planner.EINVALID, "version: the user's version last seen is required"))
		return
	}
	ctx := r.Context()
	all, err := s.cfg.Store.Users(ctx)
	if err != nil {
		Error(w, r, err)
		return
	}
	var u planner.User
	for _, x := range all {
		if x.ID == id {
			u = x
		}
	}
	if u.ID == 0 {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no user %d", id))
		return
	}
	if req.Role != "" {
		if u.Role, err = planner.ParseRole(req.Role); err != nil {
			Error(w, r, err)
			return
		}
	}
	if req.Password != "" {
		if u.PasswordHash, err = planner.HashPassword(req.Password); err != nil {
			Error(w, r, err)
			return
		}
	}
	if req.Disabled != nil {
		u.Disabled = *req.Disabled
	}
	admins := 0
	for _, x := range all {
		if x.ID != id && x.Role == planner.RoleAdmin && !x.Disabled {
			admins++
		}
	}
	if admins == 0 && (u.Role != planner.RoleAdmin || u.Disabled) {
		Error(w, r, planner.Errorf(planner.ECONFLICT, "user %q is the last enabled admin", u.Name))
		return
	}
	u.Version = req.Version
	u, err = s.cfg.Store.UpdateUser(ctx, u)
	if err != nil {
		Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

type tokenRequest struct {
	Days int `json:"days"`
}

// tokenResponse is the body of POST /api/v1/tokens; the token is shown
// only here.
type tokenResponse struct {
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
}

// createToken serves POST /api/v1/tokens: 201 and a bearer token for the
// caller, valid for days (1 to 90, default 30).
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	req := tokenRequest{Days: 30}
	if err := readJSON(r, &req); err != nil && err != errEmptyBody { // no body: the defaults
		Error(w, r, err)
		return
	}
	if req.Days < 1 || req.Days > int(MaxTokenTTL/(24*time.Hour)) {
		Error(w, r, planner.Errorf(planner.EINVALID, "days %d: want 1 to %d", req.Days, int(MaxTokenTTL/(24*time.Hour))))
		return
	}
	u, _ := userFrom(r.Context())
	tok, se, err := NewBearerToken(r.Context(), s.cfg.Store, u, time.Duration(req.Days)*24*time.Hour)
	if err != nil {
		Error(w, r, err)
		return
	}
	s.audit(r.Context(), planner.AuditEntry{Actor: u.Name, Action: "token create", Kind: "user", RecordID: u.ID,
		After: mustJSON(map[string]any{"expires": se.Expires})})
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, tokenResponse{Token: tok, Expires: se.Expires})
}

// MaxAuditPage is the most audit entries one request returns.
const MaxAuditPage = 500

// auditLog serves GET /api/v1/audit?before=ID&limit=N: {"entries":[...]}
// newest first, IDs below before (all when 0 or absent), at most limit
// (default 100, at most MaxAuditPage).
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	before, limit := int64(0), 100
	if v := q.Get("before"); v != "" {
		b, err := strconv.ParseInt(v, 10, 64)
		if err != nil || b < 0 {
			Error(w, r, planner.Errorf(planner.EINVALID, "before %q: want an audit entry id", v))
			return
		}
		before = b
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxAuditPage {
			Error(w, r, planner.Errorf(planner.EINVALID, "limit %q: want 1 to %d", v, MaxAuditPage))
			return
		}
		limit = n
	}
	es, err := s.cfg.Store.Audit(r.Context(), before, limit)
	if err != nil {
		Error(w, r, err)
		return
	}
	if es == nil {
		es = []planner.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
}
