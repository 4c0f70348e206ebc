package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/data/gpx"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// UnitSpec is one line of a units file or request:
//
//	{"name":"巡逻车1","kind":"car","kiosk":3 or "东门警务站","count":3}
//
// kind is car, motorbike, foot or volunteer; kiosk is a kiosk id or name;
// count (default 1) expands to that many units named "name-1" … "name-N".
// A volunteer unit without a name takes its roster group's name.
type UnitSpec struct {
	Name  string          `json:"name"`
	Kind  string          `json:"kind"`
	Kiosk json.RawMessage `json:"kiosk"`
	Count int             `json:"count"`
	Shift string          `json:"shift,omitempty"` // optional "HH:MM-HH:MM" inside the window
	// Breaks are required breaks at the home kiosk, e.g. ["00:00-00:30"].
	Breaks []string `json:"breaks,omitempty"`
}

// ExpandUnits turns unit specs into planner units, resolving kiosks by id
// or name in ws, and returns each unit's breaks (planner.PlanOptions.Breaks).
func ExpandUnits(ws *planner.Workspace, specs []UnitSpec) ([]planner.Unit, [][]planner.Shift, error) {
	var out []planner.Unit
	var breaks [][]planner.Shift
	for i, s := range specs {
		kind := planner.UnitKind(strings.ToLower(strings.TrimSpace(s.Kind)))
		switch kind {
		case planner.UnitCar, planner.UnitMotorbike, planner.UnitFoot, planner.UnitVolunteer:
		default:
			return nil, nil, planner.Errorf(planner.EINVALID, "unit %d: kind %q: want car, motorbike, foot or volunteer", i+1, s.Kind)
		}
		kid, err := resolveKiosk(ws, s.Kiosk)
		if err != nil {
			return nil, nil, planner.Errorf(planner.EINVALID, "unit %d: %s", i+1, planner.ErrorMessage(err))
		}
		var shifts []planner.Shift
		if s.Shift != "" {
			sh, err := ParseWindow(s.Shift)
			if err != nil {
				return nil, nil, err
			}
			shifts = []planner.Shift{sh}
		}
		var brs []planner.Shift
		for _, b := range s.Breaks {
			br, err := ParseWindow(b)
			if err != nil {
				return nil, nil, planner.Errorf(planner.EINVALID, "unit %d: break: %s", i+1, planner.ErrorMessage(err))
			}
			brs = append(brs, br)
		}
		n := s.Count
		if n == 0 {
			n = 1
		}
		if n < 0 || n > 100 {
			return nil, nil, planner.Errorf(planner.EINVALID, "unit %d: count %d: want 1..100", i+1, n)
		}
		for k := 1; k <= n; k++ {
			name := s.Name
			if n > 1 && name != "" {
				name = fmt.Sprintf("%s-%d", s.Name, k)
			}
			out = append(out, planner.Unit{ID: int64(len(out) + 1), Name: name, Kind: kind, HomeKiosk: kid, Shifts: shifts})
			breaks = append(breaks, brs)
		}
	}
	return out, breaks, nil
}

func resolveKiosk(ws *planner.Workspace, raw json.RawMessage) (int64, error) {
	var id int64
	if err := json.Unmarshal(raw, &id); err == nil {
		if findKiosk(ws, id) != nil {
			return id, nil
		}
		return 0, planner.Errorf(planner.ENOTFOUND, "no kiosk with id %d", id)
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil {
		return 0, planner.Errorf(planner.EINVALID, "kiosk %s: want an id or a name", string(raw))
	}
	for _, k := range ws.Kiosks {
		if k.Name == name || k.Ref == name || strconv.FormatInt(k.ID, 10) == name {
			return k.ID, nil
		}
	}
	return 0, planner.Errorf(planner.ENOTFOUND, "no kiosk named %q", name)
}

// ParseWindow parses "22:00-02:00" (minutes after midnight; across midnight
// when the end is earlier).
func ParseWindow(s string) (planner.Shift, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	ta, errA := time.Parse("15:04", strings.TrimSpace(a))
	tb, errB := time.Parse("15:04", strings.TrimSpace(b))
	if !ok || errA != nil || errB != nil || a == b {
		return planner.Shift{}, planner.Errorf(planner.EINVALID, "window %q: want HH:MM-HH:MM such as 22:00-02:00", s)
	}
	return planner.Shift{Start: ta.Hour()*60 + ta.Minute(), End: tb.Hour()*60 + tb.Minute()}, nil
}

// ParseDay parses a weekday: sun, mon, …, or full English names; "" is nil
// (a typical night averaged over the week).
func ParseDay(s string) (*time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return nil, nil
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || s == name[:3] {
			return &d, nil
		}
	}
	return nil, planner.Errorf(planner.EINVALID, "day %q: want mon, tue, wed, thu, fri, sat or sun", s)
}

// PlanShapes returns a plan's features: guard points (layer
// "guard_point"), patrol lines ("patrol_line") and each unit's route along
// the roads ("route": unit, kind, mode, group, kiosk_id, leave, return,
// distance_m, duration_s and stops with ETAs).
func PlanShapes(p *planner.Plan) []geojson.Shape {
	var out []geojson.Shape
	for _, pt := range p.Targets.Points {
		out = append(out, geojson.Shape{Geometry: pt.Location, Properties: map[string]any{"layer": "guard_point",
			"id": pt.ID, "street": pt.Street, "road_id": pt.RoadID, "risk": round(pt.Risk), "hour_risk": roundAll(pt.HourRisk),
			"pinned": pt.Pinned, "dwell_min": p.Targets.Opt.DwellMin, "revisit_min": p.Targets.Opt.RevisitMin}})
	}
	for _, l := range p.Targets.Lines {
		out = append(out, geojson.Shape{Geometry: l.Geometry, Properties: map[string]any{"layer": "patrol_line",
			"id": l.ID, "street": l.Street, "length_m": round(l.LengthM), "risk": round(l.Risk), "hour_risk": roundAll(l.HourRisk), "pinned": l.Pinned}})
	}
	for _, u := range p.Units {
		if len(u.Path) < 2 {
			continue
		}
		out = append(out, geojson.Shape{Geometry: u.Path, Properties: map[string]any{"layer": "route",
			"unit": u.Unit, "kind": u.Kind, "mode": u.Mode, "group": u.Group, "kiosk_id": u.KioskID,
			"leave": u.Leave, "return": u.Return, "distance_m": round(u.DistanceM), "duration_s": round(u.DurationS), "stops": u.Stops}})
	}
	return out
}

func round(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

func roundAll(vs []float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = round(v)
	}
	return out
}

// PlanGeoJSON returns the plan as a FeatureCollection (PlanShapes) with a
// top-level foreign member "report" holding the PlanReport (RFC 7946 §6.1).
func PlanGeoJSON(p *planner.Plan) ([]byte, error) {
	var buf bytes.Buffer
	if err := geojson.WriteShapes(&buf, PlanShapes(p)); err != nil {
		return nil, err
	}
	rep, err := json.Marshal(p.Report)
	if err != nil {
		return nil, err
	}
	b := bytes.TrimRight(buf.Bytes(), "\n ")
	if len(b) == 0 || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("plan geojson: unexpected FeatureCollection ending")
	}
	out := append([]byte{}, b[:len(b)-1]...)
	out = append(out, `,"report":`...)
	out = append(out, rep...)
	return append(out, "}\n"...), nil
}

// planRequest is the body of POST /api/v1/plans.
type planRequest struct {
	Window string     `json:"window"` // "22:00-02:00" (default)
	Units  []UnitSpec `json:"units"`
	Seed   int64      `json:"seed"`
	Vary   float64    `json:"vary"`
	Day    string     `json:"day"`  // optional weekday
	Date   string     `json:"date"` // optional YYYY-MM-DD, for GPX times
	TZ     string     `json:"tz"`   // the date's time zone, e.g. "Asia/Shanghai" (default the server's)
	// Async makes the server answer 202 at once and plan in the background;
	// GET /api/v1/plans/{id}/status then reports the progress.
	Async bool `json:"async"`
}

// maxPlans is how many decoded plans a server caches, and how many
// finished background jobs it remembers; the oldest go first. Plans
// themselves live in the store (planner.PlanStore).
const maxPlans = 64

// planHolder caches stored plans (they never change once saved) and keeps
// the plans this server is making in the background.
type planHolder struct {
	mu    sync.Mutex
	cache map[string]*storedPlan
	order []string            // cache keys, oldest first
	jobs  map[string]*planJob // plans being made here in the background, then their outcome
	done  []string            // finished job IDs, oldest first
}

// storedPlan is a plan read back from its document with its share links.
type storedPlan struct {
	plan  *planner.Plan
	links []ShareInfo
}

// planJob is a plan being made: its progress, then its plan or error.
type planJob struct {
	Progress float64 `json:"progress"` // 0..1
	Stage    string  `json:"stage"`
	State    string  `json:"state"` // running, done, failed
	Error    string  `json:"error,omitempty"`
}

// planTimeout bounds a background plan.
const planTimeout = 2 * time.Minute

func (s *Server) planHolder() *planHolder {
	s.plans.mu.Lock()
	defer s.plans.mu.Unlock()
	if s.plans.cache == nil {
		s.plans.cache = map[string]*storedPlan{}
		s.plans.jobs = map[string]*planJob{}
	}
	return &s.plans
}

// cachePlan keeps sp as plan id's decoded document.
func (h *planHolder) cachePlan(id string, sp *storedPlan) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.cache[id]; ok {
		return
	}
	h.cache[id] = sp
	h.order = append(h.order, id)
	if len(h.order) > maxPlans {
		delete(h.cache, h.order[0])
		h.order = h.order[1:]
	}
}

// finishJob records a background job's end, forgetting the oldest
// finished jobs past maxPlans.
func (h *planHolder) finishJob(id string, job *planJob, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		job.State, job.Error = "failed", planner.ErrorMessage(err)
	} else {
		job.State, job.Progress, job.Stage = "done", 1, "done"
	}
	h.done = append(h.done, id)
	if len(h.done) > maxPlans {
		delete(h.jobs, h.done[0])
		h.done = h.done[1:]
	}
}

// createPlan serves POST /api/v1/plans: 201 {"id", "report", "links"},
// links holding one share link per unit (/r/{token}) for its leader.
func (s *Server) createPlan(w http.ResponseWriter, r *http.Request) {
	var req planRequest
	if err := decodeBody(w, r, &req); err != nil {
		Error(w, r, err)
		return
	}
	if req.Window == "" {
		req.Window = "22:00-02:00"
	}
	win, err := ParseWindow(req.Window)
	if err != nil {
		Error(w, r, err)
		return
	}
	day, err := ParseDay(req.Day)
	if err != nil {
		Error(w, r, err)
		return
	}
	var date time.Time
	if req.Date != "" {
		loc := time.Local
		if req.TZ != "" {
			if loc, err = time.LoadLocation(req.TZ); err != nil {
				Error(w, r, planner.Errorf(planner.EINVALID, "tz %q: not a time zone name", req.TZ))
				return
			}
		}
		if date, err = time.ParseInLocation("2006-01-02", req.Date, loc); err != nil {
			Error(w, r, planner.Errorf(planner.EINVALID, "date %q: want YYYY-MM-DD", req.Date))
			return
		}
	}
	ws := s.idx.Load().WS
	units, breaks, err := ExpandUnits(ws, req.Units)
	if err != nil {
		Error(w, r, err)
		return
	}
	opt := planner.PlanOptions{Window: win, Day: day, Date: date, Units: units, Breaks: breaks, Seed: req.Seed, Vary: req.Vary, TimeLimit: 20 * time.Second}
	id := newPlanID()
	if req.Async {
		job := &planJob{State: "running"}
		h := s.planHolder()
		h.mu.Lock()
		h.jobs[id] = job
		h.mu.Unlock()
		opt.Progress = func(f float64, stage string) {
			h.mu.Lock()
			job.Progress, job.Stage = f, stage
			h.mu.Unlock()
		}
		// The plan is saved on behalf of whoever asked for it.
		bg := planner.WithActor(context.Background(), planner.ActorFrom(r.Context()))
		go func() {
			ctx, cancel := context.WithTimeout(bg, planTimeout)
			defer cancel()
			plan, err := planner.PlanPatrol(ctx, ws, opt)
			if err == nil {
				// Done only once stored: then every server can serve it.
				_, err = s.savePlan(ctx, id, plan)
			}
			h.finishJob(id, job, err)
		}()
		w.Header().Set("Location", "/api/v1/plans/"+id+"/status")
		writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "status": "/api/v1/plans/" + id + "/status"})
		return
	}
	plan, err := planner.PlanPatrol(r.Context(), ws, opt)
	if err != nil {
		Error(w, r, err)
		return
	}
	links, err := s.savePlan(r.Context(), id, plan)
	if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/plans/"+id)
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "report": plan.Report, "links": links})
}

func newPlanID() string {
	var raw [8]byte
	_, _ = rand.Read(raw[:])
	return hex.EncodeToString(raw[:])
}

// savePlan stores a finished plan as a planner.PlanDoc (owner: the actor
// of ctx) with a share link per unit (planner.ShareLink, keyed by the
// token's SHA-256), and returns the links. The links with their tokens
// are kept inside the plan document, so route cards can print them later.
func (s *Server) savePlan(ctx context.Context, id string, plan *planner.Plan) ([]ShareInfo, error) {
	links, rows := s.shareUnits(id, plan)
	body, err := encodePlanDoc(plan, links)
	if err != nil {
		return nil, err
	}
	st := s.planStore()
	if err := st.SavePlan(ctx, planner.PlanDoc{ID: id, Owner: planner.ActorFrom(ctx), Created: s.shares.clock(), Body: body}); err != nil {
		return nil, err
	}
	for _, l := range rows {
		if err := st.CreateShare(ctx, l); err != nil {
			return nil, err
		}
	}
	s.planHolder().cachePlan(id, &storedPlan{plan: plan, links: links})
	return links, nil
}

// storedPlanByID returns plan id from the cache or the store.
func (s *Server) storedPlanByID(ctx context.Context, id string) (*storedPlan, error) {
	h := s.planHolder()
	h.mu.Lock()
	sp := h.cache[id]
	h.mu.Unlock()
	if sp != nil {
		return sp, nil
	}
	doc, err := s.planStore().PlanDoc(ctx, id)
	if planner.ErrorCode(err) == planner.ENOTFOUND {
		return nil, planner.Errorf(planner.ENOTFOUND, "no plan %q", id)
	} else if err != nil {
		return nil, err
	}
	plan, links, err := decodePlanDoc(doc.Body)
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", id, err)
	}
	sp = &storedPlan{plan: plan, links: links}
	h.cachePlan(id, sp)
	return sp, nil
}

// planStatus serves GET /api/v1/plans/{id}/status: {"state","progress",
// "stage","error"}, and once done the report and share links. A plan being
// made is known to the server making it; a finished one to every server.
func (s *Server) planStatus(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	h := s.planHolder()
	h.mu.Lock()
	job := h.jobs[id]
	var st planJob
	if job != nil {
		st = *job
	}
	h.mu.Unlock()
	if job != nil && st.State != "done" {
		writeJSON(w, http.StatusOK, st)
		return
	}
	sp, err := s.storedPlanByID(r.Context(), id)
	if err != nil {
		Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"state": "done", "progress": 1, "stage": "done", "report": sp.plan.Report, "links": sp.links})
}

// lookupPlan returns plan {id} of r, from any server's store.
func (s *Server) lookupPlan(r *http.Request) (*planner.Plan, error) {
	sp, err := s.storedPlanByID(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return nil, err
	}
	return sp.plan, nil
}

// getPlan serves GET /api/v1/plans/{id} as GeoJSON (PlanGeoJSON).
func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) {
	p, err := s.lookupPlan(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	b, err := PlanGeoJSON(p)
	if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	_, _ = w.Write(b)
}

// planUnitGPX serves GET /api/v1/plans/{id}/units/{unit}.gpx: the unit's
// track and stops as GPX 1.1; {unit} is the unit's name or 1-based index.
func (s *Server) planUnitGPX(w http.ResponseWriter, r *http.Request) {
	p, err := s.lookupPlan(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	name := strings.TrimSuffix(chi.URLParam(r, "unit"), ".gpx")
	for i, u := range p.Units {
		if u.Unit == name || strconv.Itoa(i+1) == name {
			w.Header().Set("Content-Type", "application/gpx+xml")
			w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("unit-%d.gpx", i+1)))
			_ = gpx.Write(w, gpx.FromUnit(p, u))
			return
		}
	}
	Error(w, r, planner.Errorf(planner.ENOTFOUND, "plan has no unit %q", name))
}

// planShares returns the share links made for plan {id} of r, one per
// unit in the plan's unit order (revoked ones included; the route cards
// print them).
func (s *Server) planShares(r *http.Request) ([]ShareInfo, error) {
	sp, err := s.storedPlanByID(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return nil, err
	}
	return sp.links, nil
}

// ---------- stored plan documents ----------

// planDocFormat is the format of planDoc.
const planDocFormat = 1

// planDoc is a plan as stored (planner.PlanDoc.Body): every field of
// planner.Plan except the solver internals (Problems, Results and the
// targets' risk surface, a whole road network), including what Plan's own
// JSON tags leave out (positions, paths, network edges), plus the share
// links of its units. decodePlanDoc(encodePlanDoc(p)) equals p without
// those internals, float bit for float bit (positions as [lon,lat]).
type planDoc struct {
	Format   int                `json:"format"`
	Window   planner.Shift      `json:"window"`
	Day      *time.Weekday      `json:"day,omitempty"`
	Date     time.Time          `json:"date"`
	TZ       string             `json:"tz,omitempty"` // Date's time zone name (GPX times)
	Targets  *targetsDoc        `json:"targets,omitempty"`
	Units    []unitPlanDoc      `json:"units"`
	Baseline []unitPlanDoc      `json:"baseline"`
	Report   planner.PlanReport `json:"report"`
	Links    []ShareInfo        `json:"links"`
}

type targetsDoc struct {
	Opt    planner.PatrolOptions `json:"opt"`
	Points []guardPointDoc       `json:"points"`
	Lines  []patrolLineDoc       `json:"lines"`
	Hours  int                   `json:"hours"`
}

type guardPointDoc struct {
	planner.GuardPoint
	Location lonLat `json:"location"`
	Edge     int32  `json:"edge"`
}

type patrolLineDoc struct {
	planner.PatrolLine
	Edges    []int32  `json:"edges"`
	Nodes    []int64  `json:"nodes"`
	Geometry []lonLat `json:"geometry"`
}

type unitPlanDoc struct {
	planner.UnitPlan
	Path   []lonLat `json:"path"`
	StopAt []lonLat `json:"stop_at"` // each stop's Location
}

// lonLat is a position as [lon, lat].
type lonLat [2]float64

func toLonLat(ps []geo.Point) []lonLat {
	if ps == nil {
		return nil
	}
	out := make([]lonLat, len(ps))
	for i, p := range ps {
		out[i] = lonLat{p.Lon, p.Lat}
	}
	return out
}

func fromLonLat(ps []lonLat) []geo.Point {
	if ps == nil {
		return nil
	}
	out := make([]geo.Point, len(ps))
	for i, p := range ps {
		out[i] = geo.Point{Lon: p[0], Lat: p[1]}
	}
	return out
}

func unitsDoc(us []planner.UnitPlan) []unitPlanDoc {
	if us == nil {
		return nil
	}
	out := make([]unitPlanDoc, len(us))
	for i, u := range us {
		d := unitPlanDoc{UnitPlan: u, Path: toLonLat(u.Path)}
		if u.Stops != nil {
			d.StopAt = make([]lonLat, len(u.Stops))
			for k, st := range u.Stops {
				d.StopAt[k] = lonLat{st.Location.Lon, st.Location.Lat}
			}
		}
		out[i] = d
	}
	return out
}

func unitsFromDoc(ds []unitPlanDoc) ([]planner.UnitPlan, error) {
	if ds == nil {
		return nil, nil
	}
	out := make([]planner.UnitPlan, len(ds))
	for i, d := range ds {
		u := d.UnitPlan
		u.Path = geo.LineString(fromLonLat(d.Path))
		if len(d.StopAt) != len(u.Stops) {
			return nil, fmt.Errorf("unit %d: %d stop positions for %d stops", i+1, len(d.StopAt), len(u.Stops))
		}
		if u.Stops != nil {
			u.Stops = slices.Clone(u.Stops)
			for k := range u.Stops {
				u.Stops[k].Location = geo.Point{Lon: d.StopAt[k][0], Lat: d.StopAt[k][1]}
			}
		}
		out[i] = u
	}
	return out, nil
}

// encodePlanDoc returns the stored form of p with its share links.
func encodePlanDoc(p *planner.Plan, links []ShareInfo) ([]byte, error) {
	d := planDoc{Format: planDocFormat, Window: p.Window, Day: p.Day, Date: p.Date, Units: unitsDoc(p.Units),
		Baseline: unitsDoc(p.Baseline), Report: p.Report, Links: links}
	if !p.Date.IsZero() {
		d.TZ = p.Date.Location().String()
	}
	if t := p.Targets; t != nil {
		td := &targetsDoc{Opt: t.Opt, Hours: t.Hours}
		if t.Points != nil {
			td.Points = make([]guardPointDoc, len(t.Points))
			for i, pt := range t.Points {
				td.Points[i] = guardPointDoc{GuardPoint: pt, Location: lonLat{pt.Location.Lon, pt.Location.Lat}, Edge: pt.Edge}
			}
		}
		if t.Lines != nil {
			td.Lines = make([]patrolLineDoc, len(t.Lines))
			for i, l := range t.Lines {
				td.Lines[i] = patrolLineDoc{PatrolLine: l, Edges: l.Edges, Nodes: l.Nodes, Geometry: toLonLat(l.Geometry)}
			}
		}
		d.Targets = td
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("plan document: %w", err)
	}
	return b, nil
}

// decodePlanDoc reads a stored plan document back.
func decodePlanDoc(b []byte) (*planner.Plan, []ShareInfo, error) {
	var d planDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, nil, fmt.Errorf("plan document: %w", err)
	}
	if d.Format != planDocFormat {
		return nil, nil, fmt.Errorf("plan document format %d: this build reads format %d", d.Format, planDocFormat)
	}
	p := &planner.Plan{Window: d.Window, Day: d.Day, Date: d.Date, Report: d.Report}
	if d.TZ != "" {
		if loc, err := time.LoadLocation(d.TZ); err == nil {
			p.Date = p.Date.In(loc)
		}
	}
	var err error
	if p.Units, err = unitsFromDoc(d.Units); err != nil {
		return nil, nil, err
	}
	if p.Baseline, err = unitsFromDoc(d.Baseline); err != nil {
		return nil, nil, err
	}
	if td := d.Targets; td != nil {
		t := &planner.Targets{Opt: td.Opt, Hours: td.Hours}
		if td.Points != nil {
			t.Points = make([]planner.GuardPoint, len(td.Points))
			for i, pd := range td.Points {
				pt := pd.GuardPoint
				pt.Location, pt.Edge = geo.Point{Lon: pd.Location[0], Lat: pd.Location[1]}, pd.Edge
				t.Points[i] = pt
			}
		}
		if td.Lines != nil {
			t.Lines = make([]planner.PatrolLine, len(td.Lines))
			for i, ld := range td.Lines {
				l := ld.PatrolLine
				l.Edges, l.Nodes, l.Geometry = ld.Edges, ld.Nodes, geo.LineString(fromLonLat(ld.Geometry))
				t.Lines[i] = l
			}
		}
		p.Targets = t
	}
	return p, d.Links, nil
}
