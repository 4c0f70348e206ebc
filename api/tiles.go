package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/tidewatch/tidewatch/planner"
)

// TileSource is a local basemap: tiles by XYZ address (y = 0 at the top,
// Web Mercator grid, or Baidu's grid when the CRS is bd09) and metadata
// such as "format" (png, jpg, webp, pbf), "minzoom", "maxzoom",
// "attribution" and "bounds" ("W,S,E,N" degrees). A missing tile is an
// error with code planner.ENOTFOUND. data/mbtiles.Reader is one.
type TileSource interface {
	Tile(z, x, y int) ([]byte, error)
	Metadata() map[string]string
}

// Basemap coordinate systems: the system the basemap's tiles are drawn in.
// Tidewatch data stay WGS84; the web map shifts its layers to match.
const (
	CRSWGS84 = "wgs84" // OSM-style tiles, and anything in true coordinates
	CRSGCJ02 = "gcj02" // AMap/高德, Tencent/腾讯 tiles inside mainland China
	CRSBD09  = "bd09"  // Baidu/百度 tiles (BD-09 on Baidu's BD09MC grid)
)

// ParseBasemapCRS checks a basemap CRS name (case-insensitive; "" means
// wgs84) and returns it in canonical form.
func ParseBasemapCRS(s string) (string, error) {
	switch c := strings.ToLower(strings.TrimSpace(s)); c {
	case "", CRSWGS84:
		return CRSWGS84, nil
	case CRSGCJ02, CRSBD09:
		return c, nil
	}
	return "", planner.Errorf(planner.EINVALID, "basemap CRS %q: want wgs84, gcj02 or bd09", s)
}

// tileURL is the Leaflet template of the served tile source.
const tileURL = "/tiles/{z}/{x}/{y}"

// basemap returns the basemap /api/v1/meta describes: the configured tile
// source when there is one (its metadata filling what the flags left
// empty), else the configured URL; the CRS is always named.
func (s *Server) basemap() Basemap {
	b := s.cfg.Basemap
	if b.CRS == "" {
		b.CRS = CRSWGS84
	}
	if s.cfg.Tiles == nil {
		return b
	}
	m := s.cfg.Tiles.Metadata()
	b.URL = tileURL
	if b.Attribution == "" {
		b.Attribution = m["attribution"]
	}
	b.Format = strings.ToLower(m["format"])
	if b.Format == "" {
		b.Format = "png"
	}
	b.MinZoom, _ = strconv.Atoi(m["minzoom"])
	if mz, err := strconv.Atoi(m["maxzoom"]); err == nil {
		b.MaxZoom = mz
	} else {
		b.MaxZoom = 18
	}
	return b
}

// tileContentType returns the media type of tiles in the given format.
func tileContentType(format string) string {
	switch strings.ToLower(format) {
	case "png":
		return "image/png"
	case "jpg", "jpeg":
		return "image/jpeg"
	case "webp":
		return "image/webp"
	case "pbf", "mvt":
		return "application/vnd.mapbox-vector-tile"
	}
	return "application/octet-stream"
}

// tile serves GET /tiles/{z}/{x}/{y} (an extension on y, as in "3.png", is
// ignored) from Config.Tiles: the stored bytes with their media type,
// Content-Encoding gzip for gzip-compressed (vector) tiles, and a one-day
// cache lifetime; 404 for a missing tile or when no source is configured.
func (s *Server) tile(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Tiles == nil {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no tile source configured (serve --tiles FILE.mbtiles)"))
		return
	}
	ys, _, _ := strings.Cut(chi.URLParam(r, "y"), ".")
	var zxy [3]int
	for i, v := range []string{chi.URLParam(r, "z"), chi.URLParam(r, "x"), ys} {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			Error(w, r, planner.Errorf(planner.EINVALID, "tile address %q: want /tiles/{z}/{x}/{y} with whole numbers", r.URL.Path))
			return
		}
		zxy[i] = n
	}
	data, err := s.cfg.Tiles.Tile(zxy[0], zxy[1], zxy[2])
	if err != nil {
		Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", tileContentType(s.cfg.Tiles.Metadata()["format"]))
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", fmt.Sprint(len(data)))
	h.Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(data)
}
