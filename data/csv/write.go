package csv

// Writing: one header row, then one row per record, RFC 4180 quoting
// (encoding/csv), LF line ends, UTF-8 without a byte-order mark (callers
// that hand files to Excel prepend BOM). Numbers are the shortest decimals
// that read back to the same float64, positions are lon and lat columns
// (WGS84 degrees), lines and polygons WKT in lon lat order. The point
// layers use the column names this package's readers take, so a written
// file reads back to the same records (IDs renumbered 1..n and Source
// "file:<name>", as for any file; incident categories lower-cased; a
// site's Area outline is written as area_wkt but not read back). The
// provenance column is data_source, not source, because the incident
// reader takes "source" as a category when category is empty.
//
// Text cells (names, refs, kinds, categories, sources, unit names,
// streets; never numbers, times or WKT) that a spreadsheet would evaluate
// as a formula are written with a leading apostrophe (see text): Excel and
// WPS run a cell beginning with =, +, -, @, TAB or CR as a formula when
// they open a CSV (CSV injection, OWASP). The readers strip it again, so
// the round trip stays exact.

import (
	stdcsv "encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// BOM is the UTF-8 byte-order mark. Excel on Chinese Windows reads a CSV
// without it as GBK (CP936) and garbles every Chinese name; with it, as
// UTF-8. The readers of this package skip it.
const BOM = "\ufeff"

// Header rows of the writers.
var (
	CameraHeader    = []string{"id", "ref", "name", "kind", "direction_deg", "fov_deg", "range_m", "defaulted", "data_source", "lon", "lat"}
	KioskHeader     = []string{"id", "ref", "name", "staff", "vehicles", "data_source", "lon", "lat"}
	IncidentHeader  = []string{"id", "ref", "datetime", "category", "weight", "data_source", "lon", "lat"}
	SiteHeader      = []string{"id", "ref", "name", "category", "tier", "data_source", "lon", "lat", "area_wkt"}
	GridHeader      = []string{"id", "name", "population", "risk", "generated", "wkt"}
	UnitHeader      = []string{"id", "name", "kind", "home_kiosk", "shifts"}
	RoadHeader      = []string{"id", "way_id", "from_osm_node", "to_osm_node", "highway", "name", "length_m", "car_forward", "car_backward", "foot", "wkt"}
	RingHeader      = []string{"mode", "minutes", "road_km", "kiosk_id", "wkt"}
	FootprintHeader = []string{"id", "name", "kind", "direction_deg", "fov_deg", "range_m", "area_m2", "wkt"}
	StopHeader      = []string{"unit", "seq", "kind", "id", "street", "arrive", "depart", "lon", "lat"}
)

// num is the shortest decimal that reads back to x.
func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func id(x int64) string { return strconv.FormatInt(x, 10) }

// formulaChars are the first characters that make Excel, WPS and
// LibreOffice read a cell as a formula (OWASP, CSV injection).
const formulaChars = "=+-@\t\r"

// formulaLike reports whether s, after any leading apostrophes, begins
// with one of formulaChars.
func formulaLike(s string) bool {
	t := strings.TrimLeft(s, "'")
	return t != "" && strings.IndexByte(formulaChars, t[0]) >= 0
}

// text guards a text cell against formula evaluation: a value beginning
// with =, +, -, @, TAB or CR gets a leading apostrophe ("=1+1" is written
// '=1+1), which spreadsheets show as text. A value that already begins
// with apostrophes followed by one of those characters gets one more
// ("'=x" is written "'" + "'=x"), so that unguard, which removes exactly
// one, gives every value back; any other value ("'quoted", "a-b") is
// written as it is. Numeric columns never pass through here.
func text(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// unguard undoes text: it removes exactly one leading apostrophe when the
// value is apostrophes followed by one of formulaChars ('=1+1 reads as
// =1+1, "'" + "'=x" as "'=x"), and returns any other value as it is.
func unguard(s string) string {
	if strings.HasPrefix(s, "'") && formulaLike(s) {
		return s[1:]
	}
	return s
}

// write writes header and one row per element of xs.
func write[T any](w io.Writer, header []string, xs []T, row func(*T) []string) error {
	cw := stdcsv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for i := range xs {
		if err := cw.Write(row(&xs[i])); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCameras writes cameras with CameraHeader's columns: kind, bearing
// and field of view in degrees, range in metres, defaulted as a
// comma-separated list (the fields that came from defaults, kept on read
// back). A range that is not positive is left empty (the reader then
// applies the kind's default).
func WriteCameras(w io.Writer, cams []planner.Camera) error {
	return write(w, CameraHeader, cams, func(c *planner.Camera) []string {
		rng := ""
		if c.RangeM > 0 {
			rng = num(c.RangeM)
		}
		fov := ""
		if c.FOVDeg > 0 {
			fov = num(c.FOVDeg)
		}
		return []string{id(c.ID), text(c.Ref), text(c.Name), text(string(c.Kind)), num(c.DirectionDeg), fov, rng,
			text(strings.Join(c.Defaulted, ",")), text(c.Source), num(c.Location.Lon), num(c.Location.Lat)}
	})
}

// WriteKiosks writes kiosks with KioskHeader's columns.
func WriteKiosks(w io.Writer, kiosks []planner.Kiosk) error {
	return write(w, KioskHeader, kiosks, func(k *planner.Kiosk) []string {
		return []string{id(k.ID), text(k.Ref), text(k.Name), strconv.Itoa(k.Staff), strconv.Itoa(k.Vehicles), text(k.Source),
			num(k.Location.Lon), num(k.Location.Lat)}
	})
}

// WriteIncidents writes incidents with IncidentHeader's columns; datetime
// is the stored wall-clock time in RFC 3339 with nanoseconds when any
// ("2024-03-01T22:15:00Z": the stations' local clock, marked Z because
// Incident.Time keeps wall-clock fields in UTC).
func WriteIncidents(w io.Writer, incidents []planner.Incident) error {
	return write(w, IncidentHeader, incidents, func(in *planner.Incident) []string {
		return []string{id(in.ID), text(in.Ref), in.Time.UTC().Format(time.RFC3339Nano), text(in.Category), num(in.Weight), text(in.Source),
			num(in.Location.Lon), num(in.Location.Lat)}
	})
}

// WriteSites writes key sites with SiteHeader's columns: the position is
// Site.Location, area_wkt the optional outline (empty when none).
func WriteSites(w io.Writer, sites []planner.Site) error {
	return write(w, SiteHeader, sites, func(s *planner.Site) []string {
		area := ""
		if len(s.Area) > 0 {
			area = PolygonWKT(s.Area)
		}
		return []string{id(s.ID), text(s.Ref), text(s.Name), text(string(s.Category)), strconv.Itoa(s.Tier), text(s.Source),
			num(s.Location.Lon), num(s.Location.Lat), area}
	})
}

// WriteGrids writes grids with GridHeader's columns: population and risk
// empty when unknown, the cell as a WKT POLYGON.
func WriteGrids(w io.Writer, grids []planner.Grid) error {
	opt := func(p *float64) string {
		if p == nil {
			return ""
		}
		return num(*p)
	}
	return write(w, GridHeader, grids, func(g *planner.Grid) []string {
		return []string{id(g.ID), text(g.Name), opt(g.Population), opt(g.Risk), strconv.FormatBool(g.Generated), PolygonWKT(g.Polygon)}
	})
}

// FormatShifts formats shifts as "22:00-02:00;08:00-12:00".
func FormatShifts(shifts []planner.Shift) string {
	parts := make([]string, len(shifts))
	hm := func(m int) string { m = ((m % 1440) + 1440) % 1440; return fmt.Sprintf("%02d:%02d", m/60, m%60) }
	for i, s := range shifts {
		parts[i] = hm(s.Start) + "-" + hm(s.End)
	}
	return strings.Join(parts, ";")
}

// WriteUnits writes patrol units with UnitHeader's columns: home_kiosk is
// the kiosk's ID, shifts as FormatShifts.
func WriteUnits(w io.Writer, units []planner.Unit) error {
	return write(w, UnitHeader, units, func(u *planner.Unit) []string {
		return []string{id(u.ID), text(u.Name), text(string(u.Kind)), id(u.HomeKiosk), FormatShifts(u.Shifts)}
	})
}

// WriteRoads writes road segments with RoadHeader's columns: length in
// metres, whether a car may drive along (forward) and against (backward)
// the geometry and whether the segment is walkable, the geometry as a WKT
// LINESTRING.
func WriteRoads(w io.Writer, roads []planner.Road) error {
	return write(w, RoadHeader, roads, func(r *planner.Road) []string {
		car := r.TravelFor(planner.ModeCar)
		return []string{id(r.ID), id(r.WayID), id(r.From), id(r.To), text(r.Highway), text(r.Name), num(r.LengthM),
			strconv.FormatBool(car.Forward >= 0), strconv.FormatBool(car.Backward >= 0),
			strconv.FormatBool(r.TravelFor(planner.ModeFoot).Allowed()), LineWKT(r.Geometry)}
	})
}

// WriteRings writes response rings with RingHeader's columns: the mode,
// the tier in minutes, the reached road length in km, the kiosk (0 for
// rings merged over every kiosk) and the ring as a WKT MULTIPOLYGON.
func WriteRings(w io.Writer, rings []planner.Ring, mode planner.Mode) error {
	return write(w, RingHeader, rings, func(r *planner.Ring) []string {
		return []string{text(string(mode)), num(r.Minutes), num(r.RoadKm), id(r.KioskID), MultiPolygonWKT(r.Polygon)}
	})
}

// WriteFootprints writes camera footprints with FootprintHeader's columns:
// the camera's id, name, kind, bearing, effective field of view and range
// (planner.CameraSector), the seen area in square metres and the footprint
// as a WKT POLYGON (empty when the camera sees nothing).
func WriteFootprints(w io.Writer, fps []planner.CameraFootprint) error {
	return write(w, FootprintHeader, fps, func(f *planner.CameraFootprint) []string {
		sec := planner.CameraSector(f.Camera)
		wkt := ""
		if len(f.Polygon) > 0 {
			wkt = PolygonWKT(f.Polygon)
		}
		return []string{id(f.Camera.ID), text(f.Camera.Name), text(string(f.Camera.Kind)), num(f.Camera.DirectionDeg), num(sec.FOVDeg),
			num(sec.RangeM), num(f.AreaM2), wkt}
	})
}

// WritePlanStops writes one row per stop of every unit of a plan, units in
// plan order and stops in route order, with StopHeader's columns: seq
// counts from 1 per unit, kind is point (守点), line (巡线) or break (at the
// home kiosk), street names the target (from streets, by target ID),
// arrive and depart are local clock times "HH:MM", lon and lat where the
// stop is (a line's first position), with at most 7 decimals.
func WritePlanStops(w io.Writer, p *planner.Plan, streets map[string]string) error {
	type stopRow struct {
		unit string
		seq  int
		s    planner.Stop
	}
	var rows []stopRow
	for _, u := range p.Units {
		for k, s := range u.Stops {
			rows = append(rows, stopRow{u.Unit, k + 1, s})
		}
	}
	return write(w, StopHeader, rows, func(r *stopRow) []string {
		return []string{text(r.unit), strconv.Itoa(r.seq), text(r.s.Kind), text(r.s.ID), text(streets[r.s.ID]), r.s.Arrive, r.s.Depart,
			coord(r.s.Location.Lon), coord(r.s.Location.Lat)}
	})
}

// coord formats a degree value with at most 7 decimals (about 1 cm).
func coord(x float64) string {
	s := strconv.FormatFloat(x, 'f', 7, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// appendCoords appends "lon lat, lon lat" to b.
func appendCoords(b []byte, ps []geo.Point) []byte {
	for i, p := range ps {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendFloat(b, p.Lon, 'f', -1, 64)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, p.Lat, 'f', -1, 64)
	}
	return b
}

func appendRings(b []byte, pg geo.Polygon) []byte {
	b = append(b, '(')
	for i, r := range pg {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '(')
		b = appendCoords(b, r)
		b = append(b, ')')
	}
	return append(b, ')')
}

// LineWKT formats a line as "LINESTRING (lon lat, ...)"; an empty line is
// "LINESTRING EMPTY".
func LineWKT(ls geo.LineString) string {
	if len(ls) == 0 {
		return "LINESTRING EMPTY"
	}
	return string(append(appendCoords([]byte("LINESTRING ("), ls), ')'))
}

// PolygonWKT formats a polygon as "POLYGON ((lon lat, ...), (hole))",
// rings as stored; an empty polygon is "POLYGON EMPTY".
func PolygonWKT(pg geo.Polygon) string {
	if len(pg) == 0 {
		return "POLYGON EMPTY"
	}
	return string(appendRings([]byte("POLYGON "), pg))
}

// MultiPolygonWKT formats polygons as "MULTIPOLYGON (((lon lat, ...)), ...)";
// none is "MULTIPOLYGON EMPTY".
func MultiPolygonWKT(mp geo.MultiPolygon) string {
	if len(mp) == 0 {
		return "MULTIPOLYGON EMPTY"
	}
	b := []byte("MULTIPOLYGON (")
	for i, pg := range mp {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendRings(b, pg)
	}
	return string(append(b, ')'))
}
