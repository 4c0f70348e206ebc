// Package mbtiles reads MBTiles files (an SQLite database of map tiles,
// https://github.com/mapbox/mbtiles-spec) read-only, so an isolated
// intranet can serve its own basemap.
package mbtiles

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/tidewatch/tidewatch/planner"
)

// Reader serves the tiles of one MBTiles file. It is safe for concurrent use.
type Reader struct {
	path string
	db   *sql.DB
	meta map[string]string
	stmt *sql.Stmt
}

// Open opens the MBTiles file at path read-only (mode=ro, immutable=1: the
// file must not change while it is open) and reads its metadata table.
// Errors name the file.
func Open(path string) (*Reader, error) {
	if path == "" {
		return nil, planner.Errorf(planner.EINVALID, "mbtiles: no file given")
	}
	if fi, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, planner.Errorf(planner.EINVALID, "mbtiles %s: no such file", path)
	} else if err != nil {
		return nil, planner.Errorf(planner.EINVALID, "mbtiles %s: %v", path, err)
	} else if fi.IsDir() {
		return nil, planner.Errorf(planner.EINVALID, "mbtiles %s: is a directory", path)
	}
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+esc+"?mode=ro&immutable=1")
	if err != nil {
		return nil, planner.Errorf(planner.EINVALID, "mbtiles %s: %v", path, err)
	}
	r := &Reader{path: path, db: db, meta: map[string]string{}}
	if err := r.load(); err != nil {
		db.Close()
		return nil, err
	}
	return r, nil
}

func (r *Reader) load() error {
	ctx := context.Background()
	rows, err := r.db.QueryContext(ctx, "SELECT name, value FROM metadata")
	if err != nil {
		return planner.Errorf(planner.EINVALID, "mbtiles %s: not an MBTiles file (no readable metadata table): %v", r.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, value sql.NullString
		if err := rows.Scan(&name, &value); err != nil {
			return planner.Errorf(planner.EINVALID, "mbtiles %s: metadata: %v", r.path, err)
		}
		if name.Valid {
			r.meta[name.String] = value.String
		}
	}
	if err := rows.Err(); err != nil {
		return planner.Errorf(planner.EINVALID, "mbtiles %s: metadata: %v", r.path, err)
	}
	r.stmt, err = r.db.PrepareContext(ctx, "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?")
	if err != nil {
		return planner.Errorf(planner.EINVALID, "mbtiles %s: not an MBTiles file (no readable tiles table): %v", r.path, err)
	}
	if r.meta["format"] == "" {
		r.meta["format"] = r.sniffFormat(ctx)
	}
	return nil
}

// sniffFormat guesses the tile format from one tile when the metadata has
// none ("png" if the file has no tiles).
func (r *Reader) sniffFormat(ctx context.Context) string {
	var data []byte
	if err := r.db.QueryRowContext(ctx, "SELECT tile_data FROM tiles LIMIT 1").Scan(&data); err != nil {
		return "png"
	}
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG")):
		return "png"
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		return "jpg"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "webp"
	case bytes.HasPrefix(data, []byte("\x1f\x8b")):
		return "pbf"
	}
	return "png"
}

// Close releases the file.
func (r *Reader) Close() error {
	if r.stmt != nil {
		r.stmt.Close()
	}
	return r.db.Close()
}

// Path returns the file the reader reads.
func (r *Reader) Path() string { return r.path }

// Metadata returns a copy of the metadata table: name → value, e.g.
// "format" (png, jpg, webp or pbf; guessed from a tile when missing),
// "bounds" ("W,S,E,N" degrees), "center", "minzoom", "maxzoom",
// "attribution", "name".
func (r *Reader) Metadata() map[string]string {
	m := make(map[string]string, len(r.meta))
	for k, v := range r.meta {
		m[k] = v
	}
	return m
}

// Tile returns the stored bytes of tile z/x/y in XYZ order (the slippy-map
// scheme: y = 0 at the top); MBTiles stores rows in TMS order (row 0 at
// the bottom), so the row read is 2^z − 1 − y. Vector (pbf) tiles come back
// as stored, usually gzip-compressed (see ContentEncoding). A tile outside
// the grid or absent from the file is an ENOTFOUND error.
func (r *Reader) Tile(z, x, y int) ([]byte, error) {
	if z < 0 || z > 30 || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
		return nil, planner.Errorf(planner.ENOTFOUND, "no tile %d/%d/%d", z, x, y)
	}
	var data []byte
	err := r.stmt.QueryRow(z, x, (1<<z)-1-y).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && len(data) == 0) {
		return nil, planner.Errorf(planner.ENOTFOUND, "no tile %d/%d/%d", z, x, y)
	}
	if err != nil {
		return nil, fmt.Errorf("mbtiles %s: tile %d/%d/%d: %w", r.path, z, x, y, err)
	}
	return data, nil
}
