package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"slices"
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

// sharePageTTL is how long a server reuses a route page it rendered. The
// link itself is looked up in the store on every request, so a revoked
// link stops working at once on every server.
const sharePageTTL = 30 * time.Second

// maxSharePages bounds the rendered pages a server keeps.
const maxSharePages = 512

// shares is this server's side of the share links, which live in the
// store (planner.PlanStore, keyed by the SHA-256 of the token): the clock,
// a short-lived cache of rendered route pages, and the plans and links of
// a server without a store.
type shares struct {
	mu    sync.Mutex
	now   func() time.Time // nil: time.Now
	pages map[string]sharePage
	mem   memPlanStore
}

// sharePage is a rendered route page.
type sharePage struct {
	html    []byte
	at      time.Time
	expires time.Time // the link's
}

func (sh *shares) clock() time.Time {
	if sh.now != nil {
		return sh.now()
	}
	return time.Now()
}

func (sh *shares) page(tok string, now time.Time, expires time.Time) ([]byte, bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	p, ok := sh.pages[tok]
	if !ok || now.Sub(p.at) > sharePageTTL || now.Before(p.at) || !p.expires.Equal(expires) {
		return nil, false
	}
	return p.html, true
}

func (sh *shares) keepPage(tok string, p sharePage) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.pages == nil {
		sh.pages = map[string]sharePage{}
	}
	if len(sh.pages) >= maxSharePages {
		for k, q := range sh.pages {
			if p.at.Sub(q.at) > sharePageTTL || len(sh.pages) >= maxSharePages {
				delete(sh.pages, k)
			}
		}
	}
	sh.pages[tok] = p
}

func (sh *shares) dropPage(tok string) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	delete(sh.pages, tok)
}

// planStore is where plans and share links live: the server's store, or
// memory on a server without one.
func (s *Server) planStore() planner.PlanStore {
	if s.cfg.Store != nil {
		return s.cfg.Store
	}
	return &s.shares.mem
}

// newShareToken returns a share token: 128 random bits, hex-encoded.
func newShareToken() string {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(raw[:])
}

// shareID is the store's key of a token: its hex SHA-256, so the database
// holds no usable link.
func shareID(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// validToken reports whether tok looks like a share token (32 hex digits).
func validToken(tok string) bool {
	if len(tok) != 32 {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ShareInfo is one unit's share link as the plans API returns it.
type ShareInfo struct {
	Unit    string    `json:"unit"`
	URL     string    `json:"url"` // "/r/{token}"
	Expires time.Time `json:"expires"`
}

// shareUnits makes a link for every unit of plan id: what the API shows
// (with the tokens) and what the store keeps (without).
func (s *Server) shareUnits(id string, p *planner.Plan) ([]ShareInfo, []planner.ShareLink) {
	now := s.shares.clock()
	exp := now.Add(ShareTTL)
	out := make([]ShareInfo, len(p.Units))
	rows := make([]planner.ShareLink, len(p.Units))
	for i, u := range p.Units {
		tok := newShareToken()
		out[i] = ShareInfo{Unit: u.Unit, URL: "/r/" + tok, Expires: exp}
		rows[i] = planner.ShareLink{ID: shareID(tok), PlanID: id, Unit: i, Created: now, Expires: exp}
	}
	return out, rows
}

// notFoundLink answers a token that is unknown, expired or revoked.
func notFoundLink(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("链接无效或已过期 / This link is invalid or has expired.\n"))
}

// sharedRoute serves GET /r/{token} (a phone page with one route's stops)
// and GET /r/{token}.gpx. The link is looked up in the store every time,
// so any server serves any link and a revoked one is dead everywhere at
// once; the plan document is cached (plans never change). An unknown,
// expired or revoked token is 404 and says nothing about any other route.
func (s *Server) sharedRoute(w http.ResponseWriter, r *http.Request) {
	tok := chi.URLParam(r, "token")
	asGPX := strings.HasSuffix(tok, ".gpx")
	tok = strings.TrimSuffix(tok, ".gpx")
	if !validToken(tok) {
		notFoundLink(w)
		return
	}
	now := s.shares.clock()
	l, err := s.planStore().ShareByID(r.Context(), shareID(tok), now)
	if planner.ErrorCode(err) == planner.ENOTFOUND {
		notFoundLink(w)
		return
	} else if err != nil {
		Error(w, r, err)
		return
	}
	sp, err := s.storedPlanByID(r.Context(), l.PlanID)
	if planner.ErrorCode(err) == planner.ENOTFOUND || (err == nil && (l.Unit < 0 || l.Unit >= len(sp.plan.Units))) {
		notFoundLink(w)
		return
	} else if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	plan := sp.plan
	u := plan.Units[l.Unit]
	if asGPX {
		w.Header().Set("Content-Type", "application/gpx+xml")
		w.Header().Set("Content-Disposition", `attachment; filename="route.gpx"`)
		_ = gpx.Write(w, gpx.FromUnit(plan, u))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if html, ok := s.shares.page(tok, now, l.Expires); ok {
		_, _ = w.Write(html)
		return
	}
	// Name each stop's street so the leader knows where to go.
	streets := map[string]string{}
	if t := plan.Targets; t != nil {
		for _, p := range t.Points {
			streets[p.ID] = p.Street
		}
		for _, ln := range t.Lines {
			streets[ln.ID] = ln.Street
		}
	}
	var buf bytes.Buffer
	if err := routePage.Execute(&buf, map[string]any{
		"Unit": u, "Window": clockRange(plan), "GPX": "/r/" + tok + ".gpx", "Expires": l.Expires.Local().Format("2006-01-02 15:04"),
		"KM": u.DistanceM / 1000, "Streets": streets,
	}); err != nil {
		Error(w, r, err)
		return
	}
	s.shares.keepPage(tok, sharePage{html: buf.Bytes(), at: now, expires: l.Expires})
	_, _ = w.Write(buf.Bytes())
}

// revokeShare serves DELETE /api/v1/share/{token}: 204, or 404 for a
// link that is unknown, already revoked or expired.
func (s *Server) revokeShare(w http.ResponseWriter, r *http.Request) {
	tok := chi.URLParam(r, "token")
	notFound := planner.Errorf(planner.ENOTFOUND, "no such share link")
	if !validToken(tok) {
		Error(w, r, notFound)
		return
	}
	st := s.planStore()
	id := shareID(tok)
	if _, err := st.ShareByID(r.Context(), id, s.shares.clock()); planner.ErrorCode(err) == planner.ENOTFOUND {
		Error(w, r, notFound)
		return
	} else if err != nil {
		Error(w, r, err)
		return
	}
	if err := st.RevokeShare(r.Context(), id); err != nil {
		if planner.ErrorCode(err) == planner.ENOTFOUND {
			err = notFound
		}
		Error(w, r, err)
		return
	}
	s.shares.dropPage(tok)
	w.WriteHeader(http.StatusNoContent)
}

// memPlanStore keeps the plans and share links of a server without a
// store (the maxPlans newest plans and their links), as planner.PlanStore.
type memPlanStore struct {
	mu    sync.Mutex
	plans map[string]planner.PlanDoc
	order []string
	links map[string]planner.ShareLink
}

func (m *memPlanStore) SavePlan(_ context.Context, p planner.PlanDoc) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.plans == nil {
		m.plans, m.links = map[string]planner.PlanDoc{}, map[string]planner.ShareLink{}
	}
	if _, ok := m.plans[p.ID]; ok {
		return planner.Errorf(planner.ECONFLICT, "plan %q exists", p.ID)
	}
	p.Body = slices.Clone(p.Body)
	m.plans[p.ID] = p
	m.order = append(m.order, p.ID)
	if len(m.order) > maxPlans {
		old := m.order[0]
		m.order = m.order[1:]
		delete(m.plans, old)
		for k, l := range m.links {
			if l.PlanID == old {
				delete(m.links, k)
			}
		}
	}
	return nil
}

func (m *memPlanStore) PlanDoc(_ context.Context, id string) (planner.PlanDoc, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.plans[id]
	if !ok {
		return planner.PlanDoc{}, planner.Errorf(planner.ENOTFOUND, "no plan %q", id)
	}
	return p, nil
}

func (m *memPlanStore) CreateShare(_ context.Context, l planner.ShareLink) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.plans[l.PlanID]; !ok {
		return planner.Errorf(planner.ENOTFOUND, "no plan %q", l.PlanID)
	}
	m.links[l.ID] = l
	return nil
}

func (m *memPlanStore) ShareByID(_ context.Context, id string, now time.Time) (planner.ShareLink, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.links[id]
	if !ok || l.Revoked || now.After(l.Expires) {
		return planner.ShareLink{}, planner.Errorf(planner.ENOTFOUND, "no such share link")
	}
	return l, nil
}

func (m *memPlanStore) SharesOfPlan(_ context.Context, planID string) ([]planner.ShareLink, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []planner.ShareLink
	for _, l := range m.links {
		if l.PlanID == planID {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b planner.ShareLink) int { return a.Unit - b.Unit })
	return out, nil
}

func (m *memPlanStore) RevokeShare(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.links[id]
	if !ok {
		return planner.Errorf(planner.ENOTFOUND, "no such share link")
	}
	l.Revoked = true
	m.links[id] = l
	return nil
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
