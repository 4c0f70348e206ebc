package webmap

import (
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
)

// dist is the output of `npm run build`. The all: prefix keeps dist/.gitkeep in
// the pattern, so the package compiles (and `go vet ./...` passes) on a fresh
// checkout before the frontend is built.
//
//go:embed all:dist
var dist embed.FS

// NotBuiltMessage is the body Handler answers when dist/ has no index.html.
const NotBuiltMessage = "frontend not built: run `make build` (or: cd webmap && npm ci && npm run build)\n"

// Files returns the embedded build output, rooted at dist/.
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid constant path
	}
	return sub
}

// Built reports whether the embedded files include a built index.html.
func Built() bool {
	_, err := fs.Stat(Files(), "index.html")
	return err == nil
}

// Handler serves the web map: index.html at "/", app.js and app.css beside it.
// With devDir != "" (the serve command's -dev flag) files are read from that
// directory on every request, so a rebuilt frontend shows without restarting.
// Directory listings and dot-files are never served. Mount it last, after
// /api/ and /healthz, e.g. r.Handle("/*", webmap.Handler(dev)).
func Handler(devDir string) http.Handler {
	var fsys fs.FS
	if devDir != "" {
		fsys = os.DirFS(devDir)
	} else {
		fsys = Files()
	}
	return &handler{fsys: fsys, files: http.FileServerFS(fsys)}
}

type handler struct {
	fsys  fs.FS
	files http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			http.NotFound(w, r)
			return
		}
	}
	st, err := fs.Stat(h.fsys, name)
	switch {
	case err == nil && st.IsDir():
		http.NotFound(w, r)
		return
	case errors.Is(err, fs.ErrNotExist) && name == "index.html":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(NotBuiltMessage))
		return
	case err != nil:
		http.NotFound(w, r)
		return
	}
	// File names carry no content hash: let the browser revalidate every time.
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if name == "index.html" {
		// Serve "/" directly: http.FileServer would redirect /index.html to ./
		// and needs the request path to match the file.
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/"
		h.files.ServeHTTP(w, r2)
		return
	}
	h.files.ServeHTTP(w, r)
}
