package api

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Basemap is an optional tile layer drawn under the workspace's own roads.
// URL is a Leaflet template ({z}/{x}/{y}); empty means none. CRS is the
// system its tiles are drawn in (wgs84, gcj02 or bd09, see
// ParseBasemapCRS); the map shifts Tidewatch's WGS84 layers to it. MinZoom,
// MaxZoom and Format (png, jpg, webp, pbf) describe a served tile source
// (Config.Tiles); MaxZoom 0 and Format "" mean unknown.
type Basemap struct {
	URL         string `json:"url"`
	Attribution string `json:"attribution"`
	CRS         string `json:"crs"`
	MinZoom     int    `json:"minzoom"`
	MaxZoom     int    `json:"maxzoom"`
	Format      string `json:"format"`
}

// Config configures a Server.
type Config struct {
	Basemap Basemap
	// Web serves the map application at "/"; nil serves nothing there.
	Web http.Handler
	// Store persists edits (accepted proposals); nil makes the server read-only.
	Store planner.Store
	// Tiles serves a local basemap at /tiles/{z}/{x}/{y}; nil serves none.
	Tiles TileSource
}

// Server serves one workspace over HTTP. Its workspace can be swapped
// atomically while requests are in flight.
type Server struct {
	cfg Config
	idx atomic.Pointer[planner.SpatialIndex]
	mu  sync.Mutex // serialises edits
	// plans are the plans made on this server, shares the links to their routes.
	plans  planHolder
	shares shares
	cov    coverageHolder
}

// NewServer returns a server for ws.
func NewServer(ws *planner.Workspace, cfg Config) *Server {
	s := &Server{cfg: cfg}
	s.SetWorkspace(ws)
	return s
}

// SetWorkspace replaces the served workspace.
func (s *Server) SetWorkspace(ws *planner.Workspace) { s.idx.Store(planner.NewSpatialIndex(ws)) }

// Handler returns the HTTP routes:
//
//	GET /healthz                   200 "ok"
//	GET /api/v1/meta               workspace name, bound [W,S,E,N], counts, notes
//	GET /api/v1/layers/{layer}     GeoJSON; ?bbox=W,S,E,N (degrees) &zoom=Z
//	GET /api/v1/response           JSON report; ?mode=car&minutes=1,3,5&kiosk=ID,...
//	GET /api/v1/response/rings     GeoJSON rings; same parameters, &per_kiosk=1
//	POST /api/v1/siting/kiosks     {"mode","minutes","count"|"target_percent","weight","min_spacing_m"}
//	POST /api/v1/kiosks            {"name","lon","lat","staff","vehicles"}: add a kiosk (store required)
//	POST /api/v1/siting/cameras    {"count","min_spacing_m","hours","candidate_spacing_m","kinds","directions","bbox","grid_ids","seed"}: 补盲 proposals
//	GET /api/v1/coverage           camera coverage per grid (JSON); ?hours=22,23,0,1
//	GET /api/v1/coverage/footprints  GeoJSON camera footprints; ?bbox=W,S,E,N
//	GET /api/v1/coverage/gaps      GeoJSON part of ?grid=ID no camera sees
//	GET /api/v1/coverage/uncovered GeoJSON uncovered road stretches; ?limit=50&hours=
//	POST /api/v1/cameras           {"name","lon","lat","kind","direction_deg","fov_deg","range_m"}: add a camera (store required)
//	PUT /api/v1/cameras/{id}       same body: move or change a camera (store required)
//	DELETE /api/v1/cameras/{id}    remove a camera (store required)
//	POST /api/v1/plans             {"window","units","seed","vary","day","date"}: 201 {"id","report"} (守点巡线)
//	GET /api/v1/plans/{id}         the plan as GeoJSON; GET .../units/{unit}.gpx one unit's GPX
//	GET /api/v1/plans/{id}/status  progress of a plan made with "async": true
//	DELETE /api/v1/share/{token}   revoke a route's share link
//	GET /r/{token}, /r/{token}.gpx one route for its leader's phone (no login; 128-bit token, expires in 24 h)
//	GET /tiles/{z}/{x}/{y}         a basemap tile from Config.Tiles (404 when missing)
//	GET /*                         the web map (Config.Web)
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Use(middleware.Timeout(60 * time.Second))
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	})
	r.Route("/api/v1", func(r chi.Router) {
		r.Use(middleware.Compress(5, "application/json", "application/geo+json"))
		r.Get("/meta", s.meta)
		r.Get("/layers/{layer}", s.layer)
		r.Get("/response", s.response)
		r.Get("/response/rings", s.rings)
		r.Post("/siting/kiosks", s.siteKiosks)
		r.Post("/kiosks", s.addKiosk)
		r.Post("/siting/cameras", s.siteCameras)
		r.Get("/coverage", s.coverageReport)
		r.Get("/coverage/footprints", s.footprints)
		r.Get("/coverage/gaps", s.gaps)
		r.Get("/coverage/uncovered", s.uncovered)
		r.Post("/cameras", s.addCamera)
		r.Put("/cameras/{id}", s.updateCamera)
		r.Delete("/cameras/{id}", s.deleteCamera)
		r.Post("/plans", s.createPlan)
		r.Get("/plans/{id}", s.getPlan)
		r.Get("/plans/{id}/units/{unit}", s.planUnitGPX)
		r.Get("/plans/{id}/status", s.planStatus)
		r.Delete("/share/{token}", s.revokeShare)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			Error(w, r, planner.Errorf(planner.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path))
		})
	})
	r.Get("/r/{token}", s.sharedRoute)
	r.Get("/tiles/{z}/{x}/{y}", s.tile)
	if s.cfg.Web != nil {
		r.Handle("/*", s.cfg.Web)
	}
	return r
}

type metaResponse struct {
	Name      string         `json:"name"`
	Bound     [4]float64     `json:"bound"`
	Counts    planner.Counts `json:"counts"`
	Notes     []string       `json:"notes"`
	Synthetic []string       `json:"synthetic"`
	Basemap   Basemap        `json:"basemap"`
}

func (s *Server) meta(w http.ResponseWriter, r *http.Request) {
	ws := s.idx.Load().WS
	b := ws.Bound
	resp := metaResponse{
		Name:      ws.Name,
		Bound:     [4]float64{b.Min.Lon, b.Min.Lat, b.Max.Lon, b.Max.Lat},
		Counts:    ws.Counts(),
		Notes:     nonNil(ws.Notes),
		Synthetic: nonNil(ws.SyntheticLayers()),
		Basemap:   s.basemap(),
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(resp)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// layerQuery is a parsed ?bbox=&zoom= pair.
type layerQuery struct {
	bound geo.Bound
	zoom  float64
}

func parseLayerQuery(r *http.Request, all geo.Bound) (layerQuery, error) {
	q := layerQuery{bound: all, zoom: 22}
	if s := r.URL.Query().Get("bbox"); s != "" {
		b, err := geo.ParseBound(s)
		if err != nil {
			return q, planner.Errorf(planner.EINVALID, "%v", err)
		}
		q.bound = b
	} else {
		q.bound = geo.Bound{Min: geo.Point{Lon: -180, Lat: -90}, Max: geo.Point{Lon: 180, Lat: 90}}
	}
	if s := r.URL.Query().Get("zoom"); s != "" {
		z, err := strconv.ParseFloat(s, 64)
		if err != nil || z < 0 || z > 24 {
			return q, planner.Errorf(planner.EINVALID, "zoom %q: want a number from 0 to 24", s)
		}
		q.zoom = z
	}
	return q, nil
}

// metresPerPixel is the Web Mercator ground resolution at zoom z and
// latitude lat (degrees), metres per 256-pixel-tile pixel.
func metresPerPixel(z, lat float64) float64 {
	return 156543.03392 * math.Cos(lat*math.Pi/180) / math.Pow(2, z)
}

// maxRoadRank returns the least important road class drawn at zoom z, so
// a whole-city view stays light: major roads below 12, streets below 14,
// everything from 14.
func maxRoadRank(z float64) int {
	switch {
	case z < 12:
		return 2
	case z < 14:
		return 4
	}
	return 6
}

func (s *Server) layer(w http.ResponseWriter, r *http.Request) {
	idx := s.idx.Load()
	ws := idx.WS
	q, err := parseLayerQuery(r, ws.Bound)
	if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	switch name := chi.URLParam(r, "layer"); name {
	case "roads":
		hits := idx.Roads(q.bound)
		roads := make([]planner.Road, len(hits))
		for i, k := range hits {
			roads[i] = ws.Roads[k]
		}
		maxRank := maxRoadRank(q.zoom)
		tol := 0.0
		if q.zoom < 22 {
			tol = metresPerPixel(q.zoom, q.bound.Center().Lat) * 0.75
		}
		err = geojson.WriteRoads(w, roads, func(rd *planner.Road) bool { return planner.RoadRank(rd.Highway) <= maxRank }, tol)
	case "grids":
		err = geojson.WriteGrids(w, pick(ws.Grids, idx.Grids(q.bound)))
	case "cameras":
		err = geojson.WriteCameras(w, pick(ws.Cameras, idx.Cameras(q.bound)))
	case "kiosks":
		err = geojson.WriteKiosks(w, pick(ws.Kiosks, idx.Kiosks(q.bound)))
	case "incidents":
		err = geojson.WriteIncidents(w, pick(ws.Incidents, idx.Incidents(q.bound)))
	case "sites":
		err = geojson.WriteSites(w, pick(ws.Sites, idx.Sites(q.bound)))
	default:
		w.Header().Del("Content-Type")
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "unknown layer %q (want roads, grids, cameras, kiosks, incidents or sites)", name))
		return
	}
	if err != nil {
		// Headers are gone; the truncated body tells the client, the log tells us.
		Error(w, r, err)
	}
}

// pick returns the elements of all at the given indexes.
func pick[T any](all []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, k := range idx {
		out[i] = all[k]
	}
	return out
}
