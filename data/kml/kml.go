package kml

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidewatch/tidewatch/geo"
)

// Namespace is the KML 2.2 XML namespace (an identifier, never fetched).
const Namespace = "http://www.opengis.net/kml/2.2"

// MediaType is the registered media type of a .kml file.
const MediaType = "application/vnd.google-earth.kml+xml"

// Document is one KML file.
type Document struct {
	Name        string
	Description string
	Styles      []Style
	Folders     []Folder
}

// Folder is one layer of a Document.
type Folder struct {
	Name        string
	Description string
	Placemarks  []Placemark
}

// Style is a shared style a Placemark refers to by ID ("#ID"). Empty
// colours and zero sizes are left out, and so are styles no placemark of
// the document uses. A style without PolyColor leaves polygons to the
// viewer's default fill.
type Style struct {
	ID        string
	IconColor string  // aabbggrr
	IconScale float64 // 0: viewer default
	LineColor string  // aabbggrr
	LineWidth float64 // pixels
	PolyColor string  // aabbggrr; "" draws the outline only
}

// Data is one ExtendedData field.
type Data struct {
	Name, Value string
}

// Placemark is one feature. Geometry is a geo.Point, geo.LineString,
// []geo.LineString, geo.Polygon or geo.MultiPolygon; anything else (or an
// empty geometry) fails Write.
type Placemark struct {
	ID          string // optional XML id
	Name        string
	Description string
	StyleURL    string // "#camera"; "" for none
	Data        []Data
	Geometry    any
}

// Color converts "#rrggbb" and an opacity 0..1 to KML's aabbggrr.
func Color(rgb string, opacity float64) string {
	rgb = strings.TrimPrefix(rgb, "#")
	if len(rgb) != 6 {
		rgb = "000000"
	}
	a := int(opacity*255 + 0.5)
	a = max(0, min(255, a))
	return fmt.Sprintf("%02x%s%s%s", a, strings.ToLower(rgb[4:6]), strings.ToLower(rgb[2:4]), strings.ToLower(rgb[0:2]))
}

// writer accumulates the document; the first error sticks.
type writer struct {
	bw     *bufio.Writer
	indent int
	err    error
}

func (w *writer) raw(s string) {
	if w.err == nil {
		_, w.err = w.bw.WriteString(s)
	}
}

func (w *writer) line(s string) {
	w.raw(strings.Repeat(" ", w.indent))
	w.raw(s)
	w.raw("\n")
}

// text writes <tag>escaped</tag> on one line; empty text is left out.
func (w *writer) text(tag, s string) {
	if s == "" {
		return
	}
	w.line("<" + tag + ">" + Escape(s) + "</" + tag + ">")
}

func (w *writer) open(tag string) {
	w.line("<" + tag + ">")
	w.indent++
}

func (w *writer) close(tag string) {
	w.indent--
	w.line("</" + tag + ">")
}

// Escape returns s XML-escaped for text and attribute values, with invalid
// UTF-8 and characters XML 1.0 forbids replaced by U+FFFD.
func Escape(s string) string {
	var b strings.Builder
	clean := strings.Map(func(r rune) rune {
		if !xmlChar(r) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
	_ = xml.EscapeText(&b, []byte(clean)) // writes to a strings.Builder: no error
	return b.String()
}

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// Write writes d as a KML 2.2 document.
func Write(out io.Writer, d Document) error {
	w := &writer{bw: bufio.NewWriterSize(out, 1<<16)}
	w.raw(xml.Header)
	w.line(`<kml xmlns="` + Namespace + `">`)
	w.indent++
	w.open("Document")
	w.text("name", d.Name)
	w.text("description", d.Description)
	used := map[string]bool{}
	for _, f := range d.Folders {
		for _, p := range f.Placemarks {
			used[p.StyleURL] = true
		}
	}
	for _, s := range d.Styles {
		if used["#"+s.ID] {
			w.style(s)
		}
	}
	for i := range d.Folders {
		f := &d.Folders[i]
		w.open("Folder")
		w.text("name", f.Name)
		w.text("description", f.Description)
		for k := range f.Placemarks {
			if err := w.placemark(&f.Placemarks[k]); err != nil {
				return fmt.Errorf("kml: folder %q, placemark %d: %w", f.Name, k+1, err)
			}
		}
		w.close("Folder")
	}
	w.close("Document")
	w.indent--
	w.line("</kml>")
	if w.err != nil {
		return w.err
	}
	return w.bw.Flush()
}

func (w *writer) style(s Style) {
	w.line(`<Style id="` + Escape(s.ID) + `">`)
	w.indent++
	if s.IconColor != "" || s.IconScale > 0 {
		w.open("IconStyle")
		w.text("color", s.IconColor)
		if s.IconScale > 0 {
			w.text("scale", num(s.IconScale))
		}
		w.close("IconStyle")
	}
	if s.LineColor != "" || s.LineWidth > 0 {
		w.open("LineStyle")
		w.text("color", s.LineColor)
		if s.LineWidth > 0 {
			w.text("width", num(s.LineWidth))
		}
		w.close("LineStyle")
	}
	if s.PolyColor != "" {
		w.open("PolyStyle")
		w.text("color", s.PolyColor)
		w.close("PolyStyle")
	}
	w.close("Style")
}

func (w *writer) placemark(p *Placemark) error {
	if p.ID != "" {
		w.line(`<Placemark id="` + Escape(p.ID) + `">`)
		w.indent++
	} else {
		w.open("Placemark")
	}
	w.text("name", p.Name)
	w.text("description", p.Description)
	w.text("styleUrl", p.StyleURL)
	if len(p.Data) > 0 {
		w.open("ExtendedData")
		for _, d := range p.Data {
			w.line(`<Data name="` + Escape(d.Name) + `"><value>` + Escape(d.Value) + `</value></Data>`)
		}
		w.close("ExtendedData")
	}
	if err := w.geometry(p.Geometry); err != nil {
		return err
	}
	w.close("Placemark")
	return nil
}

func (w *writer) geometry(g any) error {
	switch g := g.(type) {
	case geo.Point:
		w.line("<Point><coordinates>" + coords([]geo.Point{g}, false) + "</coordinates></Point>")
	case *geo.Point:
		if g == nil {
			return fmt.Errorf("nil point")
		}
		return w.geometry(*g)
	case geo.LineString:
		if len(g) < 2 {
			return fmt.Errorf("line of %d positions", len(g))
		}
		w.lineString(g)
	case []geo.LineString:
		var ls []geo.LineString
		for _, l := range g {
			if len(l) >= 2 {
				ls = append(ls, l)
			}
		}
		switch len(ls) {
		case 0:
			return fmt.Errorf("no line of 2 or more positions")
		case 1:
			w.lineString(ls[0])
		default:
			w.open("MultiGeometry")
			for _, l := range ls {
				w.lineString(l)
			}
			w.close("MultiGeometry")
		}
	case geo.Polygon:
		if len(g) == 0 || len(g[0]) < 4 {
			return fmt.Errorf("empty polygon")
		}
		w.polygon(g)
	case geo.MultiPolygon:
		var ps []geo.Polygon
		for _, pg := range g {
			if len(pg) > 0 && len(pg[0]) >= 4 {
				ps = append(ps, pg)
			}
		}
		switch len(ps) {
		case 0:
			return fmt.Errorf("empty multipolygon")
		case 1:
			w.polygon(ps[0])
		default:
			w.open("MultiGeometry")
			for _, pg := range ps {
				w.polygon(pg)
			}
			w.close("MultiGeometry")
		}
	default:
		return fmt.Errorf("unsupported geometry %T", g)
	}
	return nil
}

func (w *writer) lineString(l geo.LineString) {
	w.line("<LineString><tessellate>1</tessellate><coordinates>" + coords(l, false) + "</coordinates></LineString>")
}

// polygon writes the outer ring counter-clockwise and holes clockwise.
func (w *writer) polygon(pg geo.Polygon) {
	w.open("Polygon")
	for i, r := range pg {
		if len(r) < 4 {
			continue
		}
		tag := "innerBoundaryIs"
		if i == 0 {
			tag = "outerBoundaryIs"
		}
		closed := r
		if !r.Closed() {
			closed = append(append(geo.Ring{}, r...), r[0])
		}
		ccw := closed.SignedArea() > 0
		w.line("<" + tag + "><LinearRing><coordinates>" + coords(closed, ccw != (i == 0)) + "</coordinates></LinearRing></" + tag + ">")
	}
	w.close("Polygon")
}

// coords formats positions as "lon,lat lon,lat", reversed when asked.
func coords(ps []geo.Point, reverse bool) string {
	b := make([]byte, 0, len(ps)*24)
	for i := range ps {
		k := i
		if reverse {
			k = len(ps) - 1 - i
		}
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendNum(b, ps[k].Lon)
		b = append(b, ',')
		b = appendNum(b, ps[k].Lat)
	}
	return string(b)
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

// num formats a style number or data value: the shortest decimal that
// reads back to the same float64.
func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
