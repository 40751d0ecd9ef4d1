package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// masked replaces volatile values (timestamps, LSNs, transaction ids) at the
// given paths of a decoded JSON document, in place.
func masked(t *testing.T, doc any, paths ...[]string) any {
	t.Helper()
	for _, p := range paths {
		m, ok := doc.(map[string]any)
		for _, k := range p[:len(p)-1] {
			if !ok {
				break
			}
			m, ok = m[k].(map[string]any)
		}
		if !ok {
			t.Fatalf("path %v not in document", p)
		}
		last := p[len(p)-1]
		if _, present := m[last]; !present {
			t.Fatalf("field %v missing", p)
		}
		m[last] = "<masked>"
	}
	return doc
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	return compact.Bytes()
}

// TestGoldenCustomersInsertJSON checks the INSERT of the reference's
// customers example end to end through the JsonConverter: key bytes exactly,
// the value's schema exactly, the value's payload as JSON with volatile
// fields masked, and the offset's keys and stable values.
func TestGoldenCustomersInsertJSON(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data"})
	h.start()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `INSERT INTO public.customers(email, balance, created_at)
		VALUES ('a@x.io', 12.50, '2024-05-01 10:00:00+00')`); err != nil {
		t.Fatal(err)
	}
	r := h.poll(1)[0]

	assertGoldenJSON(t, r, "customers_insert_key.json", "customers_insert_value.json",
		[]string{"payload", "source", "ts_ms"}, []string{"payload", "source", "ts_us"}, []string{"payload", "source", "ts_ns"},
		[]string{"payload", "source", "sequence"}, []string{"payload", "source", "txId"}, []string{"payload", "source", "lsn"},
		[]string{"payload", "ts_ms"}, []string{"payload", "ts_us"}, []string{"payload", "ts_ns"})

	// The offset as the runtime stores it (schemaless JSON).
	offJSON, err := json.Marshal(r.SourceOffset)
	if err != nil {
		t.Fatal(err)
	}
	offVolatile := [][]string{{"lsn_proc"}, {"lsn_commit"}, {"lsn"}, {"txId"}, {"ts_usec"}}
	gotOff := masked(t, decodeJSON(t, offJSON), offVolatile...)
	wantOff := masked(t, decodeJSON(t, golden(t, "customers_insert_offset.json")), offVolatile...)
	if !reflect.DeepEqual(gotOff, wantOff) {
		t.Errorf("offset (masked):\n got %v\nwant %v", gotOff, wantOff)
	}
	if r.SourceOffset["lsn"] != r.SourceOffset["lsn_proc"] {
		t.Errorf("offset lsn %v != lsn_proc %v for a single-row insert", r.SourceOffset["lsn"], r.SourceOffset["lsn_proc"])
	}
	if !reflect.DeepEqual(r.SourcePartition, map[string]any{"server": "dbserver1"}) {
		t.Errorf("partition %v", r.SourcePartition)
	}
}

// assertGoldenJSON converts r with a default JsonConverter and compares it
// with the golden key and value files: the key bytes exactly, the value's
// schema half exactly (field order, names, versions, parameters and defaults
// are the contract), and the value's payload as JSON with the volatile paths
// masked.
func assertGoldenJSON(t *testing.T, r connect.SourceRecord, keyFile, valueFile string, volatile ...[]string) {
	t.Helper()
	keyConv, err := jsonconv.New(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	valueConv, err := jsonconv.New(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	key, err := keyConv.FromConnect(r.Topic, r.KeySchema, r.Key)
	if err != nil {
		t.Fatal(err)
	}
	if want := golden(t, keyFile); !bytes.Equal(key, want) {
		t.Errorf("key bytes:\n got %s\nwant %s", key, want)
	}
	value, err := valueConv.FromConnect(r.Topic, r.ValueSchema, r.Value)
	if err != nil {
		t.Fatal(err)
	}
	want := golden(t, valueFile)
	gotSchema, _, _ := bytes.Cut(value, []byte(`,"payload":`))
	wantSchema, _, _ := bytes.Cut(want, []byte(`,"payload":`))
	if !bytes.Equal(gotSchema, wantSchema) {
		t.Errorf("value schema:\n got %s\nwant %s", gotSchema, wantSchema)
	}
	gotDoc, wantDoc := masked(t, decodeJSON(t, value), volatile...), masked(t, decodeJSON(t, want), volatile...)
	if !reflect.DeepEqual(gotDoc, wantDoc) {
		t.Errorf("value payload (masked):\n got %v\nwant %v", gotDoc, wantDoc)
	}
}
