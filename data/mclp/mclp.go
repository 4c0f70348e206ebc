// Package mclp reads the classic covering-location benchmark instances —
// the 55-node Swain (1971) set of Church & ReVelle (1974) and the São José
// dos Campos sets SJC324 … SJC818 of Lorena & Pereira (2002) — and turns
// them into planner.CoverProblem values, so Tidewatch's covering solver can
// be checked against the literature and an exact solver.
//
// The convention is the literature's: Euclidean distance, every node is
// both a demand point (weighted by its demand) and a candidate site, and a
// node is covered by a site iff their distance is at most the radius.
package mclp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tidewatch/tidewatch/planner"
)

// Instance is a set of weighted points; node i (0-based) is at (X[i],Y[i])
// with demand Demand[i].
type Instance struct {
	Name   string
	X, Y   []float64
	Demand []float64
}

// Len returns the number of nodes.
func (in Instance) Len() int { return len(in.X) }

// TotalDemand returns the sum of the demands.
func (in Instance) TotalDemand() float64 {
	t := 0.0
	for _, d := range in.Demand {
		t += d
	}
	return t
}

// lines yields the trimmed lines of r (CRLF or LF, final newline
// optional) with their 1-based numbers.
func lines(r io.Reader, name string, f func(no int, line string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	no := 0
	for sc.Scan() {
		no++
		line := strings.TrimSpace(sc.Text())
		if no == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if err := f(no, line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return planner.Errorf(planner.EINVALID, "%s: line %d: %v", name, no+1, err)
	}
	return nil
}

func parseNum(name string, no int, what, s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, planner.Errorf(planner.EINVALID, "%s: line %d: %s %q is not a finite number", name, no, what, s)
	}
	return v, nil
}

// ReadSwain reads the Swain format: a first line with the node count, then
// one "id x y demand" line per node (ids 1..n in order). Blank lines are
// skipped; name labels errors and becomes the instance name.
func ReadSwain(r io.Reader, name string) (Instance, error) {
	in := Instance{Name: name}
	n := -1
	err := lines(r, name, func(no int, line string) error {
		if line == "" {
			return nil
		}
		f := strings.Fields(line)
		if n < 0 {
			if len(f) != 1 {
				return planner.Errorf(planner.EINVALID, "%s: line %d: want the node count, got %q", name, no, line)
			}
			v, err := strconv.Atoi(f[0])
			if err != nil || v <= 0 {
				return planner.Errorf(planner.EINVALID, "%s: line %d: node count %q is not a positive integer", name, no, f[0])
			}
			n = v
			return nil
		}
		if len(f) != 4 {
			return planner.Errorf(planner.EINVALID, "%s: line %d: want 4 fields \"id x y demand\", got %d", name, no, len(f))
		}
		id, err := strconv.Atoi(f[0])
		if err != nil || id != len(in.X)+1 {
			return planner.Errorf(planner.EINVALID, "%s: line %d: id %q, want %d", name, no, f[0], len(in.X)+1)
		}
		if len(in.X) == n {
			return planner.Errorf(planner.EINVALID, "%s: line %d: more nodes than the %d announced", name, no, n)
		}
		return in.add(name, no, f[1], f[2], f[3])
	})
	return in.complete(err, n, "the first line")
}

// ReadSJC reads the SJC format of Lorena & Pereira: a header line "n 9999 p
// S" (only n is used; the rest are placeholders), then "x y demand" lines
// separated by tabs or spaces, CRLF or LF, the final newline optional.
func ReadSJC(r io.Reader, name string) (Instance, error) {
	in := Instance{Name: name}
	n := -1
	err := lines(r, name, func(no int, line string) error {
		if line == "" {
			return nil
		}
		f := strings.Fields(line)
		if n < 0 {
			if len(f) < 1 || len(f) > 4 {
				return planner.Errorf(planner.EINVALID, "%s: line %d: want the header \"n 9999 p S\", got %q", name, no, line)
			}
			v, err := strconv.Atoi(f[0])
			if err != nil || v <= 0 {
				return planner.Errorf(planner.EINVALID, "%s: line %d: node count %q is not a positive integer", name, no, f[0])
			}
			n = v
			return nil
		}
		if len(f) != 3 {
			return planner.Errorf(planner.EINVALID, "%s: line %d: want 3 fields \"x y demand\", got %d", name, no, len(f))
		}
		if len(in.X) == n {
			return planner.Errorf(planner.EINVALID, "%s: line %d: more nodes than the %d in the header", name, no, n)
		}
		return in.add(name, no, f[0], f[1], f[2])
	})
	return in.complete(err, n, "the header")
}

// complete ends a read: the read error if any, else an error when the file
// was empty (n < 0) or held a node count other than the n that header
// announced.
func (in Instance) complete(err error, n int, header string) (Instance, error) {
	switch {
	case err != nil:
		return Instance{}, err
	case n < 0:
		return Instance{}, planner.Errorf(planner.EINVALID, "%s: empty file", in.Name)
	case len(in.X) != n:
		return Instance{}, planner.Errorf(planner.EINVALID, "%s: %d nodes, %s announces %d", in.Name, len(in.X), header, n)
	}
	return in, nil
}

// Read reads either format, telling them apart by the first non-blank
// line: a lone count is Swain, a longer header is SJC.
func Read(r io.Reader, name string) (Instance, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Instance{}, planner.Errorf(planner.EINVALID, "%s: %v", name, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(strings.TrimPrefix(line, "\uFEFF")); len(f) > 0 {
			if len(f) == 1 {
				return ReadSwain(bytes.NewReader(data), name)
			}
			break
		}
	}
	return ReadSJC(bytes.NewReader(data), name)
}

func (in *Instance) add(name string, no int, xs, ys, ds string) error {
	x, err := parseNum(name, no, "x", xs)
	if err != nil {
		return err
	}
	y, err := parseNum(name, no, "y", ys)
	if err != nil {
		return err
	}
	d, err := parseNum(name, no, "demand", ds)
	if err != nil {
		return err
	}
	if d < 0 {
		return planner.Errorf(planner.EINVALID, "%s: line %d: demand %v is negative", name, no, d)
	}
	in.X = append(in.X, x)
	in.Y = append(in.Y, y)
	in.Demand = append(in.Demand, d)
	return nil
}

// Problem returns the covering problem of the instance at the given radius:
// the demands are the weights and node j covers node i iff their Euclidean
// distance is at most radius (a negative radius covers nothing; compared squared, so integer coordinates at
// exactly the radius count as covered). Neighbours are found through a grid
// of radius-sized cells.
func (in Instance) Problem(radius float64) planner.CoverProblem {
	n := in.Len()
	p := planner.CoverProblem{Weights: append([]float64(nil), in.Demand...), Covers: make([][]int32, n)}
	if n == 0 {
		return p
	}
	if !(radius >= 0) {
		return p // a negative or NaN radius covers nothing
	}
	r2 := radius * radius
	cell := radius
	minX, minY := math.Inf(1), math.Inf(1)
	for i := range n {
		minX, minY = math.Min(minX, in.X[i]), math.Min(minY, in.Y[i])
	}
	if !(cell > 0) || math.IsInf(cell, 0) {
		cell = math.Inf(1) // one bucket: every pair is compared
	}
	key := func(x, y float64) [2]int64 {
		if math.IsInf(cell, 1) {
			return [2]int64{}
		}
		return [2]int64{int64(math.Floor((x - minX) / cell)), int64(math.Floor((y - minY) / cell))}
	}
	grid := make(map[[2]int64][]int32)
	for i := range n {
		k := key(in.X[i], in.Y[i])
		grid[k] = append(grid[k], int32(i))
	}
	for j := range n {
		k := key(in.X[j], in.Y[j])
		var c []int32
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				if math.IsInf(cell, 1) && (dx != 0 || dy != 0) {
					continue
				}
				for _, i := range grid[[2]int64{k[0] + dx, k[1] + dy}] {
					ddx, ddy := in.X[i]-in.X[j], in.Y[i]-in.Y[j]
					if ddx*ddx+ddy*ddy <= r2 {
						c = append(c, i)
					}
				}
			}
		}
		slices.Sort(c)
		p.Covers[j] = c
	}
	return p
}

// String describes the instance briefly.
func (in Instance) String() string {
	return fmt.Sprintf("%s (%d nodes, demand %g)", in.Name, in.Len(), in.TotalDemand())
}
