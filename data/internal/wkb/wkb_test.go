package wkb

import (
	"bytes"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
)

func TestWKBRoundTrip(t *testing.T) {
	pg := geo.Polygon{{{Lon: 117.1, Lat: 39.1}, {Lon: 117.2, Lat: 39.1}, {Lon: 117.2, Lat: 39.2}, {Lon: 117.1, Lat: 39.1}}, nil}
	b := EncodePolygon(pg)
	if len(b) != 9+4+16*4+4 {
		t.Fatalf("polygon WKB is %d bytes", len(b))
	}
	got, err := DecodePolygon(b)
	if err != nil || len(got) != 2 || got[1] != nil || got[0][2] != pg[0][2] {
		t.Fatalf("DecodePolygon = %v, %v", got, err)
	}
	if _, err := DecodePolygon(b[:len(b)-3]); err == nil {
		t.Fatal("truncated WKB accepted")
	}
	if _, err := DecodeLineString(b); err == nil {
		t.Fatal("polygon WKB accepted as a line")
	}
	// Big-endian WKB written by another tool: POINT count 1 line.
	be := []byte{0, 0, 0, 0, 2, 0, 0, 0, 1, 0x40, 0x5d, 0x46, 0x66, 0x66, 0x66, 0x66, 0x66, 0x40, 0x43, 0x8c, 0xcc, 0xcc, 0xcc, 0xcc, 0xcd}
	ls, err := DecodeLineString(be)
	if err != nil || len(ls) != 1 || ls[0] != (geo.Point{Lon: 117.1, Lat: 39.1}) {
		t.Fatalf("big-endian line = %v, %v", ls, err)
	}
}

func TestEWKB(t *testing.T) {
	ls := geo.LineString{{Lon: 117.1, Lat: 39.1}, {Lon: 117.2, Lat: 39.2}}
	plain := EncodeLineString(ls)
	e := EWKB(plain, 4326)
	want := []byte{1, 2, 0, 0, 0x20, 0xe6, 0x10, 0, 0}
	if !bytes.Equal(e[:9], want) || !bytes.Equal(e[9:], plain[5:]) {
		t.Fatalf("EWKB header % x, want % x", e[:9], want)
	}
}
