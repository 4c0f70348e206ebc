package geojson

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// writeFC streams a FeatureCollection with one feature per line. feature
// appends x's geometry to b and returns it with x's properties; a nil
// geometry skips x.
func writeFC[T any](w io.Writer, xs []T, feature func(b []byte, x *T) ([]byte, any)) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(`{"type":"FeatureCollection","features":[`)
	var b []byte
	n := 0
	for i := range xs {
		geom, props := feature(b[:0], &xs[i])
		if geom == nil {
			continue
		}
		p, err := json.Marshal(props)
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		bw.WriteString("\n{\"type\":\"Feature\",\"geometry\":")
		bw.Write(geom)
		bw.WriteString(`,"properties":`)
		bw.Write(p)
		bw.WriteByte('}')
		b = geom
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// appendNum appends x rounded to 7 decimals without trailing zeros.
func appendNum(b []byte, x float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, x, 'f', 7, 64)
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}

func appendPos(b []byte, p geo.Point) []byte {
	b = append(b, '[')
	b = appendNum(b, p.Lon)
	b = append(b, ',')
	b = appendNum(b, p.Lat)
	return append(b, ']')
}

func appendPositions(b []byte, ps []geo.Point, reverse bool) []byte {
	b = append(b, '[')
	for i := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		k := i
		if reverse {
			k = len(ps) - 1 - i
		}
		b = appendPos(b, ps[k])
	}
	return append(b, ']')
}

func appendPoint(b []byte, p geo.Point) []byte {
	b = append(b, `{"type":"Point","coordinates":`...)
	return append(appendPos(b, p), '}')
}

// appendPolygon writes the outer ring counter-clockwise and holes
// clockwise (RFC 7946 right-hand rule).
func appendPolygon(b []byte, pg geo.Polygon) []byte {
	b = append(b, `{"type":"Polygon","coordinates":`...)
	return append(appendRings(b, pg), '}')
}

// appendRings writes a polygon's coordinate array: the outer ring
// counter-clockwise, holes clockwise.
func appendRings(b []byte, pg geo.Polygon) []byte {
	b = append(b, '[')
	for i, r := range pg {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPositions(b, r, (r.SignedArea() < 0) == (i == 0))
	}
	return append(b, ']')
}

type roadProps struct {
	ID      int64   `json:"id"`
	Highway string  `json:"highway"`
	Name    string  `json:"name"`
	LengthM float64 `json:"length_m"`
	Car     string  `json:"car"`
	Foot    bool    `json:"foot"`
}

// carAccess names the directions a car may drive: both, forward (along the
// geometry), backward or none.
func carAccess(t planner.Travel) string {
	switch {
	case t.Forward >= 0 && t.Backward >= 0:
		return "both"
	case t.Forward >= 0:
		return "forward"
	case t.Backward >= 0:
		return "backward"
	}
	return "none"
}

// WriteRoads writes the roads keep accepts (all when keep is nil) as
// LineString features with id, highway, name, length_m (metres, 2
// decimals, of the full geometry), car and foot. Geometries are simplified
// with Douglas–Peucker at simplifyM metres (0 keeps every position).
func WriteRoads(w io.Writer, roads []planner.Road, keep func(*planner.Road) bool, simplifyM float64) error {
	return writeFC(w, roads, func(b []byte, r *planner.Road) ([]byte, any) {
		if keep != nil && !keep(r) {
			return nil, nil
		}
		b = append(b, `{"type":"LineString","coordinates":`...)
		b = append(appendPositions(b, r.Geometry.Simplify(simplifyM), false), '}')
		return b, roadProps{r.ID, r.Highway, r.Name, math.Round(r.LengthM*100) / 100,
			carAccess(r.TravelFor(planner.ModeCar)), r.TravelFor(planner.ModeFoot).Allowed()}
	})
}

type gridProps struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Population *float64 `json:"population"`
	Risk       *float64 `json:"risk"`
	Generated  bool     `json:"generated"`
}

// WriteGrids writes grids as Polygon features with id, name, population
// and risk (null when unknown) and generated.
func WriteGrids(w io.Writer, grids []planner.Grid) error {
	return writeFC(w, grids, func(b []byte, g *planner.Grid) ([]byte, any) {
		return appendPolygon(b, g.Polygon), gridProps{g.ID, g.Name, g.Population, g.Risk, g.Generated}
	})
}

type cameraProps struct {
	ID           int64    `json:"id"`
	Ref          string   `json:"ref"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	DirectionDeg float64  `json:"direction_deg"`
	FOVDeg       float64  `json:"fov_deg"`
	RangeM       float64  `json:"range_m"`
	Source       string   `json:"source"`
	Defaulted    []string `json:"defaulted"`
	Version      int64    `json:"version"`
}

// WriteCameras writes cameras as Point features with id, ref, name, kind,
// direction_deg, fov_deg (degrees), range_m (metres), source, defaulted
// (an array, empty when nothing was defaulted) and version (the store
// revision that last wrote the camera, which an edit must send back as
// If-Match; 0 when no store wrote it).
func WriteCameras(w io.Writer, cams []planner.Camera) error {
	return writeFC(w, cams, func(b []byte, c *planner.Camera) ([]byte, any) {
		def := c.Defaulted
		if def == nil {
			def = []string{}
		}
		return appendPoint(b, c.Location), cameraProps{c.ID, c.Ref, c.Name, string(c.Kind),
			c.DirectionDeg, c.FOVDeg, c.RangeM, c.Source, def, c.Version}
	})
}

type kioskProps struct {
	ID       int64  `json:"id"`
	Ref      string `json:"ref"`
	Name     string `json:"name"`
	Staff    int    `json:"staff"`
	Vehicles int    `json:"vehicles"`
	Source   string `json:"source"`
	Version  int64  `json:"version"`
}

// WriteKiosks writes kiosks as Point features with id, ref, name, staff,
// vehicles, source and version (see WriteCameras).
func WriteKiosks(w io.Writer, kiosks []planner.Kiosk) error {
	return writeFC(w, kiosks, func(b []byte, k *planner.Kiosk) ([]byte, any) {
		return appendPoint(b, k.Location), kioskProps{k.ID, k.Ref, k.Name, k.Staff, k.Vehicles, k.Source, k.Version}
	})
}

type incidentProps struct {
	ID       int64   `json:"id"`
	Ref      string  `json:"ref"`
	Time     string  `json:"time"`
	Hour     int     `json:"hour"`
	Category string  `json:"category"`
	Weight   float64 `json:"weight"`
	Source   string  `json:"source"`
}

// WriteIncidents writes incidents as Point features with id, ref, time
// (RFC 3339 of the stored wall-clock time), hour (0-23), category, weight
// and source.
func WriteIncidents(w io.Writer, incidents []planner.Incident) error {
	return writeFC(w, incidents, func(b []byte, in *planner.Incident) ([]byte, any) {
		return appendPoint(b, in.Location), incidentProps{in.ID, in.Ref, in.Time.Format(time.RFC3339),
			in.Time.Hour(), in.Category, in.Weight, in.Source}
	})
}

type siteProps struct {
	ID       int64  `json:"id"`
	Ref      string `json:"ref"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Tier     int    `json:"tier"`
	Source   string `json:"source"`
}

// WriteSites writes sites as Point features at Site.Location with id,
// ref, name, category, tier (minutes) and source.
func WriteSites(w io.Writer, sites []planner.Site) error {
	return writeFC(w, sites, func(b []byte, s *planner.Site) ([]byte, any) {
		return appendPoint(b, s.Location), siteProps{s.ID, s.Ref, s.Name, string(s.Category), s.Tier, s.Source}
	})
}
