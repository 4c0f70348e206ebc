// Package wkb encodes and decodes the 2D little-endian WKB that both
// workspace stores (data/sqlite, data/postgis) keep as the exact copy of
// line and polygon coordinates: lon,lat float64 with their bits unchanged
// (-0, subnormals, ±Inf and NaN included). Decoding accepts either byte
// order. EWKB adds a PostGIS SRID to an encoding for geometry columns.
package wkb

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/tidewatch/tidewatch/geo"
)

// WKB geometry type codes (2D, ISO/OGC).
const (
	wkbLineString = 2
	wkbPolygon    = 3
)

// ewkbSRID is the EWKB type flag saying an SRID follows the type code.
const ewkbSRID = 0x20000000

// appendPoints appends a WKB point count and the points (lon,lat float64,
// little-endian).
func appendPoints(b []byte, pts []geo.Point) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(pts)))
	for _, p := range pts {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p.Lon))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p.Lat))
	}
	return b
}

// EncodeLineString returns ls as little-endian WKB (lon,lat).
func EncodeLineString(ls geo.LineString) []byte {
	b := make([]byte, 0, 9+16*len(ls))
	b = append(b, 1) // little-endian
	b = binary.LittleEndian.AppendUint32(b, wkbLineString)
	return appendPoints(b, ls)
}

// EncodePolygon returns pg as little-endian WKB (lon,lat), outer ring first.
func EncodePolygon(pg geo.Polygon) []byte {
	n := 9
	for _, r := range pg {
		n += 4 + 16*len(r)
	}
	b := make([]byte, 0, n)
	b = append(b, 1)
	b = binary.LittleEndian.AppendUint32(b, wkbPolygon)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(pg)))
	for _, r := range pg {
		b = appendPoints(b, r)
	}
	return b
}

// wkbReader decodes WKB in either byte order, recording the first error.
type wkbReader struct {
	b   []byte
	ord binary.ByteOrder
	err error
}

func (r *wkbReader) uint32() uint32 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 4 {
		r.err = fmt.Errorf("wkb: truncated")
		return 0
	}
	v := r.ord.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

// header reads the byte order and checks the geometry type.
func (r *wkbReader) header(want uint32) {
	if len(r.b) < 1 {
		r.err = fmt.Errorf("wkb: empty")
		return
	}
	switch r.b[0] {
	case 0:
		r.ord = binary.BigEndian
	case 1:
		r.ord = binary.LittleEndian
	default:
		r.err = fmt.Errorf("wkb: bad byte order %d", r.b[0])
		return
	}
	r.b = r.b[1:]
	if t := r.uint32(); r.err == nil && t != want {
		r.err = fmt.Errorf("wkb: geometry type %d, want %d", t, want)
	}
}

// points reads a count and that many points; zero points decode as nil.
func (r *wkbReader) points() []geo.Point {
	n := int(r.uint32())
	if r.err != nil || n == 0 {
		return nil
	}
	if len(r.b) < 16*n {
		r.err = fmt.Errorf("wkb: truncated: %d points need %d bytes, have %d", n, 16*n, len(r.b))
		return nil
	}
	pts := make([]geo.Point, n)
	for i := range pts {
		pts[i] = geo.Point{
			Lon: math.Float64frombits(r.ord.Uint64(r.b[16*i:])),
			Lat: math.Float64frombits(r.ord.Uint64(r.b[16*i+8:])),
		}
	}
	r.b = r.b[16*n:]
	return pts
}

func (r *wkbReader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("wkb: %d trailing bytes", len(r.b))
	}
	return r.err
}

// DecodeLineString parses WKB LineString bytes; an empty line is nil.
func DecodeLineString(b []byte) (geo.LineString, error) {
	r := wkbReader{b: b}
	r.header(wkbLineString)
	ls := geo.LineString(r.points())
	return ls, r.done()
}

// DecodePolygon parses WKB Polygon bytes; a polygon without rings is nil,
// and so is a NULL column (b == nil).
func DecodePolygon(b []byte) (geo.Polygon, error) {
	if b == nil {
		return nil, nil
	}
	r := wkbReader{b: b}
	r.header(wkbPolygon)
	n := int(r.uint32())
	if r.err != nil || n == 0 {
		return nil, r.done()
	}
	if n > len(r.b)/4 {
		return nil, fmt.Errorf("wkb: %d rings cannot fit in %d bytes", n, len(r.b))
	}
	pg := make(geo.Polygon, n)
	for i := range pg {
		pg[i] = r.points()
	}
	return pg, r.done()
}

// EWKB returns the little-endian WKB b (as made by EncodeLineString or
// EncodePolygon) as PostGIS EWKB carrying srid, ready for a
// geometry(…, srid) column.
func EWKB(b []byte, srid uint32) []byte {
	if len(b) < 5 || b[0] != 1 {
		panic("wkb: EWKB needs little-endian WKB")
	}
	out := make([]byte, 0, len(b)+4)
	out = append(out, 1)
	out = binary.LittleEndian.AppendUint32(out, binary.LittleEndian.Uint32(b[1:])|ewkbSRID)
	out = binary.LittleEndian.AppendUint32(out, srid)
	return append(out, b[5:]...)
}
