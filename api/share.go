package api

import (
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/tidewatch/tidewatch/data/gpx"
	"github.com/tidewatch/tidewatch/planner"
)

// ShareTTL is how long a route's share link works: a night's plan is over
// within a day.
const ShareTTL = 24 * time.Hour

// shareLink gives one unit's route to whoever holds the token, and nothing
// else: a volunteer group leader (义警) opens it on a phone without an
// account.
type shareLink struct {
	plan    *planner.Plan
	unit    int
	expires time.Time
}

// shares holds the share links of one server.
type shares struct {
	mu    sync.Mutex
	links map[string]shareLink
	now   func() time.Time
}

// add makes a link for unit u of p and returns its token: 128 random bits,
// hex-encoded.
func (sh *shares) add(p *planner.Plan, u int) (string, time.Time) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	tok := hex.EncodeToString(raw[:])
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.links == nil {
		sh.links = map[string]shareLink{}
	}
	exp := sh.clock().Add(ShareTTL)
	sh.links[tok] = shareLink{plan: p, unit: u, expires: exp}
	// Drop expired links as new ones come.
	for k, l := range sh.links {
		if sh.clock().After(l.expires) {
			delete(sh.links, k)
		}
	}
	return tok, exp
}

func (sh *shares) clock() time.Time {
	if sh.now != nil {
		return sh.now()
	}
	return time.Now()
}

// get returns the live link for tok.
func (sh *shares) get(tok string) (shareLink, bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	l, ok := sh.links[tok]
	if !ok || sh.clock().After(l.expires) {
		return shareLink{}, false
	}
	return l, true
}

// revoke ends a link; it reports whether the link existed.
func (sh *shares) revoke(tok string) bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	_, ok := sh.links[tok]
	delete(sh.links, tok)
	return ok
}

// ShareInfo is one unit's share link as the plans API returns it.
type ShareInfo struct {
	Unit    string    `json:"unit"`
	URL     string    `json:"url"` // "/r/{token}"
	Expires time.Time `json:"expires"`
}

// shareUnits makes a link for every unit of p.
func (s *Server) shareUnits(p *planner.Plan) []ShareInfo {
	out := make([]ShareInfo, len(p.Units))
	for i, u := range p.Units {
		tok, exp := s.shares.add(p, i)
		out[i] = ShareInfo{Unit: u.Unit, URL: "/r/" + tok, Expires: exp}
	}
	return out
}

// sharedRoute serves GET /r/{token} (a phone page with one route's stops)
// and GET /r/{token}.gpx. An unknown, expired or revoked token is 404 and
// says nothing about any other route.
func (s *Server) sharedRoute(w http.ResponseWriter, r *http.Request) {
	tok := chi.URLParam(r, "token")
	asGPX := strings.HasSuffix(tok, ".gpx")
	l, ok := s.shares.get(strings.TrimSuffix(tok, ".gpx"))
	if !ok {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("链接无效或已过期 / This link is invalid or has expired.\n"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	u := l.plan.Units[l.unit]
	if asGPX {
		w.Header().Set("Content-Type", "application/gpx+xml")
		w.Header().Set("Content-Disposition", `attachment; filename="route.gpx"`)
		_ = gpx.Write(w, gpx.FromUnit(l.plan, u))
		return
	}
	// Name each stop's street so the leader knows where to go.
	streets := map[string]string{}
	if t := l.plan.Targets; t != nil {
		for _, p := range t.Points {
			streets[p.ID] = p.Street
		}
		for _, ln := range t.Lines {
			streets[ln.ID] = ln.Street
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = routePage.Execute(w, map[string]any{
		"Unit": u, "Window": clockRange(l.plan), "GPX": "/r/" + tok + ".gpx", "Expires": l.expires.Format("2006-01-02 15:04"),
		"KM": u.DistanceM / 1000, "Streets": streets,
	})
}

// revokeShare serves DELETE /api/v1/share/{token}.
func (s *Server) revokeShare(w http.ResponseWriter, r *http.Request) {
	if !s.shares.revoke(chi.URLParam(r, "token")) {
		Error(w, r, planner.Errorf(planner.ENOTFOUND, "no such share link"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func clockRange(p *planner.Plan) string {
	return p.Clock(0) + "–" + p.Clock(float64(planDurationS(p.Window)))
}

// planDurationS is the window's length in seconds.
func planDurationS(w planner.Shift) int {
	n := ((w.End-w.Start)%1440 + 1440) % 1440
	if n == 0 {
		n = 1440
	}
	return n * 60
}

// routePage is the volunteer leader's phone page: large text, the stop
// list with times, a GPX download; no map tiles, no other request.
var routePage = template.Must(template.New("route").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Unit.Unit}} · 今晚路线 Tonight's route</title>
<style>
body{font:18px/1.5 system-ui,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:0;color:#1b2733;background:#f4f6f8}
header{background:#14305a;color:#fff;padding:16px}
h1{font-size:24px;margin:0}
.sub{opacity:.85;font-size:16px}
main{padding:12px 16px}
ol{padding:0;list-style:none;margin:0}
li{background:#fff;border-radius:10px;margin:10px 0;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.12);display:flex;gap:12px;align-items:center}
.n{background:#14305a;color:#fff;border-radius:50%;min-width:36px;height:36px;display:flex;align-items:center;justify-content:center;font-weight:700}
.t{font-size:22px;font-weight:700}
.k{font-size:15px;color:#52606d}
a.btn{display:block;text-align:center;background:#1f6feb;color:#fff;text-decoration:none;padding:14px;border-radius:10px;font-size:20px;margin:16px 0}
footer{font-size:14px;color:#52606d;padding:0 16px 24px}
</style></head><body>
<header><h1>{{.Unit.Unit}}</h1><div class="sub">{{.Window}} · 出发 Leave {{.Unit.Leave}} · 返回 Return {{.Unit.Return}} · {{printf "%.1f" .KM}} 公里 km</div></header>
<main>
<ol>
{{range $i, $s := .Unit.Stops}}<li><span class="n">{{$i | inc}}</span><div><div class="t">{{$s.Arrive}}–{{$s.Depart}}</div><div class="k">{{if eq $s.Kind "break"}}休息（在警务站） Break at the kiosk{{else}}{{if eq $s.Kind "point"}}守点 Guard point{{else}}巡线 Patrol line{{end}} {{$s.ID}}{{with index $.Streets $s.ID}} · {{.}}{{end}}{{end}}</div></div></li>
{{else}}<li>今晚无任务 No stops tonight</li>{{end}}
</ol>
<a class="btn" href="{{.GPX}}">下载 GPX 轨迹 · Download GPX</a>
</main>
<footer>此链接仅显示本路线，{{.Expires}} 失效。This link shows only this route and expires {{.Expires}}.</footer>
</body></html>
`))
