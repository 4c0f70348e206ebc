package top

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/planner"
)

func TestReadChao(t *testing.T) {
	src := "n 4\r\nm 2\r\ntmax 7.5\r\n0\t0\t0\r\n3\t4\t10\r\n6\t0\t20\r\n6.000\t8.000\t0\r\n"
	in, err := ReadChao(strings.NewReader(src), "tiny.txt")
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "tiny" || in.M != 2 || in.Tmax != 7.5 || in.Len() != 4 || in.Score[2] != 20 || in.X[3] != 6 || in.Y[3] != 8 {
		t.Fatalf("got %+v", in)
	}
	if d := in.Dist(0, 1); d != 5 {
		t.Fatalf("Dist(0,1) = %v, want 5", d)
	}
	p := in.Problem()
	if p.N != 4 || len(p.Routes) != 2 || p.Routes[1] != (planner.RouteSpec{Start: 0, End: 3, Earliest: 0, Latest: 7.5}) {
		t.Fatalf("problem %+v", p)
	}
	if got := p.Travel(1, 3); got != 5 {
		t.Fatalf("Travel(1,3) = %v, want 5", got)
	}
	for name, bad := range map[string]string{
		"no header":   "0 0 0\n",
		"bad n":       "n x\nm 1\ntmax 1\n",
		"fraction m":  "n 2\nm 1.5\ntmax 1\n0 0 0\n1 1 0\n",
		"short":       "n 3\nm 1\ntmax 1\n0 0 0\n1 1 0\n",
		"long":        "n 2\nm 1\ntmax 1\n0 0 0\n1 1 0\n2 2 0\n",
		"columns":     "n 2\nm 1\ntmax 1\n0 0\n1 1 0\n",
		"number":      "n 2\nm 1\ntmax 1\n0 0 a\n1 1 0\n",
		"negative":    "n 2\nm 1\ntmax 1\n0 0 -1\n1 1 0\n",
		"one node":    "n 1\nm 1\ntmax 1\n0 0 0\n",
		"missing hdr": "n 2\nm 1\n",
	} {
		if _, err := ReadChao(strings.NewReader(bad), name); planner.ErrorCode(err) != planner.EINVALID {
			t.Errorf("%s: err %v, want %s", name, err, planner.EINVALID)
		}
	}
}

func TestReadBKS(t *testing.T) {
	bks, err := ReadBKS(strings.NewReader("p1.2.a.txt 0\r\np1.2.b.txt 15\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bks) != 2 || bks["p1.2.b"] != 15 {
		t.Fatalf("got %v", bks)
	}
	for _, bad := range []string{"p1 x\n", "p1\n", "p1 1\np1 2\n", "p1 -3\n"} {
		if _, err := ReadBKS(strings.NewReader(bad)); planner.ErrorCode(err) != planner.EINVALID {
			t.Errorf("%q: err %v, want %s", bad, err, planner.EINVALID)
		}
	}
}

// TestChaoFilesParse reads all 387 instances (cheap: no solving) and
// checks each has a best-known score and the convention of the set.
func TestChaoFilesParse(t *testing.T) {
	bks := readBKSFile(t)
	files, err := filepath.Glob(filepath.Join(sharedtest.Path(t, "top/chao"), "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 387 || len(bks) != 387 {
		t.Fatalf("%d instance files and %d best-known scores, want 387", len(files), len(bks))
	}
	for _, f := range files {
		in := readInstance(t, f)
		if _, ok := bks[in.Name]; !ok {
			t.Errorf("%s: no best-known score", in.Name)
		}
		// Name pS.M.L: M is the number of vehicles.
		if parts := strings.Split(in.Name, "."); len(parts) != 3 || parts[1] != string(rune('0'+in.M)) {
			t.Errorf("%s: m=%d disagrees with the name", in.Name, in.M)
		}
		if in.Score[0] != 0 || in.Score[in.Len()-1] != 0 || math.IsNaN(in.Tmax) {
			t.Errorf("%s: depots score %v and %v", in.Name, in.Score[0], in.Score[in.Len()-1])
		}
	}
}
