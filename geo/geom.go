package geo

import (
	"fmt"
	"math"
)

// Point is a WGS84 position, longitude then latitude, in decimal degrees.
type Point struct {
	Lon, Lat float64
}

// Valid reports whether p is a finite coordinate inside lon [-180,180],
// lat [-90,90].
func (p Point) Valid() bool {
	return !math.IsNaN(p.Lon) && !math.IsNaN(p.Lat) && !math.IsInf(p.Lon, 0) && !math.IsInf(p.Lat, 0) &&
		p.Lon >= -180 && p.Lon <= 180 && p.Lat >= -90 && p.Lat <= 90
}

// String formats p as "lon,lat" with 7 decimals (about 1 cm).
func (p Point) String() string { return fmt.Sprintf("%.7f,%.7f", p.Lon, p.Lat) }

// LineString is an ordered list of positions (lon,lat).
type LineString []Point

// Ring is a closed linear ring (first point equals last point), lon,lat.
type Ring []Point

// Polygon is an outer ring followed by zero or more holes, lon,lat.
type Polygon []Ring

// MultiPolygon is a set of polygons, lon,lat.
type MultiPolygon []Polygon

// Bound is an axis-aligned box in degrees: Min is the south-west corner
// (lon,lat), Max the north-east corner.
type Bound struct {
	Min, Max Point
}

// EmptyBound returns a bound that contains nothing; Extend grows it.
func EmptyBound() Bound {
	return Bound{Min: Point{math.Inf(1), math.Inf(1)}, Max: Point{math.Inf(-1), math.Inf(-1)}}
}

// IsEmpty reports whether b contains no point.
func (b Bound) IsEmpty() bool { return b.Min.Lon > b.Max.Lon || b.Min.Lat > b.Max.Lat }

// Extend returns b grown to contain p.
func (b Bound) Extend(p Point) Bound {
	b.Min.Lon = math.Min(b.Min.Lon, p.Lon)
	b.Min.Lat = math.Min(b.Min.Lat, p.Lat)
	b.Max.Lon = math.Max(b.Max.Lon, p.Lon)
	b.Max.Lat = math.Max(b.Max.Lat, p.Lat)
	return b
}

// Union returns the smallest bound containing b and o.
func (b Bound) Union(o Bound) Bound {
	if o.IsEmpty() {
		return b
	}
	return b.Extend(o.Min).Extend(o.Max)
}

// Contains reports whether p lies inside b (edges included).
func (b Bound) Contains(p Point) bool {
	return p.Lon >= b.Min.Lon && p.Lon <= b.Max.Lon && p.Lat >= b.Min.Lat && p.Lat <= b.Max.Lat
}

// Intersects reports whether b and o share at least one point.
func (b Bound) Intersects(o Bound) bool {
	return !(o.Min.Lon > b.Max.Lon || o.Max.Lon < b.Min.Lon || o.Min.Lat > b.Max.Lat || o.Max.Lat < b.Min.Lat)
}

// Center returns the middle of b (lon,lat).
func (b Bound) Center() Point {
	return Point{(b.Min.Lon + b.Max.Lon) / 2, (b.Min.Lat + b.Max.Lat) / 2}
}

// ParseBound parses "W,S,E,N" (degrees: west lon, south lat, east lon,
// north lat) into a Bound.
func ParseBound(s string) (Bound, error) {
	var w, so, e, n float64
	if _, err := fmt.Sscanf(s, "%g,%g,%g,%g", &w, &so, &e, &n); err != nil {
		return Bound{}, fmt.Errorf("bbox %q: want W,S,E,N in degrees: %v", s, err)
	}
	b := Bound{Min: Point{w, so}, Max: Point{e, n}}
	if !b.Min.Valid() || !b.Max.Valid() {
		return Bound{}, fmt.Errorf("bbox %q: coordinates out of range", s)
	}
	if w >= e || so >= n {
		return Bound{}, fmt.Errorf("bbox %q: west must be < east and south < north", s)
	}
	return b, nil
}

// Bound returns the bounding box of the line.
func (ls LineString) Bound() Bound {
	b := EmptyBound()
	for _, p := range ls {
		b = b.Extend(p)
	}
	return b
}

// Bound returns the bounding box of the polygon's outer ring.
func (pg Polygon) Bound() Bound {
	b := EmptyBound()
	if len(pg) > 0 {
		for _, p := range pg[0] {
			b = b.Extend(p)
		}
	}
	return b
}

// Bound returns the bounding box of all polygons.
func (mp MultiPolygon) Bound() Bound {
	b := EmptyBound()
	for _, pg := range mp {
		b = b.Union(pg.Bound())
	}
	return b
}
