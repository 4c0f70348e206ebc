package postgis_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tidewatch/tidewatch/data/csv"
	"github.com/tidewatch/tidewatch/data/osm"
	"github.com/tidewatch/tidewatch/data/postgis/pgtest"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// TestMain stops the shared throw-away cluster when the tests end. It is
// the package's only TestMain: other test files here must not add one.
func TestMain(m *testing.M) { pgtest.Main(m) }

// drivingLimitS is the isochrone bound of the comparison, seconds.
const drivingLimitS = 300

// city is a car network read from an OSM extract, its routing CSV, and the
// start nodes (dense ids) nearest to its police stations.
type city struct {
	name   string
	net    *planner.Network
	csv    []byte
	starts []int32
}

var (
	citiesOnce sync.Once
	cities     []*city
	citiesErr  error
)

// loadCities reads Baltimore downtown and Delaware clipped to Wilmington
// (once per test binary).
func loadCities(tb testing.TB) []*city {
	tb.Helper()
	citiesOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			citiesErr = fmt.Errorf("go env GOMODCACHE: %v", err)
			return
		}
		wilmington := geo.Bound{Min: geo.Point{Lon: -75.5885, Lat: 39.6880}, Max: geo.Point{Lon: -75.4708, Lat: 39.7730}}
		for _, src := range []struct {
			name, path string
			bound      *geo.Bound
		}{
			{"baltimore", "/work/shared/data/osm/baltimore_downtown.osm.pbf", nil},
			{"wilmington", filepath.Join(strings.TrimSpace(string(out)), "github.com/paulmach/osm@v0.8.0/testdata/delaware-latest.osm.pbf"), &wilmington},
		} {
			c, err := loadCity(src.name, src.path, src.bound)
			if err != nil {
				citiesErr = err
				return
			}
			cities = append(cities, c)
		}
	})
	if citiesErr != nil {
		tb.Fatal(citiesErr)
	}
	return cities
}

func loadCity(name, path string, bound *geo.Bound) (*city, error) {
	ex, err := osm.ReadFile(context.Background(), path, osm.Options{Bound: bound})
	if err != nil {
		return nil, err
	}
	ws := &planner.Workspace{Roads: ex.Roads, Kiosks: ex.Kiosks}
	c := &city{name: name, net: planner.NewNetwork(ws, planner.ModeCar)}
	var buf bytes.Buffer
	if err := csv.WriteRoadGraph(&buf, ws.Roads, planner.ModeCar); err != nil {
		return nil, err
	}
	c.csv = buf.Bytes()
	// Start at the edge end nearer to each police station's snapped
	// position, so both engines start at the same node.
	g := c.net.Graph
	for _, k := range ex.Kiosks {
		sn, ok := g.Snap(k.Location, 500)
		if !ok {
			continue
		}
		v, w := g.EdgeEnds(sn.Edge)
		if sn.OffsetM > g.EdgeLength(sn.Edge)/2 {
			v = w
		}
		if !slices.Contains(c.starts, v) {
			c.starts = append(c.starts, v)
		}
	}
	if len(c.starts) == 0 {
		return nil, fmt.Errorf("%s: no police station within 500 m of a road", name)
	}
	return c, nil
}

// TestRoadGraphCSVIsTheEngineGraph checks that the CSV export lists, row by
// row, exactly the edges, node ids, lengths and seconds the geo graph
// routes over (bit for bit after parsing).
func TestRoadGraphCSVIsTheEngineGraph(t *testing.T) {
	for _, c := range loadCities(t) {
		g := c.net.Graph
		rows := strings.Split(strings.TrimSuffix(string(c.csv), "\n"), "\n")
		if rows[0] != csv.RoadGraphHeader || len(rows)-1 != g.NumEdges() {
			t.Fatalf("%s: %d CSV rows for %d edges (header %q)", c.name, len(rows)-1, g.NumEdges(), rows[0])
		}
		for e, row := range rows[1:] {
			f := strings.Split(row, ",")
			num := func(s string) float64 {
				if s == "" {
					return -1
				}
				x, err := strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatalf("%s row %d: %v", c.name, e+1, err)
				}
				return x
			}
			from, _ := strconv.ParseInt(f[0], 10, 64)
			to, _ := strconv.ParseInt(f[1], 10, 64)
			u, v := g.EdgeEnds(int32(e))
			fw, bw := g.EdgeCost(int32(e))
			if g.ExternalID(u) != from || g.ExternalID(v) != to || g.EdgeLength(int32(e)) != num(f[2]) ||
				fw != num(f[3]) || bw != num(f[4]) {
				t.Fatalf("%s row %d %q: graph edge %d→%d %v m %v/%v s", c.name, e+1, row,
					g.ExternalID(u), g.ExternalID(v), g.EdgeLength(int32(e)), fw, bw)
			}
		}
		t.Logf("%s: %d nodes, %d edges, %d arcs, %d police start nodes", c.name, g.NumNodes(), g.NumEdges(), g.NumArcs(), len(c.starts))
	}
}

// loadEdges creates the pgRouting edge table from a city's CSV export:
// COPY of the CSV text itself, then empty (closed) directions set to -1,
// pgRouting's "no edge this way". Edge ids are CSV row numbers.
func loadEdges(tb testing.TB, ctx context.Context, conn *pgx.Conn, c *city) {
	tb.Helper()
	for _, q := range []string{
		`CREATE EXTENSION IF NOT EXISTS pgrouting`,
		`DROP TABLE IF EXISTS edges`,
		`CREATE TABLE edges (id serial PRIMARY KEY, source bigint NOT NULL, target bigint NOT NULL,
			length_m float8 NOT NULL, cost float8, reverse_cost float8)`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	tag, err := conn.PgConn().CopyFrom(ctx, bytes.NewReader(c.csv),
		`COPY edges (source, target, length_m, cost, reverse_cost) FROM STDIN WITH (FORMAT csv, HEADER true)`)
	if err != nil {
		tb.Fatalf("COPY edges: %v", err)
	}
	if int(tag.RowsAffected()) != c.net.Graph.NumEdges() {
		tb.Fatalf("COPY edges: %d rows, graph has %d edges", tag.RowsAffected(), c.net.Graph.NumEdges())
	}
	if _, err := conn.Exec(ctx, `UPDATE edges SET cost = coalesce(cost, -1), reverse_cost = coalesce(reverse_cost, -1);
		ANALYZE edges`); err != nil {
		tb.Fatal(err)
	}
}

// pgrSQL runs pgr_drivingDistance from start nodes (OSM ids) and keeps the
// cheapest row per node (the multi-start form returns one row set per
// start).
const pgrSQL = `SELECT node, min(agg_cost) FROM pgr_drivingDistance(
	'SELECT id, source, target, cost, reverse_cost FROM edges', $1::bigint[], $2::float8, directed => true)
	GROUP BY node`

// drivingDistance returns seconds per OSM node id within limit of starts.
func drivingDistance(ctx context.Context, conn *pgx.Conn, starts []int64, limit float64) (map[int64]float64, error) {
	rows, err := conn.Query(ctx, pgrSQL, starts, limit)
	if err != nil {
		return nil, err
	}
	out := map[int64]float64{}
	var node int64
	var cost float64
	_, err = pgx.ForEachRow(rows, []any{&node, &cost}, func() error {
		out[node] = cost
		return nil
	})
	return out, err
}

func connect(tb testing.TB) (context.Context, *pgx.Conn) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Start(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(ctx) })
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_available_extensions WHERE name = 'pgrouting'`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	if n == 0 {
		const msg = "pgRouting is not installed: apt-get install postgresql-15-pgrouting"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return ctx, conn
}

// TestPgRoutingDrivingDistance compares geo's bounded Dijkstra with
// pgr_drivingDistance over the same CSV graph: from each police start node
// alone and from all of them at once, the nodes within 300 s must be the
// same and their seconds agree within 0.01 s.
func TestPgRoutingDrivingDistance(t *testing.T) {
	cs := loadCities(t)
	ctx, conn := connect(t)
	var version string
	if err := conn.QueryRow(ctx, `SELECT default_version FROM pg_available_extensions WHERE name = 'pgrouting'`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		t.Run(c.name, func(t *testing.T) {
			loadEdges(t, ctx, conn, c)
			g := c.net.Graph
			s := geo.NewSearch(g)
			starts := c.starts[:min(5, len(c.starts))]
			sets := [][]int32{}
			for _, v := range starts {
				sets = append(sets, []int32{v})
			}
			sets = append(sets, starts)
			for _, set := range sets {
				ext := make([]int64, len(set))
				gs := make([]geo.Start, len(set))
				for i, v := range set {
					ext[i], gs[i] = g.ExternalID(v), geo.AtNode(v)
				}
				want, err := drivingDistance(ctx, conn, ext, drivingLimitS)
				if err != nil {
					t.Fatalf("pgr_drivingDistance: %v", err)
				}
				s.Run(gs, drivingLimitS)
				secs := s.Seconds()
				worst, boundary := 0.0, 0
				for v, sec := range secs {
					id := g.ExternalID(int32(v))
					pg, inPG := want[id]
					switch {
					case !math.IsInf(sec, 1) && inPG:
						worst = math.Max(worst, math.Abs(sec-pg))
						if math.Abs(sec-pg) > 0.01 {
							t.Errorf("starts %v: node %d: geo %.6f s, pgRouting %.6f s", ext, id, sec, pg)
						}
					case !math.IsInf(sec, 1) && drivingLimitS-sec < 1e-9,
						inPG && drivingLimitS-pg < 1e-9:
						boundary++ // on the 300 s boundary within rounding
					case !math.IsInf(sec, 1):
						t.Errorf("starts %v: node %d: geo %.6f s, not in pgRouting's result", ext, id, sec)
					case inPG:
						t.Errorf("starts %v: node %d: pgRouting %.6f s, not reached by geo", ext, id, pg)
					}
				}
				for id := range want {
					if _, ok := g.NodeID(id); !ok {
						t.Errorf("pgRouting returned node %d, which is not in the graph", id)
					}
				}
				if len(want) < 50 {
					t.Errorf("starts %v: only %d nodes within %d s: the comparison is too weak", ext, len(want), drivingLimitS)
				}
				if s.Settled() != len(want) && boundary == 0 {
					t.Errorf("starts %v: geo settled %d nodes, pgRouting %d", ext, s.Settled(), len(want))
				}
				t.Logf("pgRouting %s, starts %v: %d nodes, max |Δ| %.2g s, %d on the boundary",
					version, ext, len(want), worst, boundary)
			}
		})
	}
}

// BenchmarkIsochrones puts the two engines side by side on the same graph
// (the export roads CSV) and the same start nodes (the police stations of
// each city): one 300 s car isochrone per station, pgRouting with the
// per-call graph load it always does. Sub-benchmarks:
// {baltimore,wilmington}/{tidewatch,tidewatch+rings,pgrouting}.
func BenchmarkIsochrones(b *testing.B) {
	for _, c := range loadCities(b) {
		g := c.net.Graph
		// tidewatch: the same output as pgr_drivingDistance (seconds per node);
		// tidewatch+rings: plus the exact 1/3/5-minute road pieces.
		for _, pieces := range []bool{false, true} {
			name := c.name + "/tidewatch"
			if pieces {
				name += "+rings"
			}
			b.Run(name, func(b *testing.B) {
				s := geo.NewSearch(g)
				nodes := 0
				for b.Loop() {
					for _, v := range c.starts {
						nodes += s.Run([]geo.Start{geo.AtNode(v)}, drivingLimitS)
						if pieces {
							for _, lim := range []float64{60, 180, 300} {
								_ = s.Reached(lim)
							}
						}
					}
				}
				b.ReportMetric(float64(nodes)/b.Elapsed().Seconds(), "nodes/s")
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(c.starts)), "µs/isochrone")
			})
		}
		b.Run(c.name+"/pgrouting", func(b *testing.B) {
			ctx, conn := connect(b)
			loadEdges(b, ctx, conn, c)
			nodes := 0
			for b.Loop() {
				for _, v := range c.starts {
					got, err := drivingDistance(ctx, conn, []int64{g.ExternalID(v)}, drivingLimitS)
					if err != nil {
						b.Fatal(err)
					}
					nodes += len(got)
				}
			}
			b.ReportMetric(float64(nodes)/b.Elapsed().Seconds(), "nodes/s")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(c.starts)), "µs/isochrone")
		})
	}
}
