package osm

import (
	"context"
	"testing"
)

// BenchmarkReadDelaware reads the whole Delaware extract (7.8 MB PBF).
func BenchmarkReadDelaware(b *testing.B) {
	path := delawareFile(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadFile(context.Background(), path, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
