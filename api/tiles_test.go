package api

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/tidewatch/tidewatch/data/mbtiles"
)

// writeTestMBTiles writes an MBTiles file with metadata meta and one tile
// at XYZ z/x/y (stored at TMS row 2^z−1−y).
func writeTestMBTiles(t *testing.T, meta map[string]string, z, x, y int, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "city.mbtiles")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE TABLE metadata (name TEXT, value TEXT)",
		"CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range meta {
		if _, err := db.Exec("INSERT INTO metadata VALUES (?, ?)", k, v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec("INSERT INTO tiles VALUES (?, ?, ?, ?)", z, x, (1<<z)-1-y, data); err != nil {
		t.Fatal(err)
	}
	return path
}

func openTiles(t *testing.T, path string) *mbtiles.Reader {
	t.Helper()
	r, err := mbtiles.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRasterTiles(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	// Wuhan at zoom 15: x 26811, y 13565.
	path := writeTestMBTiles(t, map[string]string{
		"format": "png", "minzoom": "10", "maxzoom": "17", "attribution": "© 武汉市局", "bounds": "114.0,30.4,114.6,30.8",
	}, 15, 26811, 13565, buf.Bytes())
	ts := newTestServer(t, testWorkspace(), Config{Tiles: openTiles(t, path), Basemap: Basemap{CRS: CRSGCJ02}})

	rec, _ := ts.get(t, "/tiles/15/26811/13565")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Content-Type"); got != "image/png" {
		t.Errorf("Content-Type %q", got)
	}
	if got := rec.Header().Get("Content-Encoding"); got != "" {
		t.Errorf("Content-Encoding %q for a PNG", got)
	}
	if got := rec.Header().Get("Cache-Control"); got != "public, max-age=86400" {
		t.Errorf("Cache-Control %q", got)
	}
	if !bytes.Equal(rec.Body.Bytes(), buf.Bytes()) {
		t.Error("tile bytes differ")
	}
	if rec, _ := ts.get(t, "/tiles/15/26811/13565.png"); rec.Code != http.StatusOK {
		t.Errorf("with .png: status %d", rec.Code)
	}
	// The TMS row number as y, a neighbour and an absent zoom are 404.
	for _, u := range []string{"/tiles/15/26811/19202", "/tiles/15/26812/13565", "/tiles/3/1/1", "/tiles/40/0/0"} {
		if rec, body := ts.get(t, u); rec.Code != http.StatusNotFound || body["code"] != "not_found" {
			t.Errorf("%s: status %d body %v, want 404 not_found", u, rec.Code, body)
		}
	}
	if rec, _ := ts.get(t, "/tiles/15/abc/1"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad address: status %d, want 400", rec.Code)
	}

	_, meta := ts.get(t, "/api/v1/meta")
	bm, _ := meta["basemap"].(map[string]any)
	want := map[string]any{"url": "/tiles/{z}/{x}/{y}", "attribution": "© 武汉市局", "crs": "gcj02", "minzoom": 10.0, "maxzoom": 17.0, "format": "png"}
	for k, v := range want {
		if bm[k] != v {
			t.Errorf("meta basemap %s = %v, want %v (%v)", k, bm[k], v, bm)
		}
	}
}

func TestVectorTiles(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	mvt := []byte{0x1a, 0x0c, 0x0a, 0x05, 'r', 'o', 'a', 'd', 's', 0x28, 0x80, 0x20, 0x78, 0x02}
	_, _ = zw.Write(mvt)
	_ = zw.Close()
	path := writeTestMBTiles(t, map[string]string{"format": "pbf", "maxzoom": "14"}, 14, 13405, 6782, gz.Bytes())
	ts := newTestServer(t, testWorkspace(), Config{Tiles: openTiles(t, path), Basemap: Basemap{Attribution: "市局测绘", CRS: CRSBD09}})

	rec, _ := ts.get(t, "/tiles/14/13405/6782")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct, ce := rec.Header().Get("Content-Type"), rec.Header().Get("Content-Encoding"); ct != "application/vnd.mapbox-vector-tile" || ce != "gzip" {
		t.Errorf("Content-Type %q Content-Encoding %q", ct, ce)
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, mvt) {
		t.Errorf("tile = %x, want %x", plain, mvt)
	}
	_, meta := ts.get(t, "/api/v1/meta")
	bm, _ := meta["basemap"].(map[string]any)
	if bm["crs"] != "bd09" || bm["format"] != "pbf" || bm["attribution"] != "市局测绘" || bm["minzoom"] != 0.0 || bm["maxzoom"] != 14.0 {
		t.Errorf("meta basemap = %v", bm)
	}
}

func TestNoTiles(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{Basemap: Basemap{URL: "http://tiles.local/{z}/{x}/{y}.png"}})
	if rec, _ := ts.get(t, "/tiles/1/0/0"); rec.Code != http.StatusNotFound {
		t.Errorf("no tile source: status %d", rec.Code)
	}
	_, meta := ts.get(t, "/api/v1/meta")
	bm, _ := meta["basemap"].(map[string]any)
	if bm["url"] != "http://tiles.local/{z}/{x}/{y}.png" || bm["crs"] != "wgs84" || bm["maxzoom"] != 0.0 {
		t.Errorf("meta basemap = %v", bm)
	}
}

func TestParseBasemapCRS(t *testing.T) {
	for in, want := range map[string]string{"": "wgs84", "WGS84": "wgs84", "gcj02": "gcj02", " BD09 ": "bd09"} {
		if got, err := ParseBasemapCRS(in); err != nil || got != want {
			t.Errorf("ParseBasemapCRS(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseBasemapCRS("epsg:3857"); err == nil {
		t.Error("epsg:3857 accepted")
	}
}

func TestTileContentType(t *testing.T) {
	for format, want := range map[string]string{
		"png": "image/png", "PNG": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
		"pbf": "application/vnd.mapbox-vector-tile", "mvt": "application/vnd.mapbox-vector-tile", "": "application/octet-stream",
	} {
		if got := tileContentType(format); got != want {
			t.Errorf("tileContentType(%q) = %q, want %q", format, got, want)
		}
	}
}
