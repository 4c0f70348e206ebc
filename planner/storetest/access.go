package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Hostile is a set of strings every text field must store verbatim: SQL
// injection attempts, quotes, NUL-free control characters, Chinese and
// emoji.
var Hostile = []string{
	"Robert'); DROP TABLE cameras;--",
	`" OR 1=1 --`,
	"'; DELETE FROM users WHERE ''='",
	`\'; SELECT pg_sleep(5); --`,
	"$$; TRUNCATE audit; $$",
	"东湖路\t派出所\n第二行",
	"🚓 <script>alert(1)</script>",
	"%s%d%x _ % \\",
}

// runRecords checks revisions, ApplyEdits and the audit entries they leave.
func runRecords(t *testing.T, fresh func(t *testing.T) planner.Store) {
	ctx := planner.WithActor(context.Background(), "张警官")
	t.Run("RevisionAndVersions", func(t *testing.T) {
		s := fresh(t)
		if r, err := s.Revision(ctx); err != nil || r != 0 {
			t.Fatalf("Revision of an empty store = %d, %v; want 0, nil", r, err)
		}
		mustReplace(t, s, Sample(1, 50))
		ws := mustLoad(t, s)
		r1 := mustRevision(t, s)
		if r1 <= 0 || ws.Revision != r1 {
			t.Fatalf("after an import: Revision %d, loaded Revision %d; want equal and > 0", r1, ws.Revision)
		}
		checkVersions(t, ws, r1)
		mustReplace(t, s, Sample(1, 50))
		r2 := mustRevision(t, s)
		if r2 <= r1 {
			t.Fatalf("a second import left revision %d after %d; want it to grow", r2, r1)
		}
		checkVersions(t, mustLoad(t, s), r2)
		if _, _, err := s.ApplyEdits(ctx, nil); err != nil {
			t.Fatalf("ApplyEdits(no edits) = %v", err)
		}
	})
	t.Run("EditsNeedAWorkspace", func(t *testing.T) {
		s := fresh(t)
		_, _, err := s.ApplyEdits(ctx, []planner.Edit{{Op: planner.OpCreate, Kind: planner.KindKiosk,
			Kiosk: &planner.Kiosk{Name: "x", Location: geo.Point{Lon: 114, Lat: 30}}}})
		if planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("ApplyEdits on an empty store = %v, want %s", err, planner.ENOTFOUND)
		}
	})
	t.Run("EditsMatchInMemory", func(t *testing.T) {
		s := fresh(t)
		mustReplace(t, s, Sample(7, 60))
		base := mustLoad(t, s)
		cam := base.Cameras[3]
		kio := base.Kiosks[1]
		unit := base.Units[2]
		newCam := planner.Camera{Ref: "新-1", Name: Hostile[0], Location: geo.Point{Lon: 114.31, Lat: 30.52}, Kind: planner.CameraDome,
			DirectionDeg: 0, FOVDeg: 360, RangeM: 30, Defaulted: []string{}, Source: "proposal"}
		moved := cam
		moved.Location = geo.Point{Lon: cam.Location.Lon + 0.0001, Lat: cam.Location.Lat}
		moved.Name = Hostile[1]
		unit2 := unit
		unit2.Shifts = []planner.Shift{{Start: 1320, End: 120}}
		unit2.Name = Hostile[5]
		edits := []planner.Edit{
			{Op: planner.OpCreate, Kind: planner.KindCamera, Camera: &newCam},
			{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: cam.ID, Version: cam.Version, Camera: &moved},
			{Op: planner.OpDelete, Kind: planner.KindKiosk, ID: kio.ID, Version: kio.Version},
			{Op: planner.OpUpdate, Kind: planner.KindUnit, ID: unit.ID, Version: unit.Version, Unit: &unit2},
			{Op: planner.OpCreate, Kind: planner.KindKiosk, Kiosk: &planner.Kiosk{Name: Hostile[2], Location: geo.Point{Lon: 114.3, Lat: 30.5}, Staff: 3, Vehicles: 1, Source: "proposal"}},
		}
		rev, applied, err := s.ApplyEdits(ctx, edits)
		if err != nil {
			t.Fatalf("ApplyEdits: %v", err)
		}
		if rev != base.Revision+1 || mustRevision(t, s) != rev {
			t.Fatalf("ApplyEdits revision %d (store %d), want %d", rev, mustRevision(t, s), base.Revision+1)
		}
		want, wantApplied, err := planner.ApplyEdits(base, rev, edits)
		if err != nil {
			t.Fatalf("in-memory ApplyEdits: %v", err)
		}
		got := mustLoad(t, s)
		if got.Revision != rev {
			t.Fatalf("loaded Revision %d, want %d", got.Revision, rev)
		}
		if d := Diff(got, Normalized(want)); d != "" {
			t.Fatalf("store after edits differs from in-memory ApplyEdits: %s", d)
		}
		if d := versionDiff(got, want); d != "" {
			t.Fatalf("versions after edits: %s", d)
		}
		if len(applied) != len(wantApplied) {
			t.Fatalf("applied %d edits, want %d", len(applied), len(wantApplied))
		}
		for i := range applied {
			a, w := applied[i], wantApplied[i]
			if a.Op != w.Op || a.Kind != w.Kind || a.ID != w.ID || a.Version != w.Version {
				t.Errorf("applied[%d] = %s %s %d v%d, want %s %s %d v%d", i, a.Op, a.Kind, a.ID, a.Version, w.Op, w.Kind, w.ID, w.Version)
			}
			if (a.Camera == nil) != (w.Camera == nil) || (a.Kiosk == nil) != (w.Kiosk == nil) || (a.Unit == nil) != (w.Unit == nil) {
				t.Errorf("applied[%d] carries the wrong record fields", i)
			}
		}
		// Audit: one entry per edit, newest first, with actor, before and after.
		log, err := s.Audit(ctx, 0, 100)
		if err != nil {
			t.Fatalf("Audit: %v", err)
		}
		var edits5 []planner.AuditEntry
		for _, e := range log {
			if e.Action != "import" {
				edits5 = append(edits5, e)
			}
		}
		if len(edits5) != len(edits) {
			t.Fatalf("audit has %d edit entries, want %d: %+v", len(edits5), len(edits), edits5)
		}
		for i, e := range edits5 {
			ed := edits[len(edits)-1-i]
			wantAction := string(ed.Op) + " " + string(ed.Kind)
			if e.Action != wantAction || e.Actor != "张警官" || e.Kind != string(ed.Kind) || e.At.IsZero() {
				t.Errorf("audit entry %d = %q by %q kind %q at %v, want %q by 张警官", i, e.Action, e.Actor, e.Kind, e.At, wantAction)
			}
			if i > 0 && e.ID >= edits5[i-1].ID {
				t.Errorf("audit entries not newest first: id %d after %d", e.ID, edits5[i-1].ID)
			}
			hasBefore, hasAfter := !isNull(e.Before), !isNull(e.After)
			if hasBefore != (ed.Op != planner.OpCreate) || hasAfter != (ed.Op != planner.OpDelete) {
				t.Errorf("audit %q: before %s after %s", e.Action, e.Before, e.After)
			}
		}
		// The update's before/after hold the camera's old and new names verbatim.
		var before, after planner.Camera
		upd := edits5[len(edits5)-2]
		if err := json.Unmarshal(upd.Before, &before); err != nil {
			t.Fatalf("audit before %s: %v", upd.Before, err)
		}
		if err := json.Unmarshal(upd.After, &after); err != nil {
			t.Fatalf("audit after %s: %v", upd.After, err)
		}
		if before.Name != cam.Name || after.Name != Hostile[1] || upd.RecordID != cam.ID {
			t.Errorf("audit update camera: record %d before %q after %q, want %d %q %q", upd.RecordID, before.Name, after.Name, cam.ID, cam.Name, Hostile[1])
		}
		// An import is audited too.
		if log[len(log)-1].Action != "import" || log[len(log)-1].Actor != "system" {
			t.Errorf("oldest audit entry = %q by %q, want the import by system", log[len(log)-1].Action, log[len(log)-1].Actor)
		}
	})
	t.Run("StaleEditConflicts", func(t *testing.T) {
		s := fresh(t)
		mustReplace(t, s, Sample(8, 40))
		base := mustLoad(t, s)
		cam := base.Cameras[0]
		a, b := cam, cam
		a.Name, b.Name = "甲", "乙"
		if _, _, err := s.ApplyEdits(ctx, []planner.Edit{{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: cam.ID, Version: cam.Version, Camera: &a}}); err != nil {
			t.Fatalf("first update: %v", err)
		}
		after := mustLoad(t, s)
		// The second editor saw the old version: refused, nothing written,
		// even the valid edit before it in the same batch.
		k := base.Kiosks[0]
		k.Staff = 9
		_, _, err := s.ApplyEdits(ctx, []planner.Edit{
			{Op: planner.OpUpdate, Kind: planner.KindKiosk, ID: k.ID, Version: k.Version, Kiosk: &k},
			{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: cam.ID, Version: cam.Version, Camera: &b},
		})
		if planner.ErrorCode(err) != planner.ECONFLICT {
			t.Fatalf("stale update = %v, want %s", err, planner.ECONFLICT)
		}
		_, _, err = s.ApplyEdits(ctx, []planner.Edit{{Op: planner.OpDelete, Kind: planner.KindCamera, ID: cam.ID, Version: cam.Version}})
		if planner.ErrorCode(err) != planner.ECONFLICT {
			t.Fatalf("stale delete = %v, want %s", err, planner.ECONFLICT)
		}
		_, _, err = s.ApplyEdits(ctx, []planner.Edit{{Op: planner.OpDelete, Kind: planner.KindCamera, ID: 987654321, Version: 1}})
		if planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("delete of a missing camera = %v, want %s", err, planner.ENOTFOUND)
		}
		_, _, err = s.ApplyEdits(ctx, []planner.Edit{{Op: planner.OpCreate, Kind: planner.KindCamera, Camera: &planner.Camera{Location: geo.Point{Lon: 500, Lat: 0}}}})
		if planner.ErrorCode(err) != planner.EINVALID {
			t.Fatalf("create of an invalid camera = %v, want %s", err, planner.EINVALID)
		}
		got := mustLoad(t, s)
		if d := Diff(got, after); d != "" || got.Revision != after.Revision {
			t.Fatalf("refused edits changed the store (revision %d → %d): %s", after.Revision, got.Revision, d)
		}
	})
	t.Run("ConcurrentEditorsNoLostUpdate", func(t *testing.T) {
		// Many editors each read a camera's version and write it once:
		// exactly one write per version wins, the others get ECONFLICT.
		s := fresh(t)
		mustReplace(t, s, Sample(9, 30))
		cam := mustLoad(t, s).Cameras[0]
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, conflicts := 0, 0
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := cam
				c.Name = fmt.Sprintf("editor %d", i)
				_, _, err := s.ApplyEdits(ctx, []planner.Edit{{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: cam.ID, Version: cam.Version, Camera: &c}})
				mu.Lock()
				defer mu.Unlock()
				switch planner.ErrorCode(err) {
				case "":
					wins++
				case planner.ECONFLICT:
					conflicts++
				default:
					t.Errorf("editor %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || conflicts != 7 {
			t.Fatalf("8 editors of one version: %d won, %d conflicted; want 1 and 7", wins, conflicts)
		}
	})
}

// runAccess checks users, sessions, the audit log, plans, share links and
// scenarios.
func runAccess(t *testing.T, fresh func(t *testing.T) planner.Store) {
	ctx := planner.WithActor(context.Background(), "admin")
	now := time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)
	t.Run("Users", func(t *testing.T) {
		s := fresh(t)
		if _, err := s.UserByName(ctx, "nobody"); planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("UserByName(missing) = %v, want %s", err, planner.ENOTFOUND)
		}
		var made []planner.User
		for i, name := range append([]string{"admin", "李指挥"}, Hostile...) {
			u, err := s.CreateUser(ctx, planner.User{Name: name, Role: planner.Roles[i%len(planner.Roles)], PasswordHash: "$argon2id$" + name})
			if err != nil {
				t.Fatalf("CreateUser(%q): %v", name, err)
			}
			if u.ID <= 0 || u.Version != 1 || u.Created.IsZero() {
				t.Fatalf("CreateUser(%q) = %+v: want an ID, Version 1 and Created", name, u)
			}
			made = append(made, u)
		}
		for _, w := range made {
			u, err := s.UserByName(ctx, w.Name)
			if err != nil || u.Name != w.Name || u.ID != w.ID || u.Role != w.Role || u.PasswordHash != "$argon2id$"+w.Name {
				t.Fatalf("UserByName(%q) = %+v, %v; want %+v stored verbatim", w.Name, u, err, w)
			}
		}
		if _, err := s.CreateUser(ctx, planner.User{Name: "admin", Role: planner.RoleViewer, PasswordHash: "x"}); planner.ErrorCode(err) != planner.ECONFLICT {
			t.Fatalf("duplicate user = %v, want %s", err, planner.ECONFLICT)
		}
		for _, bad := range []planner.User{{Name: "", Role: planner.RoleViewer}, {Name: "x", Role: "root"}} {
			if _, err := s.CreateUser(ctx, bad); planner.ErrorCode(err) != planner.EINVALID {
				t.Fatalf("CreateUser(%+v) = %v, want %s", bad, err, planner.EINVALID)
			}
		}
		all, err := s.Users(ctx)
		if err != nil || len(all) != len(made) {
			t.Fatalf("Users = %d, %v; want %d", len(all), err, len(made))
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID <= all[i-1].ID {
				t.Fatalf("Users not by ID")
			}
		}
		u := made[1]
		u.Role, u.Disabled, u.PasswordHash = planner.RoleViewer, true, "$argon2id$new"
		u2, err := s.UpdateUser(ctx, u)
		if err != nil || u2.Version != 2 || u2.Role != planner.RoleViewer || !u2.Disabled {
			t.Fatalf("UpdateUser = %+v, %v", u2, err)
		}
		if _, err := s.UpdateUser(ctx, u); planner.ErrorCode(err) != planner.ECONFLICT {
			t.Fatalf("stale UpdateUser = %v, want %s", err, planner.ECONFLICT)
		}
		got, _ := s.UserByName(ctx, u.Name)
		if got.PasswordHash != "$argon2id$new" || !got.Disabled || got.Version != 2 {
			t.Fatalf("after UpdateUser: %+v", got)
		}
		log, err := s.Audit(ctx, 0, 1000)
		if err != nil {
			t.Fatalf("Audit: %v", err)
		}
		n := 0
		for _, e := range log {
			if strings.HasPrefix(e.Action, "user ") {
				n++
				if strings.Contains(string(e.Before)+string(e.After), "argon2id") {
					t.Fatalf("audit entry %q leaks a password hash: %s %s", e.Action, e.Before, e.After)
				}
			}
		}
		if n != len(made)+1 {
			t.Fatalf("audit has %d user entries, want %d", n, len(made)+1)
		}
	})
	t.Run("Sessions", func(t *testing.T) {
		s := fresh(t)
		u, err := s.CreateUser(ctx, planner.User{Name: "planner1", Role: planner.RolePlanner, PasswordHash: "h"})
		if err != nil {
			t.Fatal(err)
		}
		live := planner.Session{ID: strings.Repeat("ab", 32), UserID: u.ID, CSRF: "c1", Created: now, Expires: now.Add(time.Hour)}
		old := planner.Session{ID: strings.Repeat("cd", 32), UserID: u.ID, Bearer: true, Created: now.Add(-2 * time.Hour), Expires: now.Add(-time.Hour)}
		for _, se := range []planner.Session{live, old} {
			if err := s.CreateSession(ctx, se); err != nil {
				t.Fatalf("CreateSession: %v", err)
			}
		}
		se, su, err := s.SessionByID(ctx, live.ID, now)
		if err != nil || se.UserID != u.ID || se.CSRF != "c1" || se.Bearer || !se.Expires.Equal(live.Expires) || su.Name != "planner1" || su.Role != planner.RolePlanner {
			t.Fatalf("SessionByID(live) = %+v %+v %v", se, su, err)
		}
		if _, _, err := s.SessionByID(ctx, old.ID, now); planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("SessionByID(expired) = %v, want %s", err, planner.ENOTFOUND)
		}
		if _, _, err := s.SessionByID(ctx, "' OR '1'='1", now); planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("SessionByID(injection) = %v, want %s", err, planner.ENOTFOUND)
		}
		if err := s.DeleteSession(ctx, live.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSession(ctx, live.ID); err != nil {
			t.Fatalf("deleting a deleted session: %v", err)
		}
		if _, _, err := s.SessionByID(ctx, live.ID, now); planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("SessionByID(deleted) = %v, want %s", err, planner.ENOTFOUND)
		}
	})
	t.Run("AuditPaging", func(t *testing.T) {
		s := fresh(t)
		for i := range 25 {
			e := planner.AuditEntry{Action: "login", Actor: Hostile[i%len(Hostile)], After: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
			if i == 0 {
				e.At = now
			}
			if err := s.AppendAudit(ctx, e); err != nil {
				t.Fatalf("AppendAudit: %v", err)
			}
		}
		var all []planner.AuditEntry
		before := int64(0)
		for {
			page, err := s.Audit(ctx, before, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			all = append(all, page...)
			before = page[len(page)-1].ID
		}
		if len(all) != 25 {
			t.Fatalf("paged through %d entries, want 25", len(all))
		}
		for i, e := range all {
			n := 24 - i
			if e.Actor != Hostile[n%len(Hostile)] || string(e.After) != fmt.Sprintf(`{"n":%d}`, n) && !jsonEqual(e.After, fmt.Sprintf(`{"n":%d}`, n)) || !isNull(e.Before) {
				t.Fatalf("entry %d = %+v (after %s), want actor %q n %d", i, e, e.After, Hostile[n%len(Hostile)], n)
			}
			if e.At.IsZero() {
				t.Fatalf("entry %d has no time", i)
			}
		}
		if !all[24].At.Equal(now) {
			t.Fatalf("first entry At = %v, want %v as given", all[24].At, now)
		}
	})
	t.Run("PlansAndShares", func(t *testing.T) {
		s := fresh(t)
		body := []byte(`{"type":"FeatureCollection","name":"` + strings.ReplaceAll(Hostile[0], `"`, `\"`) + `","features":[]}`)
		p := planner.PlanDoc{ID: "p-20261123-01", Owner: "李指挥", Created: now, Body: body}
		if err := s.SavePlan(ctx, p); err != nil {
			t.Fatalf("SavePlan: %v", err)
		}
		if err := s.SavePlan(ctx, p); planner.ErrorCode(err) != planner.ECONFLICT {
			t.Fatalf("SavePlan(same id) = %v, want %s", err, planner.ECONFLICT)
		}
		got, err := s.PlanDoc(ctx, p.ID)
		if err != nil || string(got.Body) != string(body) || got.Owner != p.Owner || !got.Created.Equal(now) {
			t.Fatalf("PlanDoc = %+v %q, %v", got, got.Body, err)
		}
		if _, err := s.PlanDoc(ctx, "missing"); planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("PlanDoc(missing) = %v", err)
		}
		l1 := planner.ShareLink{ID: strings.Repeat("01", 32), PlanID: p.ID, Unit: 0, Created: now, Expires: now.Add(24 * time.Hour)}
		l2 := planner.ShareLink{ID: strings.Repeat("02", 32), PlanID: p.ID, Unit: 3, Created: now, Expires: now.Add(24 * time.Hour)}
		for _, l := range []planner.ShareLink{l1, l2} {
			if err := s.CreateShare(ctx, l); err != nil {
				t.Fatalf("CreateShare: %v", err)
			}
		}
		if l, err := s.ShareByID(ctx, l2.ID, now.Add(time.Hour)); err != nil || l.Unit != 3 || l.PlanID != p.ID || !l.Expires.Equal(l2.Expires) {
			t.Fatalf("ShareByID = %+v, %v", l, err)
		}
		if _, err := s.ShareByID(ctx, l2.ID, now.Add(25*time.Hour)); planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("ShareByID(expired) = %v, want %s", err, planner.ENOTFOUND)
		}
		if err := s.RevokeShare(ctx, l1.ID); err != nil {
			t.Fatalf("RevokeShare: %v", err)
		}
		if _, err := s.ShareByID(ctx, l1.ID, now); planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("ShareByID(revoked) = %v, want %s", err, planner.ENOTFOUND)
		}
		if err := s.RevokeShare(ctx, "missing"); planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("RevokeShare(missing) = %v, want %s", err, planner.ENOTFOUND)
		}
		links, err := s.SharesOfPlan(ctx, p.ID)
		if err != nil || len(links) != 2 {
			t.Fatalf("SharesOfPlan = %d, %v; want 2", len(links), err)
		}
		revoked := 0
		for _, l := range links {
			if l.Revoked {
				revoked++
			}
		}
		if revoked != 1 {
			t.Fatalf("SharesOfPlan: %d revoked, want 1", revoked)
		}
		log, _ := s.Audit(ctx, 0, 10)
		if len(log) == 0 || log[0].Action != "share revoke" || log[0].Actor != "admin" {
			t.Fatalf("newest audit entry = %+v, want the share revoke by admin", log)
		}
	})
	t.Run("Scenarios", func(t *testing.T) {
		s := fresh(t)
		edits := []planner.Edit{
			{Op: planner.OpCreate, Kind: planner.KindCamera, Camera: &planner.Camera{Name: Hostile[3], Location: geo.Point{Lon: 114.3, Lat: 30.5}, Kind: planner.CameraFixed, DirectionDeg: 90, FOVDeg: 60, RangeM: 40, Defaulted: []string{}}},
			{Op: planner.OpDelete, Kind: planner.KindKiosk, ID: 2, Version: 5},
		}
		sc, err := s.CreateScenario(ctx, planner.Scenario{Name: "新增20个摄像头", Owner: "规划员", Edits: edits})
		if err != nil || sc.ID <= 0 || sc.Version != 1 || sc.Created.IsZero() || sc.Updated.IsZero() {
			t.Fatalf("CreateScenario = %+v, %v", sc, err)
		}
		if _, err := s.CreateScenario(ctx, planner.Scenario{Name: " "}); planner.ErrorCode(err) != planner.EINVALID {
			t.Fatalf("CreateScenario(no name) = %v, want %s", err, planner.EINVALID)
		}
		bad := []planner.Edit{{Op: "explode", Kind: planner.KindCamera}}
		if _, err := s.CreateScenario(ctx, planner.Scenario{Name: "x", Edits: bad}); planner.ErrorCode(err) != planner.EINVALID {
			t.Fatalf("CreateScenario(bad edit) = %v, want %s", err, planner.EINVALID)
		}
		got, err := s.Scenario(ctx, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		gj, _ := json.Marshal(got.Edits)
		wj, _ := json.Marshal(edits)
		if string(gj) != string(wj) || got.Name != "新增20个摄像头" || got.Owner != "规划员" {
			t.Fatalf("Scenario = %+v\nedits %s\nwant  %s", got, gj, wj)
		}
		sc.Name = Hostile[0]
		sc.Edits = edits[:1]
		sc2, err := s.UpdateScenario(ctx, sc)
		if err != nil || sc2.Version != 2 || sc2.Name != Hostile[0] || len(sc2.Edits) != 1 {
			t.Fatalf("UpdateScenario = %+v, %v", sc2, err)
		}
		if _, err := s.UpdateScenario(ctx, sc); planner.ErrorCode(err) != planner.ECONFLICT {
			t.Fatalf("stale UpdateScenario = %v, want %s", err, planner.ECONFLICT)
		}
		all, err := s.Scenarios(ctx)
		if err != nil || len(all) != 1 || all[0].Name != Hostile[0] {
			t.Fatalf("Scenarios = %+v, %v", all, err)
		}
		if err := s.DeleteScenario(ctx, sc.ID, 1); planner.ErrorCode(err) != planner.ECONFLICT {
			t.Fatalf("stale DeleteScenario = %v, want %s", err, planner.ECONFLICT)
		}
		if err := s.DeleteScenario(ctx, sc.ID, 2); err != nil {
			t.Fatalf("DeleteScenario: %v", err)
		}
		if _, err := s.Scenario(ctx, sc.ID); planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("Scenario(deleted) = %v", err)
		}
		if err := s.DeleteScenario(ctx, sc.ID, 2); planner.ErrorCode(err) != planner.ENOTFOUND {
			t.Fatalf("DeleteScenario(missing) = %v", err)
		}
		log, _ := s.Audit(ctx, 0, 10)
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, ",") != "scenario delete,scenario update,scenario create" {
			t.Fatalf("audit actions %v, want scenario delete, update, create", actions)
		}
	})
	t.Run("HostileWorkspaceText", func(t *testing.T) {
		s := fresh(t)
		ws := Sample(11, 40)
		for i := range ws.Cameras {
			ws.Cameras[i].Name = Hostile[i%len(Hostile)]
			ws.Cameras[i].Ref = Hostile[(i+1)%len(Hostile)]
		}
		for i := range ws.Kiosks {
			ws.Kiosks[i].Name = Hostile[i%len(Hostile)]
		}
		ws.Name = Hostile[0]
		ws.Notes = Hostile
		mustReplace(t, s, ws)
		mustHold(t, s, ws)
	})
}

func mustLoad(t *testing.T, s planner.Store) *planner.Workspace {
	t.Helper()
	ws, err := s.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatalf("LoadWorkspace: %v", err)
	}
	return ws
}

func mustRevision(t *testing.T, s planner.Store) int64 {
	t.Helper()
	r, err := s.Revision(context.Background())
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	return r
}

// checkVersions fails unless every camera, kiosk and unit has Version rev.
func checkVersions(t *testing.T, ws *planner.Workspace, rev int64) {
	t.Helper()
	for _, c := range ws.Cameras {
		if c.Version != rev {
			t.Fatalf("camera %d Version %d, want %d", c.ID, c.Version, rev)
		}
	}
	for _, k := range ws.Kiosks {
		if k.Version != rev {
			t.Fatalf("kiosk %d Version %d, want %d", k.ID, k.Version, rev)
		}
	}
	for _, u := range ws.Units {
		if u.Version != rev {
			t.Fatalf("unit %d Version %d, want %d", u.ID, u.Version, rev)
		}
	}
}

// versionDiff compares the versions of cameras, kiosks and units by ID.
func versionDiff(got, want *planner.Workspace) string {
	type key struct {
		kind string
		id   int64
	}
	w := map[key]int64{}
	for _, c := range want.Cameras {
		w[key{"camera", c.ID}] = c.Version
	}
	for _, k := range want.Kiosks {
		w[key{"kiosk", k.ID}] = k.Version
	}
	for _, u := range want.Units {
		w[key{"unit", u.ID}] = u.Version
	}
	g := map[key]int64{}
	for _, c := range got.Cameras {
		g[key{"camera", c.ID}] = c.Version
	}
	for _, k := range got.Kiosks {
		g[key{"kiosk", k.ID}] = k.Version
	}
	for _, u := range got.Units {
		g[key{"unit", u.ID}] = u.Version
	}
	for k, v := range w {
		if g[k] != v {
			return fmt.Sprintf("%s %d: version %d, want %d", k.kind, k.id, g[k], v)
		}
	}
	if len(g) != len(w) {
		return fmt.Sprintf("%d versioned records, want %d", len(g), len(w))
	}
	return ""
}

func isNull(m json.RawMessage) bool { return len(m) == 0 || string(m) == "null" }

func jsonEqual(a json.RawMessage, b string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}
