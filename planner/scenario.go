package planner

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
)

// What-if scenarios (方案对比): a Scenario's edits applied in memory over the
// workspace, and the same figures computed for "today" and for the
// scenario, side by side with their differences.
//
// Stale edits. A scenario is saved against the workspace as it was; later
// someone may delete or change a record one of its edits updates or
// deletes. CompareScenario does not fail the whole comparison then: it
// skips each edit whose record no longer exists (ENOTFOUND) or carries a
// Version other than the stored record's (ECONFLICT), applies the others,
// and lists the skipped ones in Comparison.Stale with the reason, so the
// planner sees exactly which edits no longer apply and can redo them.
// Edits that are invalid in themselves (Edit.Validate) are an error.
//
// Versions inside a scenario. Every update or delete carries the Version
// of the stored record it was made against, even when an earlier edit of
// the same scenario already changed that record (a move, then a delete).
// Edits refer to stored records only; a record the scenario creates is
// changed by changing its create edit.

// CompareOptions selects the figures compared. Zero values take the
// documented defaults.
type CompareOptions struct {
	Mode    Mode      // response-ring travel mode from the kiosks; default car
	Minutes []float64 // response tiers, minutes; default 1, 3, 5
	// Window is the patrol window (minutes after midnight); default
	// 22:00–02:00. Day is the night planned; nil is a typical night.
	Window Shift
	Day    *time.Weekday
	// Seed seeds the patrol plan of the workspace's units (no random
	// variation is applied, so the plan is the deterministic best plan).
	Seed int64
	// BaseCoverage, when set, is the camera coverage of the base
	// workspace's cameras that the caller already holds (the server's
	// incremental one); it is only read.
	BaseCoverage *Coverage
	// Before, when set, holds the base workspace's figures from an earlier
	// ComputeFigures with the same options, so they are not recomputed.
	Before *Figures
}

func (o *CompareOptions) normalize() error {
	ro := ResponseOptions{Mode: o.Mode, Minutes: o.Minutes}
	if err := ro.normalize(); err != nil {
		return err
	}
	o.Mode, o.Minutes = ro.Mode, ro.Minutes
	if o.Window == (Shift{}) {
		o.Window = Shift{Start: 22 * 60, End: 2 * 60}
	}
	if o.Window.Start < 0 || o.Window.Start >= 1440 || o.Window.End < 0 || o.Window.End >= 1440 || o.Window.Start == o.Window.End {
		return Errorf(EINVALID, "window %d–%d: want minutes 0..1439 after midnight, start ≠ end", o.Window.Start, o.Window.End)
	}
	return nil
}

// CoverageFigures is the camera coverage of the street network, as the
// coverage report totals it: road length inside the grids, and the part
// of it inside some camera's footprint.
type CoverageFigures struct {
	RoadKm        float64 `json:"road_km"`
	CoveredRoadKm float64 `json:"covered_road_km"`
	Share         float64 `json:"share"` // CoveredRoadKm / RoadKm, 0..1
}

// ResponseFigures is the share of the mode's road network the kiosks
// reach within each tier.
type ResponseFigures struct {
	Mode      Mode          `json:"mode"`
	NetworkKm float64       `json:"network_km"`
	Tiers     []TierSummary `json:"tiers"`
	// UnsnappedKiosks are kiosks farther than the snap limit from a
	// routable road, which reach nothing.
	UnsnappedKiosks []int64 `json:"unsnapped_kiosks"`
}

// SiteTierFigures counts the key sites of one required tier and those
// missing it.
type SiteTierFigures struct {
	TierMin    int     `json:"tier_min"` // required minutes
	Sites      int     `json:"sites"`
	Failing    int     `json:"failing"`
	FailingIDs []int64 `json:"failing_ids"` // ascending
}

// SiteFigures are the key sites the kiosks do not reach within their
// required tier (the response report's failing sites), per tier.
type SiteFigures struct {
	Sites   int               `json:"sites"`
	Failing int               `json:"failing"`
	Tiers   []SiteTierFigures `json:"tiers"` // by required tier, ascending
}

// Patrol notes: why PatrolFigures has no plan, or what it left out.
const (
	PatrolNoUnits       = "no_units"            // the workspace has no units: nothing is planned, nothing invented
	PatrolUnitsNoKiosk  = "units_without_kiosk" // every unit's home kiosk is gone in this workspace
	PatrolSomeUnitsLeft = "some_units_without_kiosk"
	PatrolNoPlan        = "no_plan" // the units could not be planned (no incident risk in the window, ...): see Reason
)

// PatrolFigures is the risk the patrol plan of the workspace's own units
// covers in the window: the plan report's covered share, and the
// expected incident weight behind it. Without units nothing is planned
// and nothing is invented: Planned is false, the figures are null and
// Note is PatrolNoUnits. When every unit's home kiosk is gone, Note is
// PatrolUnitsNoKiosk and the covered share and risk are 0 (TotalRisk
// null: no plan was made).
type PatrolFigures struct {
	Window  string `json:"window"` // "22:00-02:00"
	Day     string `json:"day"`    // weekday, or "average"
	Units   int    `json:"units"`  // units planned
	Planned bool   `json:"planned"`
	// StrandedUnits are units whose home kiosk does not exist here (the
	// scenario deleted it); they are left out of the plan.
	StrandedUnits []string `json:"stranded_units"`
	CoveredShare  *float64 `json:"covered_share"` // 0..1 of the window's total risk
	CoveredRisk   *float64 `json:"covered_risk"`  // expected incident weight covered
	TotalRisk     *float64 `json:"total_risk"`    // expected incident weight of every guard point and patrol line
	Note          string   `json:"note,omitempty"`
	Reason        string   `json:"reason,omitempty"` // with PatrolNoPlan: why, in the planner's words
}

// Figures are one workspace's figures for a comparison.
type Figures struct {
	Cameras  int             `json:"cameras"`
	Kiosks   int             `json:"kiosks"`
	Units    int             `json:"units"`
	Coverage CoverageFigures `json:"coverage"`
	Response ResponseFigures `json:"response"`
	Sites    SiteFigures     `json:"sites"`
	Patrol   PatrolFigures   `json:"patrol"`
	opt      string          // the options the figures were computed with (see CompareOptions.Before)
}

// SiteTierDelta is the change in one tier's failing sites.
type SiteTierDelta struct {
	TierMin int `json:"tier_min"`
	Failing int `json:"failing"` // after − before
	// NowFailing failed only after, NowOK only before (site IDs, ascending).
	NowFailing []int64 `json:"now_failing"`
	NowOK      []int64 `json:"now_ok"`
}

// Delta is after − before for every figure. Patrol figures are null
// unless both sides have them.
type Delta struct {
	Cameras  int             `json:"cameras"`
	Kiosks   int             `json:"kiosks"`
	Units    int             `json:"units"`
	Coverage CoverageFigures `json:"coverage"`
	Tiers    []TierSummary   `json:"tiers"` // minutes as in Figures; road_km and share are differences
	Failing  int             `json:"failing_sites"`
	Sites    []SiteTierDelta `json:"sites"`
	Patrol   struct {
		CoveredShare *float64 `json:"covered_share"`
		CoveredRisk  *float64 `json:"covered_risk"`
	} `json:"patrol"`
}

// ScenarioChange is one applied edit: the record's ID in the scenario's
// workspace (a new ID for a create).
type ScenarioChange struct {
	Edit int        `json:"edit"` // 1-based position in the scenario's edits
	Op   EditOp     `json:"op"`
	Kind RecordKind `json:"kind"`
	ID   int64      `json:"id"`
}

// StaleEdit is an edit that no longer applies to the workspace: its
// record was deleted (Code ENOTFOUND, CurrentVersion 0) or changed since
// the edit was made (ECONFLICT).
type StaleEdit struct {
	Edit           int        `json:"edit"` // 1-based position in the scenario's edits
	Op             EditOp     `json:"op"`
	Kind           RecordKind `json:"kind"`
	ID             int64      `json:"id"`
	Version        int64      `json:"version"`         // the version the edit was made against
	CurrentVersion int64      `json:"current_version"` // the stored record's, 0 when it is gone
	Code           string     `json:"code"`
	Reason         string     `json:"reason"`
}

// CompareEcho records the options a comparison was computed with.
type CompareEcho struct {
	Mode    Mode      `json:"mode"`
	Minutes []float64 `json:"minutes"`
	Window  string    `json:"window"`
	Day     string    `json:"day"`
	Seed    int64     `json:"seed"`
}

// Comparison is "today" against "after the scenario".
type Comparison struct {
	ScenarioID      int64            `json:"scenario_id"`
	Name            string           `json:"name"`
	ScenarioVersion int64            `json:"scenario_version"`
	BaseRevision    int64            `json:"base_revision"` // the workspace revision compared against
	Options         CompareEcho      `json:"options"`
	Before          *Figures         `json:"before"`
	After           *Figures         `json:"after"`
	Delta           Delta            `json:"delta"`
	Changes         []ScenarioChange `json:"changes"`
	Stale           []StaleEdit      `json:"stale_edits"`
}

// ApplyScenario returns a copy of base with edits applied in order (see
// ApplyEdits, at revision base.Revision+1), skipping stale edits: those
// whose record is gone or whose Version is not the stored record's. It
// returns what each applied edit did and the skipped edits; an invalid
// edit is an error. base is never modified.
func ApplyScenario(base *Workspace, edits []Edit) (*Workspace, []ScenarioChange, []StaleEdit, error) {
	rev := base.Revision + 1
	cur := base
	changes := []ScenarioChange{}
	stale := []StaleEdit{}
	for i, e := range edits {
		if err := e.Validate(); err != nil {
			return nil, nil, nil, fmt.Errorf("edit %d: %w", i+1, err)
		}
		baseVer, inBase := recordVersion(base, e.Kind, e.ID)
		if e.Op != OpCreate && inBase && e.Version == baseVer {
			// An earlier edit of this scenario may have changed the record
			// (its version is then rev): the edit was made against the
			// stored record all the same.
			if v, ok := recordVersion(cur, e.Kind, e.ID); ok && v == rev {
				e.Version = rev
			}
		}
		next, applied, err := ApplyEdits(cur, rev, []Edit{e})
		switch code := ErrorCode(err); code {
		case "":
			cur = next
			changes = append(changes, ScenarioChange{Edit: i + 1, Op: e.Op, Kind: e.Kind, ID: applied[0].ID})
		case ENOTFOUND, ECONFLICT:
			st := StaleEdit{Edit: i + 1, Op: e.Op, Kind: e.Kind, ID: e.ID, Version: edits[i].Version, Code: code}
			if inBase {
				st.CurrentVersion = baseVer
			}
			if code == ENOTFOUND {
				if !inBase {
					st.Reason = fmt.Sprintf("%s %d no longer exists", e.Kind, e.ID)
				} else {
					st.Reason = fmt.Sprintf("%s %d was already deleted by an earlier edit", e.Kind, e.ID)
				}
			} else {
				st.Reason = fmt.Sprintf("%s %d was changed after the edit was made (version %d, the edit was made against version %d)", e.Kind, e.ID, st.CurrentVersion, st.Version)
			}
			stale = append(stale, st)
		default:
			return nil, nil, nil, fmt.Errorf("edit %d: %w", i+1, err)
		}
	}
	if cur == base {
		cp := *base
		cur = &cp
	}
	return cur, changes, stale, nil
}

// recordVersion returns the Version of record id of kind in ws.
func recordVersion(ws *Workspace, kind RecordKind, id int64) (int64, bool) {
	switch kind {
	case KindCamera:
		if i := indexOf(ws.Cameras, id, func(c *Camera) int64 { return c.ID }); i >= 0 {
			return ws.Cameras[i].Version, true
		}
	case KindKiosk:
		if i := indexOf(ws.Kiosks, id, func(k *Kiosk) int64 { return k.ID }); i >= 0 {
			return ws.Kiosks[i].Version, true
		}
	case KindUnit:
		if i := indexOf(ws.Units, id, func(u *Unit) int64 { return u.ID }); i >= 0 {
			return ws.Units[i].Version, true
		}
	}
	return 0, false
}

// CompareScenario applies sc's edits to base in memory (ApplyScenario;
// stale edits are skipped and listed) and computes the same figures for
// base and for the result, with their differences: camera street
// coverage, the kiosks' response-ring road shares, failing key sites per
// tier, and the patrol risk the workspace's units cover in the window.
// base is not modified. Both sides are computed concurrently; the result
// is deterministic for given inputs and options.
func CompareScenario(ctx context.Context, base *Workspace, sc Scenario, opt CompareOptions) (*Comparison, error) {
	if err := opt.normalize(); err != nil {
		return nil, err
	}
	after, changes, stale, err := ApplyScenario(base, sc.Edits)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var before, afterF *Figures
	var errB, errA error
	var wg sync.WaitGroup
	if opt.Before != nil && opt.Before.opt == opt.key() {
		before = opt.Before
	} else {
		wg.Add(1)
		go func() {
			defer wg.Done()
			before, errB = figures(ctx, base, opt, opt.BaseCoverage)
			if errB != nil {
				cancel()
			}
		}()
	}
	afterF, errA = figures(ctx, after, opt, nil)
	if errA != nil {
		cancel()
	}
	wg.Wait()
	if err := firstErr(ctx, errB, errA); err != nil {
		return nil, err
	}
	c := &Comparison{ScenarioID: sc.ID, Name: sc.Name, ScenarioVersion: sc.Version, BaseRevision: base.Revision,
		Options: opt.echo(), Before: before, After: afterF, Changes: changes, Stale: stale}
	c.Delta = delta(before, afterF)
	return c, nil
}

// firstErr prefers a real error over the cancellation it caused.
func firstErr(ctx context.Context, errs ...error) error {
	for _, e := range errs {
		if e != nil && e != context.Canceled {
			return e
		}
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (o *CompareOptions) echo() CompareEcho {
	e := CompareEcho{Mode: o.Mode, Minutes: o.Minutes, Window: windowString(o.Window), Day: "average", Seed: o.Seed}
	if o.Day != nil {
		e.Day = o.Day.String()
	}
	return e
}

func (o *CompareOptions) key() string {
	e := o.echo()
	return fmt.Sprintf("%s|%v|%s|%s|%d", e.Mode, e.Minutes, e.Window, e.Day, e.Seed)
}

func windowString(w Shift) string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// ComputeFigures computes ws's comparison figures for opt (see
// CompareScenario). Pass the result as CompareOptions.Before to compare
// several scenarios against one workspace without recomputing it.
func ComputeFigures(ctx context.Context, ws *Workspace, opt CompareOptions) (*Figures, error) {
	if err := opt.normalize(); err != nil {
		return nil, err
	}
	return figures(ctx, ws, opt, opt.BaseCoverage)
}

// figures computes coverage, response and patrol concurrently; cov, when
// set, is ws's camera coverage.
func figures(ctx context.Context, ws *Workspace, opt CompareOptions, cov *Coverage) (*Figures, error) {
	f := &Figures{Cameras: len(ws.Cameras), Kiosks: len(ws.Kiosks), Units: len(ws.Units), opt: opt.key()}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, 3)
	var wg sync.WaitGroup
	run := func(i int, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = fn(); errs[i] != nil {
				cancel()
			}
		}()
	}
	run(0, func() error {
		c := cov
		if c == nil {
			var err error
			if c, err = NewCoverage(ctx, ws); err != nil {
				return err
			}
		}
		t := c.Report().Total
		f.Coverage = CoverageFigures{RoadKm: t.RoadM / 1000, CoveredRoadKm: t.CoveredRoadM / 1000}
		if t.RoadM > 0 {
			f.Coverage.Share = t.CoveredRoadM / t.RoadM
		}
		return nil
	})
	run(1, func() error {
		rep, err := Response(ctx, ws, ResponseOptions{Mode: opt.Mode, Minutes: opt.Minutes})
		if err != nil {
			return err
		}
		f.Response, f.Sites = responseFigures(rep)
		return nil
	})
	run(2, func() error {
		p, err := patrolFigures(ctx, ws, opt)
		f.Patrol = p
		return err
	})
	wg.Wait()
	if err := firstErr(ctx, errs...); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

func responseFigures(rep *ResponseReport) (ResponseFigures, SiteFigures) {
	r := ResponseFigures{Mode: rep.Mode, NetworkKm: rep.NetworkKm, Tiers: rep.Tiers, UnsnappedKiosks: []int64{}}
	if r.Tiers == nil {
		r.Tiers = []TierSummary{}
	}
	for _, k := range rep.Kiosks {
		if !k.OK {
			r.UnsnappedKiosks = append(r.UnsnappedKiosks, k.KioskID)
		}
	}
	s := SiteFigures{Sites: len(rep.Sites), Failing: rep.FailingSites, Tiers: []SiteTierFigures{}}
	byTier := map[int]*SiteTierFigures{}
	for _, sr := range rep.Sites {
		t := byTier[sr.Tier]
		if t == nil {
			t = &SiteTierFigures{TierMin: sr.Tier, FailingIDs: []int64{}}
			byTier[sr.Tier] = t
		}
		t.Sites++
		if !sr.OK {
			t.Failing++
			t.FailingIDs = append(t.FailingIDs, sr.SiteID)
		}
	}
	for _, t := range byTier {
		slices.Sort(t.FailingIDs)
		s.Tiers = append(s.Tiers, *t)
	}
	sort.Slice(s.Tiers, func(i, j int) bool { return s.Tiers[i].TierMin < s.Tiers[j].TierMin })
	return r, s
}

// patrolFigures plans the workspace's own units (those whose home kiosk
// exists) for the window and reads the covered risk off the plan report.
func patrolFigures(ctx context.Context, ws *Workspace, opt CompareOptions) (PatrolFigures, error) {
	p := PatrolFigures{Window: windowString(opt.Window), Day: "average", StrandedUnits: []string{}}
	if opt.Day != nil {
		p.Day = opt.Day.String()
	}
	if len(ws.Units) == 0 {
		p.Note = PatrolNoUnits
		return p, nil
	}
	kiosks := map[int64]bool{}
	for _, k := range ws.Kiosks {
		kiosks[k.ID] = true
	}
	var units []Unit
	for _, u := range ws.Units {
		if kiosks[u.HomeKiosk] {
			u.Shifts = slices.Clone(u.Shifts)
			units = append(units, u)
		} else {
			p.StrandedUnits = append(p.StrandedUnits, u.Name)
		}
	}
	if len(units) == 0 {
		// No unit can leave a kiosk: none of the window's risk is covered.
		zero, zero2 := 0.0, 0.0
		p.Note, p.CoveredShare, p.CoveredRisk = PatrolUnitsNoKiosk, &zero, &zero2
		return p, nil
	}
	if len(p.StrandedUnits) > 0 {
		p.Note = PatrolSomeUnitsLeft
	}
	plan, err := PlanPatrol(ctx, ws, PlanOptions{Window: opt.Window, Day: opt.Day, Units: units, Seed: opt.Seed})
	if ErrorCode(err) == EINVALID && ctx.Err() == nil {
		// Nothing to plan for (no incident risk in the window, say): a
		// figure of its own, not a failed comparison.
		p.Note, p.Reason = PatrolNoPlan, ErrorMessage(err)
		return p, nil
	}
	if err != nil {
		return p, err
	}
	total := 0.0
	for _, h := range plan.Report.Hours {
		total += h.Risk
	}
	share := plan.Report.CoveredPct / 100
	covered := share * total
	p.Units, p.Planned = len(units), true
	p.CoveredShare, p.CoveredRisk, p.TotalRisk = &share, &covered, &total
	return p, nil
}

func delta(b, a *Figures) Delta {
	d := Delta{Cameras: a.Cameras - b.Cameras, Kiosks: a.Kiosks - b.Kiosks, Units: a.Units - b.Units,
		Coverage: CoverageFigures{RoadKm: a.Coverage.RoadKm - b.Coverage.RoadKm, CoveredRoadKm: a.Coverage.CoveredRoadKm - b.Coverage.CoveredRoadKm,
			Share: a.Coverage.Share - b.Coverage.Share},
		Failing: a.Sites.Failing - b.Sites.Failing, Tiers: []TierSummary{}, Sites: []SiteTierDelta{}}
	for i, ta := range a.Response.Tiers {
		if i < len(b.Response.Tiers) {
			tb := b.Response.Tiers[i]
			d.Tiers = append(d.Tiers, TierSummary{Minutes: ta.Minutes, RoadKm: ta.RoadKm - tb.RoadKm, Share: ta.Share - tb.Share})
		}
	}
	tiers := map[int][2]*SiteTierFigures{}
	for i := range b.Sites.Tiers {
		t := &b.Sites.Tiers[i]
		x := tiers[t.TierMin]
		x[0] = t
		tiers[t.TierMin] = x
	}
	for i := range a.Sites.Tiers {
		t := &a.Sites.Tiers[i]
		x := tiers[t.TierMin]
		x[1] = t
		tiers[t.TierMin] = x
	}
	for tier, x := range tiers {
		var fb, fa []int64
		sd := SiteTierDelta{TierMin: tier}
		if x[0] != nil {
			fb = x[0].FailingIDs
			sd.Failing -= x[0].Failing
		}
		if x[1] != nil {
			fa = x[1].FailingIDs
			sd.Failing += x[1].Failing
		}
		sd.NowFailing, sd.NowOK = minus(fa, fb), minus(fb, fa)
		d.Sites = append(d.Sites, sd)
	}
	sort.Slice(d.Sites, func(i, j int) bool { return d.Sites[i].TierMin < d.Sites[j].TierMin })
	pa, pb := a.Patrol, b.Patrol
	if pa.CoveredShare != nil && pb.CoveredShare != nil {
		s, r := *pa.CoveredShare-*pb.CoveredShare, *pa.CoveredRisk-*pb.CoveredRisk
		d.Patrol.CoveredShare, d.Patrol.CoveredRisk = &s, &r
	}
	return d
}

// minus returns the elements of sorted a not in sorted b, ascending.
func minus(a, b []int64) []int64 {
	out := []int64{}
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	return out
}
