package geojson

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
)

func TestWriteShapes(t *testing.T) {
	sq := func(x0, y0, s float64) geo.Ring {
		return geo.Ring{{Lon: x0, Lat: y0}, {Lon: x0, Lat: y0 + s}, {Lon: x0 + s, Lat: y0 + s}, {Lon: x0 + s, Lat: y0}, {Lon: x0, Lat: y0}} // clockwise
	}
	shapes := []Shape{
		{Geometry: geo.MultiPolygon{{sq(114, 30, 0.01), sq(114.002, 30.002, 0.001)}, {sq(114.1, 30, 0.01)}}, Properties: map[string]any{"minutes": 3}},
		{Geometry: []geo.LineString{{{Lon: 1, Lat: 2}, {Lon: 3, Lat: 4}}}, Properties: map[string]any{"k": "v"}},
		{Geometry: geo.Point{Lon: 1.123456789, Lat: -0.00000001}, Properties: nil},
	}
	var b bytes.Buffer
	if err := WriteShapes(&b, shapes); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b.Bytes(), &fc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if len(fc.Features) != 3 || fc.Features[0].Geometry.Type != "MultiPolygon" || fc.Features[1].Geometry.Type != "MultiLineString" || fc.Features[2].Geometry.Type != "Point" {
		t.Fatalf("features: %s", b.String())
	}
	var mp [][][][2]float64
	if err := json.Unmarshal(fc.Features[0].Geometry.Coordinates, &mp); err != nil {
		t.Fatal(err)
	}
	if len(mp) != 2 || len(mp[0]) != 2 || len(mp[1]) != 1 {
		t.Fatalf("multipolygon shape %v", mp)
	}
	// Outer ring counter-clockwise, hole clockwise.
	outer := geo.Ring{}
	for _, c := range mp[0][0] {
		outer = append(outer, geo.Point{Lon: c[0], Lat: c[1]})
	}
	hole := geo.Ring{}
	for _, c := range mp[0][1] {
		hole = append(hole, geo.Point{Lon: c[0], Lat: c[1]})
	}
	if outer.SignedArea() <= 0 || hole.SignedArea() >= 0 {
		t.Errorf("winding: outer %v hole %v", outer.SignedArea(), hole.SignedArea())
	}
	if string(fc.Features[2].Geometry.Coordinates) != "[1.1234568,0]" {
		t.Errorf("point coordinates %s", fc.Features[2].Geometry.Coordinates)
	}
	if fc.Features[0].Properties["minutes"] != 3.0 {
		t.Errorf("properties %v", fc.Features[0].Properties)
	}
	if err := WriteShapes(&b, []Shape{{Geometry: 42}}); err == nil {
		t.Error("unsupported geometry accepted")
	}
}
