package schemaregistry

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/internal/testutil"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/avro"
)

// nodeModules is where scripts/install-deps puts the npm packages.
const nodeModules = "../../.cache/node/node_modules"

// multiTypeTable is the Connect schema Debezium gives a table with one
// column per common PostgreSQL type (debezium.md §6, default modes).
func multiTypeTable() (key, value *schema.Schema) {
	opt := func(s schema.Schema) *schema.Schema { s.Optional = true; return &s }
	named := func(t schema.Type, name string) *schema.Schema {
		return &schema.Schema{Type: t, Name: name, Version: 1, Optional: true}
	}
	key = schema.StructOf("kj.public.types.Key", false, schema.NewField("id", schema.Int32Schema))
	value = schema.StructOf("kj.public.types.Value", true,
		schema.NewField("id", schema.Int32Schema),
		schema.NewField("small", opt(schema.Schema{Type: schema.TypeInt16})),
		schema.NewField("big", schema.OptionalInt64Schema),
		schema.NewField("f4", schema.OptionalFloat32Schema),
		schema.NewField("f8", schema.OptionalFloat64Schema),
		schema.NewField("flag", schema.OptionalBooleanSchema),
		schema.NewField("name", schema.OptionalStringSchema),
		schema.NewField("raw", schema.OptionalBytesSchema),
		schema.NewField("price", schema.DecimalSchema(2, 10, true)),
		schema.NewField("day", named(schema.TypeInt32, "io.debezium.time.Date")),
		schema.NewField("at", named(schema.TypeInt64, "io.debezium.time.MicroTimestamp")),
		schema.NewField("at_tz", named(schema.TypeString, "io.debezium.time.ZonedTimestamp")),
		schema.NewField("uid", named(schema.TypeString, "io.debezium.data.Uuid")),
		schema.NewField("doc", named(schema.TypeString, "io.debezium.data.Json")),
		schema.NewField("tags", &schema.Schema{Type: schema.TypeArray, Optional: true, Items: schema.OptionalStringSchema}),
	)
	return key, value
}

// TestKafkajsDecodesOurAvro produces Avro records through the converter and
// the registry, then has a third-party consumer (kafkajs with
// @kafkajs/confluent-schema-registry) read the topic, fetch the schemas by
// id from the registry and decode them.
func TestKafkajsDecodesOurAvro(t *testing.T) {
	testutil.NeedsExternal(t)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is required for this test: %v", err)
	}
	for _, pkg := range []string{"kafkajs", "@kafkajs/confluent-schema-registry"} {
		if _, err := os.Stat(filepath.Join(nodeModules, pkg, "package.json")); err != nil {
			t.Fatalf("npm package %s missing: run scripts/install-deps (%v)", pkg, err)
		}
	}
	brokers := kafkatest.NewCluster(t)
	_, c, url := startRegistryURL(t, brokers)
	keyConv, err := avro.New(nil, true, c)
	if err != nil {
		t.Fatal(err)
	}
	valueConv, err := avro.New(nil, false, c)
	if err != nil {
		t.Fatal(err)
	}
	keyS, valueS := multiTypeTable()
	rows := [][]any{
		{int32(1), int16(-2), int64(1234567890123), float32(1.5), 2.25, true, "Zoë", []byte{0, 1, 2},
			schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2}, int32(19844), int64(1714557600123456),
			"2024-05-01T10:00:00.123456Z", "8f14e45f-ceea-467f-a0e6-4a8b2c0b1f44", `{"a":1}`, []any{"x", nil}},
		{int32(2), nil, nil, nil, nil, nil, nil, nil, schema.Decimal{Unscaled: big.NewInt(-5), Scale: 2}, nil, nil, nil, nil, nil, nil},
	}
	const topic = "kj.public.types"
	admin, err := sarama.NewClusterAdmin(brokers, kafkaclient.NewConfig("kafkajs-test-admin"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1}, false); err != nil {
		t.Fatal(err)
	}
	producer, err := sarama.NewSyncProducer(brokers, kafkaclient.NewConfig("kafkajs-test"))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	for _, row := range rows {
		k, err := keyConv.FromConnect(topic, keyS, &schema.Struct{Schema: keyS, Values: []any{row[0]}})
		if err != nil {
			t.Fatal(err)
		}
		v, err := valueConv.FromConnect(topic, valueS, &schema.Struct{Schema: valueS, Values: row})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := producer.SendMessage(&sarama.ProducerMessage{Topic: topic, Key: sarama.ByteEncoder(k), Value: sarama.ByteEncoder(v)}); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command(node, "testdata/kafkajs/consume.js", brokers[0], url, topic, strconv.Itoa(len(rows)))
	abs, _ := filepath.Abs(nodeModules)
	cmd.Env = append(os.Environ(), "NODE_PATH="+abs)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kafkajs consumer: %v\n%s", err, stderr.String())
	}
	// What avsc gives for each row: unions unwrapped, bytes and decimals as
	// Buffers (shown as base64), Debezium temporal types as plain numbers.
	want := `[
	 {"key":{"id":1},"value":{"id":1,"small":-2,"big":1234567890123,"f4":1.5,"f8":2.25,"flag":true,"name":"Zoë",
	  "raw":{"base64":"AAEC"},"price":{"base64":"BOI="},"day":19844,"at":1714557600123456,
	  "at_tz":"2024-05-01T10:00:00.123456Z","uid":"8f14e45f-ceea-467f-a0e6-4a8b2c0b1f44","doc":"{\"a\":1}","tags":["x",null]}},
	 {"key":{"id":2},"value":{"id":2,"small":null,"big":null,"f4":null,"f8":null,"flag":null,"name":null,
	  "raw":null,"price":{"base64":"+w=="},"day":null,"at":null,"at_tz":null,"uid":null,"doc":null,"tags":null}}
	]`
	var got, exp any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("consumer output is not JSON: %v\n%s", err, out)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("kafkajs decoded\n%s\nwant\n%s", out, want)
	}
}
