package api

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
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
	// Store persists edits (accepted proposals), users and sessions. nil
	// means no users: every route but the Public ones answers 401 (auth.go).
	Store planner.Store
	// Limits are the rate limits (sign-in, share links); zero fields take
	// the defaults (ratelimit.go).
	Limits Limits
	// Tiles serves a local basemap at /tiles/{z}/{x}/{y}; nil serves none.
	Tiles TileSource
	// RevisionCheck is how often at most an API request first asks the
	// store for its revision, reloading the workspace when another server
	// (or process) changed it (see records.go); 0 means
	// DefaultRevisionCheck, a negative value never checks.
	RevisionCheck time.Duration
	// MaxImportFeatures caps the records one POST /api/v1/import may
	// hold, all files together; 0 means DefaultMaxImportFeatures (import.go).
	MaxImportFeatures int
	// PublicURL is the scheme and host volunteers' phones reach this
	// server at, e.g. "https://tidewatch.pcs.local"; the route cards'
	// QR codes encode PublicURL + "/r/{token}". Empty: the scheme and
	// Host of the request that prints the cards (report.go).
	PublicURL string
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
	// fresh tracks the store revision checks and reloads (records.go).
	fresh freshness
	// guards holds the rate limiters and the security headers (ratelimit.go).
	guards guardState
}

// NewServer returns a server for ws.
func NewServer(ws *planner.Workspace, cfg Config) *Server {
	s := &Server{cfg: cfg}
	s.SetWorkspace(ws)
	return s
}

// SetWorkspace replaces the served workspace.
func (s *Server) SetWorkspace(ws *planner.Workspace) { s.idx.Store(planner.NewSpatialIndex(ws)) }

// Access says who may call a route. Admins may call every route.
type Access int

// Access levels, from open to narrow.
const (
	Public    Access = iota // anyone, without signing in: health, login, share links, the map's static files
	SignedIn                // any signed-in user, volunteers too: who am I, sign out
	Read                    // viewer, planner, commander: layers, analyses, reports (camera positions are sensitive)
	Planning                // planner: cameras, kiosks, siting, scenarios
	Command                 // commander: plans, units, share links
	AdminOnly               // admin: users, audit log, imports
)

// String names the access level as the OpenAPI document and errors do.
func (a Access) String() string {
	return [...]string{"public", "signed-in", "read", "planning", "command", "admin"}[a]
}

// Allows reports whether a user with role r may call a route needing a.
func (a Access) Allows(r planner.Role) bool {
	if a == Public || r == planner.RoleAdmin {
		return true
	}
	switch a {
	case SignedIn:
		return r != ""
	case Read:
		return r == planner.RoleViewer || r == planner.RolePlanner || r == planner.RoleCommander
	case Planning:
		return r == planner.RolePlanner
	case Command:
		return r == planner.RoleCommander
	}
	return false
}

// Route is one entry of the server's route table: every route the server
// serves is listed here with who may call it, so the security test and
// the OpenAPI test cover new routes automatically.
type Route struct {
	Method  string // GET, POST, PUT, DELETE
	Pattern string // chi pattern, e.g. /api/v1/cameras/{id}
	Access  Access
	Summary string // one line for the OpenAPI document
	handler http.HandlerFunc
}

// Routes returns the route table (see Route). Static web files ("/*")
// are Public and listed last.
func (s *Server) Routes() []Route {
	rt := []Route{
		{"GET", "/healthz", Public, "liveness: 200 ok", s.healthz},
		{"GET", "/api/v1/meta", Read, "workspace name, bound [W,S,E,N], counts, notes, basemap", s.meta},
		{"GET", "/api/v1/layers/{layer}", Read, "a layer as GeoJSON; ?bbox=W,S,E,N (degrees) &zoom=Z", s.layer},
		{"GET", "/api/v1/response", Read, "1/3/5-minute response report; ?mode=car&minutes=1,3,5&kiosk=ID,...", s.response},
		{"GET", "/api/v1/response/rings", Read, "response rings as GeoJSON; same parameters, &per_kiosk=1", s.rings},
		{"POST", "/api/v1/siting/kiosks", Planning, "kiosk siting proposals", s.siteKiosks},
		{"POST", "/api/v1/kiosks", Planning, "add a kiosk", s.addKiosk},
		{"POST", "/api/v1/siting/cameras", Planning, "camera 补盲 proposals", s.siteCameras},
		{"GET", "/api/v1/coverage", Read, "camera coverage per grid; ?hours=22,23,0,1", s.coverageReport},
		{"GET", "/api/v1/coverage/footprints", Read, "camera footprints as GeoJSON; ?bbox=W,S,E,N", s.footprints},
		{"GET", "/api/v1/coverage/gaps", Read, "the part of ?grid=ID no camera sees, GeoJSON", s.gaps},
		{"GET", "/api/v1/coverage/uncovered", Read, "uncovered road stretches, GeoJSON; ?limit=50&hours=", s.uncovered},
		{"POST", "/api/v1/cameras", Planning, "add a camera", s.addCamera},
		{"PUT", "/api/v1/cameras/{id}", Planning, "move or change a camera", s.updateCamera},
		{"DELETE", "/api/v1/cameras/{id}", Planning, "remove a camera", s.deleteCamera},
		{"POST", "/api/v1/plans", Command, "make a patrol plan (守点巡线)", s.createPlan},
		{"GET", "/api/v1/plans/{id}", Read, "a plan as GeoJSON", s.getPlan},
		{"GET", "/api/v1/plans/{id}/units/{unit}", Read, "one unit's route as GPX", s.planUnitGPX},
		{"GET", "/api/v1/plans/{id}/status", Read, "progress of an async plan", s.planStatus},
		{"DELETE", "/api/v1/share/{token}", Command, "revoke a route's share link", s.revokeShare},
		{"GET", "/r/{token}", Public, "one route for its leader's phone (128-bit token, expires in 24 h)", s.shareLimit(s.sharedRoute)},
		{"GET", "/tiles/{z}/{x}/{y}", Read, "a basemap tile from the offline tile file", s.tile},
	}
	rt = append(rt, s.extraRoutes()...)
	if s.cfg.Web != nil {
		rt = append(rt, Route{"GET", "/*", Public, "the web map's static files", s.cfg.Web.ServeHTTP})
	}
	return rt
}

// Handler returns the HTTP handler serving Routes(): each route behind
// the guard of its Access level, API errors as JSON.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Use(middleware.Timeout(60 * time.Second))
	r.Use(s.securityHeaders)
	r.Use(s.authenticate)
	api := chi.NewRouter()
	api.Use(middleware.Compress(5, "application/json", "application/geo+json"))
	api.Use(s.freshen)
	for _, rt := range s.Routes() {
		h := s.guard(rt.Access, rt.handler)
		if strings.HasPrefix(rt.Pattern, "/api/v1/") {
			api.Method(rt.Method, strings.TrimPrefix(rt.Pattern, "/api/v1"), h)
		} else {
			r.Method(rt.Method, rt.Pattern, h)
		}
	}
	api.NotFound(func(w http.ResponseWriter, r *http.Request) {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path))
	})
	api.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path))
	})
	r.Mount("/api/v1", api)
	return r
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok"))
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
	idx := s.idx.Load()
	ws := idx.WS
	b := ws.Bound
	resp := metaResponse{
		Name:      ws.Name,
		Bound:     [4]float64{b.Min.Lon, b.Min.Lat, b.Max.Lon, b.Max.Lat},
		Counts:    idx.Counts(),
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
