package geo

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestIndexSearchMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	boxes := make([]Bound, 2000)
	for i := range boxes {
		p := Point{114 + r.Float64()*0.1, 30 + r.Float64()*0.1}
		boxes[i] = Bound{Min: p, Max: Point{p.Lon + r.Float64()*0.002, p.Lat + r.Float64()*0.002}}
	}
	ix := NewIndex(len(boxes), func(i int) Bound { return boxes[i] })
	if ix.Len() != len(boxes) {
		t.Fatalf("Len = %d, want %d", ix.Len(), len(boxes))
	}
	for q := 0; q < 50; q++ {
		p := Point{114 + r.Float64()*0.1, 30 + r.Float64()*0.1}
		qb := Bound{Min: p, Max: Point{p.Lon + 0.01, p.Lat + 0.01}}
		var want []int
		for i, b := range boxes {
			if b.Intersects(qb) {
				want = append(want, i)
			}
		}
		if got := ix.Search(qb); !reflect.DeepEqual(got, want) {
			t.Fatalf("query %d: got %d items, want %d", q, len(got), len(want))
		}
	}
}
