package osm

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"strings"
	"testing"
)

func TestParseMaxspeed(t *testing.T) {
	for in, want := range map[string]float64{
		"50": 50, " 37.5 ": 37.5, "30 mph": 30 * 1.609344, "20mph": 20 * 1.609344, "60 km/h": 60,
		"CN:urban": 0, "none": 0, "walk": 0, "50;30": 0, "": 0, "-5": 0, "NaN": 0,
	} {
		got, ok := ParseMaxspeed(in)
		if ok != (want > 0) || math.Abs(got-want) > 1e-9 {
			t.Errorf("ParseMaxspeed(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
}

func TestParseDirection(t *testing.T) {
	for in, want := range map[string]float64{
		"0": 0, "90": 90, "-90": 270, "370": 10, "N": 0, "ne": 45, "SSW": 202.5, "NNW": 337.5, "12.5": 12.5,
	} {
		if got, ok := ParseDirection(in); !ok || got != want {
			t.Errorf("ParseDirection(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "up", "0-90", "Inf", "NaN"} {
		if _, ok := ParseDirection(in); ok {
			t.Errorf("ParseDirection(%q) accepted", in)
		}
	}
}

func TestFormat(t *testing.T) {
	for in, want := range map[string]Format{
		"a.osm.pbf": FormatPBF, "A.PBF": FormatPBF, "a.osm": FormatXML, "a.xml": FormatXML,
		"a.osm.gz": FormatXMLGzip, "a.osm.bz2": FormatXMLBzip2, "a.dat": FormatAuto,
	} {
		if got := FormatOf(in); got != want {
			t.Errorf("FormatOf(%q) = %v, want %v", in, got, want)
		}
	}
	pbf := make([]byte, 16)
	binary.BigEndian.PutUint32(pbf, 13)
	pbf[4], pbf[5] = 0x0a, 9
	copy(pbf[6:], "OSMHeader")
	for in, want := range map[string]Format{
		string(pbf): FormatPBF, "\x1f\x8b\x08": FormatXMLGzip, "BZh91AY": FormatXMLBzip2,
		"\xef\xbb\xbf <?xml": FormatXML, "\n<osm>": FormatXML, "osm": FormatAuto,
	} {
		if got := sniff([]byte(in)); got != want {
			t.Errorf("sniff(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzReadXML(f *testing.F) {
	raw, err := os.ReadFile(fixture)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte(`<osm><node id="1" lat="1" lon="1"/><way id="2"><nd ref="1"/><nd ref="1"/><tag k="highway" v="primary"/></way></osm>`))
	f.Add([]byte(`<osm><relation id="1"><member type="way" ref="9" role="outer"/><tag k="type" v="multipolygon"/><tag k="building" v="yes"/></relation></osm>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := Read(context.Background(), bytesReader(data), FormatXML, "fuzz.osm", Options{})
		checkExtract(t, x, err)
	})
}

// FuzzReadPBF is seeded with hand-encoded tiny PBFs (raw and zlib, with
// dense nodes, a way and a relation), a truncated copy and a bare header.
func FuzzReadPBF(f *testing.F) {
	tiny := tinyPBF()
	f.Add(tiny)
	p := defaultTestPBF()
	f.Add(p.build())
	p.compress = true
	f.Add(p.build())
	f.Add(tiny[:len(tiny)-7])
	f.Add([]byte("\x00\x00\x00\x0d\x0a\x09OSMHeader"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := Read(context.Background(), bytesReader(data), FormatPBF, "fuzz.pbf", Options{})
		checkExtract(t, x, err)
	})
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func checkExtract(t *testing.T, x *Extract, err error) {
	if err != nil {
		if !strings.Contains(err.Error(), "fuzz.") {
			t.Fatalf("error does not name the input: %v", err)
		}
		return
	}
	if len(x.Roads) == 0 {
		t.Fatal("nil error without roads")
	}
	for _, r := range x.Roads {
		if !(r.LengthM > 0) || len(r.Geometry) < 2 {
			t.Fatalf("bad road %+v", r)
		}
	}
}
