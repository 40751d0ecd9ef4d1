package transforms

import (
	"bytes"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// The fixtures follow PartitionRoutingTest: server1.inventory.products
// rows (id, price, product) in an envelope with a source struct.

var (
	prValue = schema.StructOf("server1.inventory.products.Value", true,
		schema.NewField("id", schema.Int64Schema),
		schema.NewField("price", schema.Float32Schema),
		schema.NewField("product", schema.OptionalStringSchema))
	prSource = schema.StructOf("source", false,
		schema.NewField("connector", schema.StringSchema),
		schema.NewField("db", schema.StringSchema),
		schema.NewField("table", schema.StringSchema))
	prEnvelope = schema.StructOf("server1.inventory.product.Envelope", false,
		schema.NewField("before", prValue),
		schema.NewField("after", prValue),
		schema.NewField("source", prSource),
		schema.NewField("op", schema.StringSchema),
		schema.NewField("ts_ms", schema.OptionalInt64Schema))
)

func prRecord(op string, id int64, price float32, product any) connect.SourceRecord {
	row := &schema.Struct{Schema: prValue, Values: []any{id, price, product}}
	src := &schema.Struct{Schema: prSource, Values: []any{"mysql", "inventory", "products"}}
	values := []any{nil, row, src, op, int64(1)}
	switch op {
	case "d":
		values[0], values[1] = row, nil
	case "t":
		values[1] = nil
	}
	return connect.SourceRecord{SourcePartition: map[string]any{}, SourceOffset: map[string]any{}, Topic: "prefix.inventory.products",
		ValueSchema: prEnvelope, Value: &schema.Struct{Schema: prEnvelope, Values: values}}
}

func newPR(t *testing.T, config map[string]string) connect.Transformation {
	t.Helper()
	tr, errs := NewPartitionRouting(config)
	if len(errs) > 0 {
		t.Fatalf("NewPartitionRouting(%v): %v", config, errs)
	}
	return tr
}

// TestPartitionRoutingConfig ports PartitionRoutingTest's configuration
// cases.
func TestPartitionRoutingConfig(t *testing.T) {
	for _, c := range []struct {
		name   string
		config map[string]string
		want   string
	}{
		{"whenNoPartitionPayloadFieldDeclared", map[string]string{"partition.topic.num": "2"},
			"Invalid value null for configuration partition.payload.fields: The 'partition.payload.fields' value is invalid: A value is required"},
		{"whenNoPartitionTopicNumFieldDeclared", map[string]string{"partition.payload.fields": "2"},
			"Invalid value null for configuration partition.topic.num: The 'partition.topic.num' value is invalid: A value is required"},
		{"whenPartitionPayloadFieldContainsEmptyElement", map[string]string{"partition.payload.fields": ",source.table", "partition.topic.num": "2"},
			"Invalid value ,source.table for configuration partition.payload.fields: The 'partition.payload.fields' value is invalid: Empty string element(s) not permitted"},
		{"zero partitions", map[string]string{"partition.payload.fields": "op", "partition.topic.num": "0"},
			"Invalid value 0 for configuration partition.topic.num: The 'partition.topic.num' value is invalid: A positive, non-zero integer value is expected"},
		{"not a number", map[string]string{"partition.payload.fields": "op", "partition.topic.num": "two"},
			"Invalid value two for configuration partition.topic.num: Not a number of type INT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, errs := NewPartitionRouting(c.config)
			if tr != nil || len(errs) != 1 || errs[0].Message != c.want {
				t.Errorf("got %v, want %q", errs, c.want)
			}
		})
	}
}

func routedPartition(t *testing.T, tr connect.Transformation, in connect.SourceRecord) *int32 {
	t.Helper()
	out, keep, err := tr.Apply(in)
	if err != nil || !keep {
		t.Fatalf("Apply: %v %v", keep, err)
	}
	if out.Value != in.Value || out.Topic != in.Topic {
		t.Error("value or topic changed")
	}
	return out.Partition
}

// TestPartitionRouting ports PartitionRoutingTest's routing cases,
// byDefaultJavaHashIsUsed (39) and murmurHashWillBeUsed (65) included.
func TestPartitionRouting(t *testing.T) {
	for _, c := range []struct {
		name, fields, num, hash string
		in                      connect.SourceRecord
		want                    int32 // -1: partition left unset
	}{
		{"spaceBetweenNestedFiledSeparatedWillBeCorrectManaged", "change . product", "2", "", prRecord("c", 1, 1, "APPLE"), 0},
		{"correctComputeKafkaPartitionBasedOnNewConfiguredFieldOnCreateAndUpdateEvents", "after.product", "2", "", prRecord("c", 1, 1, "APPLE"), 0},
		{"correctComputeKafkaPartitionBasedOnSpecialChangeNestedFieldOnCreateEvent", "change.product", "2", "", prRecord("c", 1, 1, "APPLE"), 0},
		{"whenASpecifiedFieldIsNotFoundOnPayloadItWillBeIgnored", "after.not_existing", "2", "", prRecord("c", 1, 1, "APPLE"), -1},
		{"whenAnSpecifiedOptionalFieldIsNotFoundOnPayloadItWillBeIgnored", "change.product", "2", "", prRecord("c", 1, 1, nil), -1},
		{"onlyFieldThatExistForCurrentEventWillBeUsedForPartitionComputation", "after.not_existing,change.product", "3", "", prRecord("c", 1, 1, "orange"), 1},
		{"correctComputeKafkaPartitionBasedOnSpecialChangeNestedFieldOnCreateDelete", "change.product", "2", "", prRecord("d", 1, 1, "APPLE"), 0},
		{"truncateOperationRecordWillBeSkipped", "change.product", "2", "", prRecord("t", 1, 1, "APPLE"), -1},
		{"byDefaultJavaHashIsUsed", "change.id, change.product", "100", "", prRecord("c", 1, 1, "orange"), 39},
		{"murmurHashWillBeUsed", "change.id, change.product", "100", "murmur", prRecord("c", 1, 1, "orange"), 65},
		{"murmur, any case", "change.id, change.product", "100", " MURMUR ", prRecord("c", 1, 1, "orange"), 65},
		{"top-level field", "source.table", "7", "java", prRecord("c", 1, 1, "x"), int32(javaHashCodeMust("products") & 0x7fffffff % 7)},
	} {
		t.Run(c.name, func(t *testing.T) {
			config := map[string]string{"partition.payload.fields": c.fields, "partition.topic.num": c.num}
			if c.hash != "" {
				config["partition.hash.function"] = c.hash
			}
			got := routedPartition(t, newPR(t, config), c.in)
			switch {
			case c.want < 0 && got != nil:
				t.Errorf("partition %d, want none", *got)
			case c.want >= 0 && (got == nil || *got != c.want):
				t.Errorf("partition %v, want %d", got, c.want)
			}
		})
	}
	// correctComputeKafkaPartitionBasedOnNotNestedField: op alone; two
	// creates share a partition, an update gets one too.
	tr := newPR(t, map[string]string{"partition.payload.fields": "op", "partition.topic.num": "2"})
	a, b, u := routedPartition(t, tr, prRecord("c", 1, 1, "APPLE")), routedPartition(t, tr, prRecord("c", 1, 1, "ORANGE")), routedPartition(t, tr, prRecord("u", 1, 1, "ORANGE"))
	if a == nil || b == nil || u == nil || *a != *b {
		t.Errorf("partitions %v %v %v", a, b, u)
	}
}

func javaHashCodeMust(v any) int32 {
	h, err := javaHashCode(v)
	if err != nil {
		panic(err)
	}
	return h
}

// TestPartitionRoutingFailures: a null struct on the path fails the
// record, as Debezium's NullPointerException inside apply does; a value
// whose hash Tributary cannot compute fails it too; an unknown hash
// function is read as java and warned about.
func TestPartitionRoutingFailures(t *testing.T) {
	tr := newPR(t, map[string]string{"partition.payload.fields": "after.product", "partition.topic.num": "2"})
	if _, _, err := tr.Apply(prRecord("d", 1, 1, "x")); err == nil || !strings.Contains(err.Error(), "Unprocessable message") {
		t.Errorf("after of a delete: %v", err)
	}
	tr = newPR(t, map[string]string{"partition.payload.fields": "source", "partition.topic.num": "2"})
	if _, _, err := tr.Apply(prRecord("c", 1, 1, "x")); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("struct: %v", err)
	}
	var logs bytes.Buffer
	tr = newPR(t, map[string]string{"partition.payload.fields": "change.id, change.product", "partition.topic.num": "100", "partition.hash.function": "sha"})
	tr.(connect.LoggingTransformation).SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	if p := routedPartition(t, tr, prRecord("c", 1, 1, "orange")); p == nil || *p != 39 {
		t.Errorf("partition %v", p)
	}
	if !strings.Contains(logs.String(), "partition.hash.function") {
		t.Errorf("no warning: %s", logs.String())
	}
}

// TestJavaHashCodes checks hash codes against what Java's hashCode
// methods give (String, Long, Integer, Short, Boolean, Float, Double,
// ByteBuffer, BigInteger, BigDecimal, Date, List), worked out from their
// definitions.
func TestJavaHashCodes(t *testing.T) {
	for _, c := range []struct {
		v    any
		want int32
	}{
		{"orange", -1008851410},
		{"", 0},
		{"a😀", 1866116}, // "a\ud83d\ude00": (97*31 + 55357)*31 + 56832
		{int64(1), 1},
		{int64(-1), 0},
		{int64(1) << 40, 256},
		{int32(-7), -7},
		{int16(3), 3},
		{true, 1231},
		{false, 1237},
		{float32(1), 1065353216},
		{float64(1), 1072693248},
		{[]byte{1, 2}, 1024}, // ByteBuffer: 31*(31*1+2)+1
		{big.NewInt(-5), -5}, // BigInteger: mag [5] × sign
		{schema.Decimal{Unscaled: big.NewInt(12345), Scale: 2}, 382697}, // 31*12345 + 2
		{time.UnixMilli(1 << 33), 2},                                    // Date: (int)ms ^ (int)(ms >> 32)
		{[]any{"a", nil}, 31 * (31 + 97)},
	} {
		if got := javaHashCodeMust(c.v); got != c.want {
			t.Errorf("hashCode(%#v) = %d, want %d", c.v, got, c.want)
		}
	}
}

// TestMurmurHash checks murmurHash against Debezium's MurmurHash3.hash
// (io.debezium.util.MurmurHash3, Debezium 3.5) run on the same values:
// strings across the 16-byte block boundary, multi-byte and supplementary
// characters, and boxed numbers hashed by hash code.
func TestMurmurHash(t *testing.T) {
	for _, c := range []struct {
		v    any
		want int32
	}{
		{"orange", -1471092080},
		{"", 89125410},
		{"abcdefghijklmnopq", -1899392497},
		{"0123456789abcdef", 26898387},
		{"héllo wörld ünïcode strings €€€", -1040359790},
		{"a😀b", -916027309},
		{int64(1), -1931162451},
		{int32(-1), 171705313},
		{int64(123456789012), -1471995676},
		{true, -1891831265},
		{1.5, -1122085266},
	} {
		got, err := murmurHash(c.v)
		if err != nil || got != c.want {
			t.Errorf("murmur(%#v) = %d, %v; want %d", c.v, got, err, c.want)
		}
	}
}
