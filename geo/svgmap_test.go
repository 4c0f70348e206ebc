package geo

import (
	"math"
	"testing"
)

func TestWebMercator(t *testing.T) {
	for _, c := range []struct {
		p    Point
		x, y float64
	}{
		{Point{Lon: 0, Lat: 0}, 0, 0},
		{Point{Lon: 180, Lat: 0}, 20037508.342789244, 0},
		{Point{Lon: -180, Lat: WebMercatorMaxLat}, -20037508.342789244, 20037508.342789244},
		{Point{Lon: 0, Lat: -90}, 0, -20037508.342789244}, // clamped
		{Point{Lon: 90, Lat: 45}, 10018754.171394622, 5621521.486192066},
	} {
		x, y := WebMercator(c.p)
		if math.Abs(x-c.x) > 0.01 || math.Abs(y-c.y) > 0.01 {
			t.Errorf("WebMercator(%v) = %.2f, %.2f; want %.2f, %.2f", c.p, x, y, c.x, c.y)
		}
	}
}

func TestSVGFrame(t *testing.T) {
	b := Bound{Min: Point{Lon: -75.5885, Lat: 39.688}, Max: Point{Lon: -75.4708, Lat: 39.773}}
	f := NewSVGFrame(b, 800, 800, 10)
	if f.W != 800 || f.H > 800 || f.H < 500 {
		t.Fatalf("frame %v × %v", f.W, f.H)
	}
	x, y := f.XY(Point{Lon: b.Min.Lon, Lat: b.Max.Lat}) // north-west corner
	if math.Abs(x-10) > 1e-6 || math.Abs(y-10) > 1e-6 {
		t.Errorf("NW corner at %v,%v", x, y)
	}
	x, y = f.XY(b.Min) // south-west: bottom left
	if math.Abs(x-10) > 1e-6 || math.Abs(y-(f.H-10)) > 1 {
		t.Errorf("SW corner at %v,%v (H %v)", x, y, f.H)
	}
	// Same scale both ways: 1 km east and 1 km north are as long on paper.
	c := b.Center()
	pr := NewProjection(c)
	e, n := pr.Inverse(XY{X: 1000}), pr.Inverse(XY{Y: 1000})
	cx, cy := f.XY(c)
	ex, _ := f.XY(e)
	_, ny := f.XY(n)
	if d := math.Abs((ex - cx) - (cy - ny)); d > 0.01*(ex-cx) {
		t.Errorf("east %v px, north %v px", ex-cx, cy-ny)
	}
	if mpp := f.MetresPerPixel(c.Lat); math.Abs(mpp*(ex-cx)-1000) > 5 {
		t.Errorf("metres per pixel %v: 1 km is %v px", mpp, ex-cx)
	}
}

func TestAppendPath(t *testing.T) {
	f := NewSVGFrame(Bound{Min: Point{Lon: 0, Lat: 0}, Max: Point{Lon: 0.01, Lat: 0.01}}, 100, 100, 0)
	got := string(f.AppendPath(nil, []Point{{Lon: 0, Lat: 0}, {Lon: 0.00001, Lat: 0}, {Lon: 0.01, Lat: 0.01}}, false))
	if got != "M0 100l100-100" {
		t.Errorf("path %q", got)
	}
	if got := string(f.AppendPath(nil, []Point{{Lon: 0, Lat: 0}, {Lon: 0.000001, Lat: 0}}, false)); got != "" {
		t.Errorf("a sub-pixel line drew %q", got)
	}
	sq := Polygon{Ring{{Lon: 0, Lat: 0}, {Lon: 0.01, Lat: 0}, {Lon: 0.01, Lat: 0.01}, {Lon: 0, Lat: 0}}}
	if got := string(f.AppendPolygon(nil, sq)); got != "M0 100l100 0 0-100-100 100z" {
		t.Errorf("polygon %q", got)
	}
	if !f.Visible(sq.Bound()) || f.Visible(Bound{Min: Point{Lon: 1, Lat: 1}, Max: Point{Lon: 2, Lat: 2}}) {
		t.Error("Visible")
	}
}
