package csv

import (
	"bufio"
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Header names of coordinate columns, in order of preference.
var (
	latNames = []string{"lat", "latitude", "y"}
	lonNames = []string{"lon", "lng", "long", "longitude", "x"}
)

// table is an open CSV file with its analysed header.
type table struct {
	name     string
	cr       *stdcsv.Reader
	cols     []string // lower-cased header names
	lat, lon int      // coordinate columns, -1 when absent
}

func open(r io.Reader, name string) (*table, error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\ufeff")) {
		br.Discard(3)
	}
	t := &table{name: name, cr: stdcsv.NewReader(br), lat: -1, lon: -1}
	t.cr.TrimLeadingSpace = true
	head, err := t.cr.Read()
	if err == io.EOF {
		return nil, inputErr(name, 0, "empty file")
	} else if err != nil {
		return nil, t.csvErr(err)
	}
	for _, h := range head {
		t.cols = append(t.cols, strings.ToLower(strings.TrimSpace(h)))
	}
	t.lat, t.lon = t.column(latNames), t.column(lonNames)
	if (t.lat < 0) != (t.lon < 0) {
		return nil, inputErr(name, 1, "a latitude column needs a longitude column and vice versa (want lat/lon, latitude/longitude or y/x)")
	}
	return t, nil
}

// column returns the index of the first header among names, or -1.
func (t *table) column(names []string) int {
	for _, n := range names {
		for i, c := range t.cols {
			if c == n {
				return i
			}
		}
	}
	return -1
}

func (t *table) csvErr(err error) error {
	var pe *stdcsv.ParseError
	if errors.As(err, &pe) {
		return inputErr(t.name, pe.Line, pe.Err.Error())
	}
	return inputErr(t.name, 0, err.Error())
}

// row is one data record.
type row struct {
	line  int
	attrs planner.Attrs
	loc   geo.Point // the record's position (lon,lat)
	wkt   geo.Point // the WKT point after order detection, when hasWKT
	// hasWKT reports a WKT POINT in the row; swapped that it read lat lon.
	hasWKT, swapped bool
}

// next reads the next record; it returns io.EOF after the last.
func (t *table) next() (*row, error) {
	rec, err := t.cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, err
		}
		return nil, t.csvErr(err)
	}
	line, _ := t.cr.FieldPos(0)
	rw := &row{line: line, attrs: make(planner.Attrs, len(rec))}
	for i, v := range rec {
		// A cell guarded against formula evaluation ('=1+1, see text in
		// write.go) reads without its apostrophe. The writers guard text
		// cells only; any cell is unguarded here, the reader not knowing
		// which columns the builders take as text.
		rec[i] = unguard(strings.TrimSpace(v))
		if k := t.cols[i]; rw.attrs[k] == "" {
			rw.attrs[k] = rec[i]
		}
	}
	if err := t.locate(rec, rw); err != nil {
		return nil, inputErr(t.name, line, err.Error())
	}
	return rw, nil
}

// locate sets the row's position from the lat/lon columns, else the first
// WKT POINT in the row.
func (t *table) locate(rec []string, rw *row) error {
	var ref geo.Point
	haveRef := false
	if t.lat >= 0 && strings.TrimSpace(rec[t.lat]) != "" && strings.TrimSpace(rec[t.lon]) != "" {
		lat, err1 := number(t.cols[t.lat], rec[t.lat])
		lon, err2 := number(t.cols[t.lon], rec[t.lon])
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		ref, haveRef = geo.Point{Lon: lon, Lat: lat}, true
	}
	for i, v := range rec {
		a, b, ok, err := parseWKTPoint(v)
		if err != nil {
			return fmt.Errorf("column %s: %v", t.cols[i], err)
		}
		if ok {
			rw.wkt, rw.swapped = orderWKT(a, b, ref, haveRef)
			rw.hasWKT = true
			break
		}
	}
	switch {
	case haveRef:
		rw.loc = ref
	case rw.hasWKT:
		rw.loc = rw.wkt
	default:
		return fmt.Errorf("no coordinates (want lat/lon columns or a WKT POINT)")
	}
	if !rw.loc.Valid() {
		return fmt.Errorf("coordinates lon %g, lat %g out of range", rw.loc.Lon, rw.loc.Lat)
	}
	return nil
}

func number(col, s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a number", col, s)
	}
	return v, nil
}

// parseWKTPoint parses a WKT point such as "POINT (a b)", "point(a b)",
// "POINT Z (a b c)" or "SRID=4326;POINT(a b)". ok is false when s is not a
// point (text not followed by a parenthesis, POINT EMPTY); err reports a
// malformed point.
func parseWKTPoint(s string) (a, b float64, ok bool, err error) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ';'); i >= 0 && strings.HasPrefix(strings.ToUpper(s), "SRID=") {
		s = strings.TrimSpace(s[i+1:])
	}
	if len(s) < 5 || !strings.EqualFold(s[:5], "POINT") {
		return 0, 0, false, nil
	}
	rest := strings.TrimSpace(s[5:])
	for _, dim := range []string{"ZM", "Z", "M"} {
		if len(rest) > len(dim) && strings.EqualFold(rest[:len(dim)], dim) {
			rest = strings.TrimSpace(rest[len(dim):])
			break
		}
	}
	if !strings.HasPrefix(rest, "(") {
		return 0, 0, false, nil // POINT EMPTY, or text such as "Point Reyes"
	}
	f := strings.Fields(strings.TrimSuffix(rest[1:], ")"))
	if !strings.HasSuffix(rest, ")") || len(f) < 2 || len(f) > 4 {
		return 0, 0, false, fmt.Errorf("malformed WKT point %q", s)
	}
	if a, err = number("WKT x", f[0]); err == nil {
		b, err = number("WKT y", f[1])
	}
	return a, b, err == nil, err
}

// orderWKT returns the position (lon,lat) of a WKT point (a b). It is read
// as lon lat unless a is clearly a latitude and b a longitude: when the
// row's lat/lon columns give ref, whichever order lies closer to ref wins;
// without ref, |a| <= 90 < |b| means lat lon. swapped reports a lat lon
// reading.
func orderWKT(a, b float64, ref geo.Point, haveRef bool) (p geo.Point, swapped bool) {
	if haveRef {
		swapped = math.Abs(b-ref.Lon)+math.Abs(a-ref.Lat) < math.Abs(a-ref.Lon)+math.Abs(b-ref.Lat)
	} else {
		swapped = math.Abs(a) <= 90 && math.Abs(b) > 90
	}
	if swapped {
		return geo.Point{Lon: b, Lat: a}, true
	}
	return geo.Point{Lon: a, Lat: b}, false
}

// read builds one record per data row; nothing is returned unless every
// row converts.
func read[T any](r io.Reader, name string, build func(planner.Attrs, geo.Point) (T, error), set func(*T, int64, string)) ([]T, error) {
	t, err := open(r, name)
	if err != nil {
		return nil, err
	}
	src := "file:" + filepath.Base(name)
	var out []T
	for {
		rw, err := t.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		x, err := build(rw.attrs, rw.loc)
		if err != nil {
			return nil, inputErr(name, rw.line, planner.ErrorMessage(err))
		}
		set(&x, int64(len(out))+1, src)
		out = append(out, x)
	}
	if len(out) == 0 {
		return nil, inputErr(name, 0, "no records")
	}
	return out, nil
}

// ReadCameras reads cameras (天网) from CSV; see the package doc for
// positions and planner.CameraFromAttrs for the columns (kind,
// direction_deg, fov_deg in degrees, range_m in metres, ID, Name or
// CameraName) and the defaults applied.
func ReadCameras(r io.Reader, name string) ([]planner.Camera, error) {
	return read(r, name, planner.CameraFromAttrs, func(c *planner.Camera, id int64, src string) { c.ID, c.Source = id, src })
}

// ReadKiosks reads street police kiosks (警务站) from CSV with columns
// name, staff and vehicles besides the position.
func ReadKiosks(r io.Reader, name string) ([]planner.Kiosk, error) {
	return read(r, name, planner.KioskFromAttrs, func(k *planner.Kiosk, id int64, src string) { k.ID, k.Source = id, src })
}

// ReadIncidents reads incidents (警情) from CSV; times come from a
// datetime/timestamp/occurred/time column or date + time columns, see
// planner.IncidentFromAttrs.
func ReadIncidents(r io.Reader, name string) ([]planner.Incident, error) {
	return read(r, name, planner.IncidentFromAttrs, func(in *planner.Incident, id int64, src string) { in.ID, in.Source = id, src })
}

// ReadSites reads key sites (重点部位) from CSV with columns name, category
// and tier besides the position; see planner.SiteFromAttrs.
func ReadSites(r io.Reader, name string) ([]planner.Site, error) {
	return read(r, name, planner.SiteFromAttrs, func(s *planner.Site, id int64, src string) { s.ID, s.Source = id, src })
}
