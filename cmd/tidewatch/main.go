// Command tidewatch imports a jurisdiction's roads, grids, cameras, kiosks,
// incidents and key sites into a workspace store and serves them, with the
// analyses over them, to a Leaflet map.
//
// Usage:
//
//	tidewatch import --db ws.db --osm city.osm.pbf [--bbox W,S,E,N] [--grids FILE] [--cameras FILE]
//	                 [--kiosks FILE] [--incidents FILE] [--sites FILE] [--grid-size 500] [--json]
//	tidewatch serve  --db ws.db [--addr 127.0.0.1:8080] [--dev webmap/dist] [--public-url https://HOST]
//	                 [--revision-check 500ms] [--max-import-features 200000]
//	tidewatch export roads --db ws.db --mode car --format csv
//	tidewatch demo   --db demo/wilmington.db [--osm delaware-latest.osm.pbf]
//	tidewatch migrate --db ws.db|postgres://...
//	tidewatch user add|passwd|list|token --db ws.db [--name NAME --role ROLE --days N]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones without the system's database (isolated intranet machines)
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal (serve then finishes its requests), a second
	// one stops the process at once.
	go func() { <-ctx.Done(); stop() }()
	m := NewMain()
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(m.Stderr, "tidewatch:", err)
		}
		stop()
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for usage errors and 1 for everything else.
func exitCode(err error) int {
	var u usageError
	if errors.Is(err, flag.ErrHelp) || errors.As(err, &u) {
		return 2
	}
	return 1
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Main is the program: its streams are fields so tests can run commands
// in-process.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Ready, if set, is called with the listening address once serve
	// accepts connections (tests use it).
	Ready func(addr string)
}

// NewMain returns a Main on the process's standard streams.
func NewMain() *Main { return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr} }

const usage = `tidewatch — geospatial planner for community policing (潮汐警务规划)

Commands:
  import   read OSM roads and station files into a workspace store
  serve    serve a workspace on the web map and the HTTP API
  export   write a workspace layer (roads) as CSV or GeoJSON
  migrate  bring a store's schema up to date (SQLite file or postgres:// URL)
  demo     build the Wilmington demo workspace (real OSM roads, synthetic cameras/incidents)
  user     add users (password from $TIDEWATCH_PASSWORD or stdin), list them, make API tokens
  isochrones  1/3/5-minute response rings from the kiosks as GeoJSON (快反圈)
  response    per-grid reach and backup, key sites failing their tier
  site kiosks where new kiosks help most (maximal covering), or the fewest for a target
  site cameras where new cameras, facing which way, see the most unwatched street (补盲)
  bench mclp  run the covering solver on a Swain/SJC benchmark instance
  coverage    camera coverage per grid: area, streets and incidents seen (天网覆盖)
  plan        tonight's guard points and patrol lines, routed per unit (守点巡线), GeoJSON/GPX

Run 'tidewatch COMMAND -h' for a command's flags.
`

// Run runs one command with its arguments.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return usageError{"no command given"}
	}
	switch args[0] {
	case "import":
		return m.runImport(ctx, args[1:])
	case "serve":
		return m.runServe(ctx, args[1:])
	case "export":
		return m.runExport(ctx, args[1:])
	case "demo":
		return m.runDemo(ctx, args[1:])
	case "isochrones":
		return m.runIsochrones(ctx, args[1:])
	case "response":
		return m.runResponse(ctx, args[1:])
	case "site":
		return m.runSite(ctx, args[1:])
	case "bench":
		return m.runBench(ctx, args[1:])
	case "coverage":
		return m.runCoverage(ctx, args[1:])
	case "plan":
		return m.runPlan(ctx, args[1:])
	case "migrate":
		return m.runMigrate(ctx, args[1:])
	case "user":
		return m.runUser(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprint(m.Stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func (m *Main) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("tidewatch "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

// parse parses args and rejects stray positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()} // an unknown or malformed flag (already reported with the usage)
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}
