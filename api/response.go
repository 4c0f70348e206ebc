package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// responseOptions parses ?mode=car&minutes=1,3,5&kiosk=1,2.
func responseOptions(r *http.Request) (planner.ResponseOptions, error) {
	q := r.URL.Query()
	opt := planner.ResponseOptions{Mode: planner.ModeCar}
	if s := q.Get("mode"); s != "" {
		m, err := planner.ParseMode(s)
		if err != nil {
			return opt, err
		}
		opt.Mode = m
	}
	for _, s := range splitList(q.Get("minutes")) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return opt, planner.Errorf(planner.EINVALID, "minutes %q: want numbers such as 1,3,5", q.Get("minutes"))
		}
		opt.Minutes = append(opt.Minutes, v)
	}
	for _, s := range splitList(q.Get("kiosk")) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return opt, planner.Errorf(planner.EINVALID, "kiosk %q is not an id", s)
		}
		opt.KioskIDs = append(opt.KioskIDs, id)
	}
	return opt, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// response serves GET /api/v1/response: tier road lengths, per-grid
// shares and backup, failing key sites.
func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	opt, err := responseOptions(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	rep, err := planner.Response(r.Context(), s.idx.Load().WS, opt)
	if err != nil {
		Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// rings serves GET /api/v1/response/rings as GeoJSON: one MultiPolygon per
// tier (per kiosk with per_kiosk=1), properties kind, mode, minutes,
// road_km and kiosk_id.
func (s *Server) rings(w http.ResponseWriter, r *http.Request) {
	opt, err := responseOptions(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	reach, err := planner.NewReach(r.Context(), s.idx.Load().WS, opt)
	if err != nil {
		Error(w, r, err)
		return
	}
	rings := reach.Rings()
	if r.URL.Query().Get("per_kiosk") == "1" {
		if rings, err = reach.KioskRings(r.Context()); err != nil {
			Error(w, r, err)
			return
		}
	}
	shapes := make([]geojson.Shape, 0, len(rings))
	for _, ring := range rings {
		props := map[string]any{"kind": "ring", "mode": opt.Mode, "minutes": ring.Minutes, "road_km": ring.RoadKm}
		if ring.KioskID != 0 {
			props["kiosk_id"] = ring.KioskID
		}
		shapes = append(shapes, geojson.Shape{Geometry: ring.Polygon, Properties: props})
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	if err := geojson.WriteShapes(w, shapes); err != nil {
		Error(w, r, err)
	}
}

// kioskSitingRequest is the body of POST /api/v1/siting/kiosks.
type kioskSitingRequest struct {
	Mode        string  `json:"mode"`
	Minutes     float64 `json:"minutes"`
	Count       int     `json:"count"`
	TargetPct   float64 `json:"target_percent"`
	Weight      string  `json:"weight"`
	MinSpacingM float64 `json:"min_spacing_m"`
	Seed        int64   `json:"seed"`
}

// maxBody caps request bodies, bytes.
const maxBody = 1 << 20

func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return planner.Errorf(planner.EINVALID, "request body: %v", err)
	}
	return nil
}

// siteKiosks serves POST /api/v1/siting/kiosks.
func (s *Server) siteKiosks(w http.ResponseWriter, r *http.Request) {
	var req kioskSitingRequest
	if err := decodeBody(w, r, &req); err != nil {
		Error(w, r, err)
		return
	}
	mode := planner.ModeCar
	if req.Mode != "" {
		m, err := planner.ParseMode(req.Mode)
		if err != nil {
			Error(w, r, err)
			return
		}
		mode = m
	}
	res, err := planner.SiteKiosks(r.Context(), s.idx.Load().WS, planner.KioskSitingOptions{Mode: mode, Minutes: req.Minutes,
		Count: req.Count, Target: req.TargetPct / 100, Weight: req.Weight, MinSpacingM: req.MinSpacingM, Seed: req.Seed})
	if err != nil {
		Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// kioskRequest is the body of POST /api/v1/kiosks and PUT
// /api/v1/kiosks/{id} (whose version, or If-Match, names the version
// edited).
type kioskRequest struct {
	Name     string  `json:"name"`
	Ref      string  `json:"ref"`
	Lon      float64 `json:"lon"`
	Lat      float64 `json:"lat"`
	Staff    int     `json:"staff"`
	Vehicles int     `json:"vehicles"`
	Version  int64   `json:"version"`
}

// addKiosk serves POST /api/v1/kiosks: it adds a kiosk (an accepted
// proposal) through Store.ApplyEdits and serves it: 201 with the kiosk
// and its version (also the ETag).
func (s *Server) addKiosk(w http.ResponseWriter, r *http.Request) {
	var req kioskRequest
	if err := decodeBody(w, r, &req); err != nil {
		Error(w, r, err)
		return
	}
	e, ok := s.startEdit(w, r, planner.KindKiosk, planner.OpCreate, 0, 0)
	if !ok {
		return
	}
	defer e.unlock()
	// Checks and the default name ("新警务站 N", after the ID the kiosk
	// will most likely get).
	_, k, err := planner.WithKiosk(e.ws, planner.Kiosk{Name: req.Name, Ref: req.Ref, Location: geo.Point{Lon: req.Lon, Lat: req.Lat},
		Staff: req.Staff, Vehicles: req.Vehicles, Source: planner.SourceProposal})
	if err != nil {
		Error(w, r, err)
		return
	}
	e.edit.Kiosk = &k
	if a, ok := s.commit(w, r, e); ok {
		writeSaved(w, a, kioskOut(a.Kiosk))
	}
}
