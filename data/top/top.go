// Package top reads the team orienteering problem (TOP) benchmark of Chao,
// Golden & Wasil (1996) — 387 instances in sets 1–7 (files pS.M.L.txt) —
// and the literature's best-known scores, and turns an instance into a
// planner.OrienteeringProblem, so Tidewatch's patrol-route solver can be
// checked against published results.
//
// The convention is the literature's: Euclidean distances, not rounded;
// the first node is every vehicle's start and the last node its end; no
// service times; each of the m vehicles' routes must be at most tmax long.
package top

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/tidewatch/tidewatch/planner"
)

// Instance is a Chao TOP instance: node i (0-based, in file order) is at
// (X[i], Y[i]) with prize Score[i]; M vehicles, each with a route length
// limit Tmax (in coordinate units).
type Instance struct {
	Name  string
	M     int
	Tmax  float64
	X, Y  []float64
	Score []float64
}

// Len returns the number of nodes, depots included.
func (in Instance) Len() int { return len(in.X) }

// String returns "name (n=N, m=M, tmax=T)".
func (in Instance) String() string {
	return fmt.Sprintf("%s (n=%d, m=%d, tmax=%g)", in.Name, in.Len(), in.M, in.Tmax)
}

// Dist returns the Euclidean distance between nodes i and j.
func (in Instance) Dist(i, j int) float64 {
	return math.Hypot(in.X[i]-in.X[j], in.Y[i]-in.Y[j])
}

// Problem returns the instance as an orienteering problem: travel time is
// the Euclidean distance, prizes are the scores (0 at the depots), no
// service times nor time windows, and M routes from node 0 to node N-1
// over [0, Tmax].
func (in Instance) Problem() planner.OrienteeringProblem {
	n := in.Len()
	d := make([]float64, n*n)
	for i := range n {
		for j := range n {
			d[i*n+j] = in.Dist(i, j)
		}
	}
	prize := append([]float64(nil), in.Score...)
	if n > 0 {
		prize[0], prize[n-1] = 0, 0
	}
	routes := make([]planner.RouteSpec, in.M)
	for r := range routes {
		routes[r] = planner.RouteSpec{Start: 0, End: n - 1, Earliest: 0, Latest: in.Tmax}
	}
	return planner.OrienteeringProblem{
		Travel: func(i, j int) float64 { return d[i*n+j] },
		N:      n,
		Prize:  prize,
		Routes: routes,
	}
}

// ReadChao reads an instance in Chao's format: lines "n N", "m M",
// "tmax T", then N lines "x y score" (tabs or spaces, CRLF or LF). name
// labels the instance and its errors; a trailing ".txt" is dropped.
func ReadChao(r io.Reader, name string) (Instance, error) {
	in := Instance{Name: strings.TrimSuffix(name, ".txt")}
	sc := bufio.NewScanner(r)
	no, n := 0, -1
	header := []string{"n", "m", "tmax"}
	for sc.Scan() {
		no++
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\uFEFF"))
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		bad := func(format string, args ...any) error {
			return planner.Errorf(planner.EINVALID, "%s line %d: %s", name, no, fmt.Sprintf(format, args...))
		}
		if h := len(header); h > 0 {
			if len(f) != 2 || f[0] != header[0] {
				return Instance{}, bad("want %q followed by a number, got %q", header[0], line)
			}
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return Instance{}, bad("bad %s %q", header[0], f[1])
			}
			switch header[0] {
			case "n", "m":
				if v != math.Trunc(v) || v < 1 || v > 1e6 {
					return Instance{}, bad("%s must be a whole number >= 1, got %q", header[0], f[1])
				}
				if header[0] == "n" {
					n = int(v)
				} else {
					in.M = int(v)
				}
			case "tmax":
				in.Tmax = v
			}
			header = header[1:]
			continue
		}
		if len(f) != 3 {
			return Instance{}, bad("want 'x y score', got %q", line)
		}
		var xyz [3]float64
		for k, s := range f {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return Instance{}, bad("bad number %q", s)
			}
			xyz[k] = v
		}
		if xyz[2] < 0 {
			return Instance{}, bad("negative score %v", xyz[2])
		}
		if len(in.X) == n {
			return Instance{}, bad("more than n=%d nodes", n)
		}
		in.X, in.Y, in.Score = append(in.X, xyz[0]), append(in.Y, xyz[1]), append(in.Score, xyz[2])
	}
	if err := sc.Err(); err != nil {
		return Instance{}, planner.Errorf(planner.EINVALID, "%s: %v", name, err)
	}
	if len(header) > 0 {
		return Instance{}, planner.Errorf(planner.EINVALID, "%s: missing %q header line", name, header[0])
	}
	if len(in.X) != n {
		return Instance{}, planner.Errorf(planner.EINVALID, "%s: n=%d but %d nodes", name, n, len(in.X))
	}
	if n < 2 {
		return Instance{}, planner.Errorf(planner.EINVALID, "%s: need a start and an end node, got n=%d", name, n)
	}
	return in, nil
}

// ReadBKS reads best-known scores, lines "instance.txt score", into a map
// from instance name (".txt" dropped, as Instance.Name) to score.
func ReadBKS(r io.Reader) (map[string]float64, error) {
	bks := map[string]float64{}
	sc := bufio.NewScanner(r)
	no := 0
	for sc.Scan() {
		no++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, planner.Errorf(planner.EINVALID, "best-known scores line %d: want 'instance score', got %q", no, line)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, planner.Errorf(planner.EINVALID, "best-known scores line %d: bad score %q", no, f[1])
		}
		name := strings.TrimSuffix(f[0], ".txt")
		if _, dup := bks[name]; dup {
			return nil, planner.Errorf(planner.EINVALID, "best-known scores line %d: %s listed twice", no, name)
		}
		bks[name] = v
	}
	if err := sc.Err(); err != nil {
		return nil, planner.Errorf(planner.EINVALID, "best-known scores: %v", err)
	}
	return bks, nil
}
