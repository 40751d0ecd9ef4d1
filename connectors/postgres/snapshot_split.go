package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// snapshotSplitMinPages is the size, in pages, from which a table is split
// into key ranges read in parallel: a smaller table costs more in the
// extra statements than its parallel read saves. Tests lower it.
var snapshotSplitMinPages atomic.Int64

func init() { snapshotSplitMinPages.Store(1024) } // 8 MB at the default block size

// splitGroup names the group number in the sampling query, a name no key
// column shares (splitJob does not split a table where one does).
const splitGroup = " group"

// snapshotSamplePages is how many pages per range the boundaries are
// sampled from: enough rows for even ranges, few enough that sampling a
// large table costs a few hundred page reads.
const snapshotSamplePages = 64

// splitJob splits job into n ranges of its primary key, which readers of
// the same snapshot read in parallel, each in key order. The boundaries are
// keys sampled from the table (TABLESAMPLE SYSTEM, in the snapshot
// transaction on conn), cut into n groups of equal size in key order: each
// range holds about the same number of rows, and together the ranges cover
// every possible key exactly once, whatever rows the sample missed.
//
// A table is read whole by one reader when it has no primary key, when a
// snapshot.select.statement.overrides statement reads it, when it is not an
// ordinary table (a partitioned table's rows are in its partitions), when
// it is smaller than snapshotSplitMinPages, or when the sampled boundaries
// do not come back strictly increasing from their text form.
func splitJob(ctx context.Context, conn *pgx.Conn, job *snapshotJob, n int) error {
	info := job.ct.info
	if n < 2 || len(info.PK) == 0 || job.override || slices.Contains(info.PK, splitGroup) {
		return nil
	}
	var kind string
	var pages int64
	if err := conn.QueryRow(ctx, `SELECT relkind::text, pg_relation_size(oid) / current_setting('block_size')::bigint
		FROM pg_class WHERE oid = $1`, info.OID).Scan(&kind, &pages); err != nil {
		return fmt.Errorf("sizing %s: %w", info.quoted(), err)
	}
	if kind != "r" || pages < snapshotSplitMinPages.Load() || pages == 0 {
		return nil
	}

	types, err := pkTypes(ctx, conn, info)
	if err != nil {
		return err
	}
	key := make([]string, len(info.PK))
	texts := make([]string, len(info.PK))
	for i, c := range info.PK {
		key[i] = pgx.Identifier{c}.Sanitize()
		texts[i] = key[i] + "::text"
	}
	keyList := strings.Join(key, ", ")
	pct := min(100, 100*float64(snapshotSamplePages*n)/float64(pages))
	// The smallest key of every group but the first, in key order.
	g := pgx.Identifier{splitGroup}.Sanitize()
	sample := info.quoted() + " TABLESAMPLE SYSTEM (" + strconv.FormatFloat(pct, 'f', -1, 64) + ") REPEATABLE (0)"
	q := "SELECT " + strings.Join(texts, ", ") + " FROM (" +
		"SELECT DISTINCT ON (" + g + ") " + keyList + ", " + g + " FROM (" +
		"SELECT " + keyList + ", ntile(" + strconv.Itoa(n) + ") OVER (ORDER BY " + keyList + ") AS " + g + " FROM " + sample +
		") s ORDER BY " + g + ", " + keyList +
		") f WHERE " + g + " > 1 ORDER BY " + g
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("sampling the keys of %s: %w", info.quoted(), err)
	}
	var bounds []string
	vals := make([]string, len(key))
	dst := make([]any, len(key))
	for i := range vals {
		dst[i] = &vals[i]
	}
	_, err = pgx.ForEachRow(rows, dst, func() error {
		lits := make([]string, len(vals))
		for i, v := range vals {
			lits[i] = quoteLiteral(v) + "::" + types[i]
		}
		bounds = append(bounds, "("+strings.Join(lits, ", ")+")")
		return nil
	})
	if err != nil {
		return fmt.Errorf("sampling the keys of %s: %w", info.quoted(), err)
	}
	if len(bounds) == 0 {
		return nil
	}
	// The boundaries are written as text literals: check that they still
	// compare as the keys they came from, so the ranges cover every key
	// exactly once.
	checks := make([]string, 0, len(bounds))
	for i := 1; i < len(bounds); i++ {
		checks = append(checks, bounds[i-1]+" < "+bounds[i])
	}
	if len(checks) > 0 {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT "+strings.Join(checks, " AND ")).Scan(&ok); err != nil {
			return fmt.Errorf("checking the key ranges of %s: %w", info.quoted(), err)
		}
		if !ok {
			return nil
		}
	}
	row := "(" + keyList + ")"
	base := "SELECT * FROM " + info.quoted() + " WHERE "
	order := " ORDER BY " + keyList
	job.ranges = make([]string, 0, len(bounds)+1)
	job.ranges = append(job.ranges, base+row+" < "+bounds[0]+order)
	for i := 1; i < len(bounds); i++ {
		job.ranges = append(job.ranges, base+row+" >= "+bounds[i-1]+" AND "+row+" < "+bounds[i]+order)
	}
	job.ranges = append(job.ranges, base+row+" >= "+bounds[len(bounds)-1]+order)
	return nil
}

// pkTypes are the SQL types of the primary key columns, in key order, as
// format_type writes them.
func pkTypes(ctx context.Context, conn *pgx.Conn, info *tableInfo) ([]string, error) {
	rows, err := conn.Query(ctx, `SELECT format_type(a.atttypid, a.atttypmod)
		FROM unnest($2::text[]) WITH ORDINALITY AS k(name, ord)
		JOIN pg_attribute a ON a.attrelid = $1 AND a.attname = k.name
		ORDER BY k.ord`, info.OID, info.PK)
	if err != nil {
		return nil, fmt.Errorf("loading the key types of %s: %w", info.quoted(), err)
	}
	types, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("loading the key types of %s: %w", info.quoted(), err)
	}
	if len(types) != len(info.PK) {
		return nil, fmt.Errorf("loading the key types of %s: %d of %d columns found", info.quoted(), len(types), len(info.PK))
	}
	return types, nil
}
