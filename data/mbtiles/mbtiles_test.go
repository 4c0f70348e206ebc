package mbtiles

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/planner"
)

// pngTile returns a 4×4 PNG filled with c.
func pngTile(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for y := range 4 {
		for x := range 4 {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gzipped returns data gzip-compressed.
func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Tile is one row to write: XYZ address and bytes.
type tileRow struct {
	z, x, y int
	data    []byte
}

// writeMBTiles creates an MBTiles file at path with the given metadata and
// tiles (XYZ addresses, stored in TMS row order as the spec says).
func writeMBTiles(t *testing.T, path string, meta map[string]string, tiles []tileRow) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE TABLE metadata (name TEXT, value TEXT)",
		"CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)",
		"CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)",
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
	for _, tr := range tiles {
		if _, err := db.Exec("INSERT INTO tiles VALUES (?, ?, ?, ?)", tr.z, tr.x, (1<<tr.z)-1-tr.y, tr.data); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadRasterTiles(t *testing.T) {
	red, blue, green := pngTile(t, color.RGBA{255, 0, 0, 255}), pngTile(t, color.RGBA{0, 0, 255, 255}), pngTile(t, color.RGBA{0, 255, 0, 255})
	path := filepath.Join(t.TempDir(), "city tiles.mbtiles") // a space in the name on purpose
	writeMBTiles(t, path, map[string]string{
		"name": "武汉", "format": "png", "bounds": "114.0,30.4,114.6,30.8", "minzoom": "0", "maxzoom": "14",
		"attribution": "© 武汉市公安局",
	}, []tileRow{{0, 0, 0, red}, {1, 1, 0, blue}, {1, 1, 1, green}, {14, 13386, 6730, red}})
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	m := r.Metadata()
	if m["format"] != "png" || m["bounds"] != "114.0,30.4,114.6,30.8" || m["maxzoom"] != "14" || m["attribution"] != "© 武汉市公安局" {
		t.Errorf("metadata = %v", m)
	}
	m["format"] = "changed"
	if r.Metadata()["format"] != "png" {
		t.Error("Metadata returned the reader's own map")
	}
	// XYZ 1/1/0 is the top-right tile, stored at TMS row 1; 1/1/1 at row 0.
	for _, c := range []struct {
		z, x, y int
		want    []byte
		rgba    color.RGBA
	}{
		{0, 0, 0, red, color.RGBA{255, 0, 0, 255}},
		{1, 1, 0, blue, color.RGBA{0, 0, 255, 255}},
		{1, 1, 1, green, color.RGBA{0, 255, 0, 255}},
		{14, 13386, 6730, red, color.RGBA{255, 0, 0, 255}},
	} {
		got, err := r.Tile(c.z, c.x, c.y)
		if err != nil {
			t.Fatalf("Tile(%d,%d,%d): %v", c.z, c.x, c.y, err)
		}
		if !bytes.Equal(got, c.want) {
			t.Errorf("Tile(%d,%d,%d): wrong bytes", c.z, c.x, c.y)
		}
		img, err := png.Decode(bytes.NewReader(got))
		if err != nil {
			t.Fatal(err)
		}
		if px := color.RGBAModel.Convert(img.At(1, 1)).(color.RGBA); px != c.rgba {
			t.Errorf("Tile(%d,%d,%d) pixel %v, want %v", c.z, c.x, c.y, px, c.rgba)
		}
		if bytes.HasPrefix(got, []byte{0x1f, 0x8b}) {
			t.Errorf("PNG tile came back gzip-compressed")
		}
	}
	for _, c := range [][3]int{{1, 0, 0}, {1, 0, 1}, {2, 0, 0}, {1, 2, 0}, {1, 0, -1}, {-1, 0, 0}, {31, 0, 0}} {
		_, err := r.Tile(c[0], c[1], c[2])
		if planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Errorf("Tile(%v) error %v, want not found", c, err)
		}
	}
	if got := r.Metadata()["format"]; got != "png" {
		t.Errorf("format %q, want png", got)
	}
}

func TestReadVectorTiles(t *testing.T) {
	// A tiny hand-written MVT: layer "roads" with version 2 (field 15) and
	// extent 4096 (field 5); enough to check the bytes come back intact.
	mvt := []byte{0x1a, 0x0c, 0x0a, 0x05, 'r', 'o', 'a', 'd', 's', 0x28, 0x80, 0x20, 0x78, 0x02}
	blob := gzipped(t, mvt)
	path := filepath.Join(t.TempDir(), "v.mbtiles")
	// No format in the metadata: it is guessed from the gzip magic.
	writeMBTiles(t, path, map[string]string{"name": "vector", "json": `{"vector_layers":[{"id":"roads"}]}`},
		[]tileRow{{12, 3346, 1682, blob}})
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if f := r.Metadata()["format"]; f != "pbf" {
		t.Errorf("guessed format %q, want pbf", f)
	}
	got, err := r.Tile(12, 3346, 1682)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte{0x1f, 0x8b}) {
		t.Errorf("vector tile is not the stored gzip bytes")
	}
	zr, err := gzip.NewReader(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, err := plain.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain.Bytes(), mvt) {
		t.Errorf("decompressed tile = %x, want %x", plain.Bytes(), mvt)
	}
	// TMS row 1682 is XYZ y 4095−1682 = 2413: reading y=1682 as a row must miss.
	if _, err := r.Tile(12, 3346, 2413); planner.ErrorCode(err) != planner.ENOTFOUND {
		t.Errorf("unflipped row found: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "not-tiles.mbtiles")
	if err := os.WriteFile(bad, []byte("this is not an SQLite database, just some text padding it out to a page..."), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.mbtiles")
	db, err := sql.Open("sqlite", empty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE other (a)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, path := range []string{bad, empty, filepath.Join(dir, "missing.mbtiles")} {
		r, err := Open(path)
		if err == nil {
			r.Close()
			t.Errorf("Open(%s) succeeded", path)
			continue
		}
		if !strings.Contains(err.Error(), path) || planner.ErrorCode(err) != planner.EINVALID {
			t.Errorf("Open(%s) error %q (code %s): want EINVALID naming the file", path, err, planner.ErrorCode(err))
		}
		t.Logf("%v", err)
	}
	// Opening read-only never writes: the file is byte-identical after use.
	good := filepath.Join(dir, "ro.mbtiles")
	writeMBTiles(t, good, map[string]string{"format": "png"}, []tileRow{{0, 0, 0, pngTile(t, color.White)}})
	before, _ := os.ReadFile(good)
	r, err := Open(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Tile(0, 0, 0); err != nil {
		t.Fatal(err)
	}
	r.Close()
	after, _ := os.ReadFile(good)
	if !bytes.Equal(before, after) {
		t.Error("reading changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files in dir after read-only use: %v (journal or WAL left behind?)", names)
	}
}
