package api

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	csvfile "github.com/tidewatch/tidewatch/data/csv"
	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/planner"
)

// Import over HTTP (POST /api/v1/import, admins only)
//
// The body is multipart/form-data with one or more files, each in a form
// field named after its layer: cameras, kiosks, incidents, sites (GeoJSON
// or CSV) or grids (GeoJSON). A file is GeoJSON when its name ends in
// .geojson or .json, CSV when it ends in .csv or .txt, and otherwise
// GeoJSON when its first character (after a byte-order mark and blanks)
// is "{", else CSV. The files are read by the same readers as `tidewatch
// import` (data/geojson, data/csv) and merged into the current workspace:
// each layer given replaces that layer completely (several files of one
// layer are concatenated), every other layer stays as it was, with its
// IDs; roads, buildings and units always stay (roads come only from an OSM
// extract: use the command line to change them). Units keep their home
// kiosk IDs, which refer to the new kiosks after a kiosk import. The
// workspace is assembled as the CLI does (records numbered 1..n in file
// order) and stored in one transaction (Store.ReplaceWorkspace); then the
// server serves it.
//
// A bad file answers 400 with the reader's position apart from the
// message: {"code":"invalid","error":"kiosks.csv:7: …","file":"kiosks.csv",
// "layer":"kiosks","line":7,"reason":"…"} (GeoJSON feature errors carry
// "feature" and "line"); nothing is stored then. More than
// Config.MaxImportFeatures records in all (DefaultMaxImportFeatures) is a
// 400 naming the file that went over; a body over ImportBodyLimit is 413.
// Success answers 200 with the new revision, the workspace's counts, the
// records imported per layer and one line per file.

// Import limits.
const (
	// DefaultMaxImportFeatures caps the records (features or CSV rows,
	// a grid MultiPolygon counting one per part) of one import, all files
	// together, unless Config.MaxImportFeatures says otherwise.
	DefaultMaxImportFeatures = 200_000
	// ImportBodyLimit caps the request body of an import, bytes (64 MiB).
	ImportBodyLimit int64 = 64 << 20
)

// importLayers are the form field names, in the order the layers are
// reported.
var importLayers = []string{"grids", "cameras", "kiosks", "incidents", "sites"}

// importRoutes lists this file's routes (see extraRoutes): the import
// and the OpenAPI document (openapi.go).
func (s *Server) importRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/import", Access: AdminOnly,
			Summary: "replace layers from files: multipart form fields cameras, kiosks, incidents, sites, grids (GeoJSON or CSV; ≤ 64 MiB)",
			handler: withBodyLimit(ImportBodyLimit, s.importFiles)},
		{Method: "GET", Pattern: "/api/openapi.json", Access: Public,
			Summary: "this API's OpenAPI 3.1 document (routes and schemas, no data)",
			handler: s.openAPIHandler()},
	}
}

// importSet is what the files of one import hold, per layer.
type importSet struct {
	has       map[string]bool
	grids     []planner.Grid
	cameras   []planner.Camera
	kiosks    []planner.Kiosk
	incidents []planner.Incident
	sites     []planner.Site
	files     []importFile
	total     int
}

// importFile is one line of the import's answer.
type importFile struct {
	Layer   string `json:"layer"`
	File    string `json:"file"`
	Format  string `json:"format"` // geojson or csv
	Records int    `json:"records"`
}

// importResponse is the answer of a successful import.
type importResponse struct {
	Revision int64          `json:"revision"`
	Counts   planner.Counts `json:"counts"`
	Layers   map[string]int `json:"layers"` // records now in each replaced layer
	Files    []importFile   `json:"files"`
}

// importError is the answer to a file that cannot be imported.
type importError struct {
	Code    string `json:"code"`
	Message string `json:"error"`
	File    string `json:"file"`
	Layer   string `json:"layer,omitempty"`
	Line    int    `json:"line,omitempty"`
	Feature int    `json:"feature,omitempty"`
	Reason  string `json:"reason"`
}

func (e *importError) Error() string { return e.Message }

// importFileError turns a reader's error into an importError, with the
// position when the reader knows it.
func importFileError(layer, file string, err error) error {
	if planner.ErrorCode(err) != planner.EINVALID {
		return err
	}
	msg := planner.ErrorMessage(err)
	e := &importError{Code: planner.EINVALID, Message: msg, File: file, Layer: layer, Reason: msg}
	if ge, ok := errors.AsType[*geojson.InputError](err); ok {
		e.Line, e.Feature, e.Reason = ge.Line, ge.Feature, ge.Reason
	} else if ce, ok := errors.AsType[*csvfile.InputError](err); ok {
		e.Line, e.Reason = ce.Line, ce.Reason
	} else if p := file + ": "; strings.HasPrefix(msg, p) {
		e.Reason = strings.TrimPrefix(msg, p)
	}
	return e
}

// importFail answers a failed import: a file error as 400 with its
// position, anything else (and any error once the body went over its
// limit) through Error.
func importFail(w http.ResponseWriter, r *http.Request, err error) {
	if ie, ok := errors.AsType[*importError](err); ok {
		if _, over := bodyTooLarge(r); !over {
			writeJSON(w, http.StatusBadRequest, ie)
			return
		}
	}
	Error(w, r, err)
}

// importFiles serves POST /api/v1/import.
func (s *Server) importFiles(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Store == nil {
		Error(w, r, planner.Errorf(planner.ENOTIMPLEMENTED, "this server is read-only (no store)"))
		return
	}
	set, err := s.readImport(r)
	if err != nil {
		importFail(w, r, err)
		return
	}
	ctx := r.Context()
	s.mu.Lock()
	defer s.mu.Unlock()
	base, err := s.importBase(ctx)
	if err != nil {
		Error(w, r, err)
		return
	}
	ws, err := mergeImport(ctx, base, set)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := s.cfg.Store.ReplaceWorkspace(ctx, ws); err != nil {
		Error(w, r, err)
		return
	}
	// Serve what the store now holds, with its revision and versions: the
	// reload path every server takes when the store moved on (records.go).
	if err := s.refresh(ctx, true); err != nil {
		// Stored, but not read back: serve what was stored.
		slog.Warn("reload after an import failed; serving the imported workspace", "err", err)
		if ws.Revision, err = s.cfg.Store.Revision(ctx); err == nil {
			s.install(ws, true)
		}
	}
	cur := s.idx.Load().WS
	c := ws.Counts()
	inLayer := map[string]int{"grids": c.Grids, "cameras": c.Cameras, "kiosks": c.Kiosks, "incidents": c.Incidents, "sites": c.Sites}
	resp := importResponse{Revision: cur.Revision, Counts: c, Layers: map[string]int{}, Files: set.files}
	for l := range set.has {
		resp.Layers[l] = inLayer[l]
	}
	writeJSON(w, http.StatusOK, resp)
}

// importBase returns the workspace an import merges into: the served
// one, reloaded first when another server wrote since it was loaded.
func (s *Server) importBase(ctx context.Context) (*planner.Workspace, error) {
	if err := s.refresh(ctx, true); err != nil {
		return nil, err
	}
	return s.idx.Load().WS, nil
}

// readImport reads every file of the multipart body r.
func (s *Server) readImport(r *http.Request) (*importSet, error) {
	const want = "send multipart/form-data with one file per layer field: cameras, kiosks, incidents, sites or grids"
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, planner.Errorf(planner.EINVALID, "request body: %s", want)
	}
	limit := s.cfg.MaxImportFeatures
	if limit <= 0 {
		limit = DefaultMaxImportFeatures
	}
	set := &importSet{has: map[string]bool{}}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, planner.Errorf(planner.EINVALID, "request body: %v (%s)", err, want)
		}
		err = set.read(part, limit)
		part.Close()
		if err != nil {
			return nil, err
		}
	}
	if len(set.files) == 0 {
		return nil, planner.Errorf(planner.EINVALID, "no file: %s", want)
	}
	return set, nil
}

// read reads one part (one file) into the set.
func (set *importSet) read(part *multipart.Part, limit int) error {
	layer := part.FormName()
	if !slices.Contains(importLayers, layer) {
		return planner.Errorf(planner.EINVALID, "form field %q: want cameras, kiosks, incidents, sites or grids", layer)
	}
	name := importFileName(part.FileName(), layer)
	br := bufio.NewReaderSize(part, 4096)
	head, _ := br.Peek(512)
	format, err := importFormat(name, head)
	if err != nil {
		return &importError{Code: planner.EINVALID, Message: name + ": " + err.Error(), File: name, Layer: layer, Reason: err.Error()}
	}
	if layer == "grids" && format == "csv" {
		reason := "grids must be GeoJSON (Multi)Polygons, not CSV"
		return &importError{Code: planner.EINVALID, Message: name + ": " + reason, File: name, Layer: layer, Reason: reason}
	}
	var n int
	switch layer {
	case "grids":
		n, err = importRead(&set.grids, br, name, format, geojson.ReadGrids, nil)
	case "cameras":
		n, err = importRead(&set.cameras, br, name, format, geojson.ReadCameras, csvfile.ReadCameras)
	case "kiosks":
		n, err = importRead(&set.kiosks, br, name, format, geojson.ReadKiosks, csvfile.ReadKiosks)
	case "incidents":
		n, err = importRead(&set.incidents, br, name, format, geojson.ReadIncidents, csvfile.ReadIncidents)
	case "sites":
		n, err = importRead(&set.sites, br, name, format, geojson.ReadSites, csvfile.ReadSites)
	}
	if err != nil {
		return importFileError(layer, name, err)
	}
	set.total += n
	if set.total > limit {
		reason := fmt.Sprintf("too many features: this import holds %d records with this file, more than the limit of %d per import", set.total, limit)
		return &importError{Code: planner.EINVALID, Message: name + ": " + reason, File: name, Layer: layer, Reason: reason}
	}
	set.has[layer] = true
	set.files = append(set.files, importFile{Layer: layer, File: name, Format: format, Records: n})
	return nil
}

// importRead appends the records of one file to *dst and returns how many.
func importRead[T any](dst *[]T, r io.Reader, name, format string, fromGeoJSON, fromCSV func(io.Reader, string) ([]T, error)) (int, error) {
	read := fromGeoJSON
	if format == "csv" {
		read = fromCSV
	}
	xs, err := read(r, name)
	if err != nil {
		return 0, err
	}
	if *dst == nil {
		*dst = []T{}
	}
	*dst = append(*dst, xs...)
	return len(xs), nil
}

// importFileName is the base name of an uploaded file as the answer and
// the records' Source name it ("file:<name>"): no directories, no control
// characters, at most 200 bytes; the layer's name when there is none.
func importFileName(name, layer string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		return layer
	}
	return name
}

// importFormat tells GeoJSON from CSV by the file's extension, else by
// its first character.
func importFormat(name string, head []byte) (string, error) {
	switch ext := strings.ToLower(path.Ext(name)); ext {
	case ".geojson", ".json":
		return "geojson", nil
	case ".csv", ".txt":
		return "csv", nil
	case ".zip", ".shp", ".shx", ".dbf", ".kml", ".kmz", ".xls", ".xlsx":
		return "", fmt.Errorf("unsupported file type %s: send GeoJSON or CSV (the web map converts a zipped shapefile to GeoJSON)", ext)
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\ufeff")), " \t\r\n")
	if len(head) > 0 && head[0] == '{' {
		return "geojson", nil
	}
	return "csv", nil
}

// mergeImport returns base with the layers of set replaced, assembled as
// `tidewatch import` does; the layers not in set (and roads, buildings,
// units) keep their records and IDs.
func mergeImport(ctx context.Context, base *planner.Workspace, set *importSet) (*planner.Workspace, error) {
	if len(base.Roads) == 0 {
		return nil, planner.Errorf(planner.EINVALID, "the workspace has no roads yet: import an OpenStreetMap extract with `tidewatch import` first")
	}
	p := planner.Parts{
		Name: base.Name,
		// Assemble numbers roads and buildings in place: give it copies,
		// the served workspace is being read.
		Roads:     slices.Clone(base.Roads),
		Buildings: slices.Clone(base.Buildings),
		Units:     base.Units,
		Grids:     importLayer(set.has["grids"], set.grids, base.Grids),
		Cameras:   importLayer(set.has["cameras"], set.cameras, base.Cameras),
		Kiosks:    importLayer(set.has["kiosks"], set.kiosks, base.Kiosks),
		Incidents: importLayer(set.has["incidents"], set.incidents, base.Incidents),
		Sites:     importLayer(set.has["sites"], set.sites, base.Sites),
		Notes:     importNotes(base.Notes, set),
	}
	ws, _, err := planner.Assemble(ctx, p, planner.AssembleOptions{})
	if err != nil {
		return nil, err
	}
	ws.Bound, ws.Roads, ws.Buildings, ws.Revision = base.Bound, base.Roads, base.Buildings, base.Revision
	if !set.has["grids"] {
		ws.Grids = base.Grids
	}
	if !set.has["cameras"] {
		ws.Cameras = base.Cameras
	}
	if !set.has["kiosks"] {
		ws.Kiosks = base.Kiosks
	}
	if !set.has["incidents"] {
		ws.Incidents = base.Incidents
	}
	if !set.has["sites"] {
		ws.Sites = base.Sites
	}
	return ws, nil
}

// importLayer returns the imported records when the layer was given, else
// the current ones (never nil, so Assemble neither falls back to OSM nor
// generates grids).
func importLayer[T any](given bool, imported, current []T) []T {
	if given {
		return imported
	}
	if current == nil {
		return []T{}
	}
	return current
}

// importNotes returns the provenance notes after an import: the notes of
// the replaced layers go ("cameras, incidents: synthetic …" keeps
// "incidents: …" when only cameras were replaced), and each file adds one
// ("kiosks: kiosks.geojson (12 records, imported over the API)").
func importNotes(old []string, set *importSet) []string {
	layerWord := map[string]string{"roads": "roads", "buildings": "buildings", "grids": "grids", "cameras": "cameras",
		"kiosks": "kiosks", "incidents": "incidents", "sites": "sites", "key sites": "sites"}
	out := []string{}
	for _, n := range old {
		prefix, rest, ok := strings.Cut(n, ": ")
		if !ok {
			out = append(out, n)
			continue
		}
		var keep []string
		layerNote := true
		for _, w := range strings.Split(prefix, ",") {
			w = strings.TrimSpace(w)
			l, known := layerWord[w]
			if !known {
				layerNote = false
				break
			}
			if !set.has[l] {
				keep = append(keep, w)
			}
		}
		switch {
		case !layerNote:
			out = append(out, n)
		case len(keep) > 0:
			out = append(out, strings.Join(keep, ", ")+": "+rest)
		}
	}
	for _, f := range set.files {
		out = append(out, fmt.Sprintf("%s: %s (%d records, imported over the API)", f.Layer, f.File, f.Records))
	}
	return out
}
