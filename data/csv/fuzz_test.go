package csv

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadCSV feeds arbitrary bytes to every reader: none may panic, and
// a successful read returns records at valid positions.
func FuzzReadCSV(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("the_geom,Name\nPOINT (-76.6 39.3),a\n"))
	f.Add([]byte("source,date,time,description,lat,lon\nhomicide,2014-01-01,15:20:00,HOMICIDE,39.29,-76.68\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if cs, err := ReadCameras(bytes.NewReader(data), "f.csv"); err == nil {
			for _, c := range cs {
				if !c.Location.Valid() {
					t.Fatalf("camera %+v accepted", c)
				}
			}
		}
		ReadKiosks(bytes.NewReader(data), "f.csv")
		ReadIncidents(bytes.NewReader(data), "f.csv")
		ReadSites(bytes.NewReader(data), "f.csv")
	})
}
