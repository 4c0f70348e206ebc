package osm

import (
	"context"
	"encoding/binary"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// tinyPBF hand-encodes an OSM PBF (uncompressed blobs): three nodes in a
// row at lat 30, lon 120.000/.001/.002 (ids 1,2,3) and way 10,
// highway=residential, through them.
func tinyPBF() []byte {
	bytesField := func(b []byte, num protowire.Number, v []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
	}
	varint := func(b []byte, num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
	}
	packed := func(vs ...int64) []byte {
		var p []byte
		for _, v := range vs {
			p = protowire.AppendVarint(p, protowire.EncodeZigZag(v))
		}
		return p
	}
	block := func(out []byte, typ string, data []byte) []byte {
		blob := varint(bytesField(nil, 1, data), 2, uint64(len(data)))
		hdr := varint(bytesField(nil, 1, []byte(typ)), 3, uint64(len(blob)))
		out = binary.BigEndian.AppendUint32(out, uint32(len(hdr)))
		return append(append(out, hdr...), blob...)
	}
	header := bytesField(bytesField(nil, 4, []byte("OsmSchema-V0.6")), 4, []byte("DenseNodes"))
	var st []byte
	for _, s := range []string{"", "highway", "residential"} {
		st = bytesField(st, 1, []byte(s))
	}
	// Coordinates in units of 100 nanodegrees (the default granularity).
	dense := bytesField(nil, 1, packed(1, 1, 1))
	dense = bytesField(dense, 8, packed(300000000, 0, 0))
	dense = bytesField(dense, 9, packed(1200000000, 10000, 10000))
	way := varint(nil, 1, 10)
	way = bytesField(way, 2, protowire.AppendVarint(nil, 1))
	way = bytesField(way, 3, protowire.AppendVarint(nil, 2))
	way = bytesField(way, 8, packed(1, 1, 1))
	nodes := bytesField(nil, 2, dense)
	ways := bytesField(nil, 3, way)
	prim := bytesField(nil, 1, st)
	prim = bytesField(prim, 2, nodes)
	prim = bytesField(prim, 2, ways)
	return block(block(nil, "OSMHeader", header), "OSMData", prim)
}

func TestReadTinyPBF(t *testing.T) {
	x, err := Read(context.Background(), bytesReader(tinyPBF()), FormatAuto, "tiny.pbf", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Roads) != 1 || x.Roads[0].WayID != 10 || x.Roads[0].From != 1 || x.Roads[0].To != 3 ||
		len(x.Roads[0].Geometry) != 3 || x.Roads[0].Geometry[2].Lon != 120.002 {
		t.Errorf("roads %+v", x.Roads)
	}
}
