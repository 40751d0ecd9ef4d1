package schemaregistry

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/linkedin/goavro/v2"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/avro"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
	"github.com/tributary-cdc/tributary/schema/registry"
)

func readConnect(t testing.TB, path string) (*schema.Schema, any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	jc, _ := jsonconv.New(nil, false)
	s, v, err := jc.ToConnect("t", data)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func compactFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const avroTestdata = "../../schema/avro/testdata/"

// TestReferenceSchemaGetsSameID registers the Avro schemas of debezium.md
// §5.1 as a Debezium worker would have, then converts the §4.2 row: our
// converter must land on the same ids without adding a version.
func TestReferenceSchemaGetsSameID(t *testing.T) {
	_, c, url := startRegistryURL(t, kafkatest.NewCluster(t))
	ctx := ctxT(t)
	refValueID, err := c.Register(ctx, "dbserver1.public.customers-value", compactFile(t, avroTestdata+"customers-value.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	refKeyID, err := c.Register(ctx, "dbserver1.public.customers-key", compactFile(t, avroTestdata+"customers-key.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	// A separate client, so nothing is answered from the first's cache.
	ours, _ := registry.New(registry.Config{URLs: []string{url}})
	for _, tc := range []struct {
		file  string
		isKey bool
		want  int
	}{{"connect-customers-value.json", false, refValueID}, {"connect-customers-key.json", true, refKeyID}} {
		conv, err := avro.New(nil, tc.isKey, ours)
		if err != nil {
			t.Fatal(err)
		}
		s, v := readConnect(t, avroTestdata+tc.file)
		out, err := conv.FromConnect("dbserver1.public.customers", s, v)
		if err != nil {
			t.Fatal(err)
		}
		id, _, err := avro.ParseHeader(out)
		if err != nil || id != tc.want {
			t.Errorf("%s: schema id %d (%v), want the reference's %d", tc.file, id, err, tc.want)
		}
	}
	for _, subject := range []string{"dbserver1.public.customers-value", "dbserver1.public.customers-key"} {
		if vs, err := c.Versions(ctx, subject); err != nil || !reflect.DeepEqual(vs, []int{1}) {
			t.Errorf("%s versions = %v, %v; want [1]", subject, vs, err)
		}
	}
}

// TestConverterRoundTripAndCache converts the §4.2 row many times: one
// registry request in total, and the body decodes with the registered
// schema to the row's values.
func TestConverterRoundTripAndCache(t *testing.T) {
	_, c := startRegistry(t, kafkatest.NewCluster(t))
	conv, err := avro.New(nil, false, c)
	if err != nil {
		t.Fatal(err)
	}
	s, v := readConnect(t, avroTestdata+"connect-customers-value.json")
	var out []byte
	for range 100 {
		if out, err = conv.FromConnect("dbserver1.public.customers", s, v); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Calls(); n != 1 {
		t.Errorf("%d registry requests for 100 records, want 1", n)
	}
	id, body, err := avro.ParseHeader(out)
	if err != nil || id != 1 || out[0] != 0 {
		t.Fatalf("header: id %d, err %v, bytes % x", id, err, out[:5])
	}
	text, err := c.SchemaByID(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := goavro.NewCodec(text)
	if err != nil {
		t.Fatal(err)
	}
	native, rest, err := codec.NativeFromBinary(body)
	if err != nil || len(rest) != 0 {
		t.Fatalf("decoding: %v (%d bytes left)", err, len(rest))
	}
	rec := native.(map[string]any)
	after := rec["after"].(map[string]any)["dbserver1.public.customers.Value"].(map[string]any)
	if after["id"] != int32(1) || after["email"] != "a@x.io" {
		t.Errorf("after = %v", after)
	}
	bal := after["balance"].(map[string]any)["bytes.decimal"].(*big.Rat)
	if bal.Cmp(big.NewRat(1250, 100)) != 0 {
		t.Errorf("balance = %v, want 12.50", bal)
	}
	src := rec["source"].(map[string]any)
	if src["snapshot"].(map[string]any)["string"] != "false" || src["lsn"].(map[string]any)["long"] != int64(24023128) {
		t.Errorf("source = %v", src)
	}
	if rec["before"] != nil || rec["op"] != "c" {
		t.Errorf("before = %v, op = %v", rec["before"], rec["op"])
	}
	// A tombstone stays a Kafka null.
	if out, err := conv.FromConnect("t", s, nil); err != nil || out != nil {
		t.Errorf("tombstone = %v, %v", out, err)
	}
}

// TestSchemaEvolution: ADD COLUMN (nullable) registers version 2 and the
// next records use its id; a NOT NULL column without a default is refused
// with the registry's 409 message.
func TestSchemaEvolution(t *testing.T) {
	_, c := startRegistry(t, kafkatest.NewCluster(t))
	conv, err := avro.New(nil, false, c)
	if err != nil {
		t.Fatal(err)
	}
	id := schema.NewField("id", schema.Int32Schema)
	v1 := schema.StructOf("srv.public.t.Value", false, id)
	v2 := schema.StructOf("srv.public.t.Value", false, id, schema.NewField("note", schema.OptionalStringSchema))
	v3 := schema.StructOf("srv.public.t.Value", false, id, schema.NewField("qty", schema.Int64Schema))
	ids := map[string]int{}
	for _, step := range []struct {
		name string
		s    *schema.Schema
		vals []any
	}{{"v1", v1, []any{int32(1)}}, {"v2", v2, []any{int32(2), "hi"}}} {
		st := &schema.Struct{Schema: step.s, Values: step.vals}
		out, err := conv.FromConnect("srv.public.t", step.s, st)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		ids[step.name], _, _ = avro.ParseHeader(out)
	}
	if ids["v1"] != 1 || ids["v2"] != 2 {
		t.Errorf("ids = %v, want v1=1 v2=2", ids)
	}
	_, err = conv.FromConnect("srv.public.t", v3, &schema.Struct{Schema: v3, Values: []any{int32(3), int64(4)}})
	var re *registry.Error
	if err == nil || !errors.As(err, &re) || re.Status != 409 ||
		!strings.Contains(err.Error(), "Schema being registered is incompatible with an earlier schema") {
		t.Fatalf("incompatible change: err = %v", err)
	}
	if vs, _ := c.Versions(ctxT(t), "srv.public.t-value"); !reflect.DeepEqual(vs, []int{1, 2}) {
		t.Errorf("versions = %v, want [1 2]", vs)
	}
}
