package geojson

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadGeoJSON feeds arbitrary bytes to every reader: none may panic,
// and a successful read returns at least one record with valid positions.
func FuzzReadGeoJSON(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.geojson"))
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":{},"geometry":{"type":"MultiPolygon","coordinates":[]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if gs, err := ReadGrids(bytes.NewReader(data), "f"); err == nil {
			for _, g := range gs {
				if len(g.Polygon) == 0 || !g.Polygon.Bound().Min.Valid() {
					t.Fatalf("grid %+v accepted", g)
				}
			}
		}
		if cs, err := ReadCameras(bytes.NewReader(data), "f"); err == nil && (len(cs) == 0 || !cs[0].Location.Valid()) {
			t.Fatalf("cameras %+v accepted", cs)
		}
		ReadKiosks(bytes.NewReader(data), "f")
		ReadSites(bytes.NewReader(data), "f")
		ReadIncidents(bytes.NewReader(data), "f")
	})
}
