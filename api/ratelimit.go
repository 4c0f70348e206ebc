package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidewatch/tidewatch/planner"
)

// Limits on what one client may ask: rate limits, request body sizes, and
// the security headers of every response.
//
// Rate limits are in-memory token buckets per client address, taken from
// the connection (r.RemoteAddr), never from X-Forwarded-For, which any
// client can forge. Behind a reverse proxy every request comes from the
// proxy's address, so the per-address limits then apply to all clients
// together; the per-user-name sign-in limit still holds. Each server
// process counts on its own.

// Limits configures the rate limits; zero fields take the defaults.
type Limits struct {
	// LoginPerMinute caps POST /api/v1/login per client address and,
	// separately, per user name tried (default 10).
	LoginPerMinute int
	// SharePerMinute caps GET /r/{token} per client address (default 60),
	// so share tokens cannot be guessed by brute force.
	SharePerMinute int
}

// Default limits.
const (
	DefaultLoginPerMinute = 10
	DefaultSharePerMinute = 60
	// DefaultBodyLimit caps every request body unless the route raises it
	// with withBodyLimit.
	DefaultBodyLimit int64 = 1 << 20
)

// guardState is a server's rate limiters and response headers, made on
// first use.
type guardState struct {
	once  sync.Once
	login *limiter
	share *limiter
	csp   string
}

func (s *Server) limits() *guardState {
	g := &s.guards
	g.once.Do(func() {
		l := s.cfg.Limits
		if l.LoginPerMinute <= 0 {
			l.LoginPerMinute = DefaultLoginPerMinute
		}
		if l.SharePerMinute <= 0 {
			l.SharePerMinute = DefaultSharePerMinute
		}
		g.login = newLimiter(l.LoginPerMinute)
		g.share = newLimiter(l.SharePerMinute)
		g.csp = contentSecurityPolicy(s.basemap().URL)
	})
	return g
}

// limiter is a set of token buckets, one per key, each holding up to
// perMinute tokens and refilled at perMinute a minute.
type limiter struct {
	mu        sync.Mutex
	perMinute float64
	buckets   map[string]*bucket
	swept     time.Time
	now       func() time.Time // tests move the clock
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMinute: float64(perMinute), buckets: map[string]*bucket{}}
}

// allow takes a token from key's bucket; when it is empty it returns how
// long until the next token and false.
func (l *limiter) allow(key string) (time.Duration, bool) { return l.take(key, 1) }

// peek reports, like allow, whether key's bucket holds a token, without
// taking it.
func (l *limiter) peek(key string) (time.Duration, bool) { return l.take(key, 0) }

// take refills key's bucket and takes n (0 or 1) tokens from it if it
// holds at least one.
func (l *limiter) take(key string, n float64) (time.Duration, bool) {
	if len(key) > 64 { // user names are chosen by the caller: bound the memory a key takes
		sum := sha256.Sum256([]byte(key))
		key = key[:8] + hex.EncodeToString(sum[:16])
	}
	now := time.Now()
	if l.now != nil {
		now = l.now()
	}
	rate := l.perMinute / 60 // tokens a second
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		// A bucket untouched for a minute is full again: forget it.
		for k, b := range l.buckets {
			if now.Sub(b.at) > time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.perMinute, at: now}
		l.buckets[key] = b
	} else if now.After(b.at) {
		b.tokens = math.Min(l.perMinute, b.tokens+now.Sub(b.at).Seconds()*rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens -= n
		return 0, true
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second)), false
}

// clientIP is the address of the connection's far end, without the port.
func clientIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// tooMany answers 429 with Retry-After (whole seconds, at least 1).
func tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, msg string) {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	Error(w, r, planner.Errorf(planner.ETOOMANY, "%s: try again in %d s", msg, secs))
}

// shareLimit rate-limits guessing on a share-link route: each answer
// that is not found (an unknown, expired or revoked token) takes a token
// from the client address's bucket, and an address with an empty bucket
// gets 429 for every request until it refills. Fetching a valid link
// costs nothing, so a whole volunteer group behind one address can open
// its route as often as it likes, while 2^128 tokens stay unguessable.
func (s *Server) shareLimit(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lim, ip := s.limits().share, clientIP(r)
		if wait, ok := lim.peek(ip); !ok {
			tooMany(w, r, wait, "too many unknown share links from this address")
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		h(sw, r)
		if sw.status == http.StatusNotFound {
			lim.allow(ip)
		}
	}
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ---------- request bodies ----------

type bodyCapKey struct{}

// bodyCap is the body limit of one request; exceeded is set once the
// body turned out larger, so that Error answers 413 whatever the handler
// made of the read error.
type bodyCap struct {
	limit    int64
	exceeded atomic.Bool
}

// capBody limits r's body to the route's limit (DefaultBodyLimit unless
// the handler is wrapped by withBodyLimit). The limit is applied at the
// first read, so a handler may raise it first.
func capBody(w http.ResponseWriter, r *http.Request) *http.Request {
	bc := &bodyCap{limit: DefaultBodyLimit}
	r = r.WithContext(context.WithValue(r.Context(), bodyCapKey{}, bc))
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &cappedBody{w: w, orig: r.Body, length: r.ContentLength, cap: bc}
	}
	return r
}

// withBodyLimit sets the request body limit of a route to n bytes instead
// of DefaultBodyLimit (1 MiB), e.g. for imports:
//
//	{"POST", "/api/v1/import", AdminOnly, "…", withBodyLimit(64<<20, s.importWorkspace)}
func withBodyLimit(n int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if bc, ok := r.Context().Value(bodyCapKey{}).(*bodyCap); ok {
			bc.limit = n
		}
		h(w, r)
	}
}

// bodyTooLarge reports whether r's body went over its limit.
func bodyTooLarge(r *http.Request) (int64, bool) {
	if r == nil {
		return 0, false
	}
	bc, ok := r.Context().Value(bodyCapKey{}).(*bodyCap)
	if !ok || !bc.exceeded.Load() {
		return 0, false
	}
	return bc.limit, true
}

type cappedBody struct {
	w      http.ResponseWriter
	orig   io.ReadCloser
	length int64 // Content-Length, -1 if unknown
	cap    *bodyCap
	inner  io.Reader
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.inner == nil {
		if c.length > c.cap.limit {
			c.cap.exceeded.Store(true)
			return 0, &http.MaxBytesError{Limit: c.cap.limit}
		}
		c.inner = http.MaxBytesReader(c.w, c.orig, c.cap.limit)
	}
	n, err := c.inner.Read(p)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		c.cap.exceeded.Store(true)
	}
	return n, err
}

func (c *cappedBody) Close() error { return c.orig.Close() }

// sizeText writes a byte count as people read it: 1 MiB, 64 MiB, 1500 bytes.
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// ---------- response headers ----------

// securityHeaders sets on every response: no MIME sniffing, no framing,
// no referrer to other sites, and a Content-Security-Policy allowing only
// this server (plus the basemap's tile host), inline styles (Leaflet
// positions its panes with them) and data:/blob: images.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Content-Security-Policy", s.limits().csp)
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy returns the policy for a web map whose basemap
// tiles come from tileURL (a Leaflet template; "" or a path for none or
// this server).
func contentSecurityPolicy(tileURL string) string {
	tiles := tileSource(tileURL)
	img := "'self' data: blob:"
	connect := "'self'"
	if tiles != "" {
		img += " " + tiles
		connect += " " + tiles
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src " + img,
		"connect-src " + connect,
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// tileSource returns the CSP source of a tile URL template's host:
// "http://tiles.local:8080", "http://*.tiles.local" for {s} subdomains,
// the bare scheme when the host has other placeholders, "" for a path on
// this server.
func tileSource(tmpl string) string {
	scheme, rest, ok := strings.Cut(tmpl, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	if strings.HasPrefix(host, "{s}.") {
		host = "*." + strings.TrimPrefix(host, "{s}.")
	}
	if strings.ContainsAny(host, "{}'; ") || host == "" {
		return scheme + ":"
	}
	if u, err := url.Parse(scheme + "://" + strings.Replace(host, "*.", "x.", 1)); err != nil || u.Host == "" {
		return scheme + ":"
	}
	return scheme + "://" + host
}
