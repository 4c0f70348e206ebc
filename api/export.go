package api

// Exports: every layer and every plan as a file to take away — GeoJSON
// for GIS and other programs, CSV for spreadsheets, KML for Google Earth
// and the desktop GIS of the bureau, GPX for handheld navigators.
//
// Every export is answered as a download: Content-Disposition attachment
// with a filename (ASCII, "<workspace>-<layer>.<ext>" or
// "plan-<id>.<ext>"), Cache-Control no-store (camera positions are
// sensitive) and the format's media type:
//
//	.geojson  application/geo+json
//	.csv      text/csv; charset=utf-8, starting with a UTF-8 byte-order mark
//	.kml      application/vnd.google-earth.kml+xml
//	.gpx      application/gpx+xml
//
// The byte-order mark is deliberate: Excel on Chinese Windows reads a CSV
// without one as GBK (CP936) and garbles every Chinese name, and it offers
// no encoding choice when a file is opened by double-click. The mark is
// invisible to Excel, WPS and LibreOffice, skipped by data/csv's readers
// (so an export can be imported again) and by Python's "utf-8-sig"; tools
// that keep it see "\ufeffid" as the first header. CSV columns are those
// data/csv writes (see data/csv/write.go). Against CSV injection (OWASP),
// a text cell (name, ref, category, source, unit name, street) beginning
// with =, +, -, @, TAB or CR is written with a leading apostrophe, so Excel
// and WPS show "'=1+1" as text instead of running a formula; numeric
// columns (lon, lat, direction_deg, ...) are never changed. data/csv's
// readers strip the apostrophe again, so an export imported again gives
// back exactly the names it was made from (see data/csv's package doc).
//
// The whole file is built before the first byte is sent, so a failure is
// a JSON error rather than a truncated download.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/tidewatch/tidewatch/data/csv"
	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/data/gpx"
	"github.com/tidewatch/tidewatch/data/kml"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// exportRoutes lists this file's routes (see extraRoutes).
func (s *Server) exportRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/export/{layer}.{ext}", Read, "a whole layer as a download: roads, grids, cameras, kiosks, incidents, sites, units (csv only), " +
			"rings (?mode=&minutes=&kiosk=&per_kiosk=1) or footprints, as .geojson, .csv (UTF-8 with BOM) or .kml", s.exportLayer},
		{"GET", "/api/v1/plans/{id}/export.{ext}", Read, "a plan as a download: .geojson, .csv (one row per stop), .kml (routes and stops) or .gpx (every unit's track)", s.exportPlan},
	}
}

// Export media types.
const (
	mediaGeoJSON = "application/geo+json"
	mediaCSV     = "text/csv; charset=utf-8"
	mediaGPX     = "application/gpx+xml"
)

// exportLayers are the layers GET /api/v1/export/{layer}.{ext} serves.
var exportLayers = []string{"roads", "grids", "cameras", "kiosks", "incidents", "sites", "units", "rings", "footprints"}

// sendFile answers with body as a download named filename.
func sendFile(w http.ResponseWriter, filename, mediaType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// fileSlug turns a workspace name into an ASCII file name part: letters
// and digits kept, runs of anything else one "-"; "tidewatch" when
// nothing is left (a Chinese name: the browser's save dialog then shows
// an ASCII name every file system takes).
func fileSlug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	if b.Len() == 0 {
		return "tidewatch"
	}
	return b.String()
}

// capture runs a handler into memory, so its output can become a download
// (or pass through as the error it is).
type capture struct {
	h      http.Header
	status int
	buf    bytes.Buffer
}

func (c *capture) Header() http.Header { return c.h }
func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.buf.Write(b)
}
func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}

// download runs h and answers its output as a download of mediaType, or
// its error as it is.
func download(w http.ResponseWriter, r *http.Request, h http.HandlerFunc, filename, mediaType string) {
	c := &capture{h: http.Header{}}
	h(c, r)
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.status != http.StatusOK {
		for k, v := range c.h {
			w.Header()[k] = v
		}
		w.WriteHeader(c.status)
		_, _ = w.Write(c.buf.Bytes())
		return
	}
	sendFile(w, filename, mediaType, c.buf.Bytes())
}

// exportLayer serves GET /api/v1/export/{layer}.{ext}: the whole layer
// (no bbox, no thinning) as GeoJSON (the layer contract of
// /api/v1/layers, the rings of /api/v1/response/rings, the footprints of
// /api/v1/coverage/footprints), CSV (data/csv) or KML (data/kml).
func (s *Server) exportLayer(w http.ResponseWriter, r *http.Request) {
	layer, ext := chi.URLParam(r, "layer"), chi.URLParam(r, "ext")
	known := false
	for _, l := range exportLayers {
		known = known || l == layer
	}
	if !known {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no layer %q to export (want %s)", layer, strings.Join(exportLayers, ", ")))
		return
	}
	if ext != "geojson" && ext != "csv" && ext != "kml" {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no export format %q (want geojson, csv or kml)", ext))
		return
	}
	if layer == "units" && ext != "csv" {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "units have no position: export them as units.csv"))
		return
	}
	ws := s.idx.Load().WS
	filename := fileSlug(ws.Name) + "-" + layer + "." + ext
	doc := kml.Document{Name: ws.Name, Styles: kml.Styles()}
	var buf bytes.Buffer
	var err error
	switch layer {
	case "rings":
		opt, oerr := responseOptions(r)
		if oerr != nil {
			Error(w, r, oerr)
			return
		}
		filename = fileSlug(ws.Name) + "-rings-" + string(opt.Mode) + "." + ext
		if ext == "geojson" {
			download(w, r, s.rings, filename, mediaGeoJSON)
			return
		}
		var reach *planner.Reach
		if reach, err = planner.NewReach(r.Context(), ws, opt); err != nil {
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
		if ext == "csv" {
			err = csv.WriteRings(&buf, rings, opt.Mode)
		} else {
			doc.Folders = append(doc.Folders, kml.Rings(rings, opt.Mode, reach.Opt.Minutes))
		}
	case "footprints":
		if ext == "geojson" {
			download(w, r, s.footprints, filename, mediaGeoJSON)
			return
		}
		var cov *planner.Coverage
		if cov, err = s.coverage(r); err != nil {
			Error(w, r, err)
			return
		}
		fps := cov.Footprints(worldBound())
		if ext == "csv" {
			err = csv.WriteFootprints(&buf, fps)
		} else {
			doc.Folders = append(doc.Folders, kml.Footprints(fps))
		}
	default:
		err = writeLayer(&buf, &doc, ws, layer, ext)
	}
	if err == nil && ext == "kml" {
		err = kml.Write(&buf, doc)
	}
	if err != nil {
		Error(w, r, err)
		return
	}
	sendFile(w, filename, exportMediaType(ext), withBOM(ext, buf.Bytes()))
}

// worldBound is every valid position.
func worldBound() geo.Bound {
	return geo.Bound{Min: geo.Point{Lon: -180, Lat: -90}, Max: geo.Point{Lon: 180, Lat: 90}}
}

// writeLayer writes one of the workspace's own layers as GeoJSON or CSV to
// buf, or adds it to the KML document.
func writeLayer(buf *bytes.Buffer, doc *kml.Document, ws *planner.Workspace, layer, ext string) error {
	switch ext + " " + layer {
	case "geojson roads":
		return geojson.WriteRoads(buf, ws.Roads, nil, 0)
	case "geojson grids":
		return geojson.WriteGrids(buf, ws.Grids)
	case "geojson cameras":
		return geojson.WriteCameras(buf, ws.Cameras)
	case "geojson kiosks":
		return geojson.WriteKiosks(buf, ws.Kiosks)
	case "geojson incidents":
		return geojson.WriteIncidents(buf, ws.Incidents)
	case "geojson sites":
		return geojson.WriteSites(buf, ws.Sites)
	case "csv roads":
		return csv.WriteRoads(buf, ws.Roads)
	case "csv grids":
		return csv.WriteGrids(buf, ws.Grids)
	case "csv cameras":
		return csv.WriteCameras(buf, ws.Cameras)
	case "csv kiosks":
		return csv.WriteKiosks(buf, ws.Kiosks)
	case "csv incidents":
		return csv.WriteIncidents(buf, ws.Incidents)
	case "csv sites":
		return csv.WriteSites(buf, ws.Sites)
	case "csv units":
		return csv.WriteUnits(buf, ws.Units)
	case "kml roads":
		doc.Folders = append(doc.Folders, kml.Roads(ws.Roads))
	case "kml grids":
		doc.Folders = append(doc.Folders, kml.Grids(ws.Grids))
	case "kml cameras":
		doc.Folders = append(doc.Folders, kml.Cameras(ws.Cameras))
	case "kml kiosks":
		doc.Folders = append(doc.Folders, kml.Kiosks(ws.Kiosks))
	case "kml incidents":
		doc.Folders = append(doc.Folders, kml.Incidents(ws.Incidents))
	case "kml sites":
		doc.Folders = append(doc.Folders, kml.Sites(ws.Sites))
	default:
		return planner.Errorf(planner.ENOTFOUND, "no export %s.%s", layer, ext)
	}
	return nil
}

func exportMediaType(ext string) string {
	switch ext {
	case "geojson":
		return mediaGeoJSON
	case "csv":
		return mediaCSV
	case "kml":
		return kml.MediaType
	case "gpx":
		return mediaGPX
	}
	return "application/octet-stream"
}

// withBOM prefixes a CSV body with the UTF-8 byte-order mark (see the
// comment at the top of this file).
func withBOM(ext string, body []byte) []byte {
	if ext != "csv" {
		return body
	}
	return append([]byte(csv.BOM), body...)
}

// planStreets names a plan's targets by ID: each guard point's and patrol
// line's street.
func planStreets(p *planner.Plan) map[string]string {
	streets := map[string]string{}
	if t := p.Targets; t != nil {
		for _, pt := range t.Points {
			streets[pt.ID] = pt.Street
		}
		for _, l := range t.Lines {
			streets[l.ID] = l.Street
		}
	}
	return streets
}

// exportPlan serves GET /api/v1/plans/{id}/export.{ext}: the plan as
// GeoJSON (PlanGeoJSON, as GET /api/v1/plans/{id}), CSV (one row per stop:
// unit, seq, kind, id, street, arrive, depart, lon, lat), KML (a folder of
// routes, a folder of stops) or GPX (one file, one track per unit, a
// waypoint per stop).
func (s *Server) exportPlan(w http.ResponseWriter, r *http.Request) {
	ext := chi.URLParam(r, "ext")
	if ext != "geojson" && ext != "csv" && ext != "kml" && ext != "gpx" {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no plan export format %q (want geojson, csv, kml or gpx)", ext))
		return
	}
	p, err := s.lookupPlan(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	id := chi.URLParam(r, "id")
	var body []byte
	var buf bytes.Buffer
	switch ext {
	case "geojson":
		body, err = PlanGeoJSON(p)
	case "csv":
		err = csv.WritePlanStops(&buf, p, planStreets(p))
	case "kml":
		err = kml.Write(&buf, kml.Document{Name: "巡逻计划 Patrol plan " + id + " " + p.Report.Window, Styles: kml.Styles(),
			Folders: kml.Plan(p, planStreets(p))})
	case "gpx":
		var tracks []gpx.Track
		for _, u := range p.Units {
			tracks = append(tracks, gpx.FromUnit(p, u))
		}
		err = writeGPXTracks(&buf, "巡逻计划 Patrol plan "+id+" "+p.Report.Window, tracks)
	}
	if err != nil {
		Error(w, r, err)
		return
	}
	if body == nil {
		body = buf.Bytes()
	}
	sendFile(w, "plan-"+fileSlug(id)+"."+ext, exportMediaType(ext), withBOM(ext, body))
}

// GPX 1.1 document with several tracks; data/gpx writes one track per file.
type gpxMulti struct {
	XMLName xml.Name      `xml:"gpx"`
	Version string        `xml:"version,attr"`
	Creator string        `xml:"creator,attr"`
	NS      string        `xml:"xmlns,attr"`
	Name    string        `xml:"metadata>name,omitempty"`
	Wpt     []gpxMultiPt  `xml:"wpt"`
	Trk     []gpxMultiTrk `xml:"trk"`
}

type gpxMultiPt struct {
	Lat  string `xml:"lat,attr"`
	Lon  string `xml:"lon,attr"`
	Time string `xml:"time,omitempty"`
	Name string `xml:"name,omitempty"`
	Desc string `xml:"desc,omitempty"`
}

type gpxMultiTrk struct {
	Name string       `xml:"name,omitempty"`
	Desc string       `xml:"desc,omitempty"`
	Pts  []gpxMultiPt `xml:"trkseg>trkpt"`
}

// writeGPXTracks writes tracks into one GPX 1.1 file: every track's
// waypoints first (GPX orders wpt before trk), each named "track: name",
// then one trk per track; coordinates with 7 decimals, times RFC 3339 UTC,
// as data/gpx writes a single track.
func writeGPXTracks(w io.Writer, name string, tracks []gpx.Track) error {
	d := gpxMulti{Version: "1.1", Creator: "tidewatch", NS: "http://www.topografix.com/GPX/1/1", Name: name}
	for _, t := range tracks {
		for _, wp := range t.Waypoints {
			p := gpxMultiPt{Lat: fmt.Sprintf("%.7f", wp.Point.Lat), Lon: fmt.Sprintf("%.7f", wp.Point.Lon), Name: t.Name + ": " + wp.Name, Desc: wp.Desc}
			if !wp.Time.IsZero() {
				p.Time = wp.Time.UTC().Format(time.RFC3339)
			}
			d.Wpt = append(d.Wpt, p)
		}
		trk := gpxMultiTrk{Name: t.Name, Desc: t.Desc}
		for _, p := range t.Points {
			trk.Pts = append(trk.Pts, gpxMultiPt{Lat: fmt.Sprintf("%.7f", p.Lat), Lon: fmt.Sprintf("%.7f", p.Lon)})
		}
		d.Trk = append(d.Trk, trk)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(d); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// shareState is what the route cards print for a share link: live (the
// QR code), revoked or expired.
type shareState int

const (
	shareLive shareState = iota
	shareRevoked
	shareExpired
)

// shareStates looks up the state of plan planID's links in the store
// (planner.PlanStore.SharesOfPlan; a link's ID is the hex SHA-256 of its
// token). A link the store does not list is live until it expires. (A
// server without a store has no users, so nobody reaches the cards there.)
func (s *Server) shareStates(r *http.Request, planID string, links []ShareInfo) []shareState {
	now := time.Now()
	byID := map[string]planner.ShareLink{}
	if s.cfg.Store != nil {
		if stored, err := s.cfg.Store.SharesOfPlan(r.Context(), planID); err == nil {
			for _, l := range stored {
				byID[l.ID] = l
			}
		}
	}
	out := make([]shareState, len(links))
	for i, l := range links {
		sum := sha256.Sum256([]byte(strings.TrimPrefix(l.URL, "/r/")))
		st, ok := byID[hex.EncodeToString(sum[:])]
		switch {
		case ok && st.Revoked:
			out[i] = shareRevoked
		case !l.Expires.IsZero() && now.After(l.Expires), ok && now.After(st.Expires):
			out[i] = shareExpired
		}
	}
	return out
}
