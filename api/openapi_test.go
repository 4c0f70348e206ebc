package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// openAPIDoc fetches the document as an anonymous caller.
func openAPIDoc(t *testing.T, ts *testSrv) map[string]any {
	t.Helper()
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/openapi.json", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/openapi.json: %d %s\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	return doc
}

// docOp is one operation of the document.
type docOp struct {
	method, path string
	op           map[string]any
}

func docOps(doc map[string]any) []docOp {
	var out []docOp
	for p, item := range doc["paths"].(map[string]any) {
		for m, op := range item.(map[string]any) {
			out = append(out, docOp{strings.ToUpper(m), p, op.(map[string]any)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	return out
}

// bodyless are the unsafe routes that take no request body.
var bodyless = map[string]bool{
	"POST /api/v1/logout": true,
}

func TestOpenAPIDocument(t *testing.T) {
	ts := newTestServer(t, testWorkspace(), Config{Web: http.NotFoundHandler()})
	doc := openAPIDoc(t, ts)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	if info, _ := doc["info"].(map[string]any); info["title"] == nil || info["version"] == nil {
		t.Errorf("info = %v", doc["info"])
	}
	// The (method, path) pairs are the route table's, "/*" aside.
	want := map[string]bool{}
	for _, rt := range ts.srv.Routes() {
		if rt.Pattern != "/*" {
			want[rt.Method+" "+openAPIPath(rt.Pattern)] = true
		}
	}
	got := map[string]bool{}
	for _, o := range docOps(doc) {
		got[o.method+" "+o.path] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("route %s is not in the document", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("the document has %s, which is no route", k)
		}
	}
	if len(got) < 30 {
		t.Errorf("only %d operations", len(got))
	}
	// The document tells nothing about the workspace.
	b, _ := json.Marshal(doc)
	for _, secret := range []string{"武汉测试", "江汉路警务站", "汉口站"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the document contains workspace data %q", secret)
		}
	}
	access := map[string]Access{}
	for _, rt := range ts.srv.Routes() {
		access[rt.Method+" "+openAPIPath(rt.Pattern)] = rt.Access
	}
	ids := map[string]string{}
	for _, o := range docOps(doc) {
		key := o.method + " " + o.path
		op := o.op
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", key)
		}
		id, _ := op["operationId"].(string)
		if prev, dup := ids[id]; id == "" || dup {
			t.Errorf("%s: operationId %q (also %s)", key, id, prev)
		}
		ids[id] = key
		// Every path parameter documented, required, with a schema and an example.
		params := map[string]map[string]any{}
		for _, p := range asSlice(op["parameters"]) {
			pm := p.(map[string]any)
			if pm["schema"] == nil || pm["name"] == nil || pm["description"] == nil {
				t.Errorf("%s: parameter %v lacks name, description or schema", key, pm)
			}
			params[fmt.Sprint(pm["in"], " ", pm["name"])] = pm
		}
		for _, name := range oaPathParams(o.path) {
			pm := params["path "+name]
			if pm == nil || pm["required"] != true || pm["example"] == nil {
				t.Errorf("%s: path parameter {%s} not documented as required with an example: %v", key, name, pm)
			}
		}
		// Security by access level.
		sec := fmt.Sprint(op["security"])
		a := access[key]
		if op["x-access"] != a.String() {
			t.Errorf("%s: x-access %v, want %s", key, op["x-access"], a)
		}
		switch {
		case a == Public:
			if sec != "[]" {
				t.Errorf("%s: Public, security %s, want []", key, sec)
			}
		case unsafeMethod(o.method):
			if !strings.Contains(sec, "csrf") || !strings.Contains(sec, "session") || !strings.Contains(sec, "bearer") {
				t.Errorf("%s: security %s, want session+csrf or bearer", key, sec)
			}
		default:
			if strings.Contains(sec, "csrf") || !strings.Contains(sec, "session") || !strings.Contains(sec, "bearer") {
				t.Errorf("%s: security %s, want session or bearer", key, sec)
			}
		}
		resp, _ := op["responses"].(map[string]any)
		if a != Public && (resp["401"] == nil || resp["403"] == nil) {
			t.Errorf("%s: no 401/403 responses", key)
		}
		// Every request that takes a body documents it, with an example
		// that its own schema accepts.
		rb, _ := op["requestBody"].(map[string]any)
		if (o.method == "POST" || o.method == "PUT" || o.method == "PATCH") && !bodyless[key] && rb == nil {
			t.Errorf("%s: no requestBody", key)
		}
		for ct, media := range asMap(rb["content"]) {
			m := media.(map[string]any)
			if m["schema"] == nil || m["example"] == nil {
				t.Errorf("%s: %s body without schema or example", key, ct)
				continue
			}
			if err := validate(doc, m["schema"], m["example"], "example"); err != nil {
				t.Errorf("%s: the example does not match its schema: %v", key, err)
			}
		}
		for code, r := range resp {
			if asMap(r)["description"] == nil {
				t.Errorf("%s: response %s has no description", key, code)
			}
		}
	}
	// Every $ref resolves; every security scheme used exists.
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if _, err := resolveRef(doc, ref); err != nil {
					t.Errorf("$ref %s: %v", ref, err)
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(doc)
	schemes := asMap(asMap(doc["components"])["securitySchemes"])
	for _, o := range docOps(doc) {
		for _, req := range asSlice(o.op["security"]) {
			for name := range asMap(req) {
				if schemes[name] == nil {
					t.Errorf("%s %s: security scheme %s is not defined", o.method, o.path, name)
				}
			}
		}
	}
	if c := asMap(schemes["session"]); c["name"] != SessionCookie || c["in"] != "cookie" {
		t.Errorf("session scheme %v", c)
	}
}

// TestOpenAPIExamplesReachHandlers sends every documented request body's
// example, with the documented path and query examples, to the real
// handler as the admin, each on a fresh server: none may be refused as
// malformed (400), aimed at nothing (404) or at the wrong method (405),
// and a successful JSON answer must match the documented response schema.
// GET operations are called the same way and checked where they succeed.
// A record an example names that the test workspace lacks (a scenario, a
// unit) is made first with the example of the collection's POST, and a
// "version" in an example is the record's current one, read with GET.
func TestOpenAPIExamplesReachHandlers(t *testing.T) {
	doc := openAPIDoc(t, newTestServer(t, exampleWorkspace(t), Config{}))
	ops := map[string]docOp{}
	for _, o := range docOps(doc) {
		ops[o.method+" "+o.path] = o
	}
	for _, o := range docOps(doc) {
		rb := asMap(o.op["requestBody"])
		if rb == nil && o.method != "GET" {
			continue
		}
		t.Run(o.method+" "+o.path, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, exampleWorkspace(t), Config{})
			// Make the record first when the collection has a POST, and
			// address the one made.
			ids := map[string]string{}
			if coll, _, ok := strings.Cut(o.path, "/{id}"); ok {
				if post, ok := ops["POST "+coll]; ok {
					b, _ := json.Marshal(asMap(asMap(asMap(post.op["requestBody"])["content"])["application/json"])["example"])
					rec, made := ts.do(t, "POST", coll, string(b), "Content-Type", "application/json")
					if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
						t.Fatalf("setup POST %s: %d %s", coll, rec.Code, rec.Body.String())
					}
					if id, ok := made["id"]; ok {
						ids["id"] = fmt.Sprint(id)
					}
				}
			}
			target := exampleURL(t, o, ids)
			var body, ct string
			for mt, media := range asMap(rb["content"]) {
				ex := asMap(media)["example"]
				if m := asMap(ex); m != nil && m["version"] != nil {
					if _, ok := ops["GET "+o.path]; ok {
						if rec, cur := ts.do(t, "GET", target, ""); rec.Code == http.StatusOK && cur["version"] != nil {
							m = maps.Clone(m)
							m["version"] = cur["version"]
							ex = m
						}
					}
				}
				switch mt {
				case "application/json":
					b, _ := json.Marshal(ex)
					body, ct = string(b), mt
				case "multipart/form-data":
					var files []importFilePart
					for field, content := range asMap(ex) {
						files = append(files, importFilePart{field, field, fmt.Sprint(content)})
					}
					body, ct = multipartBody(t, files...)
				default:
					t.Fatalf("request content type %s: the test cannot send it", mt)
				}
			}
			hdr := []string{}
			if ct != "" {
				hdr = append(hdr, "Content-Type", ct)
			}
			rec, _ := ts.do(t, o.method, target, body, hdr...)
			if rb != nil {
				switch rec.Code {
				case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed:
					t.Fatalf("%s %s with the documented example: %d %s", o.method, target, rec.Code, rec.Body.String())
				}
			}
			t.Logf("%s %s: %d", o.method, target, rec.Code)
			if rec.Code >= 300 {
				return
			}
			r := asMap(asMap(o.op["responses"])[fmt.Sprint(rec.Code)])
			if r == nil {
				t.Fatalf("%s %s answered %d, which is not documented", o.method, target, rec.Code)
			}
			gotCT := rec.Header().Get("Content-Type")
			content := asMap(r["content"])
			if len(content) == 0 && rec.Body.Len() > 0 {
				t.Errorf("answered a body (%s), documented none", gotCT)
			}
			matched := len(content) == 0
			for mt, media := range content {
				if !strings.HasPrefix(gotCT, mt) {
					continue
				}
				matched = true
				if !strings.Contains(mt, "json") {
					continue
				}
				var v any
				if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
					t.Fatalf("answer is not JSON: %v", err)
				}
				if err := validate(doc, asMap(media)["schema"], v, "response"); err != nil {
					t.Errorf("the answer does not match the documented schema: %v\n%.2000s", err, rec.Body.String())
				}
			}
			if !matched {
				t.Errorf("Content-Type %q is not documented (%v)", gotCT, slices.Collect(maps.Keys(content)))
			}
		})
	}
}

// exampleWorkspace is gridWorkspace (a 1 km street grid by Wuhan's
// Jianghan Road with a kiosk and a school) with two cameras and evening
// incidents, so that every documented example has something to work on.
func exampleWorkspace(t *testing.T) *planner.Workspace {
	ws := gridWorkspace(t)
	ws.Cameras = []planner.Camera{
		{ID: 1, Ref: "C1", Location: geo.Point{Lon: 114.3005, Lat: 30.5902}, Kind: planner.CameraFixed, DirectionDeg: 90, FOVDeg: 60, RangeM: 40, Source: "test"},
		{ID: 2, Ref: "C2", Location: geo.Point{Lon: 114.3041, Lat: 30.5921}, Kind: planner.CameraDome, FOVDeg: 360, RangeM: 30, Source: "test"},
	}
	for i := range 40 {
		ws.Incidents = append(ws.Incidents, planner.Incident{ID: int64(i + 1), Location: geo.Point{Lon: 114.3005 + float64(i%8)*0.0012, Lat: 30.5901 + float64(i/8)*0.0015},
			Time: time.Date(2026, 8, 1+i%7, 22+i%3, 10, 0, 0, time.UTC).Add(0), Category: "theft", Weight: 1, Source: "test"})
	}
	return ws
}

// TestOpenAPIMissingRoute: a route without documentation is an error of
// the generator, so the document cannot silently lag behind the table.
func TestOpenAPIMissingRoute(t *testing.T) {
	saved := openAPIOps["GET /api/v1/meta"]
	delete(openAPIOps, "GET /api/v1/meta")
	defer func() { openAPIOps["GET /api/v1/meta"] = saved }()
	if _, err := NewServer(testWorkspace(), Config{}).OpenAPI(); err == nil || !strings.Contains(err.Error(), "GET /api/v1/meta") {
		t.Errorf("OpenAPI() without the meta route's entry: %v, want an error naming it", err)
	}
}

func TestOpenAPIPath(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/cameras/{id}":           "/api/v1/cameras/{id}",
		"/api/v1/x/{id:[0-9]+}/y/{name}": "/api/v1/x/{id}/y/{name}",
	} {
		if got := openAPIPath(in); got != want {
			t.Errorf("openAPIPath(%q) = %q, want %q", in, got, want)
		}
	}
	if got := oaOperationID("PUT", "/api/v1/cameras/{id}"); got != "putCamerasId" {
		t.Errorf("operationId %q", got)
	}
}

// exampleURL fills an operation's path with its parameters' examples and
// adds the query parameters that have one.
func exampleURL(t *testing.T, o docOp, override map[string]string) string {
	t.Helper()
	p := o.path
	q := url.Values{}
	for _, prm := range asSlice(o.op["parameters"]) {
		pm := asMap(prm)
		ex, has := pm["example"]
		if !has {
			continue
		}
		s := fmt.Sprint(ex)
		if f, ok := ex.(float64); ok {
			s = fmt.Sprint(int64(f))
			if float64(int64(f)) != f {
				s = fmt.Sprint(f)
			}
		}
		if v, ok := override[fmt.Sprint(pm["name"])]; ok && pm["in"] == "path" {
			s = v
		}
		switch pm["in"] {
		case "path":
			p = strings.ReplaceAll(p, "{"+fmt.Sprint(pm["name"])+"}", url.PathEscape(s))
		case "query":
			q.Set(fmt.Sprint(pm["name"]), s)
		}
	}
	if regexp.MustCompile(`\{`).MatchString(p) {
		t.Fatalf("%s: path parameters without examples", p)
	}
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asSlice(v any) []any        { s, _ := v.([]any); return s }

func resolveRef(doc map[string]any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("not a local reference")
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		m := asMap(cur)
		if m == nil || m[part] == nil {
			return nil, fmt.Errorf("%s not found", part)
		}
		cur = m[part]
	}
	return cur, nil
}

// validate checks v against the JSON Schema subset the document uses:
// $ref, allOf, anyOf, oneOf, type, const, enum, properties, required,
// additionalProperties, minProperties, items, minItems, maxItems,
// minimum, maximum, exclusiveMinimum and pattern.
func validate(doc map[string]any, schema, v any, at string) error {
	s := asMap(schema)
	if s == nil {
		if schema == true || schema == nil {
			return nil
		}
		return fmt.Errorf("%s: schema %v is not an object", at, schema)
	}
	if ref, ok := s["$ref"].(string); ok {
		target, err := resolveRef(doc, ref)
		if err != nil {
			return fmt.Errorf("%s: %s: %v", at, ref, err)
		}
		if err := validate(doc, target, v, at); err != nil {
			return err
		}
	}
	for _, sub := range asSlice(s["allOf"]) {
		if err := validate(doc, sub, v, at); err != nil {
			return err
		}
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		subs := asSlice(s[kw])
		if subs == nil {
			continue
		}
		n := 0
		var errs []string
		for _, sub := range subs {
			if err := validate(doc, sub, v, at); err == nil {
				n++
			} else {
				errs = append(errs, err.Error())
			}
		}
		if n == 0 || (kw == "oneOf" && n > 1) {
			return fmt.Errorf("%s: %d of %s match: %s", at, n, kw, strings.Join(errs, "; "))
		}
	}
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		return fmt.Errorf("%s: %v, want %v", at, v, c)
	}
	if e := asSlice(s["enum"]); e != nil && !slices.ContainsFunc(e, func(x any) bool { return fmt.Sprint(x) == fmt.Sprint(v) && jsonType(x) == jsonType(v) }) {
		return fmt.Errorf("%s: %v is not one of %v", at, v, e)
	}
	if ty, ok := s["type"]; ok {
		var types []string
		switch x := ty.(type) {
		case string:
			types = []string{x}
		case []any:
			for _, y := range x {
				types = append(types, fmt.Sprint(y))
			}
		}
		got := jsonType(v)
		okType := slices.Contains(types, got) || (got == "integer" && slices.Contains(types, "number"))
		if !okType {
			return fmt.Errorf("%s: a JSON %s, want %v", at, got, types)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for _, r := range asSlice(s["required"]) {
			if _, ok := x[fmt.Sprint(r)]; !ok {
				return fmt.Errorf("%s: no %q", at, r)
			}
		}
		if mp, ok := s["minProperties"].(float64); ok && float64(len(x)) < mp {
			return fmt.Errorf("%s: %d properties, want at least %g", at, len(x), mp)
		}
		props := asMap(s["properties"])
		for k, val := range x {
			if ps, ok := props[k]; ok {
				if err := validate(doc, ps, val, at+"."+k); err != nil {
					return err
				}
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					return fmt.Errorf("%s: unexpected property %q", at, k)
				}
			case map[string]any:
				if err := validate(doc, ap, val, at+"."+k); err != nil {
					return err
				}
			}
		}
	case []any:
		if mi, ok := s["minItems"].(float64); ok && float64(len(x)) < mi {
			return fmt.Errorf("%s: %d items, want at least %g", at, len(x), mi)
		}
		if ma, ok := s["maxItems"].(float64); ok && float64(len(x)) > ma {
			return fmt.Errorf("%s: %d items, want at most %g", at, len(x), ma)
		}
		if it, ok := s["items"]; ok {
			for i, val := range x {
				if err := validate(doc, it, val, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case float64:
		if m, ok := s["minimum"].(float64); ok && x < m {
			return fmt.Errorf("%s: %g < minimum %g", at, x, m)
		}
		if m, ok := s["maximum"].(float64); ok && x > m {
			return fmt.Errorf("%s: %g > maximum %g", at, x, m)
		}
		if m, ok := s["exclusiveMinimum"].(float64); ok && x <= m {
			return fmt.Errorf("%s: %g ≤ exclusive minimum %g", at, x, m)
		}
	case string:
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(x) {
			return fmt.Errorf("%s: %q does not match %s", at, x, p)
		}
	}
	return nil
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case int:
		return "integer"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// TestValidator: the schema checker itself.
func TestValidator(t *testing.T) {
	doc := map[string]any{"components": map[string]any{"schemas": map[string]any{"N": map[string]any{"type": "integer", "minimum": 1.0}}}}
	var schema any
	_ = json.Unmarshal([]byte(`{"type":"object","required":["a"],"additionalProperties":false,"properties":{
		"a":{"$ref":"#/components/schemas/N"},"b":{"type":["string","null"],"enum":["x",null]},"c":{"type":"array","items":{"type":"number"},"maxItems":2}}}`), &schema)
	for in, ok := range map[string]bool{
		`{"a":1}`: true, `{"a":1,"b":null,"c":[1.5,2]}`: true, `{"a":0}`: false, `{"a":1.5}`: false, `{}`: false,
		`{"a":1,"d":1}`: false, `{"a":1,"b":"y"}`: false, `{"a":1,"c":[1,2,3]}`: false, `{"a":1,"c":["1"]}`: false,
	} {
		var v any
		_ = json.Unmarshal([]byte(in), &v)
		if err := validate(doc, schema, v, "v"); (err == nil) != ok {
			t.Errorf("validate(%s) = %v, want ok %v", in, err, ok)
		}
	}
}
