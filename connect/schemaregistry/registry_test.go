package schemaregistry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/kafkalog"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/schema/registry"
)

// startRegistry opens a registry on brokers and serves it on a free port.
func startRegistry(t testing.TB, brokers []string) (*Registry, *registry.Client) {
	r, c, _ := startRegistryURL(t, brokers)
	return r, c
}

// startRegistryURL is startRegistry that also returns the registry's URL.
func startRegistryURL(t testing.TB, brokers []string) (*Registry, *registry.Client, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := Open(ctx, Config{Brokers: brokers, ClientID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	url, err := r.Listen("http://127.0.0.1:0")
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { r.Close() }) })
	c, err := registry.New(registry.Config{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	return r, c, url
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const (
	ordersV1 = `{"type":"record","name":"Value","namespace":"shop.orders","fields":[{"name":"id","type":"long"}]}`
	// v2 adds an optional column: BACKWARD compatible.
	ordersV2 = `{"type":"record","name":"Value","namespace":"shop.orders","fields":[{"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null}]}`
	// v3 adds a required column without a default: not BACKWARD compatible.
	ordersV3 = `{"type":"record","name":"Value","namespace":"shop.orders","fields":[{"name":"id","type":"long"},{"name":"qty","type":"int"}]}`
)

func TestRegisterLookupAndIDs(t *testing.T) {
	_, c, url := startRegistryURL(t, kafkatest.NewCluster(t))
	ctx := ctxT(t)
	id, err := c.Register(ctx, "orders-value", ordersV1)
	if err != nil || id != 1 {
		t.Fatalf("Register = %d, %v; want 1", id, err)
	}
	// Whitespace does not make a new schema; a fresh client asks the server.
	c2, _ := registry.New(registry.Config{URLs: []string{url}})
	if id, err := c2.Register(ctx, "orders-value", " "+ordersV1+"\n"); err != nil || id != 1 {
		t.Fatalf("re-Register = %d, %v; want 1", id, err)
	}
	// The same schema under another subject keeps its id.
	if id, err := c.Register(ctx, "orders-key", ordersV1); err != nil || id != 1 {
		t.Fatalf("Register under a second subject = %d, %v; want 1", id, err)
	}
	id2, err := c.Register(ctx, "orders-value", ordersV2)
	if err != nil || id2 != 2 {
		t.Fatalf("Register v2 = %d, %v; want 2", id2, err)
	}
	if vs, err := c.Versions(ctx, "orders-value"); err != nil || !reflect.DeepEqual(vs, []int{1, 2}) {
		t.Errorf("Versions = %v, %v", vs, err)
	}
	if subs, err := c.Subjects(ctx); err != nil || !reflect.DeepEqual(subs, []string{"orders-key", "orders-value"}) {
		t.Errorf("Subjects = %v, %v", subs, err)
	}
	got, err := c2.Lookup(ctx, "orders-value", ordersV1)
	if err != nil || got.ID != 1 || got.Version != 1 || got.Subject != "orders-value" {
		t.Errorf("Lookup = %+v, %v", got, err)
	}
	latest, err := c2.Latest(ctx, "orders-value")
	if err != nil || latest.Version != 2 || latest.ID != 2 || latest.Schema != ordersV2 {
		t.Errorf("Latest = %+v, %v", latest, err)
	}
	if text, err := c2.SchemaByID(ctx, 2); err != nil || text != ordersV2 {
		t.Errorf("SchemaByID(2) = %q, %v", text, err)
	}

	// Errors carry the registry's codes.
	for _, tc := range []struct {
		name string
		err  error
		code int
	}{
		{"unknown id", second(c2.SchemaByID(ctx, 99)), registry.CodeSchemaNotFound},
		{"unknown subject", second(c2.Lookup(ctx, "nope", ordersV1)), registry.CodeSubjectNotFound},
		{"unregistered schema", second(c2.Lookup(ctx, "orders-value", ordersV3)), registry.CodeSchemaNotFound},
		{"invalid schema", second(c2.Register(ctx, "orders-value", `{"type":"record"}`)), registry.CodeInvalidSchema},
		{"incompatible", second(c2.Register(ctx, "orders-value", ordersV3)), registry.CodeIncompatibleSchema},
	} {
		if !registry.IsCode(tc.err, tc.code) {
			t.Errorf("%s: err = %v, want error_code %d", tc.name, tc.err, tc.code)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestCompatibilityLevels(t *testing.T) {
	_, c := startRegistry(t, kafkatest.NewCluster(t))
	ctx := ctxT(t)
	if _, err := c.Register(ctx, "s", ordersV1); err != nil {
		t.Fatal(err)
	}
	_, err := c.Register(ctx, "s", ordersV3)
	var re *registry.Error
	if !errors.As(err, &re) || re.Status != 409 ||
		!strings.HasPrefix(re.Message, `Schema being registered is incompatible with an earlier schema for subject "s"`) ||
		!strings.Contains(re.Message, "READER_FIELD_MISSING_DEFAULT_VALUE") {
		t.Fatalf("incompatible register: %v", err)
	}
	// Dropping a column is fine under BACKWARD (the reader ignores it)...
	dropped := `{"type":"record","name":"Value","namespace":"shop.orders","fields":[]}`
	if _, err := c.Register(ctx, "s", dropped); err != nil {
		t.Fatalf("dropping a field under BACKWARD: %v", err)
	}
	// ...but not under FORWARD_TRANSITIVE for a required field of v1.
	if err := c.SetCompatibility(ctx, "t", "FORWARD"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(ctx, "t", ordersV1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(ctx, "t", dropped); !registry.IsCode(err, 409) {
		t.Errorf("dropping a required field under FORWARD: err = %v, want 409", err)
	}
	// NONE accepts anything; an unknown level is a 42203.
	if err := c.SetCompatibility(ctx, "", "NONE"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(ctx, "s", ordersV3); err != nil {
		t.Errorf("register under NONE: %v", err)
	}
	if err := c.SetCompatibility(ctx, "", "SOMETIMES"); !registry.IsCode(err, registry.CodeInvalidCompatibility) {
		t.Errorf("bad level: err = %v", err)
	}
	// Type promotion int → long is readable; long → int is not.
	if err := c.SetCompatibility(ctx, "", "BACKWARD"); err != nil {
		t.Fatal(err)
	}
	intV := `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`
	longV := `{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}`
	if _, err := c.Register(ctx, "p", intV); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(ctx, "p", longV); err != nil {
		t.Errorf("int → long: %v", err)
	}
	if _, err := c.Register(ctx, "p", intV); err != nil {
		// intV is already version 1 of p: the registry returns its id.
		t.Errorf("re-registering v1: %v", err)
	}
	if _, err := c.Register(ctx, "q", longV); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(ctx, "q", intV); !registry.IsCode(err, 409) {
		t.Errorf("long → int: err = %v, want 409", err)
	}
}

// TestDurableInSchemasTopic restarts the registry on the same broker: ids,
// versions and configs come back from _schemas, and the next id continues
// after the highest.
func TestDurableInSchemasTopic(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	r1, c1 := startRegistry(t, brokers)
	ctx := ctxT(t)
	if _, err := c1.Register(ctx, "orders-value", ordersV1); err != nil {
		t.Fatal(err)
	}
	if _, err := c1.Register(ctx, "orders-value", ordersV2); err != nil {
		t.Fatal(err)
	}
	if err := c1.SetCompatibility(ctx, "orders-value", "NONE"); err != nil {
		t.Fatal(err)
	}
	r1.Close()

	_, c2 := startRegistry(t, brokers)
	if got, err := c2.Lookup(ctx, "orders-value", ordersV2); err != nil || got.ID != 2 || got.Version != 2 {
		t.Fatalf("after restart Lookup = %+v, %v", got, err)
	}
	// NONE survived: the incompatible v3 is accepted, with the next id.
	if id, err := c2.Register(ctx, "orders-value", ordersV3); err != nil || id != 3 {
		t.Fatalf("after restart Register v3 = %d, %v; want 3", id, err)
	}
}

// TestSchemasTopicRecordFormat writes through the registry and reads the
// raw _schemas records back, comparing them with Confluent's record format.
func TestSchemasTopicRecordFormat(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	_, c := startRegistry(t, brokers)
	ctx := ctxT(t)
	if _, err := c.Register(ctx, "orders-value", ordersV1); err != nil {
		t.Fatal(err)
	}
	if err := c.SetCompatibility(ctx, "", "FULL"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetCompatibility(ctx, "orders-value", "NONE"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []map[string]json.RawMessage
	l, err := kafkalog.Open(ctx, kafkalog.Config{Brokers: brokers, Topic: DefaultTopic, ClientID: "reader",
		OnRecord: func(k, v []byte) {
			mu.Lock()
			got = append(got, map[string]json.RawMessage{"key": k, "value": v})
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var want []map[string]json.RawMessage
	data, err := os.ReadFile("testdata/schemas-records.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		for _, part := range []string{"key", "value"} {
			var w bytes.Buffer
			if err := json.Compact(&w, want[i][part]); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[i][part], w.Bytes()) {
				t.Errorf("record %d %s\n got: %s\nwant: %s", i, part, got[i][part], w.Bytes())
			}
		}
	}
}
