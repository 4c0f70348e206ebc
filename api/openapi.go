package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/tidewatch/tidewatch/planner"
)

// The OpenAPI document (GET /api/openapi.json, Public)
//
// The document is generated from the route table (Server.Routes): every
// route but the web map's static files ("/*") becomes an operation with
// its method, path, summary and security requirement, derived from its
// Access level — none for Public routes, else the browser's session cookie
// (plus the X-CSRF-Token header on unsafe methods) or a bearer token — and
// the roles that level allows (x-access, x-roles). What the route table
// cannot say — parameters, request bodies with an example, responses — is
// written by hand below in openAPIOps, keyed "METHOD pattern", with the
// JSON schemas in openAPISchemas. A route without an entry is an error of
// the generator, so a new route fails api/openapi_test.go until it is
// documented; that test also calls every request body's example against
// the real handler. The document holds no data of the workspace.

// openAPIHandler serves the document, generated on the first request from
// the route table and kept.
func (s *Server) openAPIHandler() http.HandlerFunc {
	var (
		once sync.Once
		doc  []byte
		err  error
	)
	return func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			d, derr := s.OpenAPI()
			if d == nil {
				err = derr
				return
			}
			if derr != nil {
				slog.Warn("the OpenAPI document is incomplete", "err", derr)
			}
			doc, err = json.MarshalIndent(d, "", " ")
		})
		if err != nil {
			Error(w, r, fmt.Errorf("openapi: %w", err))
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(doc)
	}
}

// OpenAPI returns the server's OpenAPI 3.1 document (see openapi.go). A
// route of the table that openAPIOps does not document is still listed
// (x-undocumented) and named by the error, which comes with the document;
// a schema that does not parse is an error without one.
func (s *Server) OpenAPI() (map[string]any, error) {
	var schemas map[string]any
	if err := json.Unmarshal([]byte(openAPISchemas), &schemas); err != nil {
		return nil, fmt.Errorf("openAPISchemas: %w", err)
	}
	paths := map[string]map[string]any{}
	var missing []string
	for _, rt := range s.Routes() {
		if rt.Pattern == "/*" {
			continue
		}
		key := rt.Method + " " + rt.Pattern
		p := openAPIPath(rt.Pattern)
		op, ok := openAPIOps[key]
		if !ok {
			// Still listed, with what the route table says.
			missing = append(missing, key)
			op = oaOp{tag: "undocumented", resp: []oaResponse{oaResp(200, "see the summary", "", "")}}
			for _, name := range oaPathParams(p) {
				op.params = append(op.params, oaPath(name, name, `{"type":"string"}`, nil))
			}
		}
		o, err := op.operation(rt, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		if !ok {
			o["x-undocumented"] = true
		}
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = o
	}
	var err error
	if len(missing) > 0 {
		err = fmt.Errorf("routes without an entry in openAPIOps (api/openapi.go): %s", strings.Join(missing, ", "))
	}
	return map[string]any{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": map[string]any{
			"title":   "Tidewatch 潮汐警务规划 API",
			"version": "1",
			"description": "Tidewatch's HTTP API: the workspace's layers (GeoJSON, lon,lat WGS84), response rings, " +
				"kiosk and camera siting, camera coverage, patrol plans and their share links, users and imports. " +
				"bbox parameters are W,S,E,N in degrees; distances metres; times seconds. Errors are " +
				`{"code","error"} with the status the code maps to (invalid 400, unauthorized 401, forbidden 403, ` +
				"not_found 404, conflict 409, too_large 413, too_many 429, internal 500). x-access names the access " +
				"level of each operation and x-roles the roles it allows (an admin may call everything).",
		},
		"servers": []any{map[string]any{"url": "/", "description": "this server"}},
		"tags":    openAPITags,
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie,
					"description": "the browser's session, set by POST /api/v1/login (HttpOnly, SameSite=Strict, 12 hours)"},
				"csrf": map[string]any{"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
					"description": "the session's CSRF token (from POST /api/v1/login or GET /api/v1/me), required with the cookie on POST, PUT, PATCH and DELETE"},
				"bearer": map[string]any{"type": "http", "scheme": "bearer",
					"description": "a script's token (POST /api/v1/tokens or `tidewatch user token`); needs no CSRF header"},
			},
		},
	}, err
}

var openAPITags = []any{
	map[string]any{"name": "server", "description": "health and this document"},
	map[string]any{"name": "auth", "description": "sign-in, sessions, users, audit log (登录、用户、审计)"},
	map[string]any{"name": "workspace", "description": "workspace meta and layers (工作区、图层)"},
	map[string]any{"name": "response", "description": "1/3/5-minute response rings and kiosk siting (快反圈、警务站选址)"},
	map[string]any{"name": "coverage", "description": "camera coverage and camera siting (天网覆盖、补盲)"},
	map[string]any{"name": "records", "description": "edits of cameras, kiosks and units (记录编辑)"},
	map[string]any{"name": "plans", "description": "tidal patrol plans and share links (潮汐式守点巡线)"},
	map[string]any{"name": "scenarios", "description": "what-if scenarios and their comparison (方案对比)"},
	map[string]any{"name": "reports", "description": "printable pages (报告)"},
	map[string]any{"name": "import", "description": "replacing layers from files (导入)"},
	map[string]any{"name": "basemap", "description": "offline basemap tiles (离线底图)"},
}

// oaChiParam matches a chi path parameter, with an optional regexp.
var oaChiParam = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(?::[^{}]*)?\}`)

// openAPIPath turns a chi pattern into an OpenAPI path: {id:[0-9]+} → {id}.
func openAPIPath(pattern string) string {
	return oaChiParam.ReplaceAllString(pattern, "{$1}")
}

// oaPathParams lists the parameters of an OpenAPI path in order.
func oaPathParams(p string) []string {
	var out []string
	for _, m := range oaChiParam.FindAllStringSubmatch(p, -1) {
		out = append(out, m[1])
	}
	return out
}

// oaOp documents what the route table cannot say about one route.
type oaOp struct {
	tag    string
	desc   string
	params []oaParam // path and query parameters; every path parameter must be here
	body   *oaBody
	resp   []oaResponse // the success responses; errors are added by access level
}

// oaParam is a path ("path") or query ("query") parameter.
type oaParam struct {
	in, name, desc string
	schema         string // JSON schema, or "#Name" for a component
	example        any
	required       bool // implied for path parameters
}

// oaBody is a request body.
type oaBody struct {
	contentType string // application/json unless set
	schema      string
	example     any
	optional    bool
}

// oaResponse is one success response.
type oaResponse struct {
	status      int
	desc        string
	contentType string // "" for none (204)
	schema      string
	more        map[string]string // further media types and their schemas
}

func oaPath(name, desc, schema string, example any) oaParam {
	return oaParam{in: "path", name: name, desc: desc, schema: schema, example: example, required: true}
}

func oaQuery(name, desc, schema string, example any) oaParam {
	return oaParam{in: "query", name: name, desc: desc, schema: schema, example: example}
}

func oaJSON(schema string, example any) *oaBody {
	return &oaBody{contentType: "application/json", schema: schema, example: example}
}

func oaResp(status int, desc, contentType, schema string) oaResponse {
	return oaResponse{status: status, desc: desc, contentType: contentType, schema: schema}
}

// oaSchema parses a schema string: "#Name" is a reference to a component.
func oaSchema(s string) (any, error) {
	if strings.HasPrefix(s, "#") {
		return map[string]any{"$ref": "#/components/schemas/" + s[1:]}, nil
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("schema %s: %w", s, err)
	}
	return v, nil
}

// oaOperationID names an operation after its method and path:
// PUT /api/v1/cameras/{id} → putCamerasId.
func oaOperationID(method, p string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	p = strings.TrimPrefix(p, "/api/v1")
	for _, w := range strings.FieldsFunc(p, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// operation builds the OpenAPI operation of route rt at path p.
func (op oaOp) operation(rt Route, p string) (map[string]any, error) {
	o := map[string]any{
		"operationId": oaOperationID(rt.Method, p),
		"summary":     rt.Summary,
		"tags":        []string{op.tag},
		"x-access":    rt.Access.String(),
	}
	var roles []string
	for _, r := range planner.Roles {
		if rt.Access.Allows(r) {
			roles = append(roles, string(r))
		}
	}
	if rt.Access == Public {
		roles = []string{"anyone"}
	}
	o["x-roles"] = roles
	if op.desc != "" {
		o["description"] = op.desc
	}
	// Parameters: every path parameter documented, in path order, then the query.
	var params []any
	documented := map[string]bool{}
	for _, prm := range op.params {
		sch, err := oaSchema(prm.schema)
		if err != nil {
			return nil, err
		}
		if prm.in == "path" {
			documented[prm.name] = true
		}
		m := map[string]any{"name": prm.name, "in": prm.in, "description": prm.desc, "schema": sch,
			"required": prm.required || prm.in == "path"}
		if prm.example != nil {
			m["example"] = prm.example
		}
		params = append(params, m)
	}
	pp := oaPathParams(p)
	for _, name := range pp {
		if !documented[name] {
			return nil, fmt.Errorf("path parameter {%s} is not documented", name)
		}
	}
	for name := range documented {
		if !slices.Contains(pp, name) {
			return nil, fmt.Errorf("documented path parameter {%s} is not in the path", name)
		}
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	unsafe := unsafeMethod(rt.Method)
	switch {
	case rt.Access == Public:
		o["security"] = []any{}
	case unsafe:
		o["security"] = []any{map[string]any{"session": []string{}, "csrf": []string{}}, map[string]any{"bearer": []string{}}}
	default:
		o["security"] = []any{map[string]any{"session": []string{}}, map[string]any{"bearer": []string{}}}
	}
	if op.body != nil {
		sch, err := oaSchema(op.body.schema)
		if err != nil {
			return nil, err
		}
		ct := op.body.contentType
		if ct == "" {
			ct = "application/json"
		}
		media := map[string]any{"schema": sch, "example": op.body.example}
		if ct == "multipart/form-data" {
			enc := map[string]any{}
			for _, l := range importLayers {
				enc[l] = map[string]any{"contentType": "application/geo+json, application/json, text/csv, text/plain, application/octet-stream"}
			}
			media["encoding"] = enc
		}
		o["requestBody"] = map[string]any{"required": !op.body.optional, "content": map[string]any{ct: media}}
	}
	responses := map[string]any{}
	for _, r := range op.resp {
		m := map[string]any{"description": r.desc}
		if r.contentType != "" {
			content := map[string]any{}
			types := map[string]string{r.contentType: r.schema}
			for ct, sc := range r.more {
				types[ct] = sc
			}
			for ct, sc := range types {
				sch, err := oaSchema(sc)
				if err != nil {
					return nil, err
				}
				content[ct] = map[string]any{"schema": sch}
			}
			m["content"] = content
		}
		responses[fmt.Sprint(r.status)] = m
	}
	if len(op.resp) == 0 {
		return nil, fmt.Errorf("no success response documented")
	}
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	if len(op.params) > 0 || op.body != nil {
		if _, set := responses["400"]; !set {
			responses["400"] = errResp("invalid parameters or body")
		}
	}
	if rt.Access != Public {
		responses["401"] = errResp("not signed in")
		responses["403"] = errResp("the caller's role may not call this (see x-roles), or an unsafe cookie request without X-CSRF-Token, or a cross-site request")
	} else if unsafe {
		responses["403"] = errResp("a cross-site request")
	}
	if op.body != nil {
		responses["413"] = errResp("the request body is over the route's limit")
	}
	if len(pp) > 0 {
		if _, set := responses["404"]; !set {
			responses["404"] = errResp("no such record")
		}
	}
	responses["default"] = errResp("any other error (the code says which)")
	o["responses"] = responses
	return o, nil
}

// Reusable parameters.
var (
	oaBBox        = oaQuery("bbox", "W,S,E,N in degrees (lon,lat WGS84); default the whole layer", `{"type":"string","pattern":"^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$"}`, "114.29,30.58,114.32,30.60")
	oaZoom        = oaQuery("zoom", "map zoom 0–24: roads are thinned by class and simplified to its pixel size", `{"type":"number","minimum":0,"maximum":24}`, 15)
	oaMode        = oaQuery("mode", "travel mode: car (default), ebike or foot (aliases: drive, motorbike, walk, volunteer)", `{"type":"string","default":"car"}`, "car")
	oaMinutes     = oaQuery("minutes", "comma-separated tiers in minutes (default 1,3,5)", `{"type":"string","pattern":"^[0-9.]+(,[0-9.]+)*$"}`, "1,3,5")
	oaKiosk       = oaQuery("kiosk", "comma-separated kiosk IDs to start from (default every kiosk)", `{"type":"string","pattern":"^[0-9]+(,[0-9]+)*$"}`, "1")
	oaHours       = oaQuery("hours", "comma-separated local hours 0–23 of the incidents weighed (default all)", `{"type":"string","pattern":"^[0-9]{1,2}(,[0-9]{1,2})*$"}`, "22,23,0,1")
	oaPlanID      = oaPath("id", "the plan's ID (16 hex digits)", `{"type":"string"}`, "3f2a9c1d5e7b8a60")
	oaCameraID    = oaPath("id", "the camera's ID", `{"type":"integer","minimum":1}`, 1)
	oaKioskID     = oaPath("id", "the kiosk's ID", `{"type":"integer","minimum":1}`, 1)
	oaUnitID      = oaPath("id", "the unit's ID", `{"type":"integer","minimum":1}`, 1)
	oaScenarioID  = oaPath("id", "the scenario's ID", `{"type":"integer","minimum":1}`, 1)
	oaIfMatch     = oaParam{in: "header", name: "If-Match", desc: `the version edited as a strong ETag, e.g. "17" (or send version in the body)`, schema: `{"type":"string"}`}
	oaIfNoneMatch = oaParam{in: "header", name: "If-None-Match", desc: `a version held, e.g. "17": 304 when it is still the current one`, schema: `{"type":"string"}`}
	// oaVersionBody is the optional body of a DELETE: the version deleted.
	oaVersionBody = &oaBody{contentType: "application/json", optional: true, schema: `{"type":"object","additionalProperties":false,"properties":{"version":{"type":"integer","minimum":1,"description":"the version deleted (or If-Match)"}}}`,
		example: map[string]any{"version": 1}}
)

// oaScenarioExample is the example body of POST (version 0) and PUT
// /api/v1/scenarios.
func oaScenarioExample(version int) map[string]any {
	ex := map[string]any{"name": "东门加装摄像头", "edits": []any{
		map[string]any{"op": "create", "kind": "camera", "lon": 114.3005, "lat": 30.5902, "direction_deg": 90},
		map[string]any{"op": "update", "kind": "kiosk", "id": 1, "staff": 6},
	}}
	if version > 0 {
		ex["version"] = version
	}
	return ex
}

// oaSampleGeoJSON is the example file of the import.
const oaSampleGeoJSON = `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[114.305,30.591]},"properties":{"name":"花园路警务站","staff":4,"vehicles":1}}]}`

// openAPIOps documents every route of the table, keyed "METHOD pattern".
var openAPIOps = map[string]oaOp{
	"GET /healthz": {tag: "server", resp: []oaResponse{oaResp(200, "the server is up", "text/plain", `{"type":"string","const":"ok"}`)}},
	"GET /api/openapi.json": {tag: "server",
		resp: []oaResponse{oaResp(200, "this document", "application/json", `{"type":"object"}`)}},

	// ---- workspace
	"GET /api/v1/meta": {tag: "workspace", resp: []oaResponse{oaResp(200, "workspace name, bound, counts, provenance notes, synthetic layers, basemap", "application/json", "#Meta")}},
	"GET /api/v1/layers/{layer}": {tag: "workspace",
		params: []oaParam{oaPath("layer", "the layer", `{"type":"string","enum":["roads","grids","cameras","kiosks","incidents","sites"]}`, "kiosks"), oaBBox, oaZoom},
		resp:   []oaResponse{oaResp(200, "the layer's features inside bbox, with the properties of data/geojson's writers", "application/geo+json", "#FeatureCollection")}},

	// ---- response rings and kiosk siting
	"GET /api/v1/response": {tag: "response", params: []oaParam{oaMode, oaMinutes, oaKiosk},
		resp: []oaResponse{oaResp(200, "per tier the road length reached, per grid the share reached and backup, key sites against their tier", "application/json", "#ResponseReport")}},
	"GET /api/v1/response/rings": {tag: "response",
		params: []oaParam{oaMode, oaMinutes, oaKiosk, oaQuery("per_kiosk", "1: one ring per kiosk and tier", `{"type":"string","enum":["0","1"]}`, "0")},
		resp:   []oaResponse{oaResp(200, "one MultiPolygon per tier (properties kind, mode, minutes, road_km, kiosk_id)", "application/geo+json", "#FeatureCollection")}},
	"POST /api/v1/siting/kiosks": {tag: "response",
		body: oaJSON("#KioskSitingRequest", map[string]any{"mode": "car", "minutes": 3, "count": 1, "weight": "road"}),
		resp: []oaResponse{oaResp(200, "new kiosk sites in pick order with their gains and the gap to a proven bound", "application/json", "#KioskSiting")}},
	"POST /api/v1/kiosks": {tag: "records",
		body: oaJSON("#KioskRequest", map[string]any{"name": "人民路警务站", "lon": 114.3061, "lat": 30.5912, "staff": 4, "vehicles": 1}),
		resp: []oaResponse{oaResp(201, "the kiosk as stored, with its version (also the ETag)", "application/json", "#Kiosk")}},
	"GET /api/v1/kiosks/{id}": {tag: "records", params: []oaParam{oaKioskID, oaIfNoneMatch},
		resp: []oaResponse{oaResp(200, "the kiosk with its version (also the ETag); 304 for If-None-Match of that version", "application/json", "#Kiosk")}},
	"PUT /api/v1/kiosks/{id}": {tag: "records", params: []oaParam{oaKioskID, oaIfMatch},
		desc: "The body of POST /api/v1/kiosks; an empty name or ref keeps the stored one. The version edited goes in If-Match or version: 412 (If-Match) or 409 (version) when the kiosk changed since, 428 without either.",
		body: oaJSON("#KioskRequest", map[string]any{"name": "人民路警务站", "lon": 114.3062, "lat": 30.5913, "staff": 5, "vehicles": 2, "version": 1}),
		resp: []oaResponse{oaResp(200, "the kiosk as stored, with its new version", "application/json", "#Kiosk")}},
	"DELETE /api/v1/kiosks/{id}": {tag: "records", params: []oaParam{oaKioskID, oaIfMatch},
		body: oaVersionBody,
		resp: []oaResponse{oaResp(200, "the kiosk is gone", "application/json", "#Deleted")}},

	// ---- coverage and camera siting
	"POST /api/v1/siting/cameras": {tag: "coverage",
		body: oaJSON("#CameraSitingRequest", map[string]any{"count": 1, "min_spacing_m": 50, "hours": []int{22, 23, 0, 1}}),
		resp: []oaResponse{oaResp(200, "new cameras in pick order; each proposal's camera object is a body for POST /api/v1/cameras", "application/json", "#CameraSiting")}},
	"GET /api/v1/coverage": {tag: "coverage", params: []oaParam{oaHours},
		resp: []oaResponse{oaResp(200, "per grid and in total: area, streets and incident weight the cameras see", "application/json", "#CoverageReport")}},
	"GET /api/v1/coverage/footprints": {tag: "coverage", params: []oaParam{oaBBox},
		resp: []oaResponse{oaResp(200, "each camera's footprint among the buildings, a Polygon feature", "application/geo+json", "#FeatureCollection")}},
	"GET /api/v1/coverage/gaps": {tag: "coverage",
		params: []oaParam{{in: "query", name: "grid", desc: "the grid's ID", schema: `{"type":"integer"}`, example: 1, required: true}},
		resp:   []oaResponse{oaResp(200, "the part of the grid no camera sees, one MultiPolygon feature (grid_id, area_m2)", "application/geo+json", "#FeatureCollection")}},
	"GET /api/v1/coverage/uncovered": {tag: "coverage",
		params: []oaParam{oaQuery("limit", "at most this many stretches (1–100000, default 50)", `{"type":"integer","minimum":1,"maximum":100000}`, 50), oaHours},
		resp:   []oaResponse{oaResp(200, "road stretches no camera sees, most incident weight first, LineString features", "application/geo+json", "#FeatureCollection")}},
	"POST /api/v1/cameras": {tag: "records",
		body: oaJSON("#CameraRequest", map[string]any{"name": "花园路口", "lon": 114.3052, "lat": 30.5905, "kind": "fixed", "direction_deg": 90, "fov_deg": 60, "range_m": 40}),
		resp: []oaResponse{oaResp(201, "the camera as stored, its footprint area and the new coverage totals", "application/json", "#CameraResponse")}},
	"GET /api/v1/cameras/{id}": {tag: "records", params: []oaParam{oaCameraID, oaIfNoneMatch},
		resp: []oaResponse{oaResp(200, "the camera with its version (also the ETag); 304 for If-None-Match of that version", "application/json", "#Camera")}},
	"PUT /api/v1/cameras/{id}": {tag: "records", params: []oaParam{oaCameraID, oaIfMatch},
		desc: "Missing fov_deg and range_m take the kind's defaults; an empty name or ref keeps the stored one. The version edited goes in If-Match or version: 412 (If-Match) or 409 (version) when the camera changed since, 428 without either.",
		body: oaJSON("#CameraRequest", map[string]any{"name": "花园路口", "lon": 114.3003, "lat": 30.5901, "kind": "dome", "version": 1}),
		resp: []oaResponse{oaResp(200, "the camera as stored, its footprint area and the new coverage totals", "application/json", "#CameraResponse")}},
	"DELETE /api/v1/cameras/{id}": {tag: "records", params: []oaParam{oaCameraID, oaIfMatch},
		body: oaVersionBody,
		resp: []oaResponse{oaResp(200, "the camera is gone; the new coverage totals", "application/json", "#CameraDeleted")}},

	// ---- patrol units
	"GET /api/v1/units": {tag: "records",
		resp: []oaResponse{oaResp(200, "every patrol unit", "application/json", `{"type":"object","required":["units"],"properties":{"units":{"type":"array","items":{"$ref":"#/components/schemas/Unit"}}}}`)}},
	"GET /api/v1/units/{id}": {tag: "records", params: []oaParam{oaUnitID, oaIfNoneMatch},
		resp: []oaResponse{oaResp(200, "the unit with its version (also the ETag)", "application/json", "#Unit")}},
	"POST /api/v1/units": {tag: "records",
		body: oaJSON("#UnitRequest", map[string]any{"name": "巡逻车1", "kind": "car", "kiosk": 1, "shifts": []string{"22:00-02:00"}}),
		resp: []oaResponse{oaResp(201, "the unit as stored", "application/json", "#Unit")}},
	"PUT /api/v1/units/{id}": {tag: "records", params: []oaParam{oaUnitID, oaIfMatch},
		desc: "The version edited goes in If-Match or version: 412 (If-Match) or 409 (version) when the unit changed since, 428 without either.",
		body: oaJSON("#UnitRequest", map[string]any{"name": "巡逻车1", "kind": "motorbike", "kiosk": 1, "shifts": []string{"21:00-01:00"}, "version": 2}),
		resp: []oaResponse{oaResp(200, "the unit as stored, with its new version", "application/json", "#Unit")}},
	"DELETE /api/v1/units/{id}": {tag: "records", params: []oaParam{oaUnitID, oaIfMatch},
		body: oaVersionBody,
		resp: []oaResponse{oaResp(200, "the unit is gone", "application/json", "#Deleted")}},

	// ---- what-if scenarios
	"GET /api/v1/scenarios": {tag: "scenarios",
		resp: []oaResponse{oaResp(200, "every scenario by ID, with its stale edits", "application/json", `{"type":"object","required":["scenarios","base_revision"],"properties":{"scenarios":{"type":"array","items":{"$ref":"#/components/schemas/Scenario"}},"base_revision":{"type":"integer"}}}`)}},
	"POST /api/v1/scenarios": {tag: "scenarios",
		body: oaJSON("#ScenarioRequest", oaScenarioExample(0)),
		resp: []oaResponse{oaResp(201, "the scenario, owned by the caller", "application/json", "#Scenario")}},
	"GET /api/v1/scenarios/{id}": {tag: "scenarios", params: []oaParam{oaScenarioID},
		resp: []oaResponse{oaResp(200, "the scenario with the edits that no longer apply (stale_edits)", "application/json", "#Scenario")}},
	"PUT /api/v1/scenarios/{id}": {tag: "scenarios", params: []oaParam{oaScenarioID, oaIfMatch},
		desc: "Replaces name and edits; the version edited goes in If-Match or version (412 or 409 when stale).",
		body: oaJSON("#ScenarioRequest", oaScenarioExample(1)),
		resp: []oaResponse{oaResp(200, "the scenario with its new version", "application/json", "#Scenario")}},
	"DELETE /api/v1/scenarios/{id}": {tag: "scenarios",
		params: []oaParam{oaScenarioID, oaIfMatch, oaQuery("version", "the version deleted (instead of If-Match)", `{"type":"integer","minimum":1}`, nil)},
		body:   oaVersionBody,
		resp:   []oaResponse{oaResp(200, "deleted", "application/json", `{"type":"object","required":["id","deleted"],"properties":{"id":{"type":"integer"},"deleted":{"const":true}}}`)}},
	"GET /api/v1/scenarios/{id}/compare": {tag: "scenarios",
		params: []oaParam{oaScenarioID, oaMode, oaMinutes,
			oaQuery("window", "patrol window HH:MM-HH:MM (default 22:00-02:00)", `{"type":"string"}`, "22:00-02:00"),
			oaQuery("day", "weekday of the patrol figures (mon … sun); empty: a typical night", `{"type":"string"}`, nil),
			oaQuery("seed", "patrol plan seed (default 1)", `{"type":"integer"}`, 1)},
		resp: []oaResponse{oaResp(200, "today's figures, the scenario's, their difference, the changes made and the stale edits skipped", "application/json", "#Comparison")}},
	"GET /api/v1/scenarios/{id}/layers/{layer}": {tag: "scenarios",
		params: []oaParam{oaScenarioID, oaPath("layer", "the layer", `{"type":"string","enum":["cameras","kiosks","units"]}`, "cameras")},
		resp:   []oaResponse{oaResp(200, `the layer with the scenario applied (units as Points at their home kiosk), and the foreign member "scenario": records added, changed, deleted and stale edits`, "application/geo+json", "#ScenarioLayer")}},

	// ---- printable pages
	"GET /report": {tag: "reports",
		params: []oaParam{oaMode, oaMinutes, oaKiosk, oaHours,
			oaQuery("plan", "a plan's ID: adds its covered risk", `{"type":"string"}`, nil),
			oaQuery("scenario", "a scenario's ID: adds its edits against the workspace", `{"type":"string"}`, nil)},
		resp: []oaResponse{oaResp(200, "the jurisdiction report, an HTML page for A4 print", "text/html", `{"type":"string"}`)}},
	"GET /api/v1/plans/{id}/cards": {tag: "plans",
		params: []oaParam{oaPlanID, oaQuery("paper", "a5 (default) or a4", `{"type":"string","enum":["a4","a5","A4","A5"]}`, "a5")},
		resp:   []oaResponse{oaResp(200, "one printable card per unit with its stops, a route sketch and a QR code of its share link (HTML)", "text/html", `{"type":"string"}`)}},

	// ---- exports
	"GET /api/v1/export/{layer}.{ext}": {tag: "workspace",
		desc: "A download (Content-Disposition attachment, Cache-Control no-store): the whole layer, not thinned. CSV starts with a UTF-8 byte-order mark (for Excel on Chinese Windows). Units have no position: units.csv only.",
		params: []oaParam{
			oaPath("layer", "the layer", `{"type":"string","enum":["roads","grids","cameras","kiosks","incidents","sites","units","rings","footprints"]}`, "kiosks"),
			oaPath("ext", "the format", `{"type":"string","enum":["geojson","csv","kml"]}`, "geojson"),
			oaMode, oaMinutes, oaKiosk, oaQuery("per_kiosk", "rings: 1 for one ring per kiosk and tier", `{"type":"string","enum":["0","1"]}`, nil)},
		resp: []oaResponse{{status: 200, desc: "the file", contentType: "application/geo+json", schema: "#FeatureCollection",
			more: map[string]string{"text/csv": `{"type":"string"}`, "application/vnd.google-earth.kml+xml": `{"type":"string"}`}}}},
	"GET /api/v1/plans/{id}/export.{ext}": {tag: "plans",
		params: []oaParam{oaPlanID, oaPath("ext", "the format", `{"type":"string","enum":["geojson","csv","kml","gpx"]}`, "csv")},
		resp: []oaResponse{{status: 200, desc: "the plan as a download: GeoJSON as GET /api/v1/plans/{id}, CSV one row per stop, KML routes and stops, GPX every unit's track", contentType: "application/geo+json", schema: "#PlanGeoJSON",
			more: map[string]string{"text/csv": `{"type":"string"}`, "application/vnd.google-earth.kml+xml": `{"type":"string"}`, "application/gpx+xml": `{"type":"string"}`}}}},

	// ---- patrol plans and share links
	"POST /api/v1/plans": {tag: "plans",
		body: oaJSON("#PlanRequest", map[string]any{"window": "22:00-02:00", "units": []any{map[string]any{"name": "巡逻车", "kind": "car", "kiosk": 1, "count": 1}}, "seed": 7, "vary": 0.3}),
		resp: []oaResponse{
			oaResp(201, "the plan's report and one share link per unit", "application/json", "#PlanCreated"),
			oaResp(202, `with "async":true: the plan is being made; poll the status URL`, "application/json", "#PlanAccepted"),
		}},
	"GET /api/v1/plans/{id}": {tag: "plans", params: []oaParam{oaPlanID},
		resp: []oaResponse{oaResp(200, `guard points, patrol lines and routes as features, the report as the foreign member "report"`, "application/geo+json", "#PlanGeoJSON")}},
	"GET /api/v1/plans/{id}/units/{unit}": {tag: "plans",
		params: []oaParam{oaPlanID, oaPath("unit", "the unit's name or 1-based index, optionally with .gpx", `{"type":"string"}`, "1.gpx")},
		resp:   []oaResponse{oaResp(200, "the unit's track and stops", "application/gpx+xml", `{"type":"string"}`)}},
	"GET /api/v1/plans/{id}/status": {tag: "plans", params: []oaParam{oaPlanID},
		resp: []oaResponse{oaResp(200, "progress, and once done the report and share links", "application/json", "#PlanStatus")}},
	"DELETE /api/v1/share/{token}": {tag: "plans",
		params: []oaParam{oaPath("token", "the share token (the last part of /r/{token})", `{"type":"string"}`, "0123456789abcdef0123456789abcdef")},
		resp:   []oaResponse{oaResp(204, "revoked", "", "")}},
	"GET /r/{token}": {tag: "plans",
		desc:   "Needs no sign-in: the token is the secret. /r/{token}.gpx downloads the route as GPX. Rate-limited per address (429).",
		params: []oaParam{oaPath("token", "the share token, optionally with .gpx", `{"type":"string"}`, "0123456789abcdef0123456789abcdef")},
		resp: []oaResponse{
			oaResp(200, "the route's stops with times for a phone (HTML), or its GPX with .gpx", "text/html", `{"type":"string"}`),
			oaResp(404, "an unknown, expired or revoked link (plain text)", "text/plain", `{"type":"string"}`),
		}},

	// ---- basemap
	"GET /tiles/{z}/{x}/{y}": {tag: "basemap",
		params: []oaParam{
			oaPath("z", "zoom", `{"type":"integer","minimum":0}`, 14),
			oaPath("x", "column", `{"type":"integer","minimum":0}`, 13370),
			oaPath("y", "row (TMS rows are flipped by the server), optionally with an extension such as .png", `{"type":"string"}`, "6700.png"),
		},
		resp: []oaResponse{oaResp(200, "the tile as stored in the MBTiles file (PNG, JPEG, WebP or gzipped vector tile)", "application/octet-stream", `{"type":"string"}`)}},

	// ---- sign-in, users, audit
	"POST /api/v1/login": {tag: "auth",
		desc: "Sets the session cookie; the answer's csrf goes into X-CSRF-Token of every unsafe request. Rate-limited per address and per name (429).",
		body: oaJSON("#LoginRequest", map[string]any{"name": "zhang.wei", "password": "example passphrase"}),
		resp: []oaResponse{oaResp(200, "signed in", "application/json", "#Me")}},
	"POST /api/v1/logout": {tag: "auth", resp: []oaResponse{oaResp(204, "signed out; the cookie is cleared", "", "")}},
	"GET /api/v1/me":      {tag: "auth", resp: []oaResponse{oaResp(200, "the signed-in user and the session's CSRF token", "application/json", "#Me")}},
	"POST /api/v1/tokens": {tag: "auth",
		body: &oaBody{contentType: "application/json", schema: "#TokenRequest", example: map[string]any{"days": 30}, optional: true},
		resp: []oaResponse{oaResp(201, "the token, shown once", "application/json", "#TokenCreated")}},
	"GET /api/v1/users": {tag: "auth", resp: []oaResponse{oaResp(200, "every user, by ID", "application/json", `{"type":"object","required":["users"],"properties":{"users":{"type":"array","items":{"$ref":"#/components/schemas/User"}}}}`)}},
	"POST /api/v1/users": {tag: "auth",
		body: oaJSON("#UserCreate", map[string]any{"name": "li.na", "role": "planner", "password": "a long example passphrase"}),
		resp: []oaResponse{oaResp(201, "the new user", "application/json", "#User")}},
	"PUT /api/v1/users/{id}": {tag: "auth",
		params: []oaParam{oaPath("id", "the user's ID", `{"type":"integer","minimum":1}`, 2)},
		body:   oaJSON("#UserUpdate", map[string]any{"role": "viewer", "disabled": false, "version": 1}),
		resp:   []oaResponse{oaResp(200, "the user with its next version; 409 when version is stale", "application/json", "#User")}},
	"GET /api/v1/audit": {tag: "auth",
		params: []oaParam{
			oaQuery("before", "only entries with a smaller ID (paging); default from the newest", `{"type":"integer"}`, nil),
			oaQuery("limit", "at most this many (1–500)", `{"type":"integer","minimum":1,"maximum":500}`, 100),
		},
		resp: []oaResponse{oaResp(200, "audit entries, newest first", "application/json", "#AuditPage")}},

	// ---- import
	"POST /api/v1/import": {tag: "import",
		desc: "Each form field names a layer and holds a file (GeoJSON or CSV, told apart by the file name's extension, else by the first character; grids GeoJSON only); a field may repeat. " +
			"Each layer given replaces that layer; the others, roads, buildings and units stay. Stored in one transaction; on any error nothing is stored. " +
			"At most 200,000 records per import (api.DefaultMaxImportFeatures; Config.MaxImportFeatures) and 64 MiB per request.",
		body: &oaBody{contentType: "multipart/form-data", schema: "#ImportRequest", example: map[string]any{"kiosks": oaSampleGeoJSON}},
		resp: []oaResponse{
			oaResp(200, "stored and served: the new revision, the workspace's counts and the records per replaced layer", "application/json", "#ImportResult"),
			oaResp(400, "a bad file, with its name and the line or feature where it fails; or too many records", "application/json", "#ImportError"),
		}},
}

// openAPISchemas are the document's components.schemas.
const openAPISchemas = `{
 "Error": {"type": "object", "required": ["code", "error"], "properties": {
  "code": {"type": "string", "enum": ["invalid", "unauthorized", "forbidden", "not_found", "conflict", "too_large", "too_many", "not_implemented", "internal"]},
  "error": {"type": "string", "description": "a message fit to show a user"}}},
 "ImportError": {"type": "object", "required": ["code", "error", "file", "reason"], "properties": {
  "code": {"type": "string", "const": "invalid"},
  "error": {"type": "string", "description": "the whole message, e.g. \"kiosks.csv:7: staff \\\"x\\\" is not a number\""},
  "file": {"type": "string", "description": "the uploaded file's name"},
  "layer": {"type": "string", "enum": ["grids", "cameras", "kiosks", "incidents", "sites"]},
  "line": {"type": "integer", "minimum": 1, "description": "the line of the file, counting from 1"},
  "feature": {"type": "integer", "minimum": 1, "description": "the GeoJSON feature, counting from 1"},
  "reason": {"type": "string", "description": "the message without file and position"}}},
 "Counts": {"type": "object", "required": ["road_nodes", "road_edges", "road_km", "grids", "cameras", "kiosks", "incidents", "sites"], "properties": {
  "road_nodes": {"type": "integer"}, "road_edges": {"type": "integer"}, "road_km": {"type": "number", "description": "car network"},
  "grids": {"type": "integer"}, "cameras": {"type": "integer"}, "kiosks": {"type": "integer"}, "incidents": {"type": "integer"}, "sites": {"type": "integer"}}},
 "Basemap": {"type": "object", "required": ["url", "attribution", "crs"], "properties": {
  "url": {"type": "string", "description": "Leaflet tile template, empty for none"},
  "attribution": {"type": "string"},
  "crs": {"type": "string", "enum": ["wgs84", "gcj02", "bd09"], "description": "the system the tiles are drawn in"},
  "minzoom": {"type": "integer"}, "maxzoom": {"type": "integer", "description": "0: unknown"},
  "format": {"type": "string", "description": "png, jpg, webp, pbf; empty: unknown"}}},
 "Meta": {"type": "object", "required": ["name", "bound", "counts", "notes", "synthetic", "basemap"], "properties": {
  "name": {"type": "string"},
  "bound": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4, "description": "[W,S,E,N] degrees"},
  "counts": {"$ref": "#/components/schemas/Counts"},
  "notes": {"type": "array", "items": {"type": "string"}, "description": "provenance"},
  "synthetic": {"type": "array", "items": {"type": "string"}, "description": "layers whose records are all synthetic demo data"},
  "basemap": {"$ref": "#/components/schemas/Basemap"}}},
 "FeatureCollection": {"type": "object", "required": ["type", "features"], "description": "RFC 7946, lon,lat WGS84", "properties": {
  "type": {"const": "FeatureCollection"},
  "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}}}},
 "Feature": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
  "type": {"const": "Feature"},
  "geometry": {"type": ["object", "null"], "required": ["type"], "properties": {"type": {"type": "string", "enum": ["Point", "LineString", "Polygon", "MultiPolygon", "MultiLineString", "MultiPoint"]}, "coordinates": {"type": "array"}}},
  "properties": {"type": ["object", "null"]}}},
 "Mode": {"type": "string", "enum": ["car", "ebike", "foot"]},
 "ResponseReport": {"type": "object", "required": ["mode", "minutes", "network_km", "kiosks", "tiers", "grids", "sites", "failing_sites"], "properties": {
  "mode": {"$ref": "#/components/schemas/Mode"},
  "minutes": {"type": "array", "items": {"type": "number"}},
  "network_km": {"type": "number"},
  "kiosks": {"type": ["array", "null"], "items": {"type": "object", "required": ["kiosk_id", "snapped"], "properties": {
   "kiosk_id": {"type": "integer"}, "name": {"type": "string"}, "snap_m": {"type": "number"}, "snapped": {"type": "boolean"}}}},
  "tiers": {"type": ["array", "null"], "items": {"type": "object", "required": ["minutes", "road_km", "share"], "properties": {
   "minutes": {"type": "number"}, "road_km": {"type": "number"}, "share": {"type": "number", "description": "of the mode's network length, 0..1"}}}},
  "grids": {"type": ["array", "null"], "items": {"type": "object", "required": ["grid_id", "road_m", "reached_m", "share", "kiosks_within", "backup_share"], "properties": {
   "grid_id": {"type": "integer"}, "name": {"type": "string"}, "road_m": {"type": "number"},
   "reached_m": {"type": ["array", "null"], "items": {"type": "number"}}, "share": {"type": ["array", "null"], "items": {"type": "number"}},
   "kiosks_within": {"type": "integer"}, "backup_share": {"type": "number"}}}},
  "sites": {"type": ["array", "null"], "items": {"type": "object", "required": ["site_id", "tier", "seconds", "ok"], "properties": {
   "site_id": {"type": "integer"}, "name": {"type": "string"}, "category": {"type": "string"}, "tier": {"type": "integer"},
   "seconds": {"type": ["number", "null"]}, "kiosk_id": {"type": "integer"}, "snap_m": {"type": "number"}, "ok": {"type": "boolean"}, "reason": {"type": "string"}}}},
  "failing_sites": {"type": "integer"},
  "settled_nodes": {"type": "integer"}}},
 "KioskSitingRequest": {"type": "object", "additionalProperties": false, "description": "give count (maximal covering) or target_percent (fewest kiosks for the share)", "properties": {
  "mode": {"type": "string", "description": "car (default), ebike, foot"},
  "minutes": {"type": "number", "exclusiveMinimum": 0},
  "count": {"type": "integer", "minimum": 0},
  "target_percent": {"type": "number", "minimum": 0, "maximum": 100},
  "weight": {"type": "string", "enum": ["", "road", "incidents"]},
  "min_spacing_m": {"type": "number", "minimum": 0},
  "seed": {"type": "integer"}}},
 "KioskSiting": {"type": "object", "required": ["mode", "minutes", "total_weight", "covered_before", "covered_after", "upper_bound", "gap", "proposals"], "properties": {
  "mode": {"$ref": "#/components/schemas/Mode"}, "minutes": {"type": "number"}, "weight": {"type": "string"},
  "total_weight": {"type": "number"}, "covered_before": {"type": "number"}, "covered_after": {"type": "number"},
  "upper_bound": {"type": "number"}, "gap": {"type": "number"}, "min_count": {"type": "integer"}, "candidates": {"type": "integer"},
  "proposals": {"type": ["array", "null"], "items": {"type": "object", "required": ["rank", "lon", "lat", "gain", "share_after"], "properties": {
   "rank": {"type": "integer"}, "lon": {"type": "number"}, "lat": {"type": "number"}, "osm_node": {"type": "integer"},
   "gain": {"type": "number"}, "share_after": {"type": "number"}}}}}},
 "KioskRequest": {"type": "object", "additionalProperties": false, "required": ["lon", "lat"], "properties": {
  "name": {"type": "string", "description": "empty: 新警务站 N (POST), the stored name (PUT)"}, "ref": {"type": "string"},
  "lon": {"type": "number", "minimum": -180, "maximum": 180}, "lat": {"type": "number", "minimum": -90, "maximum": 90},
  "staff": {"type": "integer", "minimum": 0}, "vehicles": {"type": "integer", "minimum": 0},
  "version": {"type": "integer", "minimum": 1, "description": "PUT: the version edited (or If-Match)"}}},
 "Kiosk": {"type": "object", "required": ["id", "name", "lon", "lat", "staff", "vehicles", "source", "version"], "properties": {
  "id": {"type": "integer"}, "ref": {"type": "string"}, "name": {"type": "string"}, "lon": {"type": "number"}, "lat": {"type": "number"},
  "staff": {"type": "integer"}, "vehicles": {"type": "integer"}, "source": {"type": "string", "description": "osm, file:<name>, proposal, synthetic, …"},
  "version": {"type": "integer", "description": "the store revision that last wrote it; send it back in If-Match to edit"}}},
 "Deleted": {"type": "object", "required": ["id", "deleted", "version"], "properties": {
  "id": {"type": "integer"}, "deleted": {"const": true}, "version": {"type": "integer", "description": "the revision that deleted it"}}},
 "Camera": {"type": "object", "required": ["id", "kind", "direction_deg", "fov_deg", "range_m", "lon", "lat", "source", "defaulted", "version"], "properties": {
  "id": {"type": "integer"}, "ref": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string", "enum": ["fixed", "dome", "ptz"]},
  "direction_deg": {"type": "number"}, "fov_deg": {"type": "number"}, "range_m": {"type": "number"}, "lon": {"type": "number"}, "lat": {"type": "number"},
  "source": {"type": "string"}, "defaulted": {"type": "array", "items": {"type": "string"}, "description": "which of kind, direction, fov, range came from the defaults"},
  "version": {"type": "integer"}}},
 "CameraSitingRequest": {"type": "object", "additionalProperties": false, "properties": {
  "count": {"type": "integer", "minimum": 1},
  "min_spacing_m": {"type": "number", "minimum": 0, "description": "0: no spacing rule"},
  "hours": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 23}, "description": "local hours of the incidents weighed; empty: all"},
  "candidate_spacing_m": {"type": "number", "minimum": 0, "description": "0: 50 m"},
  "kinds": {"type": "array", "items": {"type": "string", "enum": ["fixed", "dome", "ptz"]}, "description": "empty: fixed and dome"},
  "directions": {"type": "integer", "minimum": 0, "description": "extra evenly spaced bearings for fixed cameras"},
  "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4, "description": "[W,S,E,N] degrees"},
  "grid_ids": {"type": "array", "items": {"type": "integer"}},
  "seed": {"type": "integer"}}},
 "CameraBody": {"type": "object", "required": ["lon", "lat", "kind"], "properties": {
  "lon": {"type": "number"}, "lat": {"type": "number"}, "kind": {"type": "string", "enum": ["fixed", "dome", "ptz"]},
  "direction_deg": {"type": "number"}, "fov_deg": {"type": "number"}, "range_m": {"type": "number"}}},
 "CameraSiting": {"type": "object", "required": ["total_weight", "covered_before", "covered_after", "upper_bound", "gap", "proposals"], "properties": {
  "total_weight": {"type": "number"}, "covered_before": {"type": "number"}, "covered_after": {"type": "number"},
  "upper_bound": {"type": "number"}, "gap": {"type": "number"}, "total_road_m": {"type": "number"},
  "covered_road_before_m": {"type": "number"}, "covered_road_after_m": {"type": "number"},
  "pieces": {"type": "integer"}, "candidate_sites": {"type": "integer"}, "candidates": {"type": "integer"}, "existing": {"type": "integer"},
  "proposals": {"type": ["array", "null"], "items": {"type": "object", "required": ["rank", "lon", "lat", "kind", "gain", "camera"], "properties": {
   "rank": {"type": "integer"}, "lon": {"type": "number"}, "lat": {"type": "number"}, "kind": {"type": "string"},
   "direction_deg": {"type": "number"}, "fov_deg": {"type": "number"}, "range_m": {"type": "number"},
   "gain": {"type": "number"}, "gain_road_m": {"type": "number"}, "share_after": {"type": "number"},
   "camera": {"$ref": "#/components/schemas/CameraBody"}}}}}},
 "GridCoverage": {"type": "object", "required": ["id", "area_m2", "covered_area_m2", "road_m", "covered_road_m", "incident_weight", "covered_incident_weight", "cameras"], "properties": {
  "id": {"type": "integer", "description": "0 for the total"}, "name": {"type": "string"},
  "area_m2": {"type": "number"}, "covered_area_m2": {"type": "number"}, "road_m": {"type": "number"}, "covered_road_m": {"type": "number"},
  "incident_weight": {"type": "number"}, "covered_incident_weight": {"type": "number"}, "cameras": {"type": "integer"}}},
 "CoverageReport": {"type": "object", "required": ["grids", "total"], "properties": {
  "grids": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/GridCoverage"}},
  "total": {"$ref": "#/components/schemas/GridCoverage"}}},
 "CameraRequest": {"type": "object", "additionalProperties": false, "required": ["lon", "lat"], "description": "a missing fov_deg or range_m takes the kind's default", "properties": {
  "name": {"type": "string"}, "ref": {"type": "string"},
  "lon": {"type": "number", "minimum": -180, "maximum": 180}, "lat": {"type": "number", "minimum": -90, "maximum": 90},
  "kind": {"type": "string", "enum": ["fixed", "dome", "ptz"]},
  "direction_deg": {"type": "number", "description": "bearing of the optical axis, degrees clockwise from north"},
  "fov_deg": {"type": "number", "minimum": 0, "maximum": 360}, "range_m": {"type": "number", "minimum": 0},
  "version": {"type": "integer", "minimum": 1, "description": "PUT: the version edited (or If-Match)"}}},
 "CameraResponse": {"type": "object", "required": ["id", "kind", "lon", "lat", "version", "area_m2", "total"], "properties": {
  "id": {"type": "integer"}, "ref": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
  "direction_deg": {"type": "number"}, "fov_deg": {"type": "number"}, "range_m": {"type": "number"},
  "lon": {"type": "number"}, "lat": {"type": "number"}, "source": {"type": "string"}, "version": {"type": "integer"}, "area_m2": {"type": "number"},
  "total": {"$ref": "#/components/schemas/GridCoverage"}}},
 "CameraDeleted": {"type": "object", "required": ["id", "deleted", "version", "total"], "properties": {
  "id": {"type": "integer"}, "deleted": {"const": true}, "version": {"type": "integer"}, "total": {"$ref": "#/components/schemas/GridCoverage"}}},
 "Unit": {"type": "object", "required": ["id", "name", "kind", "kiosk_id", "shifts", "version"], "properties": {
  "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string", "enum": ["car", "motorbike", "foot", "volunteer"]},
  "kiosk_id": {"type": "integer", "description": "the home kiosk"}, "shifts": {"type": "array", "items": {"type": "string"}, "description": "HH:MM-HH:MM local times"},
  "version": {"type": "integer"}}},
 "UnitRequest": {"type": "object", "additionalProperties": false, "required": ["kind"], "properties": {
  "id": {"type": "integer", "description": "ignored: the URL names the unit"}, "name": {"type": "string"},
  "kind": {"type": "string", "enum": ["car", "motorbike", "foot", "volunteer"]},
  "kiosk": {"type": ["integer", "string"], "description": "the home kiosk's ID or name"},
  "kiosk_id": {"type": "integer", "description": "the home kiosk's ID (as GET answers)"},
  "shifts": {"type": "array", "items": {"type": "string"}, "description": "HH:MM-HH:MM each"},
  "version": {"type": "integer", "minimum": 1, "description": "PUT: the version edited (or If-Match)"}}},
 "ScenarioEdit": {"type": "object", "additionalProperties": false, "required": ["op", "kind"], "description": "one edit, flat like the bodies of POST /api/v1/cameras and /api/v1/kiosks; an update changes only the fields given", "properties": {
  "op": {"type": "string", "enum": ["create", "update", "delete"]}, "kind": {"type": "string", "enum": ["camera", "kiosk", "unit"]},
  "id": {"type": "integer", "description": "update, delete: the stored record"}, "version": {"type": "integer", "description": "the record's version edited; default its current one when saved"},
  "name": {"type": "string"}, "ref": {"type": "string"}, "lon": {"type": "number"}, "lat": {"type": "number"},
  "camera_kind": {"type": "string", "enum": ["fixed", "dome", "ptz"]}, "direction_deg": {"type": "number"}, "fov_deg": {"type": "number"}, "range_m": {"type": "number"},
  "staff": {"type": "integer"}, "vehicles": {"type": "integer"},
  "unit_kind": {"type": "string", "enum": ["car", "motorbike", "foot", "volunteer"]}, "home_kiosk": {"type": "integer"},
  "shifts": {"type": "array", "items": {"type": "string"}}}},
 "ScenarioRequest": {"type": "object", "additionalProperties": false, "required": ["name", "edits"], "properties": {
  "name": {"type": "string"}, "edits": {"type": "array", "items": {"$ref": "#/components/schemas/ScenarioEdit"}},
  "version": {"type": "integer", "minimum": 1, "description": "PUT: the version edited (or If-Match)"}}},
 "StaleEdit": {"type": "object", "required": ["edit", "op", "kind", "code", "reason"], "properties": {
  "edit": {"type": "integer", "description": "1-based position in edits"}, "op": {"type": "string"}, "kind": {"type": "string"}, "id": {"type": "integer"},
  "version": {"type": "integer"}, "current_version": {"type": "integer", "description": "0 when the record is gone"},
  "code": {"type": "string"}, "reason": {"type": "string"}}},
 "Scenario": {"type": "object", "required": ["id", "name", "owner", "version", "edits", "stale_edits", "base_revision"], "properties": {
  "id": {"type": "integer"}, "name": {"type": "string"}, "owner": {"type": "string"}, "version": {"type": "integer"},
  "created": {"type": "string", "format": "date-time"}, "updated": {"type": "string", "format": "date-time"},
  "edits": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/ScenarioEdit"}},
  "stale_edits": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/StaleEdit"}},
  "base_revision": {"type": "integer", "description": "the workspace revision stale_edits were checked against"}}},
 "Comparison": {"type": "object", "required": ["scenario_id", "base_revision", "options", "before", "after", "delta"], "description": "see planner.Comparison", "properties": {
  "scenario_id": {"type": "integer"}, "name": {"type": "string"}, "scenario_version": {"type": "integer"}, "base_revision": {"type": "integer"},
  "options": {"type": "object", "properties": {"mode": {"$ref": "#/components/schemas/Mode"}, "minutes": {"type": "array", "items": {"type": "number"}},
   "window": {"type": "string"}, "day": {"type": "string"}, "seed": {"type": "integer"}}},
  "before": {"$ref": "#/components/schemas/Figures"}, "after": {"$ref": "#/components/schemas/Figures"},
  "delta": {"type": "object", "description": "after − before", "properties": {"cameras": {"type": "integer"}, "kiosks": {"type": "integer"}, "units": {"type": "integer"},
   "coverage": {"type": "object"}, "tiers": {"type": ["array", "null"]}, "failing_sites": {"type": "integer"}, "sites": {"type": ["array", "null"]}, "patrol": {"type": "object"}}},
  "changes": {"type": ["array", "null"], "items": {"type": "object", "required": ["edit", "op", "kind", "id"], "properties": {
   "edit": {"type": "integer"}, "op": {"type": "string"}, "kind": {"type": "string"}, "id": {"type": "integer"}}}},
  "stale_edits": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/StaleEdit"}}}},
 "Figures": {"type": ["object", "null"], "properties": {"cameras": {"type": "integer"}, "kiosks": {"type": "integer"}, "units": {"type": "integer"},
  "coverage": {"type": "object"}, "response": {"type": "object"}, "sites": {"type": "object"}, "patrol": {"type": "object"}}},
 "ScenarioLayer": {"allOf": [{"$ref": "#/components/schemas/FeatureCollection"}, {"type": "object", "required": ["scenario"], "properties": {
  "scenario": {"type": "object", "required": ["id", "version", "layer", "added", "changed", "deleted", "stale_edits"], "properties": {
   "id": {"type": "integer"}, "version": {"type": "integer"}, "base_revision": {"type": "integer"}, "layer": {"type": "string"},
   "added": {"type": "array", "items": {"type": "integer"}}, "changed": {"type": "array", "items": {"type": "integer"}},
   "deleted": {"type": "array", "items": {"type": "integer"}, "description": "absent from the features: draw them from the workspace's layer"},
   "stale_edits": {"type": "array", "items": {"$ref": "#/components/schemas/StaleEdit"}}}}}}]},
 "UnitSpec": {"type": "object", "additionalProperties": false, "required": ["kind", "kiosk"], "properties": {
  "name": {"type": "string"},
  "kind": {"type": "string", "enum": ["car", "motorbike", "foot", "volunteer"]},
  "kiosk": {"type": ["integer", "string"], "description": "the home kiosk's ID or name"},
  "count": {"type": "integer", "minimum": 0, "maximum": 100, "description": "0 or 1: one unit; N: units name-1 … name-N"},
  "shift": {"type": "string", "description": "HH:MM-HH:MM inside the window"},
  "breaks": {"type": "array", "items": {"type": "string"}, "description": "breaks at the home kiosk, HH:MM-HH:MM"}}},
 "PlanRequest": {"type": "object", "additionalProperties": false, "required": ["units"], "properties": {
  "window": {"type": "string", "default": "22:00-02:00", "pattern": "^[0-9]{1,2}:[0-9]{2}-[0-9]{1,2}:[0-9]{2}$"},
  "units": {"type": "array", "items": {"$ref": "#/components/schemas/UnitSpec"}},
  "seed": {"type": "integer"},
  "vary": {"type": "number", "minimum": 0, "description": "unpredictability: 0 the best plan; plans keep ≥ 95 % of its covered risk"},
  "day": {"type": "string", "description": "weekday (mon … sun); empty: a typical night"},
  "date": {"type": "string", "format": "date", "description": "YYYY-MM-DD, for GPX times"},
  "tz": {"type": "string", "description": "the date's time zone, e.g. Asia/Shanghai"},
  "async": {"type": "boolean", "description": "answer 202 at once and plan in the background"}}},
 "ShareInfo": {"type": "object", "required": ["unit", "url", "expires"], "properties": {
  "unit": {"type": "string"}, "url": {"type": "string", "description": "/r/{token}"}, "expires": {"type": "string", "format": "date-time"}}},
 "PlanReport": {"type": "object", "required": ["window", "hours", "covered_pct", "baseline_pct"], "properties": {
  "window": {"type": "string"}, "day": {"type": "string"},
  "hours": {"type": ["array", "null"], "items": {"type": "object", "required": ["hour", "risk", "covered_pct", "baseline_pct"], "properties": {
   "hour": {"type": "string"}, "risk": {"type": "number"}, "covered_pct": {"type": "number"}, "baseline_pct": {"type": "number"},
   "points": {"type": "integer"}, "lines": {"type": "integer"}}}},
  "covered_pct": {"type": "number"}, "baseline_pct": {"type": "number"}, "prize": {"type": "number"}, "best_prize": {"type": "number"},
  "vary_ratio": {"type": "number"}, "vary": {"type": "number"}, "vary_attempts": {"type": "integer"},
  "points": {"type": "integer"}, "lines": {"type": "integer"}, "points_covered": {"type": "integer"}, "lines_covered": {"type": "integer"},
  "unreached": {"type": "array", "items": {"type": "string"}}}},
 "PlanCreated": {"type": "object", "required": ["id", "report", "links"], "properties": {
  "id": {"type": "string"}, "report": {"$ref": "#/components/schemas/PlanReport"},
  "links": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/ShareInfo"}}}},
 "PlanAccepted": {"type": "object", "required": ["id", "status"], "properties": {
  "id": {"type": "string"}, "status": {"type": "string", "description": "the status URL"}}},
 "PlanStatus": {"type": "object", "required": ["state", "progress"], "properties": {
  "state": {"type": "string", "enum": ["running", "done", "failed"]}, "progress": {"type": "number", "minimum": 0, "maximum": 1},
  "stage": {"type": "string"}, "error": {"type": "string"},
  "report": {"$ref": "#/components/schemas/PlanReport"}, "links": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/ShareInfo"}}}},
 "PlanGeoJSON": {"allOf": [{"$ref": "#/components/schemas/FeatureCollection"}, {"type": "object", "required": ["report"], "properties": {
  "report": {"$ref": "#/components/schemas/PlanReport"}}}],
  "description": "features with properties.layer guard_point, patrol_line or route"},
 "Role": {"type": "string", "enum": ["admin", "commander", "planner", "viewer", "volunteer"]},
 "User": {"type": "object", "required": ["id", "name", "role", "disabled", "version"], "properties": {
  "id": {"type": "integer"}, "name": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"},
  "disabled": {"type": "boolean"}, "created": {"type": "string", "format": "date-time"}, "version": {"type": "integer"}}},
 "Me": {"type": "object", "required": ["user", "csrf"], "properties": {
  "user": {"$ref": "#/components/schemas/User"},
  "csrf": {"type": "string", "description": "send as X-CSRF-Token on unsafe requests of this cookie session; empty for a bearer token"}}},
 "LoginRequest": {"type": "object", "additionalProperties": false, "required": ["name", "password"], "properties": {
  "name": {"type": "string"}, "password": {"type": "string", "format": "password"}}},
 "TokenRequest": {"type": "object", "additionalProperties": false, "properties": {
  "days": {"type": "integer", "minimum": 1, "maximum": 90}}},
 "TokenCreated": {"type": "object", "required": ["token", "expires"], "properties": {
  "token": {"type": "string", "description": "Authorization: Bearer TOKEN; shown once"}, "expires": {"type": "string", "format": "date-time"}}},
 "UserCreate": {"type": "object", "additionalProperties": false, "required": ["name", "role", "password"], "properties": {
  "name": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}, "password": {"type": "string", "format": "password"}}},
 "UserUpdate": {"type": "object", "additionalProperties": false, "required": ["version"], "properties": {
  "role": {"$ref": "#/components/schemas/Role"}, "password": {"type": "string", "format": "password", "description": "empty: unchanged"},
  "disabled": {"type": "boolean"}, "version": {"type": "integer", "description": "the version read; 409 when stale"}}},
 "AuditEntry": {"type": "object", "required": ["id", "at", "actor", "action"], "properties": {
  "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"}, "action": {"type": "string"},
  "kind": {"type": "string"}, "record_id": {"type": "integer"}, "before": {}, "after": {}}},
 "AuditPage": {"type": "object", "required": ["entries"], "properties": {"entries": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}}},
 "ImportRequest": {"type": "object", "description": "one or more files, each in the field of its layer (a field may repeat)", "minProperties": 1, "additionalProperties": false, "properties": {
  "cameras": {"type": "string", "contentMediaType": "application/octet-stream", "description": "GeoJSON Points or CSV (lat/lon or WKT POINT; kind, direction_deg, fov_deg, range_m, name)"},
  "kiosks": {"type": "string", "contentMediaType": "application/octet-stream", "description": "GeoJSON Points or CSV (name, staff, vehicles)"},
  "incidents": {"type": "string", "contentMediaType": "application/octet-stream", "description": "GeoJSON Points or CSV with times (datetime or date + time, category, weight)"},
  "sites": {"type": "string", "contentMediaType": "application/octet-stream", "description": "GeoJSON Points or Polygons, or CSV (name, category, tier)"},
  "grids": {"type": "string", "contentMediaType": "application/octet-stream", "description": "GeoJSON (Multi)Polygons (name, population, risk)"}}},
 "ImportResult": {"type": "object", "required": ["revision", "counts", "layers", "files"], "properties": {
  "revision": {"type": "integer", "description": "the store's revision after the import"},
  "counts": {"$ref": "#/components/schemas/Counts"},
  "layers": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "records now in each replaced layer"},
  "files": {"type": "array", "items": {"type": "object", "required": ["layer", "file", "format", "records"], "properties": {
   "layer": {"type": "string"}, "file": {"type": "string"}, "format": {"type": "string", "enum": ["geojson", "csv"]}, "records": {"type": "integer"}}}}}}
}`
