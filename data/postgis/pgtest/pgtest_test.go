package pgtest

import (
	"context"
	"errors"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tidewatch/tidewatch/geo"
)

func TestMain(m *testing.M) { Main(m) }

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestPostGISArea(t *testing.T) {
	ctx := context.Background()
	conn := connect(t, Start(t))
	var version string
	if err := conn.QueryRow(ctx, "SELECT PostGIS_Version()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(version, "3.") {
		t.Fatalf("PostGIS_Version() = %q, want 3.x", version)
	}
	t.Logf("PostGIS %s", version)

	// A 0.01° × 0.01° box at lat 39.3 (lon,lat): about 862 m × 1111 m.
	const w, s, d = 117.0, 39.3, 0.01
	box := geo.Polygon{{{Lon: w, Lat: s}, {Lon: w + d, Lat: s}, {Lon: w + d, Lat: s + d}, {Lon: w, Lat: s + d}, {Lon: w, Lat: s}}}
	want := box.Area()
	if math.Abs(want-958000)/958000 > 0.002 {
		t.Fatalf("geo.Polygon.Area = %.0f m², expected about 958,000", want)
	}
	// Lambert azimuthal equal-area about the box centre preserves area, so
	// the planar area in metres is the ellipsoidal area.
	laea := "+proj=laea +lat_0=39.305 +lon_0=117.005 +ellps=WGS84 +units=m"
	var planar, geodesic float64
	err := conn.QueryRow(ctx, `SELECT ST_Area(ST_Transform(g, $2)), ST_Area(g::geography)
		FROM (SELECT ST_MakeEnvelope($1::float8, $3::float8, $1::float8 + $4::float8, $3::float8 + $4::float8, 4326) AS g) q`,
		w, laea, s, d).Scan(&planar, &geodesic)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]float64{"ST_Area(ST_Transform(laea))": planar, "ST_Area(geography)": geodesic} {
		if rel := math.Abs(got-want) / want; rel > 1e-5 {
			t.Errorf("%s = %.1f m², geo.Polygon.Area = %.1f m² (rel. diff %.2g)", name, got, want, rel)
		}
	}
	t.Logf("area: geo %.1f m², laea %.1f m², geography %.1f m²", want, planar, geodesic)
}

func TestEachCallerGetsAFreshDatabase(t *testing.T) {
	ctx := context.Background()
	a, b := connect(t, Start(t)), connect(t, Start(t))
	if _, err := a.Exec(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("a table created in one database is visible in the other")
	}
	var fsync string
	if err := b.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil || fsync != "off" {
		t.Fatalf("fsync = %q, %v; want off", fsync, err)
	}
}

func TestStopRemovesCluster(t *testing.T) {
	c, err := NewCluster(context.Background())
	var me *missingError
	if errors.As(err, &me) && os.Getenv("CI") != "true" {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	name, err := c.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conn := connect(t, c.DSN(name))
	var one int
	if err := conn.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	conn.Close(context.Background())
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory %s still exists (%v)", c.dir, err)
	}
	if l, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(c.port)); err == nil {
		l.Close()
		t.Errorf("port %d still accepts connections after Stop", c.port)
	}
}
