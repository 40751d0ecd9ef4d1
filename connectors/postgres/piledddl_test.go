package postgres_test

import (
	"slices"
	"testing"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
)

// TestPiledUpSchemaChanges: DDL and DML committed while the task is down
// are decoded after it starts, with the catalog already at the last
// shape. Each event carries the columns, types and typmods of its Relation
// message (as Debezium's PgOutputMessageDecoder takes them), not the
// catalog's: a column dropped since still appears with its value, a column
// added since is absent, a column whose type changed since keeps its old
// type. Optionality, defaults and the key come from the catalog.
func TestPiledUpSchemaChanges(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.pile(id int PRIMARY KEY, a int)`)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data", "table.include.list": "public.pile"})
	h.start()
	pg.Exec(t, `INSERT INTO pile VALUES (1, 10)`)
	h.commit(h.poll(1)[0])
	h.stop()

	pg.Exec(t,
		`ALTER TABLE pile ADD COLUMN x text`,
		`INSERT INTO pile VALUES (2, 20, 'gone later')`,
		`ALTER TABLE pile DROP COLUMN x`,
		`ALTER TABLE pile ADD COLUMN y numeric(5,2) NOT NULL DEFAULT 1.50`,
		`INSERT INTO pile VALUES (3, 30, 2.25)`,
		`ALTER TABLE pile ALTER COLUMN a TYPE text`,
		`INSERT INTO pile VALUES (4, 'forty', 4.00)`)

	h.start()
	recs := h.poll(3)

	a2 := after(t, recs[0])
	if got := fieldNames(a2); !slices.Equal(got, []string{"id", "a", "x"}) {
		t.Fatalf("id 2: fields %v, want [id a x]", got)
	}
	if a2.Get("a") != int32(20) || a2.Get("x") != "gone later" {
		t.Fatalf("id 2: values %v", a2.Values)
	}
	// x is gone from the catalog: optional, as Debezium defaults it.
	if !a2.Schema.Field("x").Schema.Optional {
		t.Error("id 2: the dropped column x is not optional")
	}

	a3 := after(t, recs[1])
	if got := fieldNames(a3); !slices.Equal(got, []string{"id", "a", "y"}) {
		t.Fatalf("id 3: fields %v, want [id a y]", got)
	}
	y := a3.Schema.Field("y").Schema
	if y.Name != schema.DecimalName || y.Optional || y.Type != schema.TypeBytes || !y.HasDefault {
		t.Fatalf("id 3: y schema %+v, want a required Decimal with a default", y)
	}
	if a3.Schema.Field("a").Schema.Type != schema.TypeInt32 || a3.Get("a") != int32(30) {
		t.Fatalf("id 3: a is %v = %#v, want the int32 it was when written", a3.Schema.Field("a").Schema.Type, a3.Get("a"))
	}

	a4 := after(t, recs[2])
	if a4.Schema.Field("a").Schema.Type != schema.TypeString || a4.Get("a") != "forty" {
		t.Fatalf("id 4: a is %v = %#v, want the string", a4.Schema.Field("a").Schema.Type, a4.Get("a"))
	}
	for i, r := range recs {
		if r.KeySchema == nil || len(r.KeySchema.Fields) != 1 || r.KeySchema.Fields[0].Name != "id" {
			t.Errorf("record %d: key schema %+v, want the primary key id", i, r.KeySchema)
		}
	}
}
