package cloudevents_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connect/schemaregistry"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/avro"
	"github.com/tributary-cdc/tributary/schema/cloudevents"
	"github.com/tributary-cdc/tributary/schema/converters"
	"github.com/tributary-cdc/tributary/schema/registry"
)

// The fixture is the change event the PostgreSQL connector emits for
//
//	CREATE TABLE public.example (id int PRIMARY KEY, name text);
//	INSERT INTO public.example VALUES (1, 'Alice');
//
// with topic.prefix dbserver1 on database postgres. The goldens in
// testdata are written from Debezium 3.5's CloudEventsConverter,
// CloudEventsMaker and PostgresCloudEventsMaker (attribute order, the id
// and time formats, the iodebezium* names of adjustExtensionName, int64
// source fields as strings, the Data struct of before and after, the
// spliced schema'd JSON data) and checked against the assertions of
// Debezium's CloudEventsConverterTest.

const (
	tsUs         = int64(1_559_033_904_863_000)
	lsn          = uint64(24_023_128)
	txID         = int64(555)
	exTopic      = "dbserver1.public.example"
	golden       = "testdata"
	registryMark = "REGISTRY" // the registry URL's place in the goldens
)

func exampleTable() *envelope.Table {
	return envelope.NewTable("dbserver1", "public", "example", []envelope.Column{
		{Name: "id", Mapping: typemap.Mapping{Schema: schema.Int32Schema}},
		{Name: "name", Mapping: typemap.Mapping{Schema: schema.OptionalStringSchema}},
	}, []int{0})
}

func insert(tbl *envelope.Table, withTx bool) (*schema.Schema, *schema.Struct) {
	src := (&envelope.Source{Name: "dbserver1", DB: "postgres", Schema: "public", Table: "example",
		TsUs: tsUs, LastCommitLSN: lsn - 8, LSN: lsn, TxID: txID, HasTxID: true}).Struct()
	env := tbl.Envelope("c", nil, tbl.Value([]any{int32(1), "Alice"}), src, time.UnixMilli(1_559_033_905_000))
	if withTx {
		envelope.SetTransaction(env, envelope.Block("555:24023128", 1, 1))
	}
	return tbl.EnvelopeSchema, env
}

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(golden, name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}

func newConverter(t *testing.T, f *converters.Factory, props map[string]string) converters.Converter {
	t.Helper()
	c, err := f.New(cloudevents.Class, props, false)
	if err != nil {
		t.Fatalf("configuring %v: %v", props, err)
	}
	return c
}

func TestJSONGoldens(t *testing.T) {
	tbl := exampleTable()
	cases := []struct {
		golden string
		props  map[string]string
		tx     bool
	}{
		// CloudEventsConverterTest.shouldConvertToCloudEventsInJson.
		{"json-json.json", map[string]string{"serializer.type": "json", "data.serializer.type": "json", "json.schemas.enable": "true", "json.schemas.cache.size": "100"}, false},
		{"json-json.json", nil, false}, // the defaults are json and json
		{"json-json-transaction.json", nil, true},
		{"json-json-noschemas.json", map[string]string{"json.schemas.enable": "false"}, false},
		// shouldConvertToCloudEventsInJsonWithoutExtensionAttributes: the 7
		// basic attributes only.
		{"json-json-noextensions.json", map[string]string{"extension.attributes.enable": "false"}, false},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			conv := newConverter(t, &converters.Factory{}, c.props)
			s, v := insert(tbl, c.tx)
			got, err := conv.FromConnect(exTopic, s, v)
			if err != nil {
				t.Fatal(err)
			}
			if want := readGolden(t, c.golden); !bytes.Equal(got, want) {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
			var ev map[string]any
			if err := json.Unmarshal(got, &ev); err != nil {
				t.Fatal(err)
			}
			if c.golden == "json-json-noextensions.json" && len(ev) != 7 {
				t.Errorf("%d attributes, want 7", len(ev))
			}
		})
	}
}

// Records that are not Debezium envelopes are written as nulls; tombstones
// stay tombstones.
func TestNonEnvelopes(t *testing.T) {
	conv := newConverter(t, &converters.Factory{}, nil)
	txSchema := schema.StructOf("io.debezium.connector.common.TransactionMetadataValue", false,
		schema.NewField("status", schema.StringSchema))
	for _, c := range []struct {
		s *schema.Schema
		v any
	}{
		{nil, nil},
		{txSchema, schema.NewStruct(txSchema).Set("status", "BEGIN")},
		{exampleTable().KeySchema, exampleTable().KeyStruct([]any{int32(1), "x"})},
	} {
		got, err := conv.FromConnect(exTopic, c.s, c.v)
		if err != nil || got != nil {
			t.Errorf("%v: got %q, %v; want a null", c.s, got, err)
		}
	}
	// A non-PostgreSQL envelope has no provider.
	tbl := exampleTable()
	s, v := insert(tbl, false)
	src := get(v, "source").(*schema.Struct)
	other := &schema.Struct{Schema: src.Schema, Values: append([]any(nil), src.Values...)}
	other.Set("connector", "mysql")
	v2 := &schema.Struct{Schema: v.Schema, Values: append([]any(nil), v.Values...)}
	v2.Set("source", other)
	if _, err := conv.FromConnect(exTopic, s, v2); err == nil || err.Error() != `No usable CloudEvents converters for connector type "mysql"` {
		t.Errorf("err = %v", err)
	}
}

func get(st *schema.Struct, name string) any { return st.Get(name) }

func TestConfigRefusals(t *testing.T) {
	f := &converters.Factory{EmbeddedRegistryURL: "http://127.0.0.1:1"}
	cases := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"serializer.type": "xml"}, "serializer.type"},
		{map[string]string{"data.serializer.type": "protobuf"}, "data.serializer.type"},
		{map[string]string{"serializer.type": "avro", "data.serializer.type": "json"}, "Cannot use 'application/json' data content type within Avro events"},
		{map[string]string{"metadata.source": "header"}, "metadata.source"},
		{map[string]string{"metadata.source": "value,id:header"}, "reading id from record headers"},
		{map[string]string{"metadata.source": "value,type:header"}, "reading type from record headers"},
		{map[string]string{"metadata.source": "generate"}, "Global metadata source can't be GENERATE"},
		{map[string]string{"metadata.source": "value,id:value"}, "Field metadata source can't be VALUE"},
		{map[string]string{"metadata.source": "value,id:somewhere"}, "Field source `somewhere` is not valid"},
		{map[string]string{"metadata.source": "value,time:generate"}, "Field `time` is not allowed to set custom source"},
		{map[string]string{"opentelemetry.tracing.attributes.enable": "true"}, "opentelemetry.tracing.attributes.enable"},
		{map[string]string{"opentelemetry.tracing.attributes.enable": "true", "metadata.source": "value,traceparent:generate"}, "can only be obtained from a record header"},
		{map[string]string{"schema.data.name.source.header.enable": "true", "metadata.source": "value,dataSchemaName:header"}, "dataSchemaName"},
		{map[string]string{"schema.name.adjustment.mode": "upper"}, "schema.name.adjustment.mode"},
		{map[string]string{"data.serializer.type": "avro", "avro.apicurio.registry.url": "http://x"}, "avro.apicurio.registry.url"},
		{map[string]string{"json.decimal.format": "HEX"}, "decimal.format"},
	}
	for _, c := range cases {
		_, err := f.New(cloudevents.Class, c.props, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want one containing %q", c.props, err, c.want)
		}
	}
	// Header metadata the default leaves inactive is no reason to refuse.
	for _, p := range []map[string]string{
		{"schema.data.name.source.header.enable": "true"},
		{"metadata.source": "value,id:generate,type:generate,traceparent:header,dataSchemaName:header"},
	} {
		if _, err := f.New(cloudevents.Class, p, false); err != nil {
			t.Errorf("%v: %v", p, err)
		}
	}
}

// testRegistry is Tributary's schema registry on a kfake broker of the
// test's own, over HTTP.
func testRegistry(t *testing.T) (url string, client *registry.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	r, err := schemaregistry.Open(ctx, schemaregistry.Config{Brokers: kafkatest.NewCluster(t), ClientID: "cloudevents-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(srv.Close)
	c, err := registry.New(registry.Config{URLs: []string{srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, c
}

// assertSchema compares the schema registered under subject with a golden
// Avro schema, as JSON values.
func assertSchema(t *testing.T, c *registry.Client, subject, goldenName string) string {
	t.Helper()
	got, err := c.Latest(t.Context(), subject)
	if err != nil {
		t.Fatalf("subject %s: %v", subject, err)
	}
	var g, w any
	if err := json.Unmarshal([]byte(got.Schema), &g); err != nil {
		t.Fatal(err)
	}
	want := readGolden(t, goldenName)
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("subject %s:\n%s\nwant\n%s", subject, got.Schema, want)
	}
	return got.Schema
}

func TestAvro(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker and the schema registry")
	}
	url, client := testRegistry(t)
	tbl := exampleTable()

	// CloudEventsConverterTest.shouldConvertToCloudEventsInJsonWithDataAsAvro:
	// the data registered under the topic's subject.
	t.Run("json-avro", func(t *testing.T) {
		conv := newConverter(t, &converters.Factory{}, map[string]string{"serializer.type": "json", "data.serializer.type": "avro",
			"avro.schema.registry.url": url})
		s, v := insert(tbl, false)
		got, err := conv.FromConnect(exTopic, s, v)
		if err != nil {
			t.Fatal(err)
		}
		want := bytes.ReplaceAll(readGolden(t, "json-avro.json"), []byte(registryMark), []byte(url))
		if !bytes.Equal(got, want) {
			t.Fatalf("got\n%s\nwant\n%s", got, want)
		}
		assertSchema(t, client, exTopic+"-value", "data.avsc")
	})

	// shouldConvertToCloudEventsInAvro: the event under the topic's
	// subject, the data under "<topic>-data".
	t.Run("avro-avro", func(t *testing.T) {
		const topic = "avro.public.example"
		conv := newConverter(t, &converters.Factory{}, map[string]string{"serializer.type": "avro", "data.serializer.type": "avro",
			"avro.schema.registry.url": url})
		s, v := insert(tbl, false)
		got, err := conv.FromConnect(topic, s, v)
		if err != nil {
			t.Fatal(err)
		}
		eventSchema := assertSchema(t, client, topic+"-value", "event.avsc")
		dataSchema := assertSchema(t, client, topic+"-data-value", "data.avsc")
		id, body, err := avro.ParseHeader(got)
		if err != nil {
			t.Fatal(err)
		}
		if text, err := client.SchemaByID(t.Context(), id); err != nil || text != eventSchema {
			t.Fatalf("schema id %d: %v", id, err)
		}
		codec, err := goavro.NewCodec(eventSchema)
		if err != nil {
			t.Fatal(err)
		}
		native, _, err := codec.NativeFromBinary(body)
		if err != nil {
			t.Fatal(err)
		}
		ev := native.(map[string]any)
		for k, want := range map[string]any{
			"id": `name:dbserver1;lsn:24023128;txId:555;sequence:["24023120","24023128"]`, "source": "/debezium/postgresql/dbserver1",
			"specversion": "1.0", "type": "io.debezium.connector.postgresql.DataChangeEvent", "time": "2019-05-28T08:58:24.863Z",
			"datacontenttype": "application/avro", "iodebeziumop": "c", "iodebeziumtsms": "1559033904863",
		} {
			if ev[k] != want {
				t.Errorf("%s = %v, want %v", k, ev[k], want)
			}
		}
		data := ev["data"].([]byte)
		dataID, dataBody, err := avro.ParseHeader(data)
		if err != nil {
			t.Fatal(err)
		}
		if want := url + "/schemas/ids/" + strconv.Itoa(dataID); ev["dataschema"] != want {
			t.Errorf("dataschema = %v, want %s", ev["dataschema"], want)
		}
		dataCodec, err := goavro.NewCodec(dataSchema)
		if err != nil {
			t.Fatal(err)
		}
		d, _, err := dataCodec.NativeFromBinary(dataBody)
		if err != nil {
			t.Fatal(err)
		}
		after := d.(map[string]any)["after"].(map[string]any)["dbserver1.public.example.Value"].(map[string]any)
		if after["id"] != int32(1) || after["name"].(map[string]any)["string"] != "Alice" {
			t.Errorf("data = %v", d)
		}
	})

	// shouldConvertToCloudEventsInAvroWithCustomCloudEventsSchemaName.
	t.Run("schema.cloudevents.name", func(t *testing.T) {
		const topic = "named.public.example"
		conv := newConverter(t, &converters.Factory{}, map[string]string{"serializer.type": "avro", "data.serializer.type": "avro",
			"avro.schema.registry.url": url, "schema.cloudevents.name": "TestSchemaName1"})
		s, v := insert(tbl, false)
		if _, err := conv.FromConnect(topic, s, v); err != nil {
			t.Fatal(err)
		}
		got, err := client.Latest(t.Context(), topic+"-value")
		if err != nil {
			t.Fatal(err)
		}
		var sch struct{ Name, Namespace string }
		if err := json.Unmarshal([]byte(got.Schema), &sch); err != nil || sch.Name != "TestSchemaName1" || sch.Namespace != "" {
			t.Errorf("schema = %s", got.Schema)
		}
	})

	// dataschema never shows the credentials of a registry URL.
	t.Run("credentials", func(t *testing.T) {
		withUser := strings.Replace(url, "http://", "http://user:s3cret@", 1)
		conv := newConverter(t, &converters.Factory{}, map[string]string{"data.serializer.type": "avro", "avro.schema.registry.url": withUser})
		s, v := insert(tbl, false)
		got, err := conv.FromConnect("creds.public.example", s, v)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(got, []byte("s3cret")) || !bytes.Contains(got, []byte(`"dataschema":"`+url+`/schemas/ids/`)) {
			t.Errorf("event = %s", got)
		}
	})

	// schema.name.adjustment.mode=avro (the default) makes the event
	// schema's name a valid Avro name: a topic.prefix of "db-server1"
	// gives the namespace db_server1.postgres.CloudEvents.
	t.Run("schema.name.adjustment.mode", func(t *testing.T) {
		const topic = "db-server1.public.example"
		conv := newConverter(t, &converters.Factory{}, map[string]string{"serializer.type": "avro", "data.serializer.type": "avro",
			"avro.schema.registry.url": url})
		s, v := insert(tbl, false)
		src := v.Get("source").(*schema.Struct)
		renamed := &schema.Struct{Schema: src.Schema, Values: append([]any(nil), src.Values...)}
		renamed.Set("name", "db-server1")
		env := &schema.Struct{Schema: v.Schema, Values: append([]any(nil), v.Values...)}
		env.Set("source", renamed)
		if _, err := conv.FromConnect(topic, s, env); err != nil {
			t.Fatal(err)
		}
		got, err := client.Latest(t.Context(), topic+"-value")
		if err != nil {
			t.Fatal(err)
		}
		var sch struct{ Name, Namespace string }
		if err := json.Unmarshal([]byte(got.Schema), &sch); err != nil || sch.Name != "Envelope" || sch.Namespace != "db_server1.postgres.CloudEvents" {
			t.Errorf("schema = %s", got.Schema)
		}
		// none leaves the name as it is, which Avro refuses.
		none := newConverter(t, &converters.Factory{}, map[string]string{"serializer.type": "avro", "data.serializer.type": "avro",
			"avro.schema.registry.url": url, "schema.name.adjustment.mode": "none"})
		if _, err := none.FromConnect("none-"+topic, s, env); err == nil {
			t.Error("an event schema named db-server1.postgres.CloudEvents.Envelope was written as Avro")
		}
	})

	// Without avro.schema.registry.url the embedded registry is used.
	t.Run("embedded registry", func(t *testing.T) {
		conv := newConverter(t, &converters.Factory{EmbeddedRegistryURL: url}, map[string]string{"data.serializer.type": "avro"})
		s, v := insert(tbl, false)
		got, err := conv.FromConnect("embedded.public.example", s, v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(got, []byte(`"dataschema":"`+url+`/schemas/ids/`)) {
			t.Errorf("event = %s", got)
		}
	})
}

// The golden's base64 data is what the hand-derived Avro bytes encode to.
func TestGoldenAvroBytes(t *testing.T) {
	var ev map[string]any
	if err := json.Unmarshal(readGolden(t, "json-avro.json"), &ev); err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(ev["data"].(string))
	if err != nil {
		t.Fatal(err)
	}
	codec, err := goavro.NewCodec(string(readGolden(t, "data.avsc")))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := codec.NativeFromBinary(b[5:]); err != nil {
		t.Fatal(err)
	}
}

// FuzzConfig feeds arbitrary metadata.source lists and serializer types to
// the converter's configuration: it refuses or accepts, never panics.
func FuzzConfig(f *testing.F) {
	for _, s := range []string{"value,id:generate", "header", "value,id", "value,id:header:x", ",", "value,:"} {
		f.Add(s, "json")
	}
	f.Fuzz(func(t *testing.T, metadata, serializer string) {
		_, _ = cloudevents.New(map[string]string{"metadata.source": metadata, "serializer.type": serializer}, false, nil)
	})
}
