package geojson

import (
	"fmt"
	"io"

	"github.com/tidewatch/tidewatch/geo"
)

// Shape is one feature to write: a geometry (geo.Point, geo.LineString,
// geo.Polygon, geo.MultiPolygon or []geo.LineString for a MultiLineString,
// all lon,lat) and properties encoded with encoding/json.
type Shape struct {
	Geometry   any
	Properties any
}

// WriteShapes writes shapes as a FeatureCollection (coordinates rounded to
// 7 decimals, polygon rings in RFC 7946 winding). It fails on a geometry
// type it does not know.
func WriteShapes(w io.Writer, shapes []Shape) error {
	for i, s := range shapes {
		switch s.Geometry.(type) {
		case geo.Point, geo.LineString, geo.Polygon, geo.MultiPolygon, []geo.LineString:
		default:
			return fmt.Errorf("shape %d: unsupported geometry %T", i, s.Geometry)
		}
	}
	return writeFC(w, shapes, func(b []byte, s *Shape) ([]byte, any) {
		return appendShape(b, s.Geometry), s.Properties
	})
}

func appendShape(b []byte, g any) []byte {
	switch g := g.(type) {
	case geo.Point:
		return appendPoint(b, g)
	case geo.LineString:
		b = append(b, `{"type":"LineString","coordinates":`...)
		return append(appendPositions(b, g, false), '}')
	case []geo.LineString:
		b = append(b, `{"type":"MultiLineString","coordinates":[`...)
		for i, ls := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPositions(b, ls, false)
		}
		return append(b, "]}"...)
	case geo.Polygon:
		return appendPolygon(b, g)
	case geo.MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, pg := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRings(b, pg)
		}
		return append(b, "]}"...)
	}
	return nil
}
