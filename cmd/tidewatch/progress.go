package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// progressBar draws "label [=====     ]  45%" on a terminal, redrawing in
// place; on a pipe or file it prints only the finished line, so logs stay
// clean.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	tty   bool
	last  int
}

func newProgressBar(w io.Writer, label string) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, label: label, tty: tty, last: -1}
}

// Update reports done of total units.
func (p *progressBar) Update(done, total int64) {
	if total <= 0 {
		return
	}
	pct := int(100 * done / total)
	if pct > 100 {
		pct = 100
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if pct == p.last || !p.tty {
		p.last = pct
		return
	}
	p.last = pct
	n := pct * 30 / 100
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%%", p.label, strings.Repeat("=", n), strings.Repeat(" ", 30-n), pct)
}

// Done finishes the bar with a summary.
func (p *progressBar) Done(summary string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, "%s: %s\n", p.label, summary)
}
