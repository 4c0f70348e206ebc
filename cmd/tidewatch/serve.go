package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tidewatch/tidewatch/api"
	"github.com/tidewatch/tidewatch/data/mbtiles"
	"github.com/tidewatch/tidewatch/webmap"
)

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.newFlagSet("serve")
	db := fs.String("db", "", "workspace store: a SQLite file path or a postgres:// URL (PostGIS)")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address host:port")
	dev := fs.String("dev", "", "serve the web map from this folder (e.g. webmap/dist) instead of the embedded copy")
	tileURL := fs.String("basemap-url", "", "optional raster tile URL template on your intranet, e.g. http://tiles.local/{z}/{x}/{y}.png")
	tileAttr := fs.String("basemap-attribution", "", "attribution shown for --basemap-url or --tiles")
	tilesPath := fs.String("tiles", "", "serve this offline MBTiles file (e.g. city.mbtiles) as the basemap at /tiles/{z}/{x}/{y}")
	crsName := fs.String("basemap-crs", "wgs84", "coordinate system the basemap is drawn in: wgs84, gcj02 (AMap/Tencent) or bd09 (Baidu)")
	loginLimit := fs.Int("login-limit", api.DefaultLoginPerMinute, "sign-in attempts a minute per client address and per user name")
	grace := fs.Duration("shutdown-timeout", 30*time.Second, "on SIGINT/SIGTERM, how long requests in flight may take to finish")
	publicURL := fs.String("public-url", "", "absolute base URL volunteers' phones reach this server at, printed in the QR codes of route cards, "+
		"e.g. https://tidewatch.bureau.local (scheme and host, no path); default: the scheme and Host of the request printing the cards")
	revCheck := fs.Duration("revision-check", api.DefaultRevisionCheck, "how often at most this server checks the store for writes by other "+
		"servers or processes on the same database (other serve processes, a tidewatch import), and reloads the "+
		"workspace when there are any; 0: the default, negative: never check")
	maxImport := fs.Int("max-import-features", api.DefaultMaxImportFeatures, "most records (features or CSV rows, all files together) one "+
		"import over HTTP (POST /api/v1/import) may hold")
	if err := parse(fs, args); err != nil {
		return err
	}
	pub, err := parsePublicURL(*publicURL)
	if err != nil {
		return err
	}
	if *maxImport < 1 {
		return usageError{fmt.Sprintf("--max-import-features %d: want at least 1", *maxImport)}
	}
	crs, err := api.ParseBasemapCRS(*crsName)
	if err != nil {
		return err
	}
	var tiles api.TileSource
	if *tilesPath != "" {
		r, err := mbtiles.Open(*tilesPath)
		if err != nil {
			return err
		}
		defer r.Close()
		tiles = r
	}
	store, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	ws, err := store.LoadWorkspace(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", *db, err)
	}
	srv := api.NewServer(ws, api.Config{
		Basemap:           api.Basemap{URL: *tileURL, Attribution: *tileAttr, CRS: crs},
		Tiles:             tiles,
		Web:               webmap.Handler(*dev),
		Store:             store,
		Limits:            api.Limits{LoginPerMinute: *loginLimit},
		RevisionCheck:     *revCheck,
		MaxImportFeatures: *maxImport,
		PublicURL:         pub,
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// Slow clients cannot hold connections: headers within 10 s, the whole
	// request (a 64 MiB import too) within 2 minutes, the response within 3.
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      3 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	c := ws.Counts()
	fmt.Fprintf(m.Stderr, "workspace %q: %d road edges (%.1f km car), %d grids, %d cameras, %d kiosks, %d incidents, %d sites\n",
		ws.Name, c.RoadEdges, c.RoadKm, c.Grids, c.Cameras, c.Kiosks, c.Incidents, c.Sites)
	fmt.Fprintf(m.Stdout, "Tidewatch is serving http://%s/  (Ctrl-C to stop)\n", ln.Addr())
	if m.Ready != nil {
		m.Ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop accepting, let the requests in flight finish, then close the
	// store (deferred above).
	fmt.Fprintf(m.Stderr, "stopping: finishing requests in flight (at most %s)\n", *grace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = hs.Close()
		return fmt.Errorf("shutdown: requests still running after %s: %w", *grace, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(m.Stderr, "stopped")
	return nil
}

// parsePublicURL checks a --public-url value: empty, or an absolute http
// or https URL of a scheme and a host (with an optional port), without
// user info, path, query or fragment; a single trailing "/" is allowed.
// It returns the URL without the trailing "/" (route cards append
// "/r/{token}").
func parsePublicURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	bad := func(why string) error {
		return usageError{fmt.Sprintf("--public-url %q: %s (want an absolute http(s) URL of scheme and host, e.g. https://tidewatch.bureau.local)", s, why)}
	}
	if strings.TrimSpace(s) != s {
		return "", bad("leading or trailing spaces")
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", bad(err.Error())
	case u.Scheme != "http" && u.Scheme != "https":
		if u.Scheme == "" {
			return "", bad("no scheme")
		}
		return "", bad("scheme " + u.Scheme + " is not http or https")
	case u.Opaque != "" || u.Host == "":
		return "", bad("no host")
	case u.Hostname() == "":
		return "", bad("no host name")
	case u.User != nil:
		return "", bad("user info is not allowed")
	case u.Path != "" && u.Path != "/":
		return "", bad("a path is not allowed")
	case u.RawQuery != "" || u.ForceQuery:
		return "", bad("a query is not allowed")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "", bad("a fragment is not allowed")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", bad("port " + p + " is out of range")
		}
	}
	return u.Scheme + "://" + strings.TrimSuffix(u.Host, ":"), nil
}
