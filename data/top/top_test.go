package top

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/planner"
)

func readInstance(t testing.TB, path string) Instance {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := ReadChao(f, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func readBKSFile(t testing.TB) map[string]float64 {
	t.Helper()
	f, err := os.Open(sharedtest.Path(t, "top/bks_chaoResults_DarioDaF.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bks, err := ReadBKS(f)
	if err != nil {
		t.Fatal(err)
	}
	return bks
}

// chaoSubset is a fixed CI subset across the seven sets, small to large.
var chaoSubset = []string{
	"p1.2.h", "p1.4.o", "p2.3.g", "p3.2.t", "p3.4.k",
	"p4.3.f", "p5.2.j", "p5.4.m", "p6.3.h", "p7.4.g",
}

// TestOrienteeringChaoSubset solves ten Chao instances with a budget of
// 150 rounds: every route must be feasible and within 5% of the
// best-known score.
func TestOrienteeringChaoSubset(t *testing.T) {
	bks := readBKSFile(t)
	dir := sharedtest.Path(t, "top/chao")
	for _, name := range chaoSubset {
		in := readInstance(t, filepath.Join(dir, name+".txt"))
		p := in.Problem()
		res, err := planner.SolveOrienteering(context.Background(), p, planner.OrienteeringOptions{Seed: 1, MaxIter: 150})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := planner.CheckRoutes(p, res); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		b := bks[name]
		gap := 100 * (b - res.Prize) / b
		t.Logf("%s: %g (best known %g, gap %.2f%%, %d rounds)", name, res.Prize, b, gap, res.Iterations)
		if gap > 5 {
			t.Errorf("%s: %g is %.2f%% below the best-known %g", name, res.Prize, gap, b)
		}
	}
}
