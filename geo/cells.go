package geo

import "math"

// Lattice is a regular tessellation of a bound into square or hexagonal
// cells of equal area, laid out in a local projection (NewProjection) about
// the bound's centre. Cells are addressed by row and column: row 0 is the
// northernmost row and rows run north to south; column 0 is the
// westernmost and columns run west to east. The lattice is centred on the
// bound and covers it completely; edge cells overhang it.
//
// Hexagons are pointy-top: their flat sides face east and west, so the
// cell size is the east-west flat-to-flat width, rows are (√3/2)·size
// apart and odd rows are shifted east by half a width.
//
// Neighbouring cells share vertices bit for bit, so the cells tile without
// slivers.
type Lattice struct {
	proj       Projection
	hex        bool
	size       float64 // square side or hexagon flat-to-flat width, metres
	x0, y0     float64 // projected centre of cell (0,0), metres
	rows, cols int
}

// NewSquareLattice covers b (lon,lat degrees) with squares of side sizeM
// metres. It returns an empty lattice when b is empty or sizeM is not a
// positive finite number.
func NewSquareLattice(b Bound, sizeM float64) Lattice {
	l, w, h, ok := newLattice(b, sizeM, false)
	if !ok {
		return l
	}
	l.cols = max(1, int(math.Ceil(w/sizeM)))
	l.rows = max(1, int(math.Ceil(h/sizeM)))
	l.x0 = -float64(l.cols-1) * sizeM / 2
	l.y0 = float64(l.rows-1) * sizeM / 2
	return l
}

// NewHexLattice covers b (lon,lat degrees) with pointy-top hexagons whose
// flat-to-flat (east-west) width is sizeM metres; each has area
// (√3/2)·sizeM² square metres. It returns an empty lattice when b is empty
// or sizeM is not a positive finite number.
func NewHexLattice(b Bound, sizeM float64) Lattice {
	l, w, h, ok := newLattice(b, sizeM, true)
	if !ok {
		return l
	}
	r := l.circumradius()
	// Row bodies (|dy| ≤ r/2) and the zig-zag bands between consecutive
	// rows tile the strip from the last row's centre − r/2 to the first
	// row's centre + r/2, so n rows cover a height of (n−1)·1.5r + r.
	l.rows = max(1, int(math.Ceil((h-r)/(1.5*r)))+1)
	// Even and odd rows both hold the hexagon nearest to every x in
	// [x0, x0 + (cols−½)·size]; every point's hexagon is the nearest one
	// in its row, so that interval must span the bound's width.
	l.cols = max(1, int(math.Ceil(w/sizeM+0.5)))
	l.x0 = -(float64(l.cols) - 0.5) * sizeM / 2
	l.y0 = float64(l.rows-1) * 0.75 * r
	return l
}

// newLattice validates the arguments and returns a lattice with its
// projection set, plus the bound's projected width and height in metres.
func newLattice(b Bound, sizeM float64, hex bool) (l Lattice, w, h float64, ok bool) {
	if b.IsEmpty() || !(sizeM > 0) || math.IsInf(sizeM, 0) {
		return Lattice{}, 0, 0, false
	}
	l = Lattice{proj: NewProjection(b.Center()), hex: hex, size: sizeM}
	lo, hi := l.proj.Forward(b.Min), l.proj.Forward(b.Max)
	return l, hi.X - lo.X, hi.Y - lo.Y, true
}

// circumradius returns the hexagon's centre-to-vertex distance in metres.
func (l Lattice) circumradius() float64 { return l.size / math.Sqrt(3) }

// Rows returns the number of rows (north to south).
func (l Lattice) Rows() int { return l.rows }

// Cols returns the number of columns (west to east).
func (l Lattice) Cols() int { return l.cols }

// Len returns the number of cells, Rows()·Cols().
func (l Lattice) Len() int { return l.rows * l.cols }

// Hex reports whether the cells are hexagons rather than squares.
func (l Lattice) Hex() bool { return l.hex }

// SizeM returns the square side or hexagon flat-to-flat width in metres.
func (l Lattice) SizeM() float64 { return l.size }

// centre returns the projected centre of cell (row, col) in metres; row and
// col may lie outside the lattice.
func (l Lattice) centre(row, col int) XY {
	if !l.hex {
		return XY{l.x0 + float64(col)*l.size, l.y0 - float64(row)*l.size}
	}
	return XY{l.x0 + float64(2*col+(row&1))*l.size/2, l.y0 - float64(row)*1.5*l.circumradius()}
}

// Centre returns the centre of cell (row, col) as lon,lat.
func (l Lattice) Centre(row, col int) Point { return l.proj.Inverse(l.centre(row, col)) }

// Offsets of a cell's vertices from its centre, counter-clockwise from the
// south-east one: squares in half sides, hexagons in half widths (x) and
// half circumradii (y).
var (
	squareVertices = [][2]int{{1, -1}, {1, 1}, {-1, 1}, {-1, -1}}
	hexVertices    = [][2]int{{1, -1}, {1, 1}, {0, 2}, {-1, 1}, {-1, -1}, {0, -2}}
)

// Cell returns cell (row, col) as a polygon with one closed,
// counter-clockwise ring (lon,lat), or nil when the cell lies outside the
// lattice.
func (l Lattice) Cell(row, col int) Polygon {
	if row < 0 || row >= l.rows || col < 0 || col >= l.cols {
		return nil
	}
	// Vertices are computed from integer multiples of a half step so that
	// neighbours produce bit-identical shared vertices.
	offs, hx, hy := squareVertices, l.size/2, l.size/2
	cx, cy := 2*col, -2*row
	if l.hex {
		offs, hy = hexVertices, l.circumradius()/2
		cx, cy = 2*col+(row&1), -3*row
	}
	ring := make(Ring, 0, len(offs)+1)
	for _, o := range offs {
		ring = append(ring, l.proj.Inverse(XY{l.x0 + float64(cx+o[0])*hx, l.y0 + float64(cy+o[1])*hy}))
	}
	return Polygon{append(ring, ring[0])}
}

// Cells returns every cell in row-major order (north row first, west to
// east within a row); cell i is Cell(i/Cols(), i%Cols()).
func (l Lattice) Cells() []Polygon {
	out := make([]Polygon, 0, l.Len())
	for r := 0; r < l.rows; r++ {
		for c := 0; c < l.cols; c++ {
			out = append(out, l.Cell(r, c))
		}
	}
	return out
}

// Locate returns the row and column of the cell containing p (lon,lat);
// ok is false when p falls outside every cell. A point on a shared edge is
// given to one of the cells.
func (l Lattice) Locate(p Point) (row, col int, ok bool) {
	if l.Len() == 0 {
		return 0, 0, false
	}
	// Cells are the Voronoi regions of their centres, so the containing
	// cell is the nearest centre; it lies within one row and column of the
	// rounded estimate.
	q := l.proj.Forward(p)
	dy := l.size
	if l.hex {
		dy = 1.5 * l.circumradius()
	}
	r0 := int(math.Round((l.y0 - q.Y) / dy))
	c0 := int(math.Round((q.X - l.x0) / l.size))
	best := math.Inf(1)
	for r := r0 - 1; r <= r0+1; r++ {
		for c := c0 - 1; c <= c0+1; c++ {
			m := l.centre(r, c)
			if d := (m.X-q.X)*(m.X-q.X) + (m.Y-q.Y)*(m.Y-q.Y); d < best {
				best, row, col = d, r, c
			}
		}
	}
	return row, col, row >= 0 && row < l.rows && col >= 0 && col < l.cols
}

// SquareCells covers b (lon,lat degrees) with squares of side sizeM metres
// in a local projection about b's centre and returns them in row-major
// order (north row first, west to east), each a closed lon,lat ring. See
// NewSquareLattice.
func SquareCells(b Bound, sizeM float64) []Polygon { return NewSquareLattice(b, sizeM).Cells() }

// HexCells covers b (lon,lat degrees) with pointy-top hexagons of
// flat-to-flat width sizeM metres in a local projection about b's centre
// and returns them in row-major order (north row first, west to east),
// each a closed lon,lat ring. See NewHexLattice.
func HexCells(b Bound, sizeM float64) []Polygon { return NewHexLattice(b, sizeM).Cells() }
