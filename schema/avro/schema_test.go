package avro

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/linkedin/goavro/v2"

	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// connectFromJSON parses a JsonConverter envelope into its Connect schema
// and value.
func connectFromJSON(t testing.TB, data []byte) (*schema.Schema, any) {
	t.Helper()
	jc, err := jsonconv.New(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	s, v, err := jc.ToConnect("t", data)
	if err != nil {
		t.Fatalf("parsing Connect JSON: %v", err)
	}
	return s, v
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// compact is the reference text without its layout whitespace: the text a
// Java Schema.toString() registers.
func compact(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		t.Fatalf("compacting JSON: %v", err)
	}
	return b.Bytes()
}

// jsonEqual compares two JSON texts as values (property order ignored).
func jsonEqual(t testing.TB, got, want []byte) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, want)
	}
	return reflect.DeepEqual(g, w)
}

// TestGoldenCustomersSchemas converts the Connect key and envelope schemas of
// debezium.md §4.2 and compares them with the Avro schemas of §5.1: as JSON
// values (connect.* properties included) and as the exact registered text.
func TestGoldenCustomersSchemas(t *testing.T) {
	for _, tc := range []struct{ connect, avro string }{
		{"connect-customers-key.json", "customers-key.avsc"},
		{"connect-customers-value.json", "customers-value.avsc"},
	} {
		t.Run(tc.avro, func(t *testing.T) {
			s, _ := connectFromJSON(t, readFile(t, tc.connect))
			got, err := SchemaText(s, DefaultSchemaOptions)
			if err != nil {
				t.Fatal(err)
			}
			want := compact(t, readFile(t, tc.avro))
			if !jsonEqual(t, got, want) {
				t.Fatalf("Avro schema differs as JSON\n got: %s\nwant: %s", got, want)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Avro schema text differs (property order?)\n got: %s\nwant: %s", got, want)
			}
			if _, err := goavro.NewCodec(string(got)); err != nil {
				t.Errorf("goavro rejects the schema: %v", err)
			}
		})
	}
}

type typeCase struct {
	Name    string          `json:"name"`
	Connect json.RawMessage `json:"connect"`
	Avro    json.RawMessage `json:"avro"`
	Default json.RawMessage `json:"default"`
}

// TestGoldenTypeMappings checks every type mapping of debezium.md §5.1 and
// §6: each Connect field schema, wrapped in a struct, must become the
// expected Avro field type and default.
func TestGoldenTypeMappings(t *testing.T) {
	var cases []typeCase
	if err := json.Unmarshal(readFile(t, "types.json"), &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			var field map[string]any
			if err := json.Unmarshal(tc.Connect, &field); err != nil {
				t.Fatal(err)
			}
			field["field"] = "c"
			env, _ := json.Marshal(map[string]any{
				"schema":  map[string]any{"type": "struct", "name": "t.Value", "optional": true, "fields": []any{field}},
				"payload": nil,
			})
			s, _ := connectFromJSON(t, env)
			text, err := SchemaText(s, DefaultSchemaOptions)
			if err != nil {
				t.Fatal(err)
			}
			var rec struct {
				Fields []map[string]json.RawMessage `json:"fields"`
			}
			if err := json.Unmarshal(unwrapNullUnion(t, text), &rec); err != nil || len(rec.Fields) != 1 {
				t.Fatalf("bad record %s: %v", text, err)
			}
			f := rec.Fields[0]
			if !jsonEqual(t, f["type"], tc.Avro) {
				t.Errorf("type\n got: %s\nwant: %s", f["type"], tc.Avro)
			}
			def, hasDef := f["default"]
			if tc.Default == nil {
				if hasDef {
					t.Errorf("default = %s, want none", def)
				}
			} else if !hasDef || !jsonEqual(t, def, tc.Default) {
				t.Errorf("default = %s (present %v), want %s", def, hasDef, tc.Default)
			}
			if _, err := goavro.NewCodec(string(text)); err != nil {
				t.Errorf("goavro rejects %s: %v", text, err)
			}
		})
	}
}

func TestConnectMetaDataOff(t *testing.T) {
	s, _ := connectFromJSON(t, readFile(t, "connect-customers-key.json"))
	got, err := SchemaText(s, SchemaOptions{ConnectMetaData: false})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"record","name":"Key","namespace":"dbserver1.public.customers","fields":[{"name":"id","type":"int","default":0}]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestUnnamedStructs(t *testing.T) {
	inner := schema.StructOf("", true, schema.NewField("a", schema.Int32Schema))
	other := schema.StructOf("", false, schema.NewField("b", schema.StringSchema))
	s := schema.StructOf("", false, schema.NewField("x", inner), schema.NewField("y", other))
	got, err := SchemaText(s, DefaultSchemaOptions)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[` +
		`{"name":"x","type":["null",{"type":"record","name":"ConnectDefault2","fields":[{"name":"a","type":"int"}]}],"default":null},` +
		`{"name":"y","type":{"type":"record","name":"ConnectDefault3","fields":[{"name":"b","type":"string"}]}}]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// unwrapNullUnion returns T of a ["null", T] schema text.
func unwrapNullUnion(t testing.TB, text []byte) []byte {
	t.Helper()
	var u []json.RawMessage
	if err := json.Unmarshal(text, &u); err != nil || len(u) != 2 || string(u[0]) != `"null"` {
		t.Fatalf("not a [null, T] union: %s", text)
	}
	return u[1]
}
