package postgres_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
)

func fieldNames(s *schema.Struct) []string {
	var out []string
	for _, f := range s.Schema.Fields {
		out = append(out, f.Name)
	}
	return out
}

// TestSchemaChangesMidStream: after ADD, DROP and ALTER COLUMN ... TYPE the
// next event carries the new schema.
func TestSchemaChangesMidStream(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.items(id int PRIMARY KEY, a int, b text)`)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data", "table.include.list": "public.items"})
	h.start()
	pg.Exec(t, `INSERT INTO items VALUES (1, 10, 'x')`)
	r := h.poll(1)[0]
	if got := fieldNames(after(t, r)); !slices.Equal(got, []string{"id", "a", "b"}) {
		t.Fatalf("initial fields %v", got)
	}

	pg.Exec(t, `ALTER TABLE items ADD COLUMN c varchar(5)`, `INSERT INTO items VALUES (2, 20, 'y', 'new')`)
	r = h.poll(1)[0]
	if got := fieldNames(after(t, r)); !slices.Equal(got, []string{"id", "a", "b", "c"}) || after(t, r).Get("c") != "new" {
		t.Fatalf("after ADD: fields %v values %v", got, after(t, r).Values)
	}

	pg.Exec(t, `ALTER TABLE items DROP COLUMN b`, `UPDATE items SET a = 11 WHERE id = 1`)
	r = h.poll(1)[0]
	if got := fieldNames(after(t, r)); !slices.Equal(got, []string{"id", "a", "c"}) || after(t, r).Get("a") != int32(11) {
		t.Fatalf("after DROP: fields %v values %v", got, after(t, r).Values)
	}

	pg.Exec(t, `ALTER TABLE items ALTER COLUMN a TYPE bigint`, `INSERT INTO items VALUES (3, 9000000000, 'z')`)
	r = h.poll(1)[0]
	a := after(t, r)
	if a.Schema.Field("a").Schema.Type != schema.TypeInt64 || a.Get("a") != int64(9000000000) {
		t.Fatalf("after ALTER TYPE: a is %v = %#v", a.Schema.Field("a").Schema.Type, a.Get("a"))
	}
	if r.ValueSchema.Field("after").Schema.Field("a").Schema.Type != schema.TypeInt64 {
		t.Fatal("the envelope schema still has the old type")
	}
}

// keyHistory is what the validator knows of one key.
type keyHistory struct {
	lastV   int64 // v of the last event seen
	deleted bool
}

// TestRandomizedWorkloadInvariants runs random DML, schema changes and
// task restarts (Stop, then Start from the committed offsets) for a few
// seconds, then checks per-key order, no gap and no duplicate (v counts
// each key's changes), and that the last after-image of every key matches
// the database.
func TestRandomizedWorkloadInvariants(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.w(id int PRIMARY KEY, v bigint NOT NULL)`)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data", "table.include.list": "public.w",
		"tombstones.on.delete": "false"})
	h.start()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))

	db := map[int]int64{} // id → v
	seen := map[int]*keyHistory{}
	var extras []string // extra columns
	nextID, nextCol := 1, 1
	restarts, changes := 0, 0
	var last *connect.SourceRecord

	check := func(recs []connect.SourceRecord) {
		for i := range recs {
			r := recs[i]
			last = &recs[i]
			if r.Topic != "dbserver1.public.w" {
				continue
			}
			id := int(keyOf(r).([]any)[0].(int32))
			k := seen[id]
			switch op(t, r) {
			case "c":
				if k != nil {
					t.Fatalf("create of key %d seen twice:\n%s", id, describe(recs))
				}
				seen[id] = &keyHistory{lastV: after(t, r).Get("v").(int64)}
				if seen[id].lastV != 1 {
					t.Fatalf("create of key %d with v=%d", id, seen[id].lastV)
				}
			case "u":
				v := after(t, r).Get("v").(int64)
				if k == nil || k.deleted || v != k.lastV+1 {
					t.Fatalf("update of key %d to v=%d after %+v (gap, duplicate or reorder)", id, v, k)
				}
				k.lastV = v
			case "d":
				if k == nil || k.deleted {
					t.Fatalf("delete of key %d after %+v", id, k)
				}
				k.deleted = true
			}
		}
	}
	drain := func() {
		// A message marks the end of what was written so far.
		marker := fmt.Sprintf("m%d", changes)
		pg.Exec(t, fmt.Sprintf(`SELECT pg_logical_emit_message(false, '%s', '')`, marker))
		check(h.pollUntil(func(r connect.SourceRecord) bool {
			return r.Topic == "dbserver1.message" && messageBlock(t, r).Get("prefix") == marker
		}))
	}

	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		changes++
		ids := make([]int, 0, len(db))
		for id := range db {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		switch n := rng.IntN(20); {
		case n < 6 || len(ids) == 0:
			pg.Exec(t, fmt.Sprintf(`INSERT INTO w(id, v) VALUES (%d, 1)`, nextID))
			db[nextID] = 1
			nextID++
		case n < 12:
			// A multi-statement transaction touching several keys.
			stmts := "BEGIN;"
			for range 1 + rng.IntN(3) {
				id := ids[rng.IntN(len(ids))]
				db[id]++
				set := ""
				for _, c := range extras {
					set += fmt.Sprintf(", %s = %d", c, db[id])
				}
				stmts += fmt.Sprintf(`UPDATE w SET v = %d%s WHERE id = %d;`, db[id], set, id)
			}
			pg.Exec(t, stmts+"COMMIT")
		case n < 14:
			id := ids[rng.IntN(len(ids))]
			pg.Exec(t, fmt.Sprintf(`DELETE FROM w WHERE id = %d`, id))
			delete(db, id)
		case n < 16:
			c := fmt.Sprintf("e%d", nextCol)
			nextCol++
			pg.Exec(t, fmt.Sprintf(`ALTER TABLE w ADD COLUMN %s int`, c))
			extras = append(extras, c)
		case n < 17 && len(extras) > 0:
			i := rng.IntN(len(extras))
			pg.Exec(t, fmt.Sprintf(`ALTER TABLE w DROP COLUMN %s`, extras[i]))
			extras = slices.Delete(extras, i, i+1)
		case n < 18 && len(extras) > 0:
			pg.Exec(t, fmt.Sprintf(`ALTER TABLE w ALTER COLUMN %s TYPE bigint`, extras[rng.IntN(len(extras))]))
		default:
			// Restart from the committed offsets.
			drain()
			if last != nil {
				h.commit(*last)
			}
			h.stop()
			h.start()
			restarts++
		}
		if rng.IntN(8) == 0 {
			drain()
		}
	}
	drain()
	t.Logf("%d steps, %d restarts, %d keys", changes, restarts, nextID-1)

	for id := 1; id < nextID; id++ {
		k := seen[id]
		v, alive := db[id]
		switch {
		case k == nil:
			t.Errorf("key %d: no event", id)
		case alive && (k.deleted || k.lastV != v):
			t.Errorf("key %d: last event %+v, database v=%d", id, k, v)
		case !alive && !k.deleted:
			t.Errorf("key %d: deleted in the database, last event %+v", id, k)
		}
	}
}
