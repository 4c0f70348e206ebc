package geojson

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// read decodes every feature with conv, numbering records from 1 in file
// order. The feature's id member, when present, becomes its "ref"
// property. Nothing is returned unless every feature converts.
func read[T any](r io.Reader, name string, conv func(f *Feature, id int64, src string) ([]T, error)) ([]T, error) {
	var out []T
	src := "file:" + filepath.Base(name)
	err := Decode(r, name, func(f *Feature) error {
		if f.ID != "" {
			f.Properties["ref"] = f.ID
		}
		xs, err := conv(f, int64(len(out))+1, src)
		out = append(out, xs...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// point returns a Point feature's position.
func point(f *Feature) (geo.Point, error) {
	if f.Geometry.Type != "Point" {
		return geo.Point{}, wrongType(f, "Point")
	}
	return f.Geometry.Point, nil
}

func wrongType(f *Feature, want string) error {
	if f.Geometry.Type == "" {
		return fmt.Errorf("no geometry (want %s)", want)
	}
	return fmt.Errorf("geometry is a %s, want %s", f.Geometry.Type, want)
}

// ReadGrids reads grid cells (网格) from Polygon or MultiPolygon features
// (lon,lat). A MultiPolygon yields one grid per part, each with the
// feature's name, population and risk. Properties: name|grid|网格|名称,
// population|pop|人口 (residents), risk|风险.
func ReadGrids(r io.Reader, name string) ([]planner.Grid, error) {
	return read(r, name, func(f *Feature, id int64, _ string) ([]planner.Grid, error) {
		if f.Geometry.Type != "Polygon" && f.Geometry.Type != "MultiPolygon" {
			return nil, wrongType(f, "Polygon or MultiPolygon")
		}
		g, err := planner.GridFromAttrs(f.Properties)
		if err != nil {
			return nil, err
		}
		out := make([]planner.Grid, len(f.Geometry.Polygons))
		for i, pg := range f.Geometry.Polygons {
			out[i] = g
			out[i].ID, out[i].Polygon = id+int64(i), pg
			out[i].Population, out[i].Risk = clone(g.Population), clone(g.Risk)
		}
		return out, nil
	})
}

func clone(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// pointReader returns a converter for records built from a Point
// feature's position (lon,lat) and properties.
func pointReader[T any](build func(planner.Attrs, geo.Point) (T, error), set func(*T, int64, string)) func(*Feature, int64, string) ([]T, error) {
	return func(f *Feature, id int64, src string) ([]T, error) {
		p, err := point(f)
		if err != nil {
			return nil, err
		}
		x, err := build(f.Properties, p)
		if err != nil {
			return nil, err
		}
		set(&x, id, src)
		return []T{x}, nil
	}
}

// ReadCameras reads cameras (天网) from Point features (lon,lat); see
// planner.CameraFromAttrs for the properties (kind, direction_deg, fov_deg,
// range_m in degrees and metres) and the defaults applied.
func ReadCameras(r io.Reader, name string) ([]planner.Camera, error) {
	return read(r, name, pointReader(planner.CameraFromAttrs, func(c *planner.Camera, id int64, src string) {
		c.ID, c.Source = id, src
	}))
}

// ReadKiosks reads street police kiosks (警务站) from Point features
// (lon,lat) with properties name, staff and vehicles.
func ReadKiosks(r io.Reader, name string) ([]planner.Kiosk, error) {
	return read(r, name, pointReader(planner.KioskFromAttrs, func(k *planner.Kiosk, id int64, src string) {
		k.ID, k.Source = id, src
	}))
}

// ReadIncidents reads incidents (警情) from Point features (lon,lat); see
// planner.IncidentFromAttrs for the time, category and weight properties.
func ReadIncidents(r io.Reader, name string) ([]planner.Incident, error) {
	return read(r, name, pointReader(planner.IncidentFromAttrs, func(in *planner.Incident, id int64, src string) {
		in.ID, in.Source = id, src
	}))
}

// ReadSites reads key sites (重点部位) from Point or Polygon features
// (lon,lat). A polygon becomes the site's Area and its centroid the
// Location. Properties: name, category (school, hospital, bank, station,
// market or a Chinese alias such as 学校 医院 银行 车站 市场; else other) and
// tier (1, 3 or 5 minutes, default planner.DefaultTier).
func ReadSites(r io.Reader, name string) ([]planner.Site, error) {
	return read(r, name, func(f *Feature, id int64, src string) ([]planner.Site, error) {
		var loc geo.Point
		var area geo.Polygon
		switch f.Geometry.Type {
		case "Point":
			loc = f.Geometry.Point
		case "Polygon":
			area = f.Geometry.Polygons[0]
			loc = area.Centroid()
		default:
			return nil, wrongType(f, "Point or Polygon")
		}
		s, err := planner.SiteFromAttrs(f.Properties, loc)
		if err != nil {
			return nil, err
		}
		s.ID, s.Source, s.Area = id, src, area
		return []planner.Site{s}, nil
	})
}
