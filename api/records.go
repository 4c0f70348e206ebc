package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Versioned records and stateless servers.
//
// Every editable record (camera, kiosk, unit) carries the store revision
// that last wrote it as its Version. Single-record responses send it as a
// strong ETag ("17"); PUT and DELETE must name the version the editor saw,
// in If-Match or in a "version" body field. The edit goes to the store as
// one planner.Edit (Store.ApplyEdits), which refuses it when the record
// changed since: 412 Precondition Failed for If-Match (the body names the
// record and its current version), 409 for a body version. Without a
// version: 428 Precondition Required. So no edit is ever lost, whichever
// server the editors use.
//
// Servers keep no state of their own that matters: each remembers the
// revision of the workspace it serves, asks the store for its revision at
// most every Config.RevisionCheck before an API request, and reloads the
// workspace when another server wrote (one reload at a time; requests keep
// the old workspace until the new one is ready). Layers a reload finds
// unchanged (roads, grids, incidents, buildings) are kept, and so is the
// camera coverage, updated incrementally for the cameras that changed.
// After its own edit a server applies the stored record in memory instead
// of reloading, unless someone else wrote in between.

// DefaultRevisionCheck is how often at most a server asks the store
// whether another server changed the workspace (Config.RevisionCheck 0).
const DefaultRevisionCheck = 500 * time.Millisecond

// maxIncrementalCameras is the most changed cameras a reload applies to
// the held coverage one by one; beyond it the coverage is rebuilt.
const maxIncrementalCameras = 256

// freshness tracks revision checks and reloads.
type freshness struct {
	last      atomic.Int64 // unix nanoseconds when the last check began
	warned    atomic.Int64 // unix nanoseconds of the last logged check failure
	reloadMu  sync.Mutex   // one reload at a time
	installMu sync.Mutex   // serialises installing a workspace
}

func (s *Server) revisionInterval() time.Duration {
	if s.cfg.RevisionCheck == 0 {
		return DefaultRevisionCheck
	}
	return s.cfg.RevisionCheck
}

// freshen is the API middleware that reloads the workspace when the store
// moved on (at most one check per interval; the request that makes the
// check waits for the reload, the others are served the old workspace).
func (s *Server) freshen(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.maybeRefresh(r.Context())
		next.ServeHTTP(w, r)
	})
}

func (s *Server) maybeRefresh(ctx context.Context) {
	iv := s.revisionInterval()
	if s.cfg.Store == nil || iv < 0 {
		return
	}
	now := time.Now().UnixNano()
	last := s.fresh.last.Load()
	if now-last < int64(iv) || !s.fresh.last.CompareAndSwap(last, now) {
		return
	}
	if err := s.refresh(ctx, false); err != nil {
		// Serve what we have; say so at most every ten seconds.
		if w := s.fresh.warned.Load(); now-w > int64(10*time.Second) && s.fresh.warned.CompareAndSwap(w, now) {
			slog.Warn("store revision check failed; serving the loaded workspace", "revision", s.idx.Load().WS.Revision, "err", err)
		}
	}
}

// refresh reloads the workspace if the store's revision differs from the
// served one. With wait it waits for a reload in progress (and then
// checks again); without, it leaves the reload to that one.
func (s *Server) refresh(ctx context.Context, wait bool) error {
	if wait {
		s.fresh.reloadMu.Lock()
	} else if !s.fresh.reloadMu.TryLock() {
		return nil
	}
	defer s.fresh.reloadMu.Unlock()
	rev, err := s.cfg.Store.Revision(ctx)
	if err != nil {
		return err
	}
	cur := s.idx.Load().WS.Revision
	if rev == cur {
		return nil
	}
	// A client that goes away must not abort a reload every request shares.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	ws, err := s.cfg.Store.LoadWorkspace(lctx)
	if err != nil {
		return err
	}
	// Never go back to an older revision than an edit installed meanwhile,
	// unless the store itself went back (a restored backup).
	s.install(ws, rev > cur)
	return nil
}

// install serves ws (if onlyNewer, only when its revision is newer than
// the served one), keeping the served roads, grids, incidents and
// buildings when ws has the same ones and bringing the held camera
// coverage up to date incrementally.
func (s *Server) install(ws *planner.Workspace, onlyNewer bool) bool {
	s.fresh.installMu.Lock()
	defer s.fresh.installMu.Unlock()
	cur := s.idx.Load().WS
	if onlyNewer && ws.Revision <= cur.Revision {
		return false
	}
	s.carryOver(cur, ws)
	s.SetWorkspace(ws)
	return true
}

// carryOver makes ws share cur's unchanged base layers and updates the held
// coverage (if it is cur's) to ws's cameras.
func (s *Server) carryOver(cur, ws *planner.Workspace) {
	if !sameLayer(cur.Roads, ws.Roads) || !sameLayer(cur.Grids, ws.Grids) ||
		!sameLayer(cur.Incidents, ws.Incidents) || !sameLayer(cur.Buildings, ws.Buildings) {
		return // the coverage's key changes: it is rebuilt on next use
	}
	ws.Roads, ws.Grids, ws.Incidents, ws.Buildings = cur.Roads, cur.Grids, cur.Incidents, cur.Buildings
	h := &s.cov
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cov == nil || h.key != keyOf(cur) {
		return
	}
	set, gone := cameraDiff(cur.Cameras, ws.Cameras)
	if len(set)+len(gone) > maxIncrementalCameras {
		h.cov = nil
		return
	}
	for _, c := range set {
		h.cov.SetCamera(c)
	}
	for _, id := range gone {
		h.cov.DeleteCamera(id)
	}
	h.key = keyOf(ws)
}

// sameLayer reports whether a and b hold equal records (the same backing
// array is equal without a look).
func sameLayer[T any](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// cameraDiff returns the cameras of next that are new or changed against
// prev, and the IDs of prev's cameras next lacks.
func cameraDiff(prev, next []planner.Camera) (set []planner.Camera, gone []int64) {
	old := make(map[int64]*planner.Camera, len(prev))
	for i := range prev {
		old[prev[i].ID] = &prev[i]
	}
	for i := range next {
		c := &next[i]
		if o, ok := old[c.ID]; !ok || !reflect.DeepEqual(*o, *c) {
			set = append(set, *c)
		}
		delete(old, c.ID)
	}
	for id := range old {
		gone = append(gone, id)
	}
	slices.Sort(gone)
	return set, gone
}

// applyEdit writes one edit with Store.ApplyEdits and serves the result:
// when the store was at the served revision, the stored record is applied
// to the served workspace in memory (the coverage updated incrementally),
// else the workspace is reloaded. The caller holds s.mu.
func (s *Server) applyEdit(ctx context.Context, e planner.Edit) (planner.Applied, error) {
	rev, applied, err := s.cfg.Store.ApplyEdits(ctx, []planner.Edit{e})
	if err != nil {
		return planner.Applied{}, err
	}
	if len(applied) != 1 {
		return planner.Applied{}, fmt.Errorf("store applied %d edits of 1", len(applied))
	}
	a := applied[0]
	if cur := s.idx.Load().WS; cur.Revision == rev-1 {
		if ws, ok := withApplied(cur, rev, a); ok && s.install(ws, true) {
			return a, nil
		}
	}
	if err := s.refresh(ctx, true); err != nil {
		// The edit is stored; the next revision check serves it.
		slog.Warn("reload after an edit failed", "revision", rev, "err", err)
	}
	return a, nil
}

// withApplied returns a copy of ws at revision rev with the stored record
// of a applied (ok false when a lacks it).
func withApplied(ws *planner.Workspace, rev int64, a planner.Applied) (*planner.Workspace, bool) {
	cp := *ws
	cp.Revision = rev
	var ok bool
	switch a.Kind {
	case planner.KindCamera:
		cp.Cameras, ok = applyRecord(ws.Cameras, a.Op, a.ID, a.Camera, func(c *planner.Camera) int64 { return c.ID })
	case planner.KindKiosk:
		cp.Kiosks, ok = applyRecord(ws.Kiosks, a.Op, a.ID, a.Kiosk, func(k *planner.Kiosk) int64 { return k.ID })
	case planner.KindUnit:
		cp.Units, ok = applyRecord(ws.Units, a.Op, a.ID, a.Unit, func(u *planner.Unit) int64 { return u.ID })
	}
	return &cp, ok
}

// applyRecord returns a new slice: xs with rec created, replacing record
// id, or without record id.
func applyRecord[T any](xs []T, op planner.EditOp, id int64, rec *T, idOf func(*T) int64) ([]T, bool) {
	i := slices.IndexFunc(xs, func(x T) bool { return idOf(&x) == id })
	switch {
	case op == planner.OpCreate && rec != nil && i < 0:
		return append(slices.Clip(slices.Clone(xs)), *rec), true
	case op == planner.OpUpdate && rec != nil && i >= 0:
		out := slices.Clone(xs)
		out[i] = *rec
		return out, true
	case op == planner.OpDelete && i >= 0:
		return slices.Concat(xs[:i], xs[i+1:]), true
	}
	return nil, false
}

// ---------- preconditions ----------

// versionETag is a version as a strong entity tag.
func versionETag(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// httpError is an API error with its own status and extra body members.
type httpError struct {
	status int
	code   string
	msg    string
	extra  map[string]any
}

func (e *httpError) Error() string { return e.msg }

// writeError writes err: an *httpError as it is, anything else with Error.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		Error(w, r, err)
		return
	}
	body := map[string]any{"code": he.code, "error": he.msg}
	for k, v := range he.extra {
		body[k] = v
	}
	writeJSON(w, he.status, body)
}

// precondition returns the version an update or delete was made against:
// If-Match ("17", a strong tag) or else the body's version; ifMatch tells
// which. Neither is 428 Precondition Required.
func precondition(r *http.Request, bodyVersion int64, kind planner.RecordKind, id int64) (v int64, ifMatch bool, err error) {
	vals := r.Header.Values("If-Match")
	if len(vals) == 0 {
		if bodyVersion > 0 {
			return bodyVersion, false, nil
		}
		if bodyVersion < 0 {
			return 0, false, planner.Errorf(planner.EINVALID, "version %d: want the positive version you edited", bodyVersion)
		}
		return 0, false, &httpError{status: http.StatusPreconditionRequired, code: planner.EINVALID,
			msg: fmt.Sprintf("%s %d: send the version you edited as If-Match: \"<version>\" (the ETag of the record, or its version property), so no one else's change is lost", kind, id)}
	}
	h := strings.TrimSpace(strings.Join(vals, ","))
	bad := func(why string) error {
		return planner.Errorf(planner.EINVALID, "If-Match %s: %s; want one strong tag such as \"17\", the record's version", h, why)
	}
	switch {
	case h == "*":
		return 0, false, bad("a wildcard would overwrite whatever is stored")
	case strings.HasPrefix(h, "W/"):
		return 0, false, bad("a weak tag")
	case strings.Contains(h, ","):
		return 0, false, bad("a list")
	}
	if len(h) >= 2 && h[0] == '"' && h[len(h)-1] == '"' {
		h = h[1 : len(h)-1]
	}
	v, perr := strconv.ParseInt(h, 10, 64)
	if perr != nil || v <= 0 {
		return 0, false, bad("not a version")
	}
	if bodyVersion != 0 && bodyVersion != v {
		return 0, false, planner.Errorf(planner.EINVALID, "If-Match names version %d but the body's version is %d", v, bodyVersion)
	}
	return v, true, nil
}

// editFailed writes the error of an update or delete of record id made
// against version v: a conflict under If-Match is 412 with the record's
// current version (in the body and as ETag), after making sure the served
// workspace is the store's.
func (s *Server) editFailed(w http.ResponseWriter, r *http.Request, err error, kind planner.RecordKind, id int64, ifMatch bool) {
	if planner.ErrorCode(err) != planner.ECONFLICT || !ifMatch {
		writeError(w, r, err)
		return
	}
	if rerr := s.refresh(r.Context(), true); rerr != nil {
		slog.Warn("reload after a conflict failed", "err", rerr)
	}
	extra := map[string]any{"kind": kind, "id": id}
	if v, ok := recordVersion(s.idx.Load().WS, kind, id); ok {
		extra["version"] = v
		w.Header().Set("ETag", versionETag(v))
	} else {
		extra["deleted"] = true
	}
	writeError(w, r, &httpError{status: http.StatusPreconditionFailed, code: planner.ECONFLICT, msg: planner.ErrorMessage(err), extra: extra})
}

// recordVersion returns the served version of record id of kind.
func recordVersion(ws *planner.Workspace, kind planner.RecordKind, id int64) (int64, bool) {
	switch kind {
	case planner.KindCamera:
		if c := findCamera(ws, id); c != nil {
			return c.Version, true
		}
	case planner.KindKiosk:
		if k := findKiosk(ws, id); k != nil {
			return k.Version, true
		}
	case planner.KindUnit:
		if u := findUnit(ws, id); u != nil {
			return u.Version, true
		}
	}
	return 0, false
}

func findCamera(ws *planner.Workspace, id int64) *planner.Camera {
	i := slices.IndexFunc(ws.Cameras, func(c planner.Camera) bool { return c.ID == id })
	if i < 0 {
		return nil
	}
	return &ws.Cameras[i]
}

func findKiosk(ws *planner.Workspace, id int64) *planner.Kiosk {
	i := slices.IndexFunc(ws.Kiosks, func(k planner.Kiosk) bool { return k.ID == id })
	if i < 0 {
		return nil
	}
	return &ws.Kiosks[i]
}

func findUnit(ws *planner.Workspace, id int64) *planner.Unit {
	i := slices.IndexFunc(ws.Units, func(u planner.Unit) bool { return u.ID == id })
	if i < 0 {
		return nil
	}
	return &ws.Units[i]
}

// recordID parses the {id} URL parameter.
func recordID(r *http.Request, kind planner.RecordKind) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, planner.Errorf(planner.EINVALID, "%s id %q: want a positive integer", kind, chi.URLParam(r, "id"))
	}
	return id, nil
}

// writable refuses edits on a server without a store.
func (s *Server) writable() error {
	if s.cfg.Store == nil {
		return planner.Errorf(planner.ENOTIMPLEMENTED, "this server is read-only (no store)")
	}
	return nil
}

// beginEdit serialises this server's edits and brings the served
// workspace up to the store's revision, so the edit is made against what
// is stored; the caller must call the returned unlock.
func (s *Server) beginEdit(ctx context.Context) (*planner.Workspace, func(), error) {
	s.mu.Lock()
	if err := s.refresh(ctx, true); err != nil {
		s.mu.Unlock()
		return nil, nil, err
	}
	return s.idx.Load().WS, s.mu.Unlock, nil
}

// recordEdit is an edit of one record being made by a handler: the
// workspace it is made against (under the edit lock), the edit so far
// (op, kind, id and the version the client saw) and whether that version
// came by If-Match (a stale one is then 412, else 409).
type recordEdit struct {
	ws     *planner.Workspace
	edit   planner.Edit
	ifm    bool
	unlock func()
}

// startEdit begins an edit of record id of kind (0: a new record): the
// server must be writable; the edit lock is taken against the stored
// revision; an existing record must exist, and the request must say which
// version it edits (If-Match or bodyVersion, see precondition). On error
// it has answered the request and returns false; else the caller must
// call e.unlock.
func (s *Server) startEdit(w http.ResponseWriter, r *http.Request, kind planner.RecordKind, op planner.EditOp, id, bodyVersion int64) (recordEdit, bool) {
	if err := s.writable(); err != nil {
		Error(w, r, err)
		return recordEdit{}, false
	}
	ws, unlock, err := s.beginEdit(r.Context())
	if err != nil {
		Error(w, r, err)
		return recordEdit{}, false
	}
	e := recordEdit{ws: ws, edit: planner.Edit{Op: op, Kind: kind, ID: id}, unlock: unlock}
	if op == planner.OpCreate {
		return e, true
	}
	if _, ok := recordVersion(ws, kind, id); !ok {
		unlock()
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no %s %d", kind, id))
		return recordEdit{}, false
	}
	if e.edit.Version, e.ifm, err = precondition(r, bodyVersion, kind, id); err != nil {
		unlock()
		writeError(w, r, err)
		return recordEdit{}, false
	}
	return e, true
}

// commit applies the edit (with its record set by the caller); on error
// it has answered the request (editFailed) and returns false.
func (s *Server) commit(w http.ResponseWriter, r *http.Request, e recordEdit) (planner.Applied, bool) {
	a, err := s.applyEdit(r.Context(), e.edit)
	if err != nil {
		s.editFailed(w, r, err, e.edit.Kind, e.edit.ID, e.ifm)
		return a, false
	}
	return a, true
}

// writeSaved answers a create (201 with Location /api/v1/{kind}s/{id}) or
// an update (200) with the saved record v and its version as ETag.
func writeSaved(w http.ResponseWriter, a planner.Applied, v any) {
	status := http.StatusOK
	if a.Op == planner.OpCreate {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/"+string(a.Kind)+"s/"+strconv.FormatInt(a.ID, 10))
	}
	writeRecord(w, status, a.Version, v)
}

// decodeOptionalBody decodes a JSON body into v if there is one (DELETE
// may carry {"version": N} instead of If-Match).
func decodeOptionalBody(w http.ResponseWriter, r *http.Request, v any) error {
	if r.Body == nil {
		return nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return planner.Errorf(planner.EINVALID, "request body: %v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return planner.Errorf(planner.EINVALID, "request body: %v", err)
	}
	return nil
}

// writeRecord writes a single record with its version as ETag.
func writeRecord(w http.ResponseWriter, status int, version int64, v any) {
	w.Header().Set("ETag", versionETag(version))
	writeJSON(w, status, v)
}

// notModified answers 304 when If-None-Match names version.
func notModified(w http.ResponseWriter, r *http.Request, version int64) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == versionETag(version) || t == "*" {
			w.Header().Set("ETag", versionETag(version))
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

// ---------- routes ----------

// recordRoutes lists this file's routes (see extraRoutes).
func (s *Server) recordRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/cameras/{id}", Read, "one camera with its version (ETag)", s.getCamera},
		{"GET", "/api/v1/kiosks/{id}", Read, "one kiosk with its version (ETag)", s.getKiosk},
		{"PUT", "/api/v1/kiosks/{id}", Planning, "change a kiosk (If-Match: its version)", s.updateKiosk},
		{"DELETE", "/api/v1/kiosks/{id}", Planning, "remove a kiosk (If-Match: its version)", s.deleteKiosk},
		{"GET", "/api/v1/units", Read, "the patrol units", s.listUnits},
		{"GET", "/api/v1/units/{id}", Read, "one patrol unit with its version (ETag)", s.getUnit},
		{"POST", "/api/v1/units", Command, "add a patrol unit", s.addUnit},
		{"PUT", "/api/v1/units/{id}", Command, "change a patrol unit (If-Match: its version)", s.updateUnit},
		{"DELETE", "/api/v1/units/{id}", Command, "remove a patrol unit (If-Match: its version)", s.deleteUnit},
	}
}

// cameraJSON is a camera as GET /api/v1/cameras/{id} returns it.
type cameraJSON struct {
	ID           int64    `json:"id"`
	Ref          string   `json:"ref"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	DirectionDeg float64  `json:"direction_deg"`
	FOVDeg       float64  `json:"fov_deg"`
	RangeM       float64  `json:"range_m"`
	Lon          float64  `json:"lon"`
	Lat          float64  `json:"lat"`
	Source       string   `json:"source"`
	Defaulted    []string `json:"defaulted"`
	Version      int64    `json:"version"`
}

func (s *Server) getCamera(w http.ResponseWriter, r *http.Request) {
	id, err := recordID(r, planner.KindCamera)
	if err != nil {
		Error(w, r, err)
		return
	}
	c := findCamera(s.idx.Load().WS, id)
	if c == nil {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no camera %d", id))
		return
	}
	if notModified(w, r, c.Version) {
		return
	}
	writeRecord(w, http.StatusOK, c.Version, cameraJSON{ID: c.ID, Ref: c.Ref, Name: c.Name, Kind: string(c.Kind), DirectionDeg: c.DirectionDeg,
		FOVDeg: c.FOVDeg, RangeM: c.RangeM, Lon: c.Location.Lon, Lat: c.Location.Lat, Source: c.Source, Defaulted: nonNil(c.Defaulted), Version: c.Version})
}

// kioskJSON is a kiosk as the kiosk endpoints return it.
type kioskJSON struct {
	ID       int64   `json:"id"`
	Ref      string  `json:"ref"`
	Name     string  `json:"name"`
	Lon      float64 `json:"lon"`
	Lat      float64 `json:"lat"`
	Staff    int     `json:"staff"`
	Vehicles int     `json:"vehicles"`
	Source   string  `json:"source"`
	Version  int64   `json:"version"`
}

func kioskOut(k *planner.Kiosk) kioskJSON {
	return kioskJSON{ID: k.ID, Ref: k.Ref, Name: k.Name, Lon: k.Location.Lon, Lat: k.Location.Lat, Staff: k.Staff, Vehicles: k.Vehicles, Source: k.Source, Version: k.Version}
}

func (s *Server) getKiosk(w http.ResponseWriter, r *http.Request) {
	id, err := recordID(r, planner.KindKiosk)
	if err != nil {
		Error(w, r, err)
		return
	}
	k := findKiosk(s.idx.Load().WS, id)
	if k == nil {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no kiosk %d", id))
		return
	}
	if notModified(w, r, k.Version) {
		return
	}
	writeRecord(w, http.StatusOK, k.Version, kioskOut(k))
}

// updateKiosk serves PUT /api/v1/kiosks/{id}: the body of POST
// /api/v1/kiosks (an empty name or ref keeps the stored one) and If-Match.
func (s *Server) updateKiosk(w http.ResponseWriter, r *http.Request) {
	id, err := recordID(r, planner.KindKiosk)
	if err != nil {
		Error(w, r, err)
		return
	}
	var req kioskRequest
	if err := decodeBody(w, r, &req); err != nil {
		Error(w, r, err)
		return
	}
	e, ok := s.startEdit(w, r, planner.KindKiosk, planner.OpUpdate, id, req.Version)
	if !ok {
		return
	}
	defer e.unlock()
	old := findKiosk(e.ws, id)
	k := planner.Kiosk{Name: strings.TrimSpace(req.Name), Ref: req.Ref, Location: geo.Point{Lon: req.Lon, Lat: req.Lat},
		Staff: req.Staff, Vehicles: req.Vehicles, Source: old.Source}
	if k.Name == "" {
		k.Name = old.Name
	}
	if k.Ref == "" {
		k.Ref = old.Ref
	}
	e.edit.Kiosk = &k
	if a, ok := s.commit(w, r, e); ok {
		writeSaved(w, a, kioskOut(a.Kiosk))
	}
}

// deleteKiosk serves DELETE /api/v1/kiosks/{id} (If-Match).
func (s *Server) deleteKiosk(w http.ResponseWriter, r *http.Request) {
	s.deleteRecord(w, r, planner.KindKiosk, nil)
}

// deleteRecord serves DELETE of a camera, kiosk or unit: 200 {"id",
// "deleted": true, "version": the revision that deleted it}. done, when
// set, adds to the body while the edit lock is held.
func (s *Server) deleteRecord(w http.ResponseWriter, r *http.Request, kind planner.RecordKind, done func(ctx context.Context, body map[string]any) error) {
	id, err := recordID(r, kind)
	if err != nil {
		Error(w, r, err)
		return
	}
	var req struct {
		Version int64 `json:"version"`
	}
	if err := decodeOptionalBody(w, r, &req); err != nil {
		Error(w, r, err)
		return
	}
	e, ok := s.startEdit(w, r, kind, planner.OpDelete, id, req.Version)
	if !ok {
		return
	}
	defer e.unlock()
	a, ok := s.commit(w, r, e)
	if !ok {
		return
	}
	body := map[string]any{"id": id, "deleted": true, "version": a.Version}
	if done != nil {
		if err := done(r.Context(), body); err != nil {
			Error(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, body)
}

// unitJSON is a patrol unit as the unit endpoints return it; shifts are
// "HH:MM-HH:MM" local times (across midnight when the end is earlier).
type unitJSON struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	KioskID int64    `json:"kiosk_id"`
	Shifts  []string `json:"shifts"`
	Version int64    `json:"version"`
}

// unitRequest is the body of POST /api/v1/units and PUT
// /api/v1/units/{id}: kiosk is the home kiosk's id or name (kiosk_id
// also works, so a GET's body can be sent back).
type unitRequest struct {
	ID      int64           `json:"id"` // ignored; the URL names the unit
	Name    string          `json:"name"`
	Kind    string          `json:"kind"`
	Kiosk   json.RawMessage `json:"kiosk"`
	KioskID int64           `json:"kiosk_id"`
	Shifts  []string        `json:"shifts"`
	Version int64           `json:"version"`
}

func unitOut(u *planner.Unit) unitJSON {
	shifts := make([]string, len(u.Shifts))
	for i, sh := range u.Shifts {
		shifts[i] = fmt.Sprintf("%02d:%02d-%02d:%02d", sh.Start/60, sh.Start%60, sh.End/60, sh.End%60)
	}
	return unitJSON{ID: u.ID, Name: u.Name, Kind: string(u.Kind), KioskID: u.HomeKiosk, Shifts: shifts, Version: u.Version}
}

// unitFrom builds the unit a request describes against ws.
func unitFrom(ws *planner.Workspace, req unitRequest) (planner.Unit, error) {
	u := planner.Unit{Name: strings.TrimSpace(req.Name), Kind: planner.UnitKind(strings.ToLower(strings.TrimSpace(req.Kind)))}
	raw := req.Kiosk
	if len(raw) == 0 || string(raw) == "null" {
		if req.KioskID == 0 {
			return u, planner.Errorf(planner.EINVALID, "unit: kiosk (the home kiosk's id or name) is required")
		}
		raw = json.RawMessage(strconv.FormatInt(req.KioskID, 10))
	}
	kid, err := resolveKiosk(ws, raw)
	if err != nil {
		return u, planner.Errorf(planner.EINVALID, "unit home kiosk: %s", planner.ErrorMessage(err))
	}
	u.HomeKiosk = kid
	for _, s := range req.Shifts {
		sh, err := ParseWindow(s)
		if err != nil {
			return u, err
		}
		u.Shifts = append(u.Shifts, sh)
	}
	return u, planner.ValidateUnit(&u)
}

func (s *Server) listUnits(w http.ResponseWriter, r *http.Request) {
	ws := s.idx.Load().WS
	out := make([]unitJSON, len(ws.Units))
	for i := range ws.Units {
		out[i] = unitOut(&ws.Units[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"units": out})
}

func (s *Server) getUnit(w http.ResponseWriter, r *http.Request) {
	id, err := recordID(r, planner.KindUnit)
	if err != nil {
		Error(w, r, err)
		return
	}
	u := findUnit(s.idx.Load().WS, id)
	if u == nil {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no unit %d", id))
		return
	}
	if notModified(w, r, u.Version) {
		return
	}
	writeRecord(w, http.StatusOK, u.Version, unitOut(u))
}

// addUnit serves POST /api/v1/units: 201 with the stored unit.
func (s *Server) addUnit(w http.ResponseWriter, r *http.Request) {
	s.putUnit(w, r, 0)
}

// updateUnit serves PUT /api/v1/units/{id} (If-Match).
func (s *Server) updateUnit(w http.ResponseWriter, r *http.Request) {
	id, err := recordID(r, planner.KindUnit)
	if err != nil {
		Error(w, r, err)
		return
	}
	s.putUnit(w, r, id)
}

func (s *Server) putUnit(w http.ResponseWriter, r *http.Request, id int64) {
	var req unitRequest
	if err := decodeBody(w, r, &req); err != nil {
		Error(w, r, err)
		return
	}
	op := planner.OpUpdate
	if id == 0 {
		op = planner.OpCreate
	}
	e, ok := s.startEdit(w, r, planner.KindUnit, op, id, req.Version)
	if !ok {
		return
	}
	defer e.unlock()
	u, err := unitFrom(e.ws, req)
	if err != nil {
		Error(w, r, err)
		return
	}
	e.edit.Unit = &u
	if a, ok := s.commit(w, r, e); ok {
		writeSaved(w, a, unitOut(a.Unit))
	}
}

// deleteUnit serves DELETE /api/v1/units/{id} (If-Match).
func (s *Server) deleteUnit(w http.ResponseWriter, r *http.Request) {
	s.deleteRecord(w, r, planner.KindUnit, nil)
}
