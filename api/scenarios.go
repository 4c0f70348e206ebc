package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/go-chi/chi/v5"

	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// What-if scenarios (方案对比): named lists of edits kept in the store and
// applied in memory over the served workspace; the stored workspace never
// changes. See planner.CompareScenario for the figures and for stale edits.

// scenarioRoutes lists this file's routes (see extraRoutes).
func (s *Server) scenarioRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/scenarios", Read, "what-if scenarios (方案), without comparing them", s.listScenarios},
		{"POST", "/api/v1/scenarios", Planning, `save a what-if scenario: {"name","edits"}`, s.createScenario},
		{"GET", "/api/v1/scenarios/{id}", Read, "one scenario, its edits and which of them are stale", s.getScenario},
		{"PUT", "/api/v1/scenarios/{id}", Planning, `replace a scenario's name and edits (If-Match: "<version>" or "version")`, s.updateScenario},
		{"DELETE", "/api/v1/scenarios/{id}", Planning, `delete a scenario (If-Match: "<version>" or ?version=)`, s.deleteScenario},
		{"GET", "/api/v1/scenarios/{id}/compare", Read, "today against the scenario: coverage, rings, failing key sites, patrol risk; ?window=22:00-02:00&mode=car&minutes=1,3,5&day=&seed=1", s.compareScenario},
		{"GET", "/api/v1/scenarios/{id}/layers/{layer}", Read, "cameras, kiosks or units with the scenario's edits applied, GeoJSON", s.scenarioLayer},
	}
}

// ScenarioEdit is one edit of a scenario in the API's JSON, flat like the
// bodies of POST /api/v1/cameras and /api/v1/kiosks:
//
//	{"op":"create","kind":"camera","lon":114.30,"lat":30.59,"direction_deg":90}
//	{"op":"create","kind":"camera","lon":114.30,"lat":30.59,"camera_kind":"dome","range_m":30}
//	{"op":"create","kind":"kiosk","name":"东门警务站","lon":114.31,"lat":30.58,"staff":4,"vehicles":1}
//	{"op":"update","kind":"camera","id":17,"lon":114.301,"lat":30.591}   (a move)
//	{"op":"delete","kind":"kiosk","id":3,"version":12}
//	{"op":"create","kind":"unit","name":"巡逻车3","unit_kind":"car","home_kiosk":2,"shifts":["22:00-02:00"]}
//
// op is create, update or delete; kind is camera, kiosk or unit. id names
// the stored record an update or delete changes; version is the record's
// version the edit is made against: omitted, it is the record's current
// version when the scenario is saved. An update changes only the fields
// given; the others keep the stored record's values. Fields per kind:
//
//   - camera: name, ref, lon, lat (WGS84 degrees), camera_kind (fixed, dome
//     or ptz; default fixed when direction_deg is given, else dome),
//     direction_deg (clockwise from north), fov_deg, range_m (default by
//     kind, as for POST /api/v1/cameras);
//   - kiosk: name, ref, lon, lat, staff, vehicles;
//   - unit: name, unit_kind (car, motorbike, foot, volunteer), home_kiosk
//     (a kiosk id), shifts ("HH:MM-HH:MM" each).
//
// Responses carry every edit in this form with all its fields and version.
type ScenarioEdit struct {
	Op           string   `json:"op"`
	Kind         string   `json:"kind"`
	ID           int64    `json:"id,omitempty"`
	Version      int64    `json:"version,omitempty"`
	Name         *string  `json:"name,omitempty"`
	Ref          *string  `json:"ref,omitempty"`
	Lon          *float64 `json:"lon,omitempty"`
	Lat          *float64 `json:"lat,omitempty"`
	CameraKind   *string  `json:"camera_kind,omitempty"`
	DirectionDeg *float64 `json:"direction_deg,omitempty"`
	FOVDeg       *float64 `json:"fov_deg,omitempty"`
	RangeM       *float64 `json:"range_m,omitempty"`
	Staff        *int     `json:"staff,omitempty"`
	Vehicles     *int     `json:"vehicles,omitempty"`
	UnitKind     *string  `json:"unit_kind,omitempty"`
	HomeKiosk    *int64   `json:"home_kiosk,omitempty"`
	Shifts       []string `json:"shifts,omitempty"`
}

// scenarioBody is the body of POST and PUT /api/v1/scenarios[/{id}].
type scenarioBody struct {
	Name    string         `json:"name"`
	Edits   []ScenarioEdit `json:"edits"`
	Version int64          `json:"version,omitempty"` // PUT: the version edited (or If-Match)
}

// scenarioJSON is a scenario in responses. StaleEdits are the edits that
// no longer apply to the served workspace (revision BaseRevision).
type scenarioJSON struct {
	ID           int64               `json:"id"`
	Name         string              `json:"name"`
	Owner        string              `json:"owner"`
	Version      int64               `json:"version"`
	Created      time.Time           `json:"created"`
	Updated      time.Time           `json:"updated"`
	Edits        []ScenarioEdit      `json:"edits"`
	StaleEdits   []planner.StaleEdit `json:"stale_edits"`
	BaseRevision int64               `json:"base_revision"`
}

// scenarioSource marks records a scenario creates.
const scenarioSource = "scenario"

func scPtr[T any](v T) *T { return &v }

// wrongFields names the fields given that do not belong to kind.
func (e *ScenarioEdit) wrongFields(kind planner.RecordKind) []string {
	var bad []string
	add := func(given bool, name string) {
		if given {
			bad = append(bad, name)
		}
	}
	if kind != planner.KindCamera {
		add(e.CameraKind != nil, "camera_kind")
		add(e.DirectionDeg != nil, "direction_deg")
		add(e.FOVDeg != nil, "fov_deg")
		add(e.RangeM != nil, "range_m")
	}
	if kind != planner.KindKiosk {
		add(e.Staff != nil, "staff")
		add(e.Vehicles != nil, "vehicles")
	}
	if kind != planner.KindUnit {
		add(e.UnitKind != nil, "unit_kind")
		add(e.HomeKiosk != nil, "home_kiosk")
		add(e.Shifts != nil, "shifts")
	} else {
		add(e.Lon != nil || e.Lat != nil, "lon/lat")
		add(e.Ref != nil, "ref")
	}
	return bad
}

// resolveEdits turns API edits into planner edits against ws (the served
// workspace): it fills omitted versions and, for updates, omitted fields
// from the stored records, applies camera defaults, and validates each.
func resolveEdits(ws *planner.Workspace, in []ScenarioEdit) ([]planner.Edit, error) {
	out := make([]planner.Edit, 0, len(in))
	for i := range in {
		e, err := resolveEdit(ws, &in[i])
		if err != nil {
			return nil, planner.Errorf(planner.ErrorCode(err), "edit %d: %s", i+1, planner.ErrorMessage(err))
		}
		out = append(out, e)
	}
	return out, nil
}

func resolveEdit(ws *planner.Workspace, a *ScenarioEdit) (planner.Edit, error) {
	e := planner.Edit{Op: planner.EditOp(strings.ToLower(strings.TrimSpace(a.Op))), Kind: planner.RecordKind(strings.ToLower(strings.TrimSpace(a.Kind))), ID: a.ID, Version: a.Version}
	switch e.Op {
	case planner.OpCreate, planner.OpUpdate, planner.OpDelete:
	default:
		return e, planner.Errorf(planner.EINVALID, "op %q: want create, update or delete", a.Op)
	}
	switch e.Kind {
	case planner.KindCamera, planner.KindKiosk, planner.KindUnit:
	default:
		return e, planner.Errorf(planner.EINVALID, "kind %q: want camera, kiosk or unit", a.Kind)
	}
	if bad := a.wrongFields(e.Kind); len(bad) > 0 {
		return e, planner.Errorf(planner.EINVALID, "a %s edit has no field %s", e.Kind, strings.Join(bad, ", "))
	}
	if e.Op == planner.OpCreate {
		if a.ID != 0 || a.Version != 0 {
			return e, planner.Errorf(planner.EINVALID, "create %s: id and version are assigned, leave them out", e.Kind)
		}
	} else if a.ID <= 0 {
		return e, planner.Errorf(planner.EINVALID, "%s %s: the id of the stored record is required", e.Op, e.Kind)
	}
	if err := scFillVersion(&e, ws); err != nil {
		return e, err
	}
	// An update starts from the stored record (nil when it no longer
	// exists: then every field must be given).
	update := e.Op == planner.OpUpdate
	var err error
	switch {
	case e.Op == planner.OpDelete:
	case e.Kind == planner.KindCamera:
		var cur *planner.Camera
		if update {
			cur = findCamera(ws, a.ID)
		}
		e.Camera, err = scEditCamera(a, cur)
	case e.Kind == planner.KindKiosk:
		var cur *planner.Kiosk
		if update {
			cur = findKiosk(ws, a.ID)
		}
		e.Kiosk, err = scEditKiosk(a, cur)
	case e.Kind == planner.KindUnit:
		var cur *planner.Unit
		if update {
			cur = findUnit(ws, a.ID)
		}
		e.Unit, err = scEditUnit(a, cur)
	}
	if err != nil {
		return e, err
	}
	return e, e.Validate()
}

// scFillVersion gives an update or delete without a version the stored
// record's; without a stored record the version must be given.
func scFillVersion(e *planner.Edit, ws *planner.Workspace) error {
	if e.Op == planner.OpCreate || e.Version != 0 {
		return nil // a given version is checked by Edit.Validate, its freshness by the comparison
	}
	v, exists := recordVersion(ws, e.Kind, e.ID)
	if !exists {
		return planner.Errorf(planner.EINVALID, "%s %d does not exist", e.Kind, e.ID)
	}
	e.Version = v
	if e.Version <= 0 {
		return planner.Errorf(planner.EINVALID, "%s %d has no stored version yet (reload the workspace)", e.Kind, e.ID)
	}
	return nil
}

// scNeed reports a missing field when an update has no stored record to
// take it from, or a create lacks it.
func scNeed(missing map[string]bool) error {
	var names []string
	for n, m := range missing {
		if m {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	return planner.Errorf(planner.EINVALID, "%s required", strings.Join(names, ", "))
}

func scEditCamera(a *ScenarioEdit, cur *planner.Camera) (*planner.Camera, error) {
	var c planner.Camera
	if cur != nil {
		c = *cur
		c.Defaulted = slices.Clone(cur.Defaulted)
	} else {
		if err := scNeed(map[string]bool{"lon": a.Lon == nil, "lat": a.Lat == nil}); err != nil {
			return nil, err
		}
		c.Source = scenarioSource
		c.Kind = planner.CameraDome
		if a.DirectionDeg != nil {
			c.Kind = planner.CameraFixed
		}
	}
	scSet(&c.Name, a.Name)
	scSet(&c.Ref, a.Ref)
	scSet(&c.Location.Lon, a.Lon)
	scSet(&c.Location.Lat, a.Lat)
	if a.CameraKind != nil {
		if k := planner.CameraKind(*a.CameraKind); k != c.Kind {
			c.Kind = k
			if cur != nil && a.FOVDeg == nil {
				c.FOVDeg = 0 // the new kind's default
			}
		}
	}
	scSet(&c.DirectionDeg, a.DirectionDeg)
	scSet(&c.FOVDeg, a.FOVDeg)
	scSet(&c.RangeM, a.RangeM)
	if c.Defaulted == nil {
		c.Defaulted = []string{}
	}
	n, err := planner.NormalizeCamera(c)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func scEditKiosk(a *ScenarioEdit, cur *planner.Kiosk) (*planner.Kiosk, error) {
	var k planner.Kiosk
	if cur != nil {
		k = *cur
	} else {
		if err := scNeed(map[string]bool{"lon": a.Lon == nil, "lat": a.Lat == nil}); err != nil {
			return nil, err
		}
		k.Source = scenarioSource
	}
	scSet(&k.Name, a.Name)
	scSet(&k.Ref, a.Ref)
	scSet(&k.Location.Lon, a.Lon)
	scSet(&k.Location.Lat, a.Lat)
	scSet(&k.Staff, a.Staff)
	scSet(&k.Vehicles, a.Vehicles)
	k.Name = strings.TrimSpace(k.Name)
	return &k, nil
}

func scEditUnit(a *ScenarioEdit, cur *planner.Unit) (*planner.Unit, error) {
	var u planner.Unit
	if cur != nil {
		u = *cur
		u.Shifts = slices.Clone(cur.Shifts)
	} else if err := scNeed(map[string]bool{"name": a.Name == nil, "unit_kind": a.UnitKind == nil, "home_kiosk": a.HomeKiosk == nil}); err != nil {
		return nil, err
	}
	scSet(&u.Name, a.Name)
	if a.UnitKind != nil {
		u.Kind = planner.UnitKind(strings.ToLower(strings.TrimSpace(*a.UnitKind)))
	}
	scSet(&u.HomeKiosk, a.HomeKiosk)
	if a.Shifts != nil {
		u.Shifts = []planner.Shift{}
		for _, s := range a.Shifts {
			sh, err := ParseWindow(s)
			if err != nil {
				return nil, err
			}
			u.Shifts = append(u.Shifts, sh)
		}
	}
	return &u, nil
}

func scSet[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// scenarioEdits renders planner edits in the API's flat form.
func scenarioEdits(edits []planner.Edit) []ScenarioEdit {
	out := make([]ScenarioEdit, 0, len(edits))
	for _, e := range edits {
		a := ScenarioEdit{Op: string(e.Op), Kind: string(e.Kind), ID: e.ID, Version: e.Version}
		switch {
		case e.Camera != nil:
			c := e.Camera
			a.Name, a.Ref, a.Lon, a.Lat = scPtr(c.Name), scPtr(c.Ref), scPtr(c.Location.Lon), scPtr(c.Location.Lat)
			a.CameraKind, a.DirectionDeg, a.FOVDeg, a.RangeM = scPtr(string(c.Kind)), scPtr(c.DirectionDeg), scPtr(c.FOVDeg), scPtr(c.RangeM)
		case e.Kiosk != nil:
			k := e.Kiosk
			a.Name, a.Ref, a.Lon, a.Lat = scPtr(k.Name), scPtr(k.Ref), scPtr(k.Location.Lon), scPtr(k.Location.Lat)
			a.Staff, a.Vehicles = scPtr(k.Staff), scPtr(k.Vehicles)
		case e.Unit != nil:
			u := e.Unit
			a.Name, a.UnitKind, a.HomeKiosk = scPtr(u.Name), scPtr(string(u.Kind)), scPtr(u.HomeKiosk)
			a.Shifts = []string{}
			for _, sh := range u.Shifts {
				a.Shifts = append(a.Shifts, fmt.Sprintf("%02d:%02d-%02d:%02d", sh.Start/60, sh.Start%60, sh.End/60, sh.End%60))
			}
		}
		out = append(out, a)
	}
	return out
}

// renderScenario is sc in responses, with its stale edits against ws.
func renderScenario(ws *planner.Workspace, sc planner.Scenario) scenarioJSON {
	out := scenarioJSON{ID: sc.ID, Name: sc.Name, Owner: sc.Owner, Version: sc.Version, Created: sc.Created, Updated: sc.Updated,
		Edits: scenarioEdits(sc.Edits), StaleEdits: []planner.StaleEdit{}, BaseRevision: ws.Revision}
	if _, _, stale, err := planner.ApplyScenario(ws, sc.Edits); err == nil {
		out.StaleEdits = stale
	}
	return out
}

func (s *Server) scenarioStore() (planner.Store, error) {
	if s.cfg.Store == nil {
		return nil, planner.Errorf(planner.ENOTIMPLEMENTED, "this server keeps no scenarios (no store)")
	}
	return s.cfg.Store, nil
}

// parseScenarioID parses a scenario id: a positive integer, else EINVALID.
func parseScenarioID(raw string) (int64, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, planner.Errorf(planner.EINVALID, "scenario id %q: want a positive integer", raw)
	}
	return id, nil
}

func scenarioID(r *http.Request) (int64, error) { return parseScenarioID(chi.URLParam(r, "id")) }

// loadScenario reads the scenario named by the URL.
func (s *Server) loadScenario(r *http.Request) (planner.Scenario, error) {
	return s.scenarioByID(r.Context(), chi.URLParam(r, "id"))
}

// scenarioByID reads scenario raw (its id as text) from the store: EINVALID
// for an id that is not a positive integer, ENOTFOUND for an unknown one
// (GET /api/v1/scenarios/{id} and GET /report?scenario=ID).
func (s *Server) scenarioByID(ctx context.Context, raw string) (planner.Scenario, error) {
	st, err := s.scenarioStore()
	if err != nil {
		return planner.Scenario{}, err
	}
	id, err := parseScenarioID(raw)
	if err != nil {
		return planner.Scenario{}, err
	}
	return st.Scenario(ctx, id)
}

func scenarioETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// listScenarios serves GET /api/v1/scenarios: {"scenarios":[...]} by id,
// each as GET /api/v1/scenarios/{id} returns it.
func (s *Server) listScenarios(w http.ResponseWriter, r *http.Request) {
	st, err := s.scenarioStore()
	if err != nil {
		Error(w, r, err)
		return
	}
	all, err := st.Scenarios(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	ws := s.idx.Load().WS
	out := make([]scenarioJSON, 0, len(all))
	for _, sc := range all {
		out = append(out, renderScenario(ws, sc))
	}
	writeJSON(w, http.StatusOK, map[string]any{"scenarios": out, "base_revision": ws.Revision})
}

// createScenario serves POST /api/v1/scenarios {"name","edits"} (edits in
// the ScenarioEdit form): 201 with the scenario, Location and ETag. The
// owner is the signed-in user.
func (s *Server) createScenario(w http.ResponseWriter, r *http.Request) {
	var body scenarioBody
	if err := decodeBody(w, r, &body); err != nil {
		Error(w, r, err)
		return
	}
	st, err := s.scenarioStore()
	if err != nil {
		Error(w, r, err)
		return
	}
	if body.Version != 0 {
		Error(w, r, planner.Errorf(planner.EINVALID, "a new scenario has no version yet"))
		return
	}
	ws := s.idx.Load().WS
	edits, err := resolveEdits(ws, body.Edits)
	if err != nil {
		Error(w, r, err)
		return
	}
	sc, err := st.CreateScenario(r.Context(), planner.Scenario{Name: strings.TrimSpace(body.Name), Owner: planner.ActorFrom(r.Context()), Edits: edits})
	if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID))
	w.Header().Set("ETag", scenarioETag(sc.Version))
	writeJSON(w, http.StatusCreated, renderScenario(ws, sc))
}

// getScenario serves GET /api/v1/scenarios/{id} with ETag "<version>".
func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) {
	sc, err := s.loadScenario(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("ETag", scenarioETag(sc.Version))
	writeJSON(w, http.StatusOK, renderScenario(s.idx.Load().WS, sc))
}

// scenarioIfMatch returns the version in an If-Match header ("3", W/"3" or 3), 0
// when there is none.
func scenarioIfMatch(r *http.Request) (int64, bool, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, false, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v <= 0 {
		return 0, true, planner.Errorf(planner.EINVALID, "If-Match %q: want the scenario's version, e.g. \"3\"", h)
	}
	return v, true, nil
}

// scenarioVersionOf picks the version an update or delete is made against:
// If-Match, else the body's or query's; both must agree.
func scenarioVersionOf(r *http.Request, other int64) (v int64, header bool, err error) {
	hv, header, err := scenarioIfMatch(r)
	if err != nil {
		return 0, header, err
	}
	switch {
	case header && other != 0 && other != hv:
		return 0, header, planner.Errorf(planner.EINVALID, "If-Match %d and version %d disagree", hv, other)
	case header:
		return hv, true, nil
	case other > 0:
		return other, false, nil
	}
	return 0, false, planner.Errorf(planner.EINVALID, `the scenario's version is required: send If-Match: "<version>" or "version"`)
}

// scenarioConflict writes a stale-version error: 412 Precondition Failed when
// the version came in If-Match, else 409 Conflict.
func scenarioConflict(w http.ResponseWriter, r *http.Request, err error, header bool) {
	if header && planner.ErrorCode(err) == planner.ECONFLICT {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusPreconditionFailed)
		_ = json.NewEncoder(w).Encode(map[string]string{"code": planner.ECONFLICT, "error": planner.ErrorMessage(err)})
		return
	}
	Error(w, r, err)
}

// updateScenario serves PUT /api/v1/scenarios/{id} {"name","edits"}
// with If-Match: "<version>" or "version": the whole edit list is
// replaced. A stale version is 412 (If-Match) or 409.
func (s *Server) updateScenario(w http.ResponseWriter, r *http.Request) {
	var body scenarioBody
	if err := decodeBody(w, r, &body); err != nil {
		Error(w, r, err)
		return
	}
	st, err := s.scenarioStore()
	if err != nil {
		Error(w, r, err)
		return
	}
	id, err := scenarioID(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	version, header, err := scenarioVersionOf(r, body.Version)
	if err != nil {
		Error(w, r, err)
		return
	}
	ws := s.idx.Load().WS
	edits, err := resolveEdits(ws, body.Edits)
	if err != nil {
		Error(w, r, err)
		return
	}
	old, err := st.Scenario(r.Context(), id)
	if err != nil {
		Error(w, r, err)
		return
	}
	sc, err := st.UpdateScenario(r.Context(), planner.Scenario{ID: id, Name: strings.TrimSpace(body.Name), Owner: old.Owner, Edits: edits, Created: old.Created, Version: version})
	if err != nil {
		scenarioConflict(w, r, err, header)
		return
	}
	w.Header().Set("ETag", scenarioETag(sc.Version))
	writeJSON(w, http.StatusOK, renderScenario(ws, sc))
}

// deleteScenario serves DELETE /api/v1/scenarios/{id} with If-Match:
// "<version>", ?version= or a body {"version":N}.
func (s *Server) deleteScenario(w http.ResponseWriter, r *http.Request) {
	st, err := s.scenarioStore()
	if err != nil {
		Error(w, r, err)
		return
	}
	id, err := scenarioID(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	var other int64
	if q := r.URL.Query().Get("version"); q != "" {
		if other, err = strconv.ParseInt(q, 10, 64); err != nil || other <= 0 {
			Error(w, r, planner.Errorf(planner.EINVALID, "version %q: want a positive integer", q))
			return
		}
	} else if r.ContentLength != 0 && r.Body != nil {
		var body struct {
			Version int64 `json:"version"`
		}
		if err := decodeBody(w, r, &body); err != nil {
			Error(w, r, err)
			return
		}
		other = body.Version
	}
	version, header, err := scenarioVersionOf(r, other)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := st.DeleteScenario(r.Context(), id, version); err != nil {
		scenarioConflict(w, r, err, header)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
}

// compareOptions parses ?window=22:00-02:00&mode=car&minutes=1,3,5&day=fri&seed=1.
func compareOptions(r *http.Request) (planner.CompareOptions, error) {
	q := r.URL.Query()
	ro, err := responseOptions(r)
	if err != nil {
		return planner.CompareOptions{}, err
	}
	if len(ro.KioskIDs) > 0 {
		return planner.CompareOptions{}, planner.Errorf(planner.EINVALID, "kiosk: a comparison uses every kiosk of each side")
	}
	opt := planner.CompareOptions{Mode: ro.Mode, Minutes: ro.Minutes, Seed: 1}
	if v := q.Get("window"); v != "" {
		if opt.Window, err = ParseWindow(v); err != nil {
			return opt, err
		}
	}
	if opt.Day, err = ParseDay(q.Get("day")); err != nil {
		return opt, err
	}
	if v := q.Get("seed"); v != "" {
		if opt.Seed, err = strconv.ParseInt(v, 10, 64); err != nil {
			return opt, planner.Errorf(planner.EINVALID, "seed %q: want an integer", v)
		}
	}
	return opt, nil
}

// compareScenario serves GET /api/v1/scenarios/{id}/compare: the
// planner.Comparison of the served workspace ("today") and the scenario
// applied to it, as JSON (scenarioComparison). Stale edits are skipped
// and listed in stale_edits.
func (s *Server) compareScenario(w http.ResponseWriter, r *http.Request) {
	opt, err := compareOptions(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	sc, err := s.loadScenario(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	start := time.Now()
	c, hit, err := s.scenarioComparison(r.Context(), s.idx.Load().WS, sc, opt)
	if err != nil {
		Error(w, r, err)
		return
	}
	cached := "miss"
	if hit {
		cached = "hit"
	}
	w.Header().Set("Server-Timing", fmt.Sprintf(`compare;dur=%.1f;desc="%s"`, float64(time.Since(start).Microseconds())/1000, cached))
	writeJSON(w, http.StatusOK, c)
}

// scenarioComparison is the one comparison of ws (the served workspace)
// and scenario sc applied to it with opt (compareOptions): GET
// /api/v1/scenarios/{id}/compare answers it as JSON and GET
// /report?scenario=ID prints it, so both show the same figures. The
// workspace's own figures and each comparison are kept for the workspace
// they were computed on (compareCache), so the second look is quick; hit
// reports that the comparison came from there. A miss starts from the
// cached figures of ws, else from the server's camera coverage of ws.
func (s *Server) scenarioComparison(ctx context.Context, ws *planner.Workspace, sc planner.Scenario, opt planner.CompareOptions) (c *planner.Comparison, hit bool, err error) {
	day := ""
	if opt.Day != nil {
		day = opt.Day.String()
	}
	optKey := fmt.Sprintf("%p|%s|%v|%v|%s|%d", s, opt.Mode, opt.Minutes, opt.Window, day, opt.Seed)
	cmpKey := fmt.Sprintf("%s|scenario %d v%d", optKey, sc.ID, sc.Version)
	if c, ok := compareCache.get(ws, cmpKey).(*planner.Comparison); ok {
		return c, true, nil
	}
	if before, ok := compareCache.get(ws, optKey).(*planner.Figures); ok {
		opt.Before = before
	} else if cov, err := s.cov.get(ctx, ws); err == nil {
		opt.BaseCoverage = cov
	}
	c, err = planner.CompareScenario(ctx, ws, sc, opt)
	if err != nil {
		return nil, false, err
	}
	compareCache.put(ws, optKey, c.Before)
	compareCache.put(ws, cmpKey, c)
	return c, false, nil
}

// scenarioLayerInfo is the "scenario" foreign member of a scenario layer:
// which records of the layer the scenario added, changed or deleted (IDs;
// deleted ones are absent from the features, draw them from the
// workspace's own layer) and its stale edits.
type scenarioLayerInfo struct {
	ID           int64               `json:"id"`
	Version      int64               `json:"version"`
	BaseRevision int64               `json:"base_revision"`
	Layer        string              `json:"layer"`
	Added        []int64             `json:"added"`
	Changed      []int64             `json:"changed"`
	Deleted      []int64             `json:"deleted"`
	StaleEdits   []planner.StaleEdit `json:"stale_edits"`
}

// scUnitProps are the properties of a unit feature (drawn at its home kiosk).
type scUnitProps struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	HomeKiosk int64    `json:"home_kiosk"`
	Shifts    []string `json:"shifts"`
}

// scenarioLayer serves GET /api/v1/scenarios/{id}/layers/{cameras|kiosks|units}:
// the layer with the scenario's edits applied, as the workspace's own
// layer is written (units as Points at their home kiosk; a unit whose
// kiosk is gone is left out), with a top-level "scenario" member
// (scenarioLayerInfo, RFC 7946 §6.1).
func (s *Server) scenarioLayer(w http.ResponseWriter, r *http.Request) {
	layer := chi.URLParam(r, "layer")
	kind := map[string]planner.RecordKind{"cameras": planner.KindCamera, "kiosks": planner.KindKiosk, "units": planner.KindUnit}[layer]
	if kind == "" {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "unknown scenario layer %q (want cameras, kiosks or units)", layer))
		return
	}
	sc, err := s.loadScenario(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	ws := s.idx.Load().WS
	after, changes, stale, err := planner.ApplyScenario(ws, sc.Edits)
	if err != nil {
		Error(w, r, err)
		return
	}
	info := scenarioLayerInfo{ID: sc.ID, Version: sc.Version, BaseRevision: ws.Revision, Layer: layer,
		Added: []int64{}, Changed: []int64{}, Deleted: []int64{}, StaleEdits: []planner.StaleEdit{}}
	for _, ch := range changes {
		if ch.Kind != kind {
			continue
		}
		switch ch.Op {
		case planner.OpCreate:
			info.Added = append(info.Added, ch.ID)
		case planner.OpUpdate:
			if !slices.Contains(info.Changed, ch.ID) && !slices.Contains(info.Added, ch.ID) {
				info.Changed = append(info.Changed, ch.ID)
			}
		case planner.OpDelete:
			info.Changed = slices.DeleteFunc(info.Changed, func(id int64) bool { return id == ch.ID })
			info.Deleted = append(info.Deleted, ch.ID)
		}
	}
	for _, st := range stale {
		if st.Kind == kind {
			info.StaleEdits = append(info.StaleEdits, st)
		}
	}
	var buf bytes.Buffer
	switch kind {
	case planner.KindCamera:
		err = geojson.WriteCameras(&buf, after.Cameras)
	case planner.KindKiosk:
		err = geojson.WriteKiosks(&buf, after.Kiosks)
	default:
		at := map[int64]geo.Point{}
		for _, k := range after.Kiosks {
			at[k.ID] = k.Location
		}
		shapes := []geojson.Shape{}
		for _, u := range after.Units {
			p, ok := at[u.HomeKiosk]
			if !ok {
				continue
			}
			props := scUnitProps{ID: u.ID, Name: u.Name, Kind: string(u.Kind), HomeKiosk: u.HomeKiosk, Shifts: []string{}}
			for _, sh := range u.Shifts {
				props.Shifts = append(props.Shifts, fmt.Sprintf("%02d:%02d-%02d:%02d", sh.Start/60, sh.Start%60, sh.End/60, sh.End%60))
			}
			shapes = append(shapes, geojson.Shape{Geometry: p, Properties: props})
		}
		err = geojson.WriteShapes(&buf, shapes)
	}
	if err != nil {
		Error(w, r, err)
		return
	}
	meta, err := json.Marshal(info)
	if err != nil {
		Error(w, r, err)
		return
	}
	b := bytes.TrimRight(buf.Bytes(), "\n ")
	if len(b) == 0 || b[len(b)-1] != '}' {
		Error(w, r, fmt.Errorf("scenario layer: unexpected FeatureCollection ending"))
		return
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	_, _ = w.Write(b[:len(b)-1])
	_, _ = w.Write([]byte(`,"scenario":`))
	_, _ = w.Write(meta)
	_, _ = w.Write([]byte("}\n"))
}

// compareCache keeps recent workspace figures and comparisons, each for
// the workspace object it was computed on (held weakly: a replaced
// workspace's entries die with it).
var compareCache = &scFigureCache{max: 32}

type scFigureCache struct {
	mu      sync.Mutex
	max     int
	entries []scCacheEntry // oldest first
}

type scCacheEntry struct {
	ws  weak.Pointer[planner.Workspace]
	key string
	val any
}

func (c *scFigureCache) get(ws *planner.Workspace, key string) any {
	wp := weak.Make(ws)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if e.ws == wp && e.key == key {
			return e.val
		}
	}
	return nil
}

func (c *scFigureCache) put(ws *planner.Workspace, key string, val any) {
	wp := weak.Make(ws)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = slices.DeleteFunc(c.entries, func(e scCacheEntry) bool { return e.ws.Value() == nil || (e.ws == wp && e.key == key) })
	c.entries = append(c.entries, scCacheEntry{ws: wp, key: key, val: val})
	if len(c.entries) > c.max {
		c.entries = slices.Delete(c.entries, 0, len(c.entries)-c.max)
	}
}
