package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/data/gpx"
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
		for _, k := range ws.Kiosks {
			if k.ID == id {
				return id, nil
			}
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

// maxPlans is how many plans a server keeps; the oldest is dropped first.
const maxPlans = 64

type planHolder struct {
	mu    sync.Mutex
	plans map[string]*planner.Plan
	links map[string][]ShareInfo // each plan's share links, made once
	jobs  map[string]*planJob    // plans being made in the background
	order []string
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
	if s.plans.plans == nil {
		s.plans.plans = map[string]*planner.Plan{}
		s.plans.links = map[string][]ShareInfo{}
		s.plans.jobs = map[string]*planJob{}
	}
	return &s.plans
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
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), planTimeout)
			defer cancel()
			plan, err := planner.PlanPatrol(ctx, ws, opt)
			h.mu.Lock()
			if err != nil {
				job.State, job.Error = "failed", planner.ErrorMessage(err)
			} else {
				job.State, job.Progress, job.Stage = "done", 1, "done"
			}
			h.mu.Unlock()
			if err == nil {
				s.keepPlan(id, plan)
			}
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
	links := s.keepPlan(id, plan)
	w.Header().Set("Location", "/api/v1/plans/"+id)
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "report": plan.Report, "links": links})
}

func newPlanID() string {
	var raw [8]byte
	_, _ = rand.Read(raw[:])
	return hex.EncodeToString(raw[:])
}

// keepPlan stores a finished plan with a share link per unit, dropping
// the oldest plan past maxPlans, and returns the links.
func (s *Server) keepPlan(id string, plan *planner.Plan) []ShareInfo {
	links := s.shareUnits(plan)
	h := s.planHolder()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.plans[id] = plan
	h.links[id] = links
	h.order = append(h.order, id)
	if len(h.order) > maxPlans {
		delete(h.plans, h.order[0])
		delete(h.links, h.order[0])
		delete(h.jobs, h.order[0])
		h.order = h.order[1:]
	}
	return links
}

// planStatus serves GET /api/v1/plans/{id}/status: {"state","progress",
// "stage","error"}, and once done the report and share links.
func (s *Server) planStatus(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	h := s.planHolder()
	h.mu.Lock()
	job, plan, links := h.jobs[id], h.plans[id], h.links[id]
	var st planJob
	if job != nil {
		st = *job
	}
	h.mu.Unlock()
	switch {
	case job == nil && plan == nil:
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no plan %q", id))
	case plan != nil:
		writeJSON(w, http.StatusOK, map[string]any{"state": "done", "progress": 1, "stage": "done", "report": plan.Report, "links": links})
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

func (s *Server) lookupPlan(r *http.Request) (*planner.Plan, error) {
	id := chi.URLParam(r, "id")
	h := s.planHolder()
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.plans[id]
	if p == nil {
		return nil, planner.Errorf(planner.ENOTFOUND, "no plan %q", id)
	}
	return p, nil
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
