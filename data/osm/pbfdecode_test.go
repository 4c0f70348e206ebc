package osm

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	posm "github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"google.golang.org/protobuf/encoding/protowire"
)

// pbfFiles are the real extracts the decoder is checked against osmpbf on.
func pbfFiles(t testing.TB) []string {
	return []string{
		sharedFile(t, "osm/baltimore_downtown.osm.pbf"),
		sharedFile(t, "osm/munchen_center.osm.pbf"),
		delawareFile(t),
	}
}

// osmpbfScanner is the reference decoder, used only by tests.
func osmpbfScanner(ctx context.Context, r io.Reader, c *collector) posm.Scanner {
	s := osmpbf.New(ctx, r, 2)
	s.FilterNode, s.FilterWay, s.FilterRelation = c.filterNode, c.filterWay, relWanted
	return s
}

// sameObject reports how a (ours) differs from b (osmpbf), or "".
func sameObject(a, b posm.Object) string {
	if a.ObjectID().Type() != b.ObjectID().Type() || a.ObjectID().Ref() != b.ObjectID().Ref() {
		return "type or id"
	}
	sameTags := func(x, y posm.Tags) bool { return len(x) == len(y) && (len(x) == 0 || reflect.DeepEqual(x, y)) }
	switch a := a.(type) {
	case *posm.Node:
		b := b.(*posm.Node)
		if math.Abs(a.Lat-b.Lat) > 1e-7 || math.Abs(a.Lon-b.Lon) > 1e-7 {
			return "coordinates"
		}
		if !sameTags(a.Tags, b.Tags) {
			return "tags"
		}
	case *posm.Way:
		b := b.(*posm.Way)
		if !sameTags(a.Tags, b.Tags) {
			return "tags"
		}
		if len(a.Nodes) != len(b.Nodes) {
			return "node count"
		}
		for i := range a.Nodes {
			if a.Nodes[i].ID != b.Nodes[i].ID {
				return "node refs"
			}
		}
	case *posm.Relation:
		b := b.(*posm.Relation)
		if !sameTags(a.Tags, b.Tags) {
			return "tags"
		}
		if len(a.Members) != len(b.Members) {
			return "member count"
		}
		for i, m := range a.Members {
			o := b.Members[i]
			if m.Type != o.Type || m.Ref != o.Ref || m.Role != o.Role {
				return "members"
			}
		}
	}
	return ""
}

// TestPBFMatchesOSMPBF compares the full object streams (no filters) of
// our decoder and osmpbf on real extracts.
func TestPBFMatchesOSMPBF(t *testing.T) {
	for _, path := range pbfFiles(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ours := newPBFScanner(context.Background(), bytes.NewReader(raw), 0)
		ref := osmpbf.New(context.Background(), bytes.NewReader(raw), 2)
		counts := map[posm.Type]int{}
		for ref.Scan() {
			if !ours.Scan() {
				t.Fatalf("%s: ours ended after %v (err %v), osmpbf has %v", path, counts, ours.Err(), ref.Object().ObjectID())
			}
			a, b := ours.Object(), ref.Object()
			if d := sameObject(a, b); d != "" {
				t.Fatalf("%s: %v vs %v: %s differ", path, a.ObjectID(), b.ObjectID(), d)
			}
			counts[a.ObjectID().Type()]++
		}
		if ours.Scan() {
			t.Fatalf("%s: ours has extra %v", path, ours.Object().ObjectID())
		}
		if ref.Err() != nil || ours.Err() != nil {
			t.Fatalf("%s: errors osmpbf %v, ours %v", path, ref.Err(), ours.Err())
		}
		ours.Close()
		ref.Close()
		t.Logf("%s: %v identical", path[strings.LastIndex(path, "/")+1:], counts)
	}
}

// TestExtractMatchesOSMPBF checks that the whole Extract is the same with
// our decoder and with osmpbf.
func TestExtractMatchesOSMPBF(t *testing.T) {
	for _, path := range pbfFiles(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := readWith(context.Background(), bytes.NewReader(raw), FormatPBF, path, 0, Options{}, osmpbfScanner)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Read(context.Background(), bytes.NewReader(raw), FormatPBF, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Extract differs from the osmpbf one (%d/%d roads, %d/%d buildings)", path,
				len(got.Roads), len(want.Roads), len(got.Buildings), len(want.Buildings))
		}
	}
}

// pb is a tiny protobuf writer for hand-made PBF files.
type pb []byte

func (b pb) bytes(num protowire.Number, v []byte) pb {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

func (b pb) varint(num protowire.Number, v uint64) pb {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

// packed appends a packed repeated field; zigzag for sint types.
func (b pb) packed(num protowire.Number, zigzag bool, vs ...int64) pb {
	var p []byte
	for _, v := range vs {
		u := uint64(v)
		if zigzag {
			u = protowire.EncodeZigZag(v)
		}
		p = protowire.AppendVarint(p, u)
	}
	return b.bytes(num, p)
}

// fileBlock appends one file block; compress stores the data zlibbed.
func fileBlock(out []byte, typ string, data []byte, compress bool) []byte {
	var blob pb
	if compress {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(data)
		w.Close()
		blob = blob.varint(2, uint64(len(data))).bytes(3, z.Bytes())
	} else {
		blob = blob.bytes(1, data)
	}
	hdr := pb(nil).bytes(1, []byte(typ)).varint(3, uint64(len(blob)))
	out = binary.BigEndian.AppendUint32(out, uint32(len(hdr)))
	return append(append(out, hdr...), blob...)
}

// testPBF builds a PBF with a header (features), then one data block with
// strings st, dense nodes 1..3 (node 2 tagged with keysVals), way 10
// (keys wk, values wv) through them and relation 20 with the way as
// member of role index role.
type testPBF struct {
	features []string
	st       []string
	keysVals []int64
	wk, wv   []int64
	roles    []int64
	types    []int64
	compress bool
}

func defaultTestPBF() testPBF {
	return testPBF{
		features: []string{"OsmSchema-V0.6", "DenseNodes"},
		st:       []string{"", "highway", "residential", "amenity", "police", "outer", "type", "multipolygon", "building", "yes"},
		keysVals: []int64{0, 3, 4, 0, 0},
		wk:       []int64{1}, wv: []int64{2},
		roles: []int64{5}, types: []int64{1},
	}
}

func (p testPBF) build() []byte {
	var hdr pb
	for _, f := range p.features {
		hdr = hdr.bytes(4, []byte(f))
	}
	hdr = hdr.bytes(5, []byte("Sort.Type_then_ID"))
	var st pb
	for _, s := range p.st {
		st = st.bytes(1, []byte(s))
	}
	dense := pb(nil).packed(1, true, 1, 1, 1).
		bytes(5, pb(nil).packed(1, false, 1, 1, 1)). // DenseInfo versions, skipped
		packed(8, true, 300000000, 0, 0).
		packed(9, true, 1200000000, 10000, 10000)
	if p.keysVals != nil {
		dense = dense.packed(10, false, p.keysVals...)
	}
	way := pb(nil).varint(1, 10).packed(2, false, p.wk...).packed(3, false, p.wv...).
		bytes(4, pb(nil).varint(1, 3)). // Info, skipped
		packed(8, true, 1, 1, 1)
	rel := pb(nil).varint(1, 20).packed(2, false, 6, 8).packed(3, false, 7, 9).
		packed(8, false, p.roles...).packed(9, true, 10).packed(10, false, p.types...)
	prim := pb(nil).bytes(1, st).
		bytes(2, pb(nil).bytes(2, dense)).
		bytes(2, pb(nil).bytes(3, way)).
		bytes(2, pb(nil).bytes(4, rel))
	return fileBlock(fileBlock(nil, "OSMHeader", hdr, p.compress), "OSMData", prim, p.compress)
}

func scanAll(data []byte) ([]posm.Object, error) {
	s := newPBFScanner(context.Background(), bytes.NewReader(data), 0)
	defer s.Close()
	var objs []posm.Object
	for s.Scan() {
		objs = append(objs, s.Object())
	}
	return objs, s.Err()
}

func TestPBFHandMade(t *testing.T) {
	for _, compress := range []bool{false, true} {
		p := defaultTestPBF()
		p.compress = compress
		objs, err := scanAll(p.build())
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != 5 {
			t.Fatalf("%d objects, want 5", len(objs))
		}
		n := objs[1].(*posm.Node)
		if n.ID != 2 || math.Abs(n.Lat-30) > 1e-12 || math.Abs(n.Lon-120.001) > 1e-12 || n.Tags.Find("amenity") != "police" {
			t.Errorf("node %+v", n)
		}
		w := objs[3].(*posm.Way)
		if w.ID != 10 || len(w.Nodes) != 3 || w.Nodes[2].ID != 3 || w.Tags.Find("highway") != "residential" {
			t.Errorf("way %+v", w)
		}
		r := objs[4].(*posm.Relation)
		if r.ID != 20 || len(r.Members) != 1 || !reflect.DeepEqual(r.Members[0], posm.Member{Type: posm.TypeWay, Ref: 10, Role: "outer"}) ||
			r.Tags.Find("building") != "yes" {
			t.Errorf("relation %+v", r)
		}
	}
}

// TestPBFCorrupt feeds broken files through Read: each must give an
// EINVALID error naming the file, a byte offset and the reason.
func TestPBFCorrupt(t *testing.T) {
	good := defaultTestPBF().build()
	mod := func(f func(*testPBF)) []byte {
		p := defaultTestPBF()
		f(&p)
		return p.build()
	}
	// The data block starts after the header block.
	hl := int64(binary.BigEndian.Uint32(good))
	_, size, err := parseBlobHeader(good[4 : 4+hl])
	if err != nil {
		t.Fatal(err)
	}
	dataOff := 4 + hl + int64(size)
	bigHeader := binary.BigEndian.AppendUint32(nil, 70000)
	h := pb(nil).bytes(1, []byte("OSMData")).varint(3, 40<<20)
	hugeBlob := append(binary.BigEndian.AppendUint32(nil, uint32(len(h))), h...)
	for _, c := range []struct {
		name, reason string
		data         []byte
	}{
		{"way key", "at byte " + itoa(dataOff) + ": OSMData block: primitive group 1: way 10: tag key string index 99 out of range (string table has 10 entries)",
			mod(func(p *testPBF) { p.wk = []int64{99} })},
		{"way value", "tag value string index 77 out of range", mod(func(p *testPBF) { p.wv = []int64{77} })},
		{"dense key", "dense node 2: tag key string index 30 out of range", mod(func(p *testPBF) { p.keysVals = []int64{0, 30, 4, 0, 0} })},
		{"dense value", "dense node 2: tag value string index 40 out of range", mod(func(p *testPBF) { p.keysVals = []int64{0, 3, 40, 0, 0} })},
		{"dense short", "keys_vals ends inside its tags", mod(func(p *testPBF) { p.keysVals = []int64{0, 3, 4} })},
		{"role", "relation 20: member role string index 12 out of range", mod(func(p *testPBF) { p.roles = []int64{12} })},
		{"member type", "member type 7 unknown", mod(func(p *testPBF) { p.types = []int64{7} })},
		{"unequal tags", "2 tag keys but 1 values", mod(func(p *testPBF) { p.wk = []int64{1, 1} })},
		{"unequal members", "2 member roles, 1 ids, 1 types", mod(func(p *testPBF) { p.roles = []int64{5, 5} })},
		{"feature", `at byte 0: OSMHeader block: unsupported required feature "LocationsOnWays"`,
			mod(func(p *testPBF) { p.features = append(p.features, "LocationsOnWays") })},
		{"truncated", "at byte " + itoa(int64(len(good)-9)) + ": unexpected end of file (truncated?)", good[:len(good)-9]},
		{"truncated prefix", "unexpected end of file (truncated?)", good[:dataOff+2]},
		{"header size", "at byte 0: blob header size 70000 bytes, must be below 65536", bigHeader},
		{"blob size", "at byte 0: blob header: blob size 41943040 bytes, must be below 33554432", hugeBlob},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(context.Background(), bytes.NewReader(c.data), FormatPBF, "bad.osm.pbf", Options{})
			wantInvalid(t, err, "bad.osm.pbf", c.reason)
			if !strings.Contains(err.Error(), "at byte ") {
				t.Errorf("no offset in %q", err)
			}
			t.Log(err)
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPBFCancel stops a scan half-way through Delaware.
func TestPBFCancel(t *testing.T) {
	raw, err := os.ReadFile(delawareFile(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newPBFScanner(ctx, bytes.NewReader(raw), 0)
	n := 0
	for s.Scan() {
		if n++; n == 100000 {
			cancel()
		}
	}
	if !errors.Is(s.Err(), context.Canceled) || n > 100000+20000 {
		t.Errorf("after %d objects: err %v", n, s.Err())
	}
	s.Close()
	// Closing early without draining must not hang.
	s = newPBFScanner(context.Background(), bytes.NewReader(raw), 0)
	s.Scan()
	s.Close()
}

func benchDecode(b *testing.B, scanner func(io.Reader) posm.Scanner) {
	raw, err := os.ReadFile(delawareFile(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		s := scanner(bytes.NewReader(raw))
		n := 0
		for s.Scan() {
			n++
		}
		if s.Err() != nil || n == 0 {
			b.Fatal(n, s.Err())
		}
		s.Close()
	}
}

// BenchmarkDecodePBFDelaware decodes every object of the Delaware extract
// (7.8 MB) with our decoder, GOMAXPROCS workers, no filters.
func BenchmarkDecodePBFDelaware(b *testing.B) {
	benchDecode(b, func(r io.Reader) posm.Scanner { return newPBFScanner(context.Background(), r, 0) })
}

// BenchmarkOSMPBFDelaware is the same with paulmach/osm's osmpbf.
func BenchmarkOSMPBFDelaware(b *testing.B) {
	benchDecode(b, func(r io.Reader) posm.Scanner { return osmpbf.New(context.Background(), r, runtime.GOMAXPROCS(0)) })
}
