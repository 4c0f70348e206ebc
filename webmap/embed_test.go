package webmap

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

func writeFile(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDevDirServesFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "index.html", `<!doctype html><title>x</title><script src="app.js"></script>`)
	writeFile(t, dir, "app.js", `console.log(1)`)
	writeFile(t, dir, "app.css", `body{}`)
	writeFile(t, dir, ".gitkeep", "secret")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := Handler(dir)

	res, body := get(t, h, http.MethodGet, "/")
	if res.StatusCode != 200 || !strings.Contains(body, `src="app.js"`) {
		t.Fatalf("GET / = %d %q", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET / content type %q", ct)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("GET / cache control %q", cc)
	}
	res, body = get(t, h, http.MethodGet, "/index.html")
	if res.StatusCode != 200 || !strings.Contains(body, "app.js") {
		t.Errorf("GET /index.html = %d (want 200, no redirect)", res.StatusCode)
	}
	res, _ = get(t, h, http.MethodGet, "/app.js")
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.Contains(ct, "javascript") {
		t.Errorf("GET /app.js = %d %q", res.StatusCode, ct)
	}
	res, _ = get(t, h, http.MethodGet, "/app.css")
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, "text/css") {
		t.Errorf("GET /app.css = %d %q", res.StatusCode, ct)
	}
	res, _ = get(t, h, http.MethodHead, "/app.js")
	if res.StatusCode != 200 {
		t.Errorf("HEAD /app.js = %d", res.StatusCode)
	}
	for _, p := range []string{"/.gitkeep", "/sub/", "/sub", "/missing.js", "/../embed.go", "/%2e%2e/embed.go"} {
		if res, _ := get(t, h, http.MethodGet, p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
		}
	}
	if res, _ := get(t, h, http.MethodPost, "/"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", res.StatusCode)
	}
}

func TestNotBuiltAnswers503(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, ".gitkeep", "")
	res, body := get(t, Handler(dir), http.MethodGet, "/")
	if res.StatusCode != http.StatusServiceUnavailable || body != NotBuiltMessage {
		t.Fatalf("GET / before a build = %d %q", res.StatusCode, body)
	}
}

// The embedded files are either the placeholder (fresh checkout) or a full
// build whose page loads only its own app.js and app.css.
func TestEmbedded(t *testing.T) {
	h := Handler("")
	res, body := get(t, h, http.MethodGet, "/")
	if !Built() {
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("unbuilt GET / = %d", res.StatusCode)
		}
		t.Skip("frontend not built; run `npm run build` in webmap/ to test the embedded page")
	}
	if res.StatusCode != 200 {
		t.Fatalf("GET / = %d", res.StatusCode)
	}
	for _, want := range []string{`src="app.js"`, `href="app.css"`, `lang="zh-CN"`, "Tidewatch 潮汐警务规划"} {
		if !strings.Contains(body, want) {
			t.Errorf("index.html lacks %s", want)
		}
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("index.html refers to another host:\n%s", body)
	}
	for _, p := range []string{"/app.js", "/app.css"} {
		res, body := get(t, h, http.MethodGet, p)
		if res.StatusCode != 200 || len(body) < 1000 {
			t.Errorf("GET %s = %d, %d bytes", p, res.StatusCode, len(body))
		}
	}
}
