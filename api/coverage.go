package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"

	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// coverageKey identifies the layers a Coverage was computed from: the
// backing array and length of each. Copy-on-write edits of other layers
// (an added kiosk) keep the key, so the coverage survives them.
type coverageKey struct {
	roads                               *planner.Road
	grids                               *planner.Grid
	cameras                             *planner.Camera
	incidents                           *planner.Incident
	buildings                           *planner.Building
	nRoads, nGrids, nCams, nInc, nBuild int
}

// first returns the address of s's first element, nil when s is empty.
func first[T any](s []T) *T {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

func keyOf(ws *planner.Workspace) coverageKey {
	return coverageKey{first(ws.Roads), first(ws.Grids), first(ws.Cameras), first(ws.Incidents), first(ws.Buildings),
		len(ws.Roads), len(ws.Grids), len(ws.Cameras), len(ws.Incidents), len(ws.Buildings)}
}

// coverageHolder keeps the incremental camera coverage of the served
// workspace, built on first use and rebuilt when the workspace's roads,
// grids, cameras, incidents or buildings change other than through the
// camera endpoints.
type coverageHolder struct {
	mu  sync.Mutex
	key coverageKey
	cov *planner.Coverage
}

// get returns the coverage of ws, computing it when it is missing or stale.
func (h *coverageHolder) get(ctx context.Context, ws *planner.Workspace) (*planner.Coverage, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.getLocked(ctx, ws)
}

func (h *coverageHolder) getLocked(ctx context.Context, ws *planner.Workspace) (*planner.Coverage, error) {
	k := keyOf(ws)
	if h.cov != nil && h.key == k {
		return h.cov, nil
	}
	cov, err := planner.NewCoverage(ctx, ws)
	if err != nil {
		return nil, err
	}
	h.cov, h.key = cov, k
	return cov, nil
}

func (s *Server) coverage(r *http.Request) (*planner.Coverage, error) {
	return s.cov.get(r.Context(), s.idx.Load().WS)
}

// coverageOptions parses ?hours=22,23,0,1.
func coverageOptions(r *http.Request) (planner.CoverageOptions, error) {
	var opt planner.CoverageOptions
	for _, f := range splitList(r.URL.Query().Get("hours")) {
		h, err := strconv.Atoi(f)
		if err != nil {
			return opt, planner.Errorf(planner.EINVALID, "hours %q: want hours 0-23 such as 22,23,0,1", r.URL.Query().Get("hours"))
		}
		opt.Hours = append(opt.Hours, h)
	}
	return opt, opt.Validate()
}

// coverageReport serves GET /api/v1/coverage: per-grid covered area, road
// and incident weight (?hours= filters incidents by local hour).
func (s *Server) coverageReport(w http.ResponseWriter, r *http.Request) {
	opt, err := coverageOptions(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	cov, err := s.coverage(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cov.ReportFor(opt))
}

// footprintProps are the properties of a camera footprint feature.
type footprintProps struct {
	ID           int64   `json:"id"`
	Name         string  `json:"name"`
	Kind         string  `json:"kind"`
	DirectionDeg float64 `json:"direction_deg"`
	FOVDeg       float64 `json:"fov_deg"`
	RangeM       float64 `json:"range_m"`
	Lon          float64 `json:"lon"`
	Lat          float64 `json:"lat"`
	AreaM2       float64 `json:"area_m2"`
}

func footprintShape(f planner.CameraFootprint) geojson.Shape {
	sec := planner.CameraSector(f.Camera)
	return geojson.Shape{Geometry: f.Polygon, Properties: footprintProps{ID: f.Camera.ID, Name: f.Camera.Name, Kind: string(f.Camera.Kind),
		DirectionDeg: f.Camera.DirectionDeg, FOVDeg: sec.FOVDeg, RangeM: sec.RangeM,
		Lon: f.Camera.Location.Lon, Lat: f.Camera.Location.Lat, AreaM2: f.AreaM2}}
}

func writeShapes(w http.ResponseWriter, r *http.Request, shapes []geojson.Shape) {
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	if err := geojson.WriteShapes(w, shapes); err != nil {
		Error(w, r, err)
	}
}

// footprints serves GET /api/v1/coverage/footprints?bbox=W,S,E,N: each
// camera's occluded footprint as a Polygon feature.
func (s *Server) footprints(w http.ResponseWriter, r *http.Request) {
	q, err := parseLayerQuery(r, s.idx.Load().WS.Bound)
	if err != nil {
		Error(w, r, err)
		return
	}
	cov, err := s.coverage(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	shapes := []geojson.Shape{}
	for _, f := range cov.Footprints(q.bound) {
		if len(f.Polygon) > 0 {
			shapes = append(shapes, footprintShape(f))
		}
	}
	writeShapes(w, r, shapes)
}

// gaps serves GET /api/v1/coverage/gaps?grid=ID: the part of the grid no
// camera sees, one MultiPolygon feature (grid_id, area_m2).
func (s *Server) gaps(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("grid"), 10, 64)
	if err != nil {
		Error(w, r, planner.Errorf(planner.EINVALID, "grid %q: want a grid id", r.URL.Query().Get("grid")))
		return
	}
	cov, err := s.coverage(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	mp, err := cov.Gaps(id)
	if err != nil {
		Error(w, r, err)
		return
	}
	writeShapes(w, r, []geojson.Shape{{Geometry: mp, Properties: map[string]any{"grid_id": id, "area_m2": mp.Area()}}})
}

// uncovered serves GET /api/v1/coverage/uncovered?limit=50&hours=: the
// road stretches no camera sees, most incident weight within 25 m first,
// as LineString features.
func (s *Server) uncovered(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			Error(w, r, planner.Errorf(planner.EINVALID, "limit %q: want 1 to 100000", v))
			return
		}
		limit = n
	}
	opt, err := coverageOptions(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	cov, err := s.coverage(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	shapes := []geojson.Shape{}
	for _, st := range cov.UncoveredRoadsFor(limit, opt) {
		shapes = append(shapes, geojson.Shape{Geometry: st.Geometry, Properties: st})
	}
	writeShapes(w, r, shapes)
}

// cameraRequest is the body of POST /api/v1/cameras and PUT
// /api/v1/cameras/{id}; missing range and fov take the kind's defaults, an
// empty name or ref keeps the stored one. A PUT names the version it
// edited in If-Match (or in version).
type cameraRequest struct {
	Name         string  `json:"name"`
	Ref          string  `json:"ref"`
	Lon          float64 `json:"lon"`
	Lat          float64 `json:"lat"`
	Kind         string  `json:"kind"`
	DirectionDeg float64 `json:"direction_deg"`
	FOVDeg       float64 `json:"fov_deg"`
	RangeM       float64 `json:"range_m"`
	Version      int64   `json:"version"`
}

// cameraResponse is a saved camera with its version (also the ETag), its
// footprint area and the new coverage totals.
type cameraResponse struct {
	ID           int64                `json:"id"`
	Ref          string               `json:"ref"`
	Name         string               `json:"name"`
	Kind         string               `json:"kind"`
	DirectionDeg float64              `json:"direction_deg"`
	FOVDeg       float64              `json:"fov_deg"`
	RangeM       float64              `json:"range_m"`
	Lon          float64              `json:"lon"`
	Lat          float64              `json:"lat"`
	Source       string               `json:"source"`
	Version      int64                `json:"version"`
	AreaM2       float64              `json:"area_m2"`
	Total        planner.GridCoverage `json:"total"`
}

func (s *Server) addCamera(w http.ResponseWriter, r *http.Request) { s.putCamera(w, r, 0) }

func (s *Server) updateCamera(w http.ResponseWriter, r *http.Request) {
	id, err := recordID(r, planner.KindCamera)
	if err != nil {
		Error(w, r, err)
		return
	}
	s.putCamera(w, r, id)
}

// putCamera adds (id 0) or replaces a camera through Store.ApplyEdits; the
// served workspace and the coverage follow incrementally (see applyEdit).
func (s *Server) putCamera(w http.ResponseWriter, r *http.Request, id int64) {
	var req cameraRequest
	if err := decodeBody(w, r, &req); err != nil {
		Error(w, r, err)
		return
	}
	op := planner.OpUpdate
	if id == 0 {
		op = planner.OpCreate
	}
	e, ok := s.startEdit(w, r, planner.KindCamera, op, id, req.Version)
	if !ok {
		return
	}
	defer e.unlock()
	cam := planner.Camera{ID: id, Name: req.Name, Ref: req.Ref, Location: geo.Point{Lon: req.Lon, Lat: req.Lat},
		Kind: planner.CameraKind(req.Kind), DirectionDeg: req.DirectionDeg, FOVDeg: req.FOVDeg, RangeM: req.RangeM}
	if id == 0 {
		cam.Source = planner.SourceProposal
	}
	// Defaults by kind, and the stored name, ref and source kept (a new
	// camera is named after the ID it will most likely get).
	_, cam, err := planner.WithCamera(e.ws, cam)
	if err != nil {
		Error(w, r, err)
		return
	}
	e.edit.Camera = &cam
	a, ok := s.commit(w, r, e)
	if !ok {
		return
	}
	cov, err := s.coverage(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	saved := a.Camera
	fp, _ := cov.Footprint(saved.ID)
	writeSaved(w, a, cameraResponse{ID: saved.ID, Ref: saved.Ref, Name: saved.Name, Kind: string(saved.Kind), DirectionDeg: saved.DirectionDeg,
		FOVDeg: saved.FOVDeg, RangeM: saved.RangeM, Lon: saved.Location.Lon, Lat: saved.Location.Lat, Source: saved.Source, Version: a.Version,
		AreaM2: fp.AreaM2, Total: cov.Report().Total})
}

// deleteCamera serves DELETE /api/v1/cameras/{id} (If-Match): 200 {"id",
// "deleted", "version", "total"} with the new coverage totals.
func (s *Server) deleteCamera(w http.ResponseWriter, r *http.Request) {
	s.deleteRecord(w, r, planner.KindCamera, func(ctx context.Context, body map[string]any) error {
		cov, err := s.cov.get(ctx, s.idx.Load().WS)
		if err != nil {
			return err
		}
		body["total"] = cov.Report().Total
		return nil
	})
}
