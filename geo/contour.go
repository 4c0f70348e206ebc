package geo

// reachVertex is a lattice corner: column x, row y (rows run south to
// north), in cell units from the raster's south-west corner.
type reachVertex struct{ x, y int32 }

// reachMask is the set of cells of a reachRaster whose level is at most k
// (the foreground). The raster's border cells must be background.
type reachMask struct {
	w, h int
	lv   []uint8
	k    uint8
}

// fg reports whether cell (x,y) is foreground; cells outside are not.
func (m *reachMask) fg(x, y int) bool {
	return x >= 0 && y >= 0 && x < m.w && y < m.h && m.lv[y*m.w+x] <= m.k
}

// Directions of boundary edges: east, north, west, south.
var reachDX, reachDY = [4]int{1, 0, -1, 0}, [4]int{0, 1, 0, -1}

// leftRight returns the cells left and right of the unit edge leaving
// corner (x,y) in direction d.
func reachLeftRight(x, y, d int) (lx, ly, rx, ry int) {
	switch d {
	case 0: // east: left is the cell north of the edge
		return x, y, x, y - 1
	case 1: // north: left is west
		return x - 1, y, x, y
	case 2: // west: left is south
		return x - 1, y - 1, x - 1, y
	}
	return x, y - 1, x - 1, y - 1 // south: left is east
}

// out reports whether the edge leaving corner (x,y) in direction d is a
// boundary edge with the foreground on its left.
func (m *reachMask) out(x, y, d int) bool {
	lx, ly, rx, ry := reachLeftRight(x, y, d)
	return m.fg(lx, ly) && !m.fg(rx, ry)
}

// saddle reports whether the four cells around corner (x,y) alternate.
func (m *reachMask) saddle(x, y int) bool {
	ne, nw, sw, se := m.fg(x, y), m.fg(x-1, y), m.fg(x-1, y-1), m.fg(x, y-1)
	return ne == sw && nw == se && ne != nw
}

// trace returns the exact boundary of the union of the foreground cells,
// one polygon per 4-connected component: the shell (counter-clockwise)
// followed by its holes (clockwise). Rings are lists of corners without
// the closing repeat, with no collinear or repeated corners. Cells meeting
// only at a corner belong to different components; where a component's
// boundary passes through a corner twice, the boundary is split there into
// two rings, so rings touch only at single corners.
func (m *reachMask) trace() [][][]reachVertex {
	w, h := m.w, m.h
	// Visited flags: horizontal edge (x,y)-(x+1,y) at y*w+x, vertical
	// edge (x,y)-(x,y+1) at y*(w+1)+x. An edge is a boundary in at most
	// one direction, so one flag per undirected edge suffices.
	hv := make([]bool, w*(h+1))
	vv := make([]bool, (w+1)*h)
	label := m.components()

	type ring struct {
		pts  []reachVertex
		comp int32
		area int64 // twice the signed area, cell units
	}
	var rings []ring
	var pts []reachVertex
	type seen struct {
		v reachVertex
		i int
	}
	var saddles []seen
	emit := func(ps []reachVertex) {
		cp := append([]reachVertex(nil), ps...)
		var a2 int64
		for i := range cp {
			p, q := cp[i], cp[(i+1)%len(cp)]
			a2 += int64(p.x)*int64(q.y) - int64(q.x)*int64(p.y)
		}
		// The first edge's left cell names the component.
		p, q := cp[0], cp[1]
		d := 0
		switch {
		case q.y > p.y:
			d = 1
		case q.x < p.x:
			d = 2
		case q.y < p.y:
			d = 3
		}
		lx, ly, _, _ := reachLeftRight(int(p.x), int(p.y), d)
		rings = append(rings, ring{cp, label[ly*w+lx], a2})
	}
	for y := 0; y <= h; y++ {
		for x := 0; x < w; x++ {
			if hv[y*w+x] {
				continue
			}
			var sx, sy, sd int
			switch {
			case m.out(x, y, 0):
				sx, sy, sd = x, y, 0
			case m.out(x+1, y, 2):
				sx, sy, sd = x+1, y, 2
			default:
				continue
			}
			pts, saddles = pts[:0], saddles[:0]
			cx, cy, d := sx, sy, sd
			for {
				if d&1 == 0 {
					hv[cy*w+min(cx, cx+reachDX[d])] = true
				} else {
					vv[min(cy, cy+reachDY[d])*(w+1)+cx] = true
				}
				cx, cy = cx+reachDX[d], cy+reachDY[d]
				// Turn left first: it keeps diagonal neighbours apart.
				nd := (d + 1) & 3
				if !m.out(cx, cy, nd) {
					nd = d
					if !m.out(cx, cy, nd) {
						nd = (d + 3) & 3
					}
				}
				if nd != d {
					v := reachVertex{int32(cx), int32(cy)}
					cut := false
					if m.saddle(cx, cy) {
						for si, s := range saddles {
							if s.v == v {
								// Second pass through this corner: the
								// stretch since the first pass is a ring.
								emit(pts[s.i:])
								pts = pts[:s.i+1]
								saddles = saddles[:si]
								cut = true
								break
							}
						}
						if !cut {
							saddles = append(saddles, seen{v, len(pts)})
						}
					}
					if !cut {
						pts = append(pts, v)
					}
				}
				d = nd
				if cx == sx && cy == sy && d == sd {
					break
				}
			}
			emit(pts)
		}
	}
	// One shell per component, then its holes.
	idx := map[int32]int{}
	var polys [][][]reachVertex
	for _, r := range rings {
		if r.area > 0 {
			idx[r.comp] = len(polys)
			polys = append(polys, [][]reachVertex{r.pts})
		}
	}
	for _, r := range rings {
		if r.area < 0 {
			if i, ok := idx[r.comp]; ok {
				polys[i] = append(polys[i], r.pts)
			}
		}
	}
	return polys
}

// components labels the 4-connected foreground components (labels ≥ 0;
// background −1), row-major like the raster.
func (m *reachMask) components() []int32 {
	w := m.w
	label := make([]int32, w*m.h)
	for i := range label {
		label[i] = -1
	}
	var stack []int
	var next int32
	for i := range label {
		if label[i] >= 0 || m.lv[i] > m.k {
			continue
		}
		label[i] = next
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := c%w, c/w
			for d := 0; d < 4; d++ {
				nx, ny := x+reachDX[d], y+reachDY[d]
				if m.fg(nx, ny) {
					if n := ny*w + nx; label[n] < 0 {
						label[n] = next
						stack = append(stack, n)
					}
				}
			}
		}
		next++
	}
	return label
}
