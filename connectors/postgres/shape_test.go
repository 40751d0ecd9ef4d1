package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
)

// TestColumnFilterAndKeyColumns checks column.exclude.list (the column
// leaves the schema, debezium-values.md #36) and message.key.columns (the
// key holds only the named column, required because NOT NULL, #35) in the
// snapshot and streaming paths.
func TestColumnFilterAndKeyColumns(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.keyed(id int PRIMARY KEY, code text NOT NULL, secret text, note text)`,
		`INSERT INTO public.keyed VALUES (1, 'A', 's1', 'n1')`)
	h := newHarness(t, pg, map[string]string{
		"table.include.list":  "public.keyed",
		"column.exclude.list": "public.keyed.secret",
		"message.key.columns": "(.*).keyed:code",
	})
	h.start()
	snap := h.poll(1)[0]
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `INSERT INTO public.keyed VALUES (2, 'B', 's2', 'n2')`); err != nil {
		t.Fatal(err)
	}
	streamed := h.poll(1)[0]
	for _, tc := range []struct {
		r    *schema.Struct
		key  any
		code string
	}{
		{after(t, snap), snap.Key, "A"},
		{after(t, streamed), streamed.Key, "B"},
	} {
		var names []string
		for _, f := range tc.r.Schema.Fields {
			names = append(names, f.Name)
		}
		if len(names) != 3 || names[0] != "id" || names[1] != "code" || names[2] != "note" {
			t.Errorf("value fields %v, want [id code note]", names)
		}
		k, ok := tc.key.(*schema.Struct)
		if !ok {
			t.Fatalf("key %T", tc.key)
		}
		ks := k.Schema
		if ks.Name != "dbserver1.public.keyed.Key" || ks.Optional || len(ks.Fields) != 1 ||
			ks.Fields[0].Name != "code" || ks.Fields[0].Schema.Type != schema.TypeString || ks.Fields[0].Schema.Optional {
			t.Errorf("key schema %+v", ks)
		}
		if k.Values[0] != tc.code {
			t.Errorf("key %v, want %s", k.Values, tc.code)
		}
	}
}

// TestKeyChangeAndTruncate checks a primary-key update (delete with
// __debezium.newkey, tombstone, create with __debezium.oldkey) and, with
// skipped.operations=none, a TRUNCATE as op "t" with a null key and neither
// before nor after (debezium.md §4.3, debezium-values.md #37).
func TestKeyChangeAndTruncate(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.pk(id int PRIMARY KEY, v text)`, `CREATE TABLE public.pk2(id int PRIMARY KEY)`)
	h := newHarness(t, pg, map[string]string{"table.include.list": "public.pk,public.pk2", "skipped.operations": "none",
		"snapshot.mode": "no_data"})
	h.start()
	pg.Exec(t, `INSERT INTO public.pk VALUES (1, 'a')`, `UPDATE public.pk SET id = 2 WHERE id = 1`, `TRUNCATE public.pk, public.pk2`)
	recs := h.poll(6)
	var ops []string
	for _, r := range recs {
		ops = append(ops, op(t, r))
	}
	if want := []string{"c", "d", "tombstone", "c", "t", "t"}; !slices.Equal(ops, want) {
		t.Fatalf("ops %v, want %v:\n%s", ops, want, describe(recs))
	}
	// SimpleHeaderConverter writes a Struct header as Struct.toString.
	header := func(r connect.SourceRecord, key string) any {
		for _, hd := range r.Headers {
			if hd.Key == key {
				return hd.Value
			}
		}
		return nil
	}
	if got := header(recs[1], "__debezium.newkey"); got != "Struct{id=2}" {
		t.Errorf("delete's __debezium.newkey %v, want Struct{id=2}", got)
	}
	if got := header(recs[3], "__debezium.oldkey"); got != "Struct{id=1}" {
		t.Errorf("create's __debezium.oldkey %v, want Struct{id=1}", got)
	}
	if header(recs[1], "__debezium.oldkey") != nil || header(recs[3], "__debezium.newkey") != nil {
		t.Errorf("key headers on the wrong records")
	}
	// One truncate record per table: two events at the message's LSN.
	for i, table := range []string{"pk", "pk2"} {
		tr := recs[4+i]
		if tr.Key != nil || tr.KeySchema != nil || before(t, tr) != nil || after(t, tr) != nil ||
			sourceField(t, tr, "table") != table || tr.SourceOffset["messageType"] != "TRUNCATE" {
			t.Errorf("truncate record %+v", tr)
		}
		if n := offsetInt(t, tr, "lsn_events_processed"); n != int64(i+1) {
			t.Errorf("truncate of %s: lsn_events_processed %d, want %d", table, n, i+1)
		}
		if sourceField(t, tr, "lsn") != tr.SourceOffset["lsn"] || sourceField(t, tr, "txId") != tr.SourceOffset["txId"] ||
			sourceField(t, tr, "lsn") != recs[4].SourceOffset["lsn"] ||
			// A transaction of its own, after the update's.
			offsetInt(t, tr, "lsn_commit") <= offsetInt(t, recs[3], "lsn") {
			t.Errorf("truncate of %s: source %v, offset %v", table, valueStruct(t, tr).Get("source"), tr.SourceOffset)
		}
	}
}
