package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"

	"github.com/go-chi/chi/v5"

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
// /api/v1/cameras/{id}; missing range and fov take the kind's defaults.
type cameraRequest struct {
	Name         string  `json:"name"`
	Ref          string  `json:"ref"`
	Lon          float64 `json:"lon"`
	Lat          float64 `json:"lat"`
	Kind         string  `json:"kind"`
	DirectionDeg float64 `json:"direction_deg"`
	FOVDeg       float64 `json:"fov_deg"`
	RangeM       float64 `json:"range_m"`
}

// cameraResponse is a saved camera with its footprint area and the new
// coverage totals.
type cameraResponse struct {
	ID           int64                `json:"id"`
	Name         string               `json:"name"`
	Kind         string               `json:"kind"`
	DirectionDeg float64              `json:"direction_deg"`
	FOVDeg       float64              `json:"fov_deg"`
	RangeM       float64              `json:"range_m"`
	Lon          float64              `json:"lon"`
	Lat          float64              `json:"lat"`
	AreaM2       float64              `json:"area_m2"`
	Total        planner.GridCoverage `json:"total"`
}

func (s *Server) addCamera(w http.ResponseWriter, r *http.Request) { s.putCamera(w, r, 0) }

func (s *Server) updateCamera(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		Error(w, r, planner.Errorf(planner.EINVALID, "camera id %q: want a positive integer", chi.URLParam(r, "id")))
		return
	}
	s.putCamera(w, r, id)
}

// putCamera adds (id 0) or replaces a camera: it stores the new workspace,
// serves it and updates the coverage incrementally.
func (s *Server) putCamera(w http.ResponseWriter, r *http.Request, id int64) {
	var req cameraRequest
	if err := decodeBody(w, r, &req); err != nil {
		Error(w, r, err)
		return
	}
	if s.cfg.Store == nil {
		Error(w, r, planner.Errorf(planner.ENOTIMPLEMENTED, "this server is read-only (no store)"))
		return
	}
	cam := planner.Camera{ID: id, Name: req.Name, Ref: req.Ref, Location: geo.Point{Lon: req.Lon, Lat: req.Lat},
		Kind: planner.CameraKind(req.Kind), DirectionDeg: req.DirectionDeg, FOVDeg: req.FOVDeg, RangeM: req.RangeM}
	if id == 0 {
		cam.Source = planner.SourceProposal
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	var saved planner.Camera
	cov, err := s.editCameras(r.Context(), func(ws *planner.Workspace) (*planner.Workspace, error) {
		ws2, c, err := planner.WithCamera(ws, cam)
		saved = c
		return ws2, err
	}, func(cov *planner.Coverage) { cov.SetCamera(saved) })
	if err != nil {
		Error(w, r, err)
		return
	}
	fp, _ := cov.Footprint(saved.ID)
	writeJSON(w, status, cameraResponse{ID: saved.ID, Name: saved.Name, Kind: string(saved.Kind), DirectionDeg: saved.DirectionDeg,
		FOVDeg: saved.FOVDeg, RangeM: saved.RangeM, Lon: saved.Location.Lon, Lat: saved.Location.Lat, AreaM2: fp.AreaM2,
		Total: cov.Report().Total})
}

// deleteCamera serves DELETE /api/v1/cameras/{id}.
func (s *Server) deleteCamera(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		Error(w, r, planner.Errorf(planner.EINVALID, "camera id %q: want an integer", chi.URLParam(r, "id")))
		return
	}
	if s.cfg.Store == nil {
		Error(w, r, planner.Errorf(planner.ENOTIMPLEMENTED, "this server is read-only (no store)"))
		return
	}
	cov, err := s.editCameras(r.Context(), func(ws *planner.Workspace) (*planner.Workspace, error) {
		return planner.WithoutCamera(ws, id)
	}, func(cov *planner.Coverage) { cov.DeleteCamera(id) })
	if err != nil {
		Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true, "total": cov.Report().Total})
}

// editCameras applies a camera edit: edit derives the new workspace,
// which is stored and served, and apply brings the held coverage up to
// date incrementally. Edits are serialised; coverage readers wait for the
// edit to finish rather than see a half-updated state.
func (s *Server) editCameras(ctx context.Context, edit func(*planner.Workspace) (*planner.Workspace, error), apply func(*planner.Coverage)) (*planner.Coverage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &s.cov
	h.mu.Lock()
	defer h.mu.Unlock()
	old := s.idx.Load().WS
	ws, err := edit(old)
	if err != nil {
		return nil, err
	}
	cov, err := h.getLocked(ctx, old)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Store.ReplaceWorkspace(ctx, ws); err != nil {
		return nil, err
	}
	s.SetWorkspace(ws)
	apply(cov)
	h.key = keyOf(ws)
	return cov, nil
}
