package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// maxBatchRows caps the rows of one multi-row INSERT; with up to ~16
// columns this stays well under SQLite's 32766 bound parameters.
const maxBatchRows = 256

// inserter writes rows into one table with multi-row INSERT statements.
// Full batches reuse one prepared statement; the remainder is sent once at
// flush. Batching cuts the per-statement round trips through database/sql
// that dominate a row-at-a-time insert.
type inserter struct {
	tx    *sql.Tx
	table string
	cols  []string
	full  *sql.Stmt // prepared on first full batch
	args  []any
	n     int // rows buffered in args
}

func newInserter(tx *sql.Tx, table string, cols []string) *inserter {
	return &inserter{tx: tx, table: table, cols: cols, args: make([]any, 0, maxBatchRows*len(cols))}
}

// query returns an INSERT for rows rows.
func (in *inserter) query(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(in.cols)), ",") + ")"
	return "INSERT INTO " + in.table + " (" + strings.Join(in.cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}

// add buffers one row (values in column order) and sends a full batch.
func (in *inserter) add(ctx context.Context, vals ...any) error {
	if len(vals) != len(in.cols) {
		return fmt.Errorf("%s: %d values for %d columns", in.table, len(vals), len(in.cols))
	}
	in.args = append(in.args, vals...)
	if in.n++; in.n == maxBatchRows {
		return in.flush(ctx)
	}
	return nil
}

// flush sends the buffered rows.
func (in *inserter) flush(ctx context.Context) (err error) {
	if in.n == 0 {
		return nil
	}
	if in.n == maxBatchRows {
		if in.full == nil {
			if in.full, err = in.tx.PrepareContext(ctx, in.query(maxBatchRows)); err != nil {
				return fmt.Errorf("%s: %w", in.table, err)
			}
		}
		_, err = in.full.ExecContext(ctx, in.args...)
	} else {
		_, err = in.tx.ExecContext(ctx, in.query(in.n), in.args...)
	}
	clear(in.args) // drop references to the row values
	in.args, in.n = in.args[:0], 0
	if err != nil {
		return fmt.Errorf("%s: %w", in.table, err)
	}
	return nil
}

// insertAll writes every item of xs as one row of table; row returns the
// values for item i in column order.
func insertAll[T any](ctx context.Context, tx *sql.Tx, table string, cols []string, xs []T, row func(i int, x *T) ([]any, error)) error {
	in := newInserter(tx, table, cols)
	defer func() {
		if in.full != nil {
			in.full.Close()
		}
	}()
	for i := range xs {
		vals, err := row(i, &xs[i])
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		if err := in.add(ctx, vals...); err != nil {
			return err
		}
	}
	return in.flush(ctx)
}
