package osm

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	posm "github.com/paulmach/osm"
	"github.com/paulmach/osm/osmxml"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Options tune a read.
type Options struct {
	// Bound is the clip box (lon,lat degrees); nil keeps everything. See
	// the package doc for what is kept at the edge.
	Bound *geo.Bound
	// Progress, when set, is called from the reading goroutine with the
	// bytes of the input consumed so far and the input size in bytes
	// (total <= 0 when unknown, as for Read).
	Progress func(done, total int64)
}

// POI is a point of interest for the synthetic demo generator: Kind is
// bar, pub, nightclub, restaurant, fast_food, cafe or shop; Location is
// lon,lat (the centroid for areas).
type POI struct {
	Location geo.Point
	Kind     string
	Name     string
}

// Extract is what one OSM file yields; every slice is ordered by OSM
// element type then id and numbered 1..n.
type Extract struct {
	Roads     []planner.Road     // routable segments split at junctions, IDs 1..n
	Kiosks    []planner.Kiosk    // amenity=police, Source "osm"
	Cameras   []planner.Camera   // man_made=surveillance cameras
	Buildings []planner.Building // building=* closed ways and multipolygons
	Sites     []planner.Site     // key sites, Tier = planner.DefaultTier
	POIs      []POI              // nightlife, food and retail
	Bound     geo.Bound          // extent of the kept roads (lon,lat)
	// MissingNodes counts way node references absent from the file (ways
	// cut by the extract); roads break at them.
	MissingNodes int
}

// Format is an OSM file encoding.
type Format int

// The formats Read understands. FormatAuto sniffs the first bytes.
const (
	FormatAuto Format = iota
	FormatPBF
	FormatXML
	FormatXMLGzip
	FormatXMLBzip2
)

func (f Format) String() string {
	return [...]string{"auto", "OSM PBF", "OSM XML", "gzip OSM XML", "bzip2 OSM XML"}[f]
}

// FormatOf returns the format a file name's suffix names (.osm.pbf, .pbf,
// .osm, .xml, .osm.gz, .osm.bz2, case-insensitive), or FormatAuto.
func FormatOf(path string) Format {
	p := strings.ToLower(path)
	switch {
	case strings.HasSuffix(p, ".pbf"):
		return FormatPBF
	case strings.HasSuffix(p, ".osm"), strings.HasSuffix(p, ".xml"):
		return FormatXML
	case strings.HasSuffix(p, ".osm.gz"), strings.HasSuffix(p, ".xml.gz"):
		return FormatXMLGzip
	case strings.HasSuffix(p, ".osm.bz2"), strings.HasSuffix(p, ".xml.bz2"):
		return FormatXMLBzip2
	}
	return FormatAuto
}

// sniff guesses the format from the first bytes: gzip and bzip2 magic,
// a PBF BlobHeader of type OSMHeader/OSMData, or XML's '<'.
func sniff(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return FormatXMLGzip
	case bytes.HasPrefix(head, []byte("BZh")):
		return FormatXMLBzip2
	case len(head) >= 8 && binary.BigEndian.Uint32(head) < 64<<10 && head[4] == 0x0a &&
		(bytes.HasPrefix(head[6:], []byte("OSMHeader")) || bytes.HasPrefix(head[6:], []byte("OSMData"))):
		return FormatPBF
	}
	if t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n"); len(t) > 0 && t[0] == '<' {
		return FormatXML
	}
	return FormatAuto
}

// ReadFile reads an OSM file, choosing the format by suffix and, when the
// suffix is unknown, by sniffing the first bytes. Errors name the file.
func ReadFile(ctx context.Context, path string, opt Options) (*Extract, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, planner.Errorf(planner.EINVALID, "%s: %v", path, err)
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	return read(ctx, f, FormatOf(path), path, size, opt)
}

// Read reads OSM data in the given format (FormatAuto sniffs it) from r;
// name labels errors. See the package doc for what is extracted.
func Read(ctx context.Context, r io.Reader, format Format, name string, opt Options) (*Extract, error) {
	return read(ctx, r, format, name, 0, opt)
}

// countingReader counts bytes read; the PBF decoder reads on its own
// goroutine, hence the atomic.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func read(ctx context.Context, r io.Reader, format Format, name string, total int64, opt Options) (*Extract, error) {
	return readWith(ctx, r, format, name, total, opt, newPBF)
}

// newPBF returns the PBF scanner read uses: our bounds-checked decoder
// with the collector's filters, one worker per GOMAXPROCS.
func newPBF(ctx context.Context, r io.Reader, c *collector) posm.Scanner {
	s := newPBFScanner(ctx, r, 0)
	s.FilterNode, s.FilterWay, s.FilterRelation = c.filterNode, c.filterWay, relWanted
	return s
}

// readWith is read with the PBF scanner made by pbf (tests compare
// decoders through it).
func readWith(ctx context.Context, r io.Reader, format Format, name string, total int64, opt Options,
	pbf func(context.Context, io.Reader, *collector) posm.Scanner) (*Extract, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	head, err := br.Peek(16)
	if len(head) == 0 {
		if err != nil && err != io.EOF {
			return nil, planner.Errorf(planner.EINVALID, "%s: %v", name, err)
		}
		return nil, planner.Errorf(planner.EINVALID, "%s: empty file", name)
	}
	if format == FormatAuto {
		if format = sniff(head); format == FormatAuto {
			return nil, planner.Errorf(planner.EINVALID, "%s: not an OSM PBF or XML file (starts with % x)", name, head[:min(len(head), 8)])
		}
	}
	c := &collector{name: name, opt: opt}
	var sc posm.Scanner
	switch format {
	case FormatPBF:
		sc = pbf(ctx, br, c)
	case FormatXML, FormatXMLGzip, FormatXMLBzip2:
		var src io.Reader = br
		if format == FormatXMLGzip {
			gz, err := gzip.NewReader(br)
			if err != nil {
				return nil, planner.Errorf(planner.EINVALID, "%s: gzip: %v", name, err)
			}
			src = gz
		} else if format == FormatXMLBzip2 {
			src = bzip2.NewReader(br)
		}
		sc = osmxml.New(ctx, src)
	default:
		return nil, planner.Errorf(planner.EINVALID, "%s: unknown format %d", name, format)
	}
	err = c.scan(sc, format != FormatPBF, func() {
		if opt.Progress != nil {
			opt.Progress(cr.n.Load(), total)
		}
	})
	sc.Close()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", name, ctx.Err())
	}
	var pe *pbfError
	if errors.As(err, &pe) { // carries its own byte offset
		return nil, planner.Errorf(planner.EINVALID, "%s: reading %s %v", name, format, err)
	}
	if err != nil {
		return nil, planner.Errorf(planner.EINVALID, "%s: reading %s (%d bytes in): %v", name, format, cr.n.Load(), err)
	}
	return c.resolve(ctx)
}

// scan drains the scanner; progress is called every 64Ki elements and at
// the end.
func (c *collector) scan(sc posm.Scanner, harvest bool, progress func()) error {
	n := 0
	for sc.Scan() {
		c.handle(sc.Object(), harvest)
		if n++; n%(64<<10) == 0 {
			progress()
		}
	}
	progress()
	err := sc.Err()
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("unexpected end of file (truncated?)")
	}
	return cmpErr(err, c.bad)
}

func cmpErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// resolve builds the extract once the scan is complete.
func (c *collector) resolve(ctx context.Context) (*Extract, error) {
	c.index()
	if err := c.resolveAreas(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	roads, err := c.resolveRoads(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	if len(roads) == 0 {
		where := ""
		if c.opt.Bound != nil {
			where = fmt.Sprintf(" inside bbox %v,%v", c.opt.Bound.Min, c.opt.Bound.Max)
		}
		return nil, planner.Errorf(planner.EINVALID, "%s: no routable roads%s", c.name, where)
	}
	x := &Extract{Roads: roads, Bound: geo.EmptyBound(), MissingNodes: c.missing}
	for i := range roads {
		x.Bound = x.Bound.Union(roads[i].Geometry.Bound())
	}
	x.Kiosks = finish(c.kiosks, func(k *planner.Kiosk, id int64) { k.ID = id })
	x.Cameras = finish(c.cameras, func(k *planner.Camera, id int64) { k.ID = id })
	x.Buildings = finish(c.buildings, func(k *planner.Building, id int64) { k.ID = id })
	x.Sites = finish(c.sites, func(k *planner.Site, id int64) { k.ID = id })
	x.POIs = finish(c.pois, func(*POI, int64) {})
	return x, nil
}
