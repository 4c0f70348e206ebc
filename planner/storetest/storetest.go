package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Run is the conformance suite for planner.Store implementations. open must
// return a new, empty store for each call; Run closes it when the subtest
// ends. Call it from the implementation's own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) planner.Store { ... })
//	}
func Run(t *testing.T, open func(t *testing.T) planner.Store) {
	fresh := func(t *testing.T) planner.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	t.Run("EmptyStoreNotFound", func(t *testing.T) {
		_, err := fresh(t).LoadWorkspace(context.Background())
		if code := planner.ErrorCode(err); code != planner.ENOTFOUND {
			t.Fatalf("LoadWorkspace on an empty store: err = %v (code %q), want %s", err, code, planner.ENOTFOUND)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		s := fresh(t)
		ws := Sample(1, 300)
		mustReplace(t, s, ws)
		mustHold(t, s, ws)
	})
	t.Run("EmptyWorkspace", func(t *testing.T) {
		s := fresh(t)
		ws := &planner.Workspace{Name: "空", Bound: geo.EmptyBound(), Roads: []planner.Road{}, Notes: []string{}}
		mustReplace(t, s, ws)
		mustHold(t, s, ws)
	})
	t.Run("ReplaceReplaces", func(t *testing.T) {
		s := fresh(t)
		mustReplace(t, s, Sample(1, 300))
		second := Sample(2, 40)
		second.Grids, second.Notes = nil, nil
		mustReplace(t, s, second)
		mustHold(t, s, second)
	})
	t.Run("NilWorkspaceRejected", func(t *testing.T) {
		if err := fresh(t).ReplaceWorkspace(context.Background(), nil); planner.ErrorCode(err) != planner.EINVALID {
			t.Fatalf("ReplaceWorkspace(nil) = %v, want %s", err, planner.EINVALID)
		}
	})
	t.Run("FailedReplaceKeepsPrevious", func(t *testing.T) {
		s := fresh(t)
		prev := Sample(1, 200)
		mustReplace(t, s, prev)
		for name, breakIt := range map[string]func(ws *planner.Workspace){
			"duplicate road":     func(ws *planner.Workspace) { ws.Roads[len(ws.Roads)-1].ID = ws.Roads[0].ID },
			"duplicate camera":   func(ws *planner.Workspace) { ws.Cameras[len(ws.Cameras)-1].ID = ws.Cameras[0].ID },
			"duplicate unit":     func(ws *planner.Workspace) { ws.Units[len(ws.Units)-1].ID = ws.Units[0].ID },
			"duplicate building": func(ws *planner.Workspace) { ws.Buildings[len(ws.Buildings)-1].ID = ws.Buildings[0].ID },
		} {
			bad := Sample(3, 150)
			breakIt(bad)
			err := s.ReplaceWorkspace(context.Background(), bad)
			if code := planner.ErrorCode(err); code != planner.EINVALID {
				t.Errorf("%s: ReplaceWorkspace = %v (code %q), want %s", name, err, code, planner.EINVALID)
			}
			mustHold(t, s, prev)
		}
	})
	t.Run("CancelledContext", func(t *testing.T) {
		s := fresh(t)
		prev := Sample(1, 50)
		mustReplace(t, s, prev)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.ReplaceWorkspace(ctx, Sample(2, 50)); !errors.Is(err, context.Canceled) {
			t.Errorf("ReplaceWorkspace(cancelled) = %v, want context.Canceled", err)
		}
		if _, err := s.LoadWorkspace(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("LoadWorkspace(cancelled) = %v, want context.Canceled", err)
		}
		mustHold(t, s, prev)
	})
	t.Run("DeadlineMidReplace", func(t *testing.T) {
		// Whether each attempt beats its deadline depends on the machine;
		// either way the store must hold exactly one whole workspace.
		s := fresh(t)
		prev, next := Sample(1, 50), Sample(4, 20000)
		mustReplace(t, s, prev)
		for _, d := range []time.Duration{time.Millisecond, 10 * time.Millisecond, 50 * time.Millisecond, 30 * time.Second} {
			ctx, cancel := context.WithTimeout(context.Background(), d)
			err := s.ReplaceWorkspace(ctx, next)
			cancel()
			if err != nil {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("deadline %v: err = %v, want context.DeadlineExceeded", d, err)
				}
				t.Logf("deadline %v: interrupted, previous workspace must remain", d)
				mustHold(t, s, prev)
				continue
			}
			t.Logf("deadline %v: finished in time", d)
			mustHold(t, s, next)
			mustReplace(t, s, prev)
		}
	})
	t.Run("ConcurrentLoads", func(t *testing.T) {
		s := fresh(t)
		a, b := Sample(5, 400), Sample(6, 150)
		mustReplace(t, s, a)
		wantA, wantB := Normalized(a), Normalized(b)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		wg.Add(1)
		go func() { // a writer flipping between a and b while readers load
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := s.ReplaceWorkspace(context.Background(), []*planner.Workspace{b, a}[i%2]); err != nil {
					t.Errorf("concurrent ReplaceWorkspace: %v", err)
					return
				}
			}
		}()
		var readers sync.WaitGroup
		for range 6 {
			readers.Add(1)
			go func() {
				defer readers.Done()
				for range 5 {
					got, err := s.LoadWorkspace(context.Background())
					if err != nil {
						t.Errorf("concurrent LoadWorkspace: %v", err)
						return
					}
					if Diff(got, wantA) != "" && Diff(got, wantB) != "" {
						t.Errorf("concurrent LoadWorkspace returned neither workspace: vs a: %s; vs b: %s",
							Diff(got, wantA), Diff(got, wantB))
						return
					}
				}
			}()
		}
		readers.Wait()
		close(stop)
		wg.Wait()
	})
	runRecords(t, fresh)
	runAccess(t, fresh)
}

// mustReplace stores ws or fails the test.
func mustReplace(t *testing.T, s planner.Store, ws *planner.Workspace) {
	t.Helper()
	if err := s.ReplaceWorkspace(context.Background(), ws); err != nil {
		t.Fatalf("ReplaceWorkspace: %v", err)
	}
}

// mustHold checks that the store loads exactly Normalized(ws).
func mustHold(t *testing.T, s planner.Store, ws *planner.Workspace) {
	t.Helper()
	got, err := s.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatalf("LoadWorkspace: %v", err)
	}
	if d := Diff(got, Normalized(ws)); d != "" {
		t.Fatalf("loaded workspace differs from what was stored: %s", d)
	}
}
