package geo

import (
	"math"
	"strconv"
)

// WebMercatorMaxLat is the latitude (degrees) where spherical Web
// Mercator's square world ends; positions beyond are clamped to it.
const WebMercatorMaxLat = 85.05112877980659

// webMercatorR is the sphere radius of EPSG:3857, metres (the WGS84
// semi-major axis, not EarthRadius).
const webMercatorR = 6378137.0

// WebMercator returns the spherical Web Mercator (EPSG:3857) position of
// p: metres east of the prime meridian and north of the equator, as web
// map tiles are drawn. Latitudes beyond ±WebMercatorMaxLat are clamped.
func WebMercator(p Point) (x, y float64) {
	lat := math.Max(-WebMercatorMaxLat, math.Min(WebMercatorMaxLat, p.Lat))
	return webMercatorR * p.Lon * deg, webMercatorR * math.Log(math.Tan(math.Pi/4+lat*deg/2))
}

// SVGFrame maps lon,lat positions into an SVG picture of a bound in Web
// Mercator: x to the right, y down, in pixels (user units), north up,
// the same scale on both axes. Paths are written with one decimal and
// drop vertices less than MinStep pixels from the last one kept, so a
// city's streets stay a few hundred kilobytes.
type SVGFrame struct {
	W, H    float64 // picture size, pixels
	MinStep float64 // pixels; vertices closer to the previous one are dropped (the last is kept)
	scale   float64 // pixels per Web Mercator metre
	x0, y1  float64 // Web Mercator west and north edges of the bound
	pad     float64
}

// NewSVGFrame fits b into at most maxW × maxH pixels with pad pixels of
// margin on every side; W and H are then the size the bound needs at that
// scale (one of them smaller than the maximum unless the aspects agree).
// An empty or degenerate bound gets a 100 m square about its centre.
func NewSVGFrame(b Bound, maxW, maxH, pad float64) SVGFrame {
	if b.IsEmpty() {
		b = Bound{}
	}
	x0, y0 := WebMercator(b.Min)
	x1, y1 := WebMercator(b.Max)
	if x1-x0 < 1 || y1-y0 < 1 {
		cx, cy := (x0+x1)/2, (y0+y1)/2
		x0, x1, y0, y1 = cx-50, cx+50, cy-50, cy+50
	}
	s := math.Min((maxW-2*pad)/(x1-x0), (maxH-2*pad)/(y1-y0))
	return SVGFrame{W: math.Ceil((x1-x0)*s + 2*pad), H: math.Ceil((y1-y0)*s + 2*pad), MinStep: 1, scale: s, x0: x0, y1: y1, pad: pad}
}

// XY returns p's position in the picture, pixels.
func (f SVGFrame) XY(p Point) (x, y float64) {
	mx, my := WebMercator(p)
	return f.pad + (mx-f.x0)*f.scale, f.pad + (f.y1-my)*f.scale
}

// MetresPerPixel returns the ground size of one pixel at latitude lat.
func (f SVGFrame) MetresPerPixel(lat float64) float64 {
	return math.Cos(lat*deg) / f.scale
}

// AppendNum appends x with at most one decimal (no trailing ".0").
func AppendNum(b []byte, x float64) []byte {
	v := math.Round(x*10) / 10
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// AppendPath appends SVG path data for the positions: "M x y l dx dy …"
// (one absolute move, then relative steps between the rounded positions,
// so rounding never drifts), with "z" when closed. Fewer than two
// distinct pixel positions append nothing.
func (f SVGFrame) AppendPath(b []byte, ps []Point, closed bool) []byte {
	if len(ps) < 2 {
		return b
	}
	start := len(b)
	var lx, ly float64 // the last kept position, rounded to 0.1 px
	n := 0
	for _, p := range ps {
		x, y := f.XY(p)
		x, y = math.Round(x*10)/10, math.Round(y*10)/10
		if n > 0 && math.Hypot(x-lx, y-ly) < f.MinStep {
			continue
		}
		switch n {
		case 0:
			b = append(b, 'M')
			b = AppendNum(b, x)
			b = append(b, ' ')
			b = AppendNum(b, y)
		case 1:
			b = append(b, 'l')
			b = AppendNum(b, x-lx)
			b = appendSigned(b, y-ly)
		default:
			b = appendSigned(b, x-lx)
			b = appendSigned(b, y-ly)
		}
		lx, ly = x, y
		n++
	}
	if n < 2 {
		return b[:start]
	}
	if closed {
		b = append(b, 'z')
	}
	return b
}

// appendSigned appends x with a separating space unless its minus sign
// separates it.
func appendSigned(b []byte, x float64) []byte {
	if math.Round(x*10) >= 0 {
		b = append(b, ' ')
	}
	return AppendNum(b, x)
}

// AppendPolygon appends path data for every ring of pg (draw it with
// fill-rule evenodd so holes stay open).
func (f SVGFrame) AppendPolygon(b []byte, pg Polygon) []byte {
	for _, r := range pg {
		if len(r) >= 4 {
			b = f.AppendPath(b, r, true)
		}
	}
	return b
}

// AppendMultiPolygon appends path data for every polygon of mp.
func (f SVGFrame) AppendMultiPolygon(b []byte, mp MultiPolygon) []byte {
	for _, pg := range mp {
		b = f.AppendPolygon(b, pg)
	}
	return b
}

// Visible reports whether bound b meets the picture's bound.
func (f SVGFrame) Visible(b Bound) bool {
	if b.IsEmpty() {
		return false
	}
	x0, y0 := f.XY(Point{Lon: b.Min.Lon, Lat: b.Max.Lat})
	x1, y1 := f.XY(Point{Lon: b.Max.Lon, Lat: b.Min.Lat})
	return x1 >= 0 && y1 >= 0 && x0 <= f.W && y0 <= f.H
}
