package postgres_test

import (
	"testing"

	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// TestColumnMaskAndTruncate: column.mask.with.<n>.chars replaces a string
// column's value with n asterisks and column.truncate.to.<n>.chars cuts it
// to n characters, in the snapshot and streaming alike. A masked NULL is
// the mask (Debezium's MaskingValueConverter returns it for any value), a
// truncated NULL stays null.
func TestColumnMaskAndTruncate(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.people(id int PRIMARY KEY, ssn varchar(11), bio text, note text)`,
		`INSERT INTO people VALUES (1, '123-45-6789', 'héllo world', 'plain')`)
	h := newHarness(t, pg, map[string]string{
		"table.include.list":          "public.people",
		"column.mask.with.5.chars":    "public.people.ssn",
		"column.truncate.to.4.chars":  "public\\.people\\.b.*",
		"column.truncate.to.10.chars": "public.people.note",
	})
	h.start()
	pg.Exec(t, `INSERT INTO people VALUES (2, NULL, 'ab', NULL)`)
	recs := h.poll(2)
	want := [][]any{{int32(1), "*****", "héll", "plain"}, {int32(2), "*****", "ab", nil}}
	for i, r := range recs {
		a := after(t, r)
		for j, name := range []string{"id", "ssn", "bio", "note"} {
			if got := a.Get(name); got != want[i][j] {
				t.Errorf("record %d (%s): %s = %#v, want %#v", i, op(t, r), name, got, want[i][j])
			}
		}
	}
}

// TestColumnRewriteConfigErrors: a bad regex names its property.
func TestColumnRewriteConfigErrors(t *testing.T) {
	_, errs := postgres.ParseConfig(map[string]string{
		"topic.prefix": "p", "database.hostname": "h",
		"column.mask.with.3.chars": "public.t.(",
	})
	if len(errs) != 1 || errs[0].Name != "column.mask.with.3.chars" {
		t.Fatalf("errors %v", errs)
	}
}
