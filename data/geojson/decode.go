package geojson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Feature is one decoded GeoJSON feature.
type Feature struct {
	Index      int           // position in the collection, from 1
	Line       int           // line of the file where the feature starts, from 1
	ID         string        // the feature's id member, "" when absent
	Geometry   Geometry      // Type "" for a null geometry
	Properties planner.Attrs // keys lower-cased; numbers and booleans as text; arrays and objects as JSON
}

// Geometry is a decoded, validated geometry (lon,lat degrees). Point,
// Line or Polygons is set according to Type; other types (MultiPoint,
// MultiLineString, GeometryCollection) carry only their Type.
type Geometry struct {
	Type     string
	Point    geo.Point      // Point
	Line     geo.LineString // LineString
	Polygons []geo.Polygon  // Polygon: one; MultiPolygon: one per part
}

type rawFeature struct {
	Type       string         `json:"type"`
	ID         any            `json:"id"`
	Geometry   *rawGeometry   `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// Decode reads a GeoJSON FeatureCollection, or a single Feature, from r
// and calls fn for each feature in file order. Coordinates are checked to
// be lon,lat in range, polygons with geo.ValidatePolygon. Every error is a
// planner EINVALID error naming the file ("name: line 3: ..." for bad JSON,
// "name: feature 12 (line 40): reason" for a bad feature, including errors
// fn returns); a collection without features is an error too. Errors
// are *InputError values, which also carry file, feature and line.
func Decode(r io.Reader, name string, fn func(*Feature) error) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return inputErr(name, 0, 0, err.Error())
	}
	d := &decoder{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data)), line: 1}
	d.dec.UseNumber()
	return d.run(fn)
}

type decoder struct {
	name       string
	data       []byte
	dec        *json.Decoder
	off, line  int // lineAt's memo: data[:off] holds line-1 newlines
	nFeatures  int
	typ        string
	hasFeature bool
}

// lineAt returns the 1-based line of byte offset off, counting on from
// the previous call's offset when it can.
func (d *decoder) lineAt(off int) int {
	off = max(0, min(off, len(d.data)))
	if off < d.off {
		d.off, d.line = 0, 1
	}
	d.line += bytes.Count(d.data[d.off:off], []byte{'\n'})
	d.off = off
	return d.line
}

// jsonErr turns a decoding error into an EINVALID error with a line.
func (d *decoder) jsonErr(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return inputErr(d.name, 0, d.lineAt(int(syn.Offset)), fmt.Sprintf("malformed JSON: %v", err))
	case errors.As(err, &typ):
		return inputErr(d.name, 0, d.lineAt(int(typ.Offset)), fmt.Sprintf("%s is a JSON %s, want %s", typ.Field, typ.Value, typ.Type))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return inputErr(d.name, 0, d.lineAt(len(d.data)), "unexpected end of file")
	}
	return inputErr(d.name, 0, 0, err.Error())
}

func (d *decoder) delim(want json.Delim, what string) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.jsonErr(err)
	}
	if tok != want {
		return inputErr(d.name, 0, d.lineAt(int(d.dec.InputOffset())), what)
	}
	return nil
}

func (d *decoder) run(fn func(*Feature) error) error {
	if err := d.delim('{', "not a GeoJSON object"); err != nil {
		return err
	}
	var single rawFeature
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.jsonErr(err)
		}
		var dst any
		switch key := tok.(string); key {
		case "type":
			dst = &d.typ
		case "features":
			if err := d.features(fn); err != nil {
				return err
			}
			continue
		case "id":
			dst = &single.ID
		case "geometry":
			dst = &single.Geometry
		case "properties":
			dst = &single.Properties
		default:
			dst = new(json.RawMessage)
		}
		if err := d.dec.Decode(dst); err != nil {
			return d.jsonErr(err)
		}
	}
	if err := d.delim('}', "malformed object"); err != nil {
		return err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return inputErr(d.name, 0, d.lineAt(int(d.dec.InputOffset())), "data after the GeoJSON object")
	}
	switch {
	case d.typ == "Feature":
		single.Type = d.typ
		return d.feature(&single, 1, 1, fn)
	case d.typ != "FeatureCollection":
		return inputErr(d.name, 0, 0, fmt.Sprintf("type %q is not a FeatureCollection or Feature", d.typ))
	case !d.hasFeature:
		return inputErr(d.name, 0, 0, "FeatureCollection has no features member")
	case d.nFeatures == 0:
		return inputErr(d.name, 0, 0, "no features")
	}
	return nil
}

// features decodes the features array one feature at a time.
func (d *decoder) features(fn func(*Feature) error) error {
	d.hasFeature = true
	if err := d.delim('[', "features is not an array"); err != nil {
		return err
	}
	for d.dec.More() {
		off := int(d.dec.InputOffset())
		for off < len(d.data) && strings.IndexByte(" \t\r\n,", d.data[off]) >= 0 {
			off++
		}
		var rf rawFeature
		if err := d.dec.Decode(&rf); err != nil {
			return d.jsonErr(err)
		}
		d.nFeatures++
		if err := d.feature(&rf, d.nFeatures, d.lineAt(off), fn); err != nil {
			return err
		}
	}
	return d.delim(']', "malformed features array")
}

func (d *decoder) feature(rf *rawFeature, index, line int, fn func(*Feature) error) error {
	f := &Feature{Index: index, Line: line, Properties: attrs(rf.Properties)}
	err := func() error {
		if rf.Type != "Feature" {
			return fmt.Errorf("type %q is not Feature", rf.Type)
		}
		switch id := rf.ID.(type) {
		case nil:
		case string:
			f.ID = strings.TrimSpace(id)
		case json.Number:
			f.ID = id.String()
		default:
			return fmt.Errorf("id is not a string or number")
		}
		var err error
		if rf.Geometry != nil {
			f.Geometry, err = geometry(rf.Geometry)
		}
		if err != nil {
			return err
		}
		return fn(f)
	}()
	if err != nil {
		return inputErr(d.name, index, line, message(err))
	}
	return nil
}

// message returns an error's user-facing text without its code.
func message(err error) string {
	var pe *planner.Error
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}

// attrs converts properties to planner.Attrs: keys lower-cased (an
// all-lower-case key wins over other spellings), null values dropped.
func attrs(props map[string]any) planner.Attrs {
	a := make(planner.Attrs, len(props))
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int {
		// Lower-case keys first, then byte order, for a deterministic winner.
		lx, ly := x == strings.ToLower(x), y == strings.ToLower(y)
		if lx != ly {
			if lx {
				return -1
			}
			return 1
		}
		return strings.Compare(x, y)
	})
	for _, k := range keys {
		lk := strings.ToLower(strings.TrimSpace(k))
		if _, dup := a[lk]; dup {
			continue
		}
		var s string
		switch v := props[k].(type) {
		case nil:
			continue
		case string:
			s = v
		case json.Number:
			s = v.String()
		case bool:
			s = fmt.Sprint(v)
		default:
			b, _ := json.Marshal(v)
			s = string(b)
		}
		a[lk] = strings.TrimSpace(s)
	}
	return a
}

// geometry decodes and validates coordinates.
func geometry(rg *rawGeometry) (Geometry, error) {
	g := Geometry{Type: rg.Type}
	var err error
	switch rg.Type {
	case "Point":
		var c []float64
		if err = unmarshal(rg.Coordinates, &c); err == nil {
			g.Point, err = position(c)
		}
	case "LineString":
		var c [][]float64
		if err = unmarshal(rg.Coordinates, &c); err == nil {
			g.Line, err = positions(c)
		}
		if err == nil && len(g.Line) < 2 {
			err = fmt.Errorf("LineString has fewer than 2 positions")
		}
	case "Polygon":
		var c [][][]float64
		if err = unmarshal(rg.Coordinates, &c); err == nil {
			g.Polygons, err = polygons([][][][]float64{c}, "polygon")
		}
	case "MultiPolygon":
		var c [][][][]float64
		if err = unmarshal(rg.Coordinates, &c); err == nil {
			g.Polygons, err = polygons(c, "part")
		}
	case "MultiPoint", "MultiLineString", "GeometryCollection":
	default:
		err = fmt.Errorf("unknown geometry type %q", rg.Type)
	}
	return g, err
}

func unmarshal(raw json.RawMessage, dst any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return fmt.Errorf("geometry has no coordinates")
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("malformed coordinates: %v", err)
	}
	return nil
}

func position(c []float64) (geo.Point, error) {
	if len(c) < 2 {
		return geo.Point{}, fmt.Errorf("position %v has fewer than 2 numbers", c)
	}
	p := geo.Point{Lon: c[0], Lat: c[1]}
	if !p.Valid() {
		return p, fmt.Errorf("coordinates %g,%g out of range (want lon,lat in degrees)", c[0], c[1])
	}
	return p, nil
}

func positions(cs [][]float64) ([]geo.Point, error) {
	out := make([]geo.Point, len(cs))
	for i, c := range cs {
		var err error
		if out[i], err = position(c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// polygons converts and validates polygons; what names a part in errors.
func polygons(cs [][][][]float64, what string) ([]geo.Polygon, error) {
	if len(cs) == 0 {
		return nil, fmt.Errorf("geometry has no polygons")
	}
	out := make([]geo.Polygon, len(cs))
	for i, rings := range cs {
		pg := make(geo.Polygon, len(rings))
		for j, ring := range rings {
			ps, err := positions(ring)
			if err != nil {
				return nil, err
			}
			pg[j] = ps
		}
		if err := geo.ValidatePolygon(pg); err != nil {
			if len(cs) > 1 {
				what = fmt.Sprintf("part %d", i+1)
			}
			return nil, fmt.Errorf("%s: %v", what, err)
		}
		out[i] = pg
	}
	return out, nil
}
