package geo

import (
	"sort"

	"github.com/tidwall/rtree"
)

// Index is a static R-tree (tidwall/rtree) over the bounding boxes of n
// items numbered 0..n-1, in lon,lat degrees.
type Index struct {
	tr rtree.RTreeGN[float64, int32]
}

// NewIndex builds an index over n items whose bounds are given by bound(i).
func NewIndex(n int, bound func(i int) Bound) *Index {
	ix := &Index{}
	for i := 0; i < n; i++ {
		b := bound(i)
		if b.IsEmpty() {
			continue
		}
		ix.tr.Insert([2]float64{b.Min.Lon, b.Min.Lat}, [2]float64{b.Max.Lon, b.Max.Lat}, int32(i))
	}
	return ix
}

// Len returns the number of indexed items.
func (ix *Index) Len() int { return ix.tr.Len() }

// Search returns, in ascending order, the items whose bounds intersect b.
func (ix *Index) Search(b Bound) []int {
	var out []int
	ix.tr.Search([2]float64{b.Min.Lon, b.Min.Lat}, [2]float64{b.Max.Lon, b.Max.Lat},
		func(_, _ [2]float64, i int32) bool {
			out = append(out, int(i))
			return true
		})
	sort.Ints(out)
	return out
}
