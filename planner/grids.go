package planner

import (
	"context"
	"math"
	"strconv"

	"github.com/tidewatch/tidewatch/geo"
)

// Grid shapes accepted by GenerateGrids.
const (
	GridSquare = "square"
	GridHex    = "hex"
)

// Limits on a generated grid cell's size, metres.
const (
	MinGridSizeM = 50.0
	MaxGridSizeM = 10000.0
)

// maxGridCells bounds the tiling GenerateGrids lays out (4M cells, about a
// 100 km square at 50 m).
const maxGridCells = 1 << 22

// GenerateGrids tiles the bound (lon,lat) of the roads' geometry with
// square or pointy-top hexagonal cells of sizeM metres (square side or
// hexagon flat-to-flat width, see geo.NewSquareLattice and
// geo.NewHexLattice) and returns the cells some road passes through, as
// grids 网格 with Generated set.
//
// A cell counts as passed through when it holds a road vertex or a point
// of a road densified every sizeM/4 metres, so a long straight segment
// marks every cell it crosses for at least sizeM/4 metres; a segment that
// only clips a cell's corner may not mark it.
//
// Grids are numbered 1..n in row-major order (north to south, west to
// east). Each is named "网格 " plus a map-style label that commanders can
// read off a printed map: a row letter counted from the north (A..Z, then
// AA, AB, ...) and a column number counted from the west, starting at 1,
// e.g. "网格 C12"; labels keep the position in the full tiling, so gaps in
// the numbering show empty cells.
//
// Errors: EINVALID when sizeM is outside [MinGridSizeM, MaxGridSizeM],
// shape is not "square" or "hex", no road has geometry or the tiling would
// exceed about four million cells; ctx.Err() when
// ctx is cancelled.
func GenerateGrids(ctx context.Context, roads []Road, sizeM float64, shape string) ([]Grid, error) {
	if !(sizeM >= MinGridSizeM && sizeM <= MaxGridSizeM) {
		return nil, Errorf(EINVALID, "grid size %g m is out of range (%g–%g m)", sizeM, MinGridSizeM, MaxGridSizeM)
	}
	var newLattice func(geo.Bound, float64) geo.Lattice
	switch shape {
	case GridSquare:
		newLattice = geo.NewSquareLattice
	case GridHex:
		newLattice = geo.NewHexLattice
	default:
		return nil, Errorf(EINVALID, "unknown grid shape %q (want square or hex)", shape)
	}
	b := geo.EmptyBound()
	for i := range roads {
		b = b.Union(roads[i].Geometry.Bound())
	}
	if b.IsEmpty() {
		return nil, Errorf(EINVALID, "no roads to lay a grid over; import roads first")
	}
	lat := newLattice(b, sizeM)
	if lat.Len() > maxGridCells {
		return nil, Errorf(EINVALID, "a %g m grid over this area needs %d cells (limit %d); choose a larger size", sizeM, lat.Len(), maxGridCells)
	}
	hit := make([]bool, lat.Len())
	mark := func(p geo.Point) {
		if r, c, ok := lat.Locate(p); ok {
			hit[r*lat.Cols()+c] = true
		}
	}
	step := sizeM / 4
	for i := range roads {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		g := roads[i].Geometry
		for j, p := range g {
			mark(p)
			if j == 0 {
				continue
			}
			q := g[j-1]
			n := math.Ceil(geo.Distance(q, p) / step)
			for k := 1.0; k < n; k++ {
				f := k / n
				mark(geo.Point{Lon: q.Lon + f*(p.Lon-q.Lon), Lat: q.Lat + f*(p.Lat-q.Lat)})
			}
		}
	}
	var out []Grid
	for i, h := range hit {
		if !h {
			continue
		}
		r, c := i/lat.Cols(), i%lat.Cols()
		out = append(out, Grid{
			ID:        int64(len(out) + 1),
			Name:      "网格 " + GridLabel(r, c),
			Polygon:   lat.Cell(r, c),
			Generated: true,
		})
	}
	return out, nil
}

// GridLabel returns the map-style label of the cell at 0-based row
// (counted from the north) and column (from the west): row letters A..Z,
// AA..AZ, BA, ... followed by the 1-based column number, e.g. (2, 11) →
// "C12".
func GridLabel(row, col int) string {
	var letters []byte
	for n := row + 1; n > 0; n = (n - 1) / 26 {
		letters = append([]byte{byte('A' + (n-1)%26)}, letters...)
	}
	return string(letters) + strconv.Itoa(col+1)
}
