package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// TestFidelityPropagateHashNames: column.propagate.source.type,
// datatype.propagate.source.type, column.mask.hash (v1 and v2) and the
// avro name adjustments, on a snapshot row and on a streamed row alike.
func TestFidelityPropagateHashNames(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TYPE mood AS ENUM ('sad', 'ok')`,
		`CREATE DOMAIN float83 AS numeric(8,3)`,
		`CREATE TABLE public."my-table" (id int PRIMARY KEY, "first name" varchar(10), secret text,
			code varchar(8), m mood, a float83, "9lives" int)`,
		`INSERT INTO public."my-table" VALUES (1, 'Ann', 'hello', 'hello', 'ok', 12345.123, 9)`)
	h := newHarness(t, pg, map[string]string{
		"table.include.list":                               `public\.my-table`,
		"column.propagate.source.type":                     `public.my-table.(first name|A)`,
		"datatype.propagate.source.type":                   `.+\.MOOD`,
		"column.mask.hash.SHA-256.with.salt.CzQMA0cB5K":    `public.my-table.secret`,
		"column.mask.hash.v2.SHA-256.with.salt.CzQMA0cB5K": `public.my-table.code`,
		"schema.name.adjustment.mode":                      "avro",
		"field.name.adjustment.mode":                       "avro",
	})
	h.start()
	pg.Exec(t, `INSERT INTO public."my-table" VALUES (1000, 'Ann', 'hello', 'hello', 'ok', 12345.123, 9)`)
	recs := h.poll(2)
	want := golden(t, "fidelity_after.json")
	for i, r := range recs {
		if r.Topic != "dbserver1.public.my-table" {
			t.Errorf("record %d topic %s", i, r.Topic)
		}
		if i == 0 {
			assertAfterJSON(t, r, "fidelity_key.json", want)
			continue
		}
		// The streamed row differs only in its id.
		a := after(t, r)
		a.Values[0] = int32(1)
		assertAfterJSON(t, connect.SourceRecord{Topic: r.Topic, ValueSchema: r.ValueSchema, Value: r.Value}, "", want)
	}
}

// assertAfterJSON compares the JsonConverter output of the record's after
// struct (and, when keyFile is set, its key) with golden bytes.
func assertAfterJSON(t *testing.T, r connect.SourceRecord, keyFile string, want []byte) {
	t.Helper()
	conv, err := jsonconv.New(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	a := r.Value.(*schema.Struct).Get("after").(*schema.Struct)
	got, err := conv.FromConnect(r.Topic, a.Schema, a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("after:\n got %s\nwant %s", got, want)
	}
	if keyFile == "" {
		return
	}
	key, err := conv.FromConnect(r.Topic, r.KeySchema, r.Key)
	if err != nil {
		t.Fatal(err)
	}
	if w := golden(t, keyFile); !bytes.Equal(key, w) {
		t.Errorf("key:\n got %s\nwant %s", key, w)
	}
}

// TestPartitionedTables: with publish.via.partition.root the publication
// is created WITH (publish_via_partition_root = true) and a captured root
// carries its partitions' rows on the root's topic, in the snapshot (which
// reads the root) and in streaming; without it, captured partitions carry
// their own rows on their own topics.
func TestPartitionedTables(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.meas (id int, city text, logdate date NOT NULL, PRIMARY KEY (id, logdate))
			PARTITION BY RANGE (logdate)`,
		`CREATE TABLE public.meas_2024 PARTITION OF public.meas FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
		`CREATE TABLE public.meas_2025 PARTITION OF public.meas FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')`,
		`INSERT INTO public.meas VALUES (1, 'a', '2024-03-01'), (2, 'b', '2025-03-01')`)

	t.Run("root", func(t *testing.T) {
		h := newHarness(t, pg, map[string]string{
			"table.include.list": `public\.meas`, "publish.via.partition.root": "true",
			"slot.name": "slot_root", "publication.name": "pub_root",
		})
		h.start()
		var viaRoot bool
		queryRow(t, pg, `SELECT pubviaroot FROM pg_publication WHERE pubname = 'pub_root'`, &viaRoot)
		if !viaRoot {
			t.Fatal("publication pub_root is not published via the partition root")
		}
		pg.Exec(t, `INSERT INTO public.meas VALUES (3, 'c', '2025-06-01')`)
		assertPartitionRecords(t, h.poll(3), []string{"r:meas:1", "r:meas:2", "c:meas:3"})
	})
	t.Run("partitions", func(t *testing.T) {
		h := newHarness(t, pg, map[string]string{
			"table.include.list": `public\.meas_.*`,
			"slot.name":          "slot_parts", "publication.name": "pub_parts",
		})
		h.start()
		var viaRoot bool
		queryRow(t, pg, `SELECT pubviaroot FROM pg_publication WHERE pubname = 'pub_parts'`, &viaRoot)
		if viaRoot {
			t.Fatal("publication pub_parts is published via the partition root")
		}
		pg.Exec(t, `INSERT INTO public.meas VALUES (4, 'd', '2024-06-01')`)
		assertPartitionRecords(t, h.poll(4),
			[]string{"r:meas_2024:1", "r:meas_2025:2", "r:meas_2025:3", "c:meas_2024:4"})
	})
}

func queryRow(t *testing.T, pg *pgtest.Server, sql string, dest ...any) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(t.Context(), sql).Scan(dest...); err != nil {
		t.Fatal(err)
	}
}

// assertPartitionRecords checks each record's op, source table and id, and
// that its topic is the source table's.
func assertPartitionRecords(t *testing.T, recs []connect.SourceRecord, want []string) {
	t.Helper()
	var got []string
	for _, r := range recs {
		table := sourceField(t, r, "table").(string)
		if r.Topic != "dbserver1.public."+table {
			t.Errorf("record of %s on topic %s", table, r.Topic)
		}
		got = append(got, fmt.Sprintf("%s:%s:%v", op(t, r), table, after(t, r).Get("id")))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records %v, want %v", got, want)
	}
}
