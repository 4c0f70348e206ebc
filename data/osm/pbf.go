package osm

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	posm "github.com/paulmach/osm"
	"google.golang.org/protobuf/encoding/protowire"
)

// This file is a bounds-checked OSM PBF decoder (OSM wiki "PBF Format")
// that yields paulmach/osm objects. It replaces osmpbf, whose decoder
// goroutines panic on corrupt string-table indexes. Every length, index
// and packed-array size is checked; a bad file gives a *pbfError naming
// the byte offset of the offending file block, never a panic.
//
// Decoded: HeaderBlock required_features; PrimitiveBlock string table,
// granularity, lat/lon offsets; plain and dense nodes (id, lat, lon,
// tags), ways (id, tags, node refs; the lat/lon extension is ignored) and
// relations (id, tags, members). Info, DenseInfo and changesets are
// skipped. Objects carry ID, Lat/Lon, Tags, Nodes (IDs only), Members
// (Type, Ref, Role) and Visible=true, as osmpbf sets them.

// Size limits from the PBF spec, in bytes.
const (
	pbfMaxHeader = 64 << 10 // BlobHeader
	pbfMaxBlob   = 32 << 20 // Blob, and a Blob's uncompressed raw_size
)

// pbfFeatures are the HeaderBlock required_features this decoder handles.
var pbfFeatures = map[string]bool{"OsmSchema-V0.6": true, "DenseNodes": true, "HistoricalInformation": true}

// pbfError is a decoding failure at file byte offset Off: the start of
// the file block (its 4-byte length prefix) that is bad, or the position
// where the input ended.
type pbfError struct {
	Off    int64
	Reason string
}

func (e *pbfError) Error() string { return fmt.Sprintf("at byte %d: %s", e.Off, e.Reason) }

// errTruncated is the reason given when the input ends inside a block.
const errTruncated = "unexpected end of file (truncated?)"

// pbfBlock is one file block on its way from the reading goroutine
// through a decoding worker to Scan. Blocks are recycled.
type pbfBlock struct {
	off  int64  // file offset of the block's length prefix, bytes
	typ  string // BlobHeader type
	blob []byte // the Blob message
	objs []posm.Object
	err  error
	done chan struct{} // one value when objs/err are ready
}

// pbfScanner scans an OSM PBF stream. It implements posm.Scanner. The
// filters, when set, run on the worker goroutines (concurrently) for
// every element; elements they reject are not returned by Scan and their
// objects (and Tags, Nodes, Members slices) are reused, so a filter must
// not keep them. Objects are returned in file order.
type pbfScanner struct {
	FilterNode     func(*posm.Node) bool
	FilterWay      func(*posm.Way) bool
	FilterRelation func(*posm.Relation) bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	start  sync.Once
	r      io.Reader

	workers int
	jobs    chan *pbfBlock // to the workers
	pending chan *pbfBlock // to Scan, in file order
	free    chan *pbfBlock // recycled blocks

	cur *pbfBlock
	i   int
	obj posm.Object
	err error
}

// newPBFScanner returns a scanner reading r with workers decoding
// goroutines (<= 0: runtime.GOMAXPROCS). Decoding starts on the first
// Scan, so filters may be set after this call.
func newPBFScanner(ctx context.Context, r io.Reader, workers int) *pbfScanner {
	if p := runtime.GOMAXPROCS(0); workers <= 0 || workers > p {
		workers = p
	}
	c, cancel := context.WithCancel(ctx)
	return &pbfScanner{ctx: c, cancel: cancel, r: r, workers: workers}
}

func (s *pbfScanner) run() {
	n := 2*s.workers + 2 // blocks in flight
	s.jobs = make(chan *pbfBlock, n)
	s.pending = make(chan *pbfBlock, n)
	s.free = make(chan *pbfBlock, n)
	for range n {
		s.free <- &pbfBlock{done: make(chan struct{}, 1)}
	}
	s.wg.Add(1 + s.workers)
	go s.readBlocks()
	for range s.workers {
		go func() {
			defer s.wg.Done()
			d := &pbfDecoder{s: s}
			for b := range s.jobs {
				if s.ctx.Err() != nil {
					b.err = s.ctx.Err()
				} else {
					b.objs, b.err = d.decodeBlock(b)
				}
				b.done <- struct{}{}
			}
		}()
	}
}

// readBlocks reads file blocks in order and hands them to the workers and
// to Scan; a read error becomes a final block carrying the error.
func (s *pbfScanner) readBlocks() {
	defer s.wg.Done()
	defer close(s.pending)
	defer close(s.jobs)
	var off int64
	var size [4]byte
	var hdr []byte
	for {
		var b *pbfBlock
		select {
		case b = <-s.free:
		case <-s.ctx.Done():
			return
		}
		b.off, b.objs, b.err = off, b.objs[:0], nil
		fail := func(at int64, reason string) {
			b.err = &pbfError{at, reason}
			b.done <- struct{}{}
			s.pending <- b
		}
		if n, err := io.ReadFull(s.r, size[:]); err != nil {
			if err == io.EOF {
				s.free <- b
				return
			}
			if err == io.ErrUnexpectedEOF {
				fail(off+int64(n), errTruncated)
			} else {
				fail(off, err.Error())
			}
			return
		}
		hl := binary.BigEndian.Uint32(size[:])
		if hl >= pbfMaxHeader {
			fail(off, fmt.Sprintf("blob header size %d bytes, must be below %d", hl, pbfMaxHeader))
			return
		}
		if cap(hdr) < int(hl) {
			hdr = make([]byte, hl)
		}
		hdr = hdr[:hl]
		if n, err := io.ReadFull(s.r, hdr); err != nil {
			fail(off+4+int64(n), readReason(err))
			return
		}
		typ, dl, err := parseBlobHeader(hdr)
		if err != nil {
			fail(off, "blob header: "+err.Error())
			return
		}
		if cap(b.blob) < dl {
			b.blob = make([]byte, dl)
		}
		b.blob, b.typ = b.blob[:dl], typ
		if n, err := io.ReadFull(s.r, b.blob); err != nil {
			fail(off+4+int64(hl)+int64(n), readReason(err))
			return
		}
		off += 4 + int64(hl) + int64(dl)
		s.pending <- b // never blocks: capacity is the number of blocks
		s.jobs <- b
	}
}

func readReason(err error) string {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errTruncated
	}
	return err.Error()
}

// Scan advances to the next object; it returns false at the end of the
// input or on an error (see Err).
func (s *pbfScanner) Scan() bool {
	if s.err != nil {
		return false
	}
	s.start.Do(s.run)
	for s.cur == nil || s.i >= len(s.cur.objs) {
		if s.cur != nil {
			clear(s.cur.objs)
			s.free <- s.cur // never blocks
			s.cur = nil
		}
		var b *pbfBlock
		var ok bool
		select {
		case b, ok = <-s.pending:
		case <-s.ctx.Done():
			s.err = s.ctx.Err()
			return false
		}
		if !ok {
			s.err = s.ctx.Err() // the reader stops early only when cancelled
			return false
		}
		select {
		case <-b.done:
		case <-s.ctx.Done():
			s.err = s.ctx.Err()
			return false
		}
		s.cur, s.i = b, 0
		if b.err != nil {
			s.err = b.err
			return false
		}
	}
	s.obj = s.cur.objs[s.i]
	s.i++
	return true
}

// Object returns the object Scan advanced to.
func (s *pbfScanner) Object() posm.Object { return s.obj }

// Err returns the error that stopped Scan, or nil at a clean end.
func (s *pbfScanner) Err() error { return s.err }

// Close stops the goroutines and waits for them.
func (s *pbfScanner) Close() error {
	s.cancel()
	s.wg.Wait()
	return nil
}

// next reads one protobuf field from b: its number, wire type, the value
// (varint or fixed value in v, bytes in data) and the rest of b.
func next(b []byte) (num protowire.Number, typ protowire.Type, v uint64, data, rest []byte, err error) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 {
		return 0, 0, 0, nil, nil, protowire.ParseError(n)
	}
	b = b[n:]
	switch typ {
	case protowire.VarintType:
		v, n = protowire.ConsumeVarint(b)
	case protowire.BytesType:
		data, n = protowire.ConsumeBytes(b)
	case protowire.Fixed32Type:
		var x uint32
		x, n = protowire.ConsumeFixed32(b)
		v = uint64(x)
	case protowire.Fixed64Type:
		v, n = protowire.ConsumeFixed64(b)
	default:
		n = protowire.ConsumeFieldValue(num, typ, b)
	}
	if n < 0 {
		return 0, 0, 0, nil, nil, fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
	}
	return num, typ, v, data, b[n:], nil
}

func wantType(num protowire.Number, typ, want protowire.Type) error {
	if typ != want {
		return fmt.Errorf("field %d: wire type %d, want %d", num, typ, want)
	}
	return nil
}

// parseBlobHeader returns a BlobHeader's type and datasize (bytes).
func parseBlobHeader(b []byte) (typ string, size int, err error) {
	var haveType, haveSize bool
	for len(b) > 0 {
		num, wt, v, data, rest, err := next(b)
		if err != nil {
			return "", 0, err
		}
		b = rest
		switch num {
		case 1:
			if err := wantType(num, wt, protowire.BytesType); err != nil {
				return "", 0, err
			}
			typ, haveType = string(data), true
		case 3:
			if err := wantType(num, wt, protowire.VarintType); err != nil {
				return "", 0, err
			}
			if v >= pbfMaxBlob {
				return "", 0, fmt.Errorf("blob size %d bytes, must be below %d", int64(int32(v)), pbfMaxBlob)
			}
			size, haveSize = int(v), true
		}
	}
	if !haveType || !haveSize {
		return "", 0, errors.New("type or datasize missing")
	}
	return typ, size, nil
}

// pbfDecoder is one worker's state; its buffers are reused from block to
// block.
type pbfDecoder struct {
	s    *pbfScanner
	zr   io.ReadCloser // reused zlib reader
	br   bytes.Reader
	raw  []byte   // uncompressed block
	st   []string // string table of the current block
	grps [][]byte // primitive groups of the current block

	// Packed arrays, decoded.
	ids, lats, lons, refs []int64
	keys, vals, roles     []uint32
	kvs                   []uint32
	types                 []uint32

	granularity, latOff, lonOff int64
	objs                        []posm.Object

	// Objects the filters rejected, reused with their slices.
	node0 *posm.Node
	way0  *posm.Way
	rel0  *posm.Relation
}

// decodeBlock decodes one file block into the objects the filters pass.
func (d *pbfDecoder) decodeBlock(b *pbfBlock) ([]posm.Object, error) {
	fail := func(err error) ([]posm.Object, error) {
		return nil, &pbfError{b.off, b.typ + " block: " + err.Error()}
	}
	if b.typ != "OSMHeader" && b.typ != "OSMData" {
		return b.objs, nil // the spec lets readers skip unknown block types
	}
	data, err := d.blobData(b.blob)
	if err != nil {
		return fail(err)
	}
	if b.typ == "OSMHeader" {
		if err := checkHeader(data); err != nil {
			return fail(err)
		}
		return b.objs, nil
	}
	d.objs = b.objs[:0]
	err = d.primitiveBlock(data)
	objs := d.objs
	d.objs = nil
	if err != nil {
		clear(objs)
		_, err = fail(err)
		return objs[:0], err
	}
	return objs, nil
}

// blobData returns a Blob's uncompressed content (raw or zlib).
func (d *pbfDecoder) blobData(b []byte) ([]byte, error) {
	var raw, z []byte
	var rawSize int64 = -1
	for len(b) > 0 {
		num, wt, v, data, rest, err := next(b)
		if err != nil {
			return nil, fmt.Errorf("blob: %w", err)
		}
		b = rest
		switch num {
		case 1, 3:
			if err := wantType(num, wt, protowire.BytesType); err != nil {
				return nil, fmt.Errorf("blob: %w", err)
			}
			if num == 1 {
				raw = data
			} else {
				z = data
			}
		case 2:
			if err := wantType(num, wt, protowire.VarintType); err != nil {
				return nil, fmt.Errorf("blob: %w", err)
			}
			rawSize = int64(int32(v))
		case 4, 5, 6, 7:
			return nil, fmt.Errorf("blob: unsupported compression %s", [...]string{"lzma", "bzip2", "lz4", "zstd"}[num-4])
		}
	}
	switch {
	case raw != nil:
		return raw, nil
	case z == nil:
		return nil, errors.New("blob: no raw or zlib data")
	case rawSize < 0 || rawSize >= pbfMaxBlob:
		return nil, fmt.Errorf("blob: raw_size %d bytes missing or not below %d", rawSize, pbfMaxBlob)
	}
	d.br.Reset(z)
	var err error
	if d.zr == nil {
		d.zr, err = zlib.NewReader(&d.br)
	} else {
		err = d.zr.(zlib.Resetter).Reset(&d.br, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: zlib: %w", err)
	}
	if cap(d.raw) < int(rawSize)+1 {
		d.raw = make([]byte, rawSize+1, rawSize+rawSize/8+512)
	}
	buf := d.raw[:rawSize+1]
	n, err := io.ReadFull(d.zr, buf)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		// Shorter than or exactly raw_size; checked below.
	case err != nil:
		return nil, fmt.Errorf("blob: zlib: %w", err)
	default:
		return nil, fmt.Errorf("blob: zlib data longer than raw_size %d bytes", rawSize)
	}
	if int64(n) != rawSize {
		return nil, fmt.Errorf("blob: zlib data is %d bytes, raw_size says %d", n, rawSize)
	}
	return buf[:n], nil
}

// checkHeader rejects a HeaderBlock with required features we lack.
func checkHeader(b []byte) error {
	for len(b) > 0 {
		num, wt, _, data, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		if num == 4 {
			if err := wantType(num, wt, protowire.BytesType); err != nil {
				return err
			}
			if !pbfFeatures[string(data)] {
				return fmt.Errorf("unsupported required feature %q", data)
			}
		}
	}
	return nil
}

// primitiveBlock decodes a PrimitiveBlock into d.objs.
func (d *pbfDecoder) primitiveBlock(b []byte) error {
	d.granularity, d.latOff, d.lonOff = 100, 0, 0
	d.grps = d.grps[:0]
	var st []byte
	for len(b) > 0 {
		num, wt, v, data, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		switch num {
		case 1, 2:
			if err := wantType(num, wt, protowire.BytesType); err != nil {
				return err
			}
			if num == 1 {
				st = data
			} else {
				d.grps = append(d.grps, data)
			}
		case 17, 19, 20:
			if err := wantType(num, wt, protowire.VarintType); err != nil {
				return err
			}
			switch num {
			case 17:
				d.granularity = int64(int32(v))
			case 19:
				d.latOff = int64(v)
			case 20:
				d.lonOff = int64(v)
			}
		}
	}
	if err := d.stringTable(st); err != nil {
		return fmt.Errorf("string table: %w", err)
	}
	for i, g := range d.grps {
		if err := d.group(g); err != nil {
			return fmt.Errorf("primitive group %d: %w", i, err)
		}
	}
	return nil
}

// stringTable fills d.st with the block's strings, all sharing one
// allocation.
func (d *pbfDecoder) stringTable(b []byte) error {
	d.st = d.st[:0]
	total := 0
	for p := b; len(p) > 0; {
		num, wt, _, data, rest, err := next(p)
		if err != nil {
			return err
		}
		p = rest
		if num == 1 {
			if err := wantType(num, wt, protowire.BytesType); err != nil {
				return err
			}
			total += len(data)
		}
	}
	all := make([]byte, 0, total)
	for p := b; len(p) > 0; {
		num, _, _, data, rest, _ := next(p)
		p = rest
		if num == 1 {
			all = append(all, data...)
		}
	}
	s := string(all)
	off := 0
	for p := b; len(p) > 0; {
		num, _, _, data, rest, _ := next(p)
		p = rest
		if num == 1 {
			d.st = append(d.st, s[off:off+len(data)])
			off += len(data)
		}
	}
	return nil
}

// str returns string table entry i; what names the use, for errors.
func (d *pbfDecoder) str(i uint32, what string) (string, error) {
	if int64(i) >= int64(len(d.st)) {
		return "", fmt.Errorf("%s string index %d out of range (string table has %d entries)", what, i, len(d.st))
	}
	return d.st[i], nil
}

// group decodes a PrimitiveGroup.
func (d *pbfDecoder) group(b []byte) error {
	for len(b) > 0 {
		num, wt, _, data, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		if num >= 1 && num <= 4 {
			if err := wantType(num, wt, protowire.BytesType); err != nil {
				return err
			}
		}
		switch num {
		case 1:
			err = d.node(data)
		case 2:
			err = d.dense(data)
		case 3:
			err = d.way(data)
		case 4:
			err = d.relation(data)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// appendPacked appends the varints of a repeated field, packed (BytesType)
// or not (VarintType), to dst; zigzag decodes sint values.
func appendPacked[T int64 | uint32](dst []T, num protowire.Number, wt protowire.Type, v uint64, data []byte, zigzag bool) ([]T, error) {
	conv := func(x uint64) T {
		if zigzag {
			return T(protowire.DecodeZigZag(x))
		}
		return T(x)
	}
	switch wt {
	case protowire.VarintType:
		return append(dst, conv(v)), nil
	case protowire.BytesType:
		for len(data) > 0 {
			x, n := protowire.ConsumeVarint(data)
			if n < 0 {
				return dst, fmt.Errorf("field %d: packed: %w", num, protowire.ParseError(n))
			}
			dst = append(dst, conv(x))
			data = data[n:]
		}
		return dst, nil
	}
	return dst, fmt.Errorf("field %d: wire type %d for a repeated integer", num, wt)
}

// tags builds Tags from the parallel key and value index arrays, reusing
// into's storage.
func (d *pbfDecoder) tags(into posm.Tags, keys, vals []uint32) (posm.Tags, error) {
	if len(keys) != len(vals) {
		return into, fmt.Errorf("%d tag keys but %d values", len(keys), len(vals))
	}
	into = into[:0]
	if len(keys) == 0 {
		return into, nil
	}
	if cap(into) < len(keys) {
		into = make(posm.Tags, 0, len(keys))
	}
	for i, k := range keys {
		key, err := d.str(k, "tag key")
		if err != nil {
			return into, err
		}
		val, err := d.str(vals[i], "tag value")
		if err != nil {
			return into, err
		}
		into = append(into, posm.Tag{Key: key, Value: val})
	}
	return into, nil
}

// coord converts a raw coordinate to degrees exactly as osmpbf does.
func (d *pbfDecoder) coord(off, v int64) float64 { return 1e-9 * float64(off+d.granularity*v) }

// node decodes a (non-dense) Node.
func (d *pbfDecoder) node(b []byte) error {
	var id, lat, lon int64
	d.keys, d.vals = d.keys[:0], d.vals[:0]
	for len(b) > 0 {
		num, wt, v, data, rest, err := next(b)
		if err != nil {
			return fmt.Errorf("node: %w", err)
		}
		b = rest
		switch num {
		case 1, 8, 9:
			if err := wantType(num, wt, protowire.VarintType); err != nil {
				return fmt.Errorf("node: %w", err)
			}
			x := protowire.DecodeZigZag(v)
			switch num {
			case 1:
				id = x
			case 8:
				lat = x
			case 9:
				lon = x
			}
		case 2:
			d.keys, err = appendPacked(d.keys, num, wt, v, data, false)
		case 3:
			d.vals, err = appendPacked(d.vals, num, wt, v, data, false)
		}
		if err != nil {
			return fmt.Errorf("node %d: %w", id, err)
		}
	}
	n := d.node0
	if n == nil {
		n = new(posm.Node)
	}
	*n = posm.Node{ID: posm.NodeID(id), Visible: true, Lat: d.coord(d.latOff, lat), Lon: d.coord(d.lonOff, lon), Tags: n.Tags}
	var err error
	if n.Tags, err = d.tags(n.Tags, d.keys, d.vals); err != nil {
		return fmt.Errorf("node %d: %w", id, err)
	}
	d.node0 = nil
	if d.s.FilterNode == nil || d.s.FilterNode(n) {
		d.objs = append(d.objs, n)
	} else {
		d.node0 = n
	}
	return nil
}

// dense decodes DenseNodes: delta-coded ids, lats and lons, and
// keys_vals (key, value string indexes, 0 ending each node's tags).
func (d *pbfDecoder) dense(b []byte) error {
	d.ids, d.lats, d.lons, d.kvs = d.ids[:0], d.lats[:0], d.lons[:0], d.kvs[:0]
	for len(b) > 0 {
		num, wt, v, data, rest, err := next(b)
		if err != nil {
			return fmt.Errorf("dense nodes: %w", err)
		}
		b = rest
		switch num {
		case 1:
			d.ids, err = appendPacked(d.ids, num, wt, v, data, true)
		case 8:
			d.lats, err = appendPacked(d.lats, num, wt, v, data, true)
		case 9:
			d.lons, err = appendPacked(d.lons, num, wt, v, data, true)
		case 10:
			d.kvs, err = appendPacked(d.kvs, num, wt, v, data, false)
		}
		if err != nil {
			return fmt.Errorf("dense nodes: %w", err)
		}
	}
	if len(d.lats) != len(d.ids) || len(d.lons) != len(d.ids) {
		return fmt.Errorf("dense nodes: %d ids, %d lats, %d lons", len(d.ids), len(d.lats), len(d.lons))
	}
	var id, lat, lon int64
	kv := d.kvs
	n := &posm.Node{Visible: true}
	for i := range d.ids {
		id += d.ids[i]
		lat += d.lats[i]
		lon += d.lons[i]
		n.ID, n.Lat, n.Lon = posm.NodeID(id), d.coord(d.latOff, lat), d.coord(d.lonOff, lon)
		n.Tags = n.Tags[:0]
		if len(d.kvs) > 0 {
			// Count this node's tags first to size Tags exactly.
			j := 0
			for j < len(kv) && kv[j] != 0 {
				j += 2
			}
			if j >= len(kv) {
				return fmt.Errorf("dense node %d: keys_vals ends inside its tags", id)
			}
			if cap(n.Tags) < j/2 {
				n.Tags = make(posm.Tags, 0, j/2)
			}
			for k := 0; k < j; k += 2 {
				key, err := d.str(kv[k], "tag key")
				if err != nil {
					return fmt.Errorf("dense node %d: %w", id, err)
				}
				val, err := d.str(kv[k+1], "tag value")
				if err != nil {
					return fmt.Errorf("dense node %d: %w", id, err)
				}
				n.Tags = append(n.Tags, posm.Tag{Key: key, Value: val})
			}
			kv = kv[j+1:]
		}
		if d.s.FilterNode == nil || d.s.FilterNode(n) {
			if len(n.Tags) == 0 {
				n.Tags = nil
			}
			d.objs = append(d.objs, n)
			n = &posm.Node{Visible: true}
		}
	}
	return nil
}

// element reads the fields of one way or relation: its id (field 1), its
// tag keys and values (fields 2 and 3, into d.keys and d.vals) and,
// through field, every other field; what names the element in errors.
func (d *pbfDecoder) element(b []byte, what string, field func(num protowire.Number, wt protowire.Type, v uint64, data []byte) error) (int64, error) {
	var id int64
	d.keys, d.vals = d.keys[:0], d.vals[:0]
	for len(b) > 0 {
		num, wt, v, data, rest, err := next(b)
		if err != nil {
			return id, fmt.Errorf("%s: %w", what, err)
		}
		b = rest
		switch num {
		case 1:
			if err = wantType(num, wt, protowire.VarintType); err == nil {
				id = int64(v)
			}
		case 2:
			d.keys, err = appendPacked(d.keys, num, wt, v, data, false)
		case 3:
			d.vals, err = appendPacked(d.vals, num, wt, v, data, false)
		default:
			err = field(num, wt, v, data)
		}
		if err != nil {
			return id, fmt.Errorf("%s %d: %w", what, id, err)
		}
	}
	return id, nil
}

// way decodes a Way; refs are delta-coded node ids.
func (d *pbfDecoder) way(b []byte) error {
	d.refs = d.refs[:0]
	id, err := d.element(b, "way", func(num protowire.Number, wt protowire.Type, v uint64, data []byte) (err error) {
		if num == 8 {
			d.refs, err = appendPacked(d.refs, num, wt, v, data, true)
		}
		return err
	})
	if err != nil {
		return err
	}
	w := d.way0
	if w == nil {
		w = new(posm.Way)
	}
	*w = posm.Way{ID: posm.WayID(id), Visible: true, Tags: w.Tags, Nodes: w.Nodes[:0]}
	if w.Tags, err = d.tags(w.Tags, d.keys, d.vals); err != nil {
		return fmt.Errorf("way %d: %w", id, err)
	}
	if len(d.refs) > 0 {
		if cap(w.Nodes) < len(d.refs) {
			w.Nodes = make(posm.WayNodes, 0, len(d.refs))
		}
		var ref int64
		for _, dr := range d.refs {
			ref += dr
			w.Nodes = append(w.Nodes, posm.WayNode{ID: posm.NodeID(ref)})
		}
	}
	d.way0 = nil
	if d.s.FilterWay == nil || d.s.FilterWay(w) {
		d.objs = append(d.objs, w)
	} else {
		d.way0 = w
	}
	return nil
}

// relation decodes a Relation: roles_sid, delta-coded memids and types
// are parallel arrays.
func (d *pbfDecoder) relation(b []byte) error {
	d.roles, d.refs, d.types = d.roles[:0], d.refs[:0], d.types[:0]
	id, err := d.element(b, "relation", func(num protowire.Number, wt protowire.Type, v uint64, data []byte) (err error) {
		switch num {
		case 8:
			d.roles, err = appendPacked(d.roles, num, wt, v, data, false)
		case 9:
			d.refs, err = appendPacked(d.refs, num, wt, v, data, true)
		case 10:
			d.types, err = appendPacked(d.types, num, wt, v, data, false)
		}
		return err
	})
	if err != nil {
		return err
	}
	r := d.rel0
	if r == nil {
		r = new(posm.Relation)
	}
	*r = posm.Relation{ID: posm.RelationID(id), Visible: true, Tags: r.Tags, Members: r.Members[:0]}
	if r.Tags, err = d.tags(r.Tags, d.keys, d.vals); err != nil {
		return fmt.Errorf("relation %d: %w", id, err)
	}
	if len(d.roles) != len(d.refs) || len(d.types) != len(d.refs) {
		return fmt.Errorf("relation %d: %d member roles, %d ids, %d types", id, len(d.roles), len(d.refs), len(d.types))
	}
	if len(d.refs) > 0 {
		if cap(r.Members) < len(d.refs) {
			r.Members = make(posm.Members, 0, len(d.refs))
		}
		var ref int64
		for i := range d.refs {
			ref += d.refs[i]
			r.Members = append(r.Members, posm.Member{Ref: ref})
			m := &r.Members[i]
			if m.Role, err = d.str(d.roles[i], "member role"); err != nil {
				return fmt.Errorf("relation %d: %w", id, err)
			}
			switch d.types[i] {
			case 0:
				m.Type = posm.TypeNode
			case 1:
				m.Type = posm.TypeWay
			case 2:
				m.Type = posm.TypeRelation
			default:
				return fmt.Errorf("relation %d: member type %d unknown", id, d.types[i])
			}
		}
	}
	d.rel0 = nil
	if d.s.FilterRelation == nil || d.s.FilterRelation(r) {
		d.objs = append(d.objs, r)
	} else {
		d.rel0 = r
	}
	return nil
}
