package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
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
	if err := parse(fs, args); err != nil {
		return err
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
		Basemap: api.Basemap{URL: *tileURL, Attribution: *tileAttr, CRS: crs},
		Tiles:   tiles,
		Web:     webmap.Handler(*dev),
		Store:   store,
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
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
	// Let in-flight requests finish.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
