package worker

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/internal/testutil"
	"github.com/tributary-cdc/tributary/schema"
)

type noTopics struct{}

func (noTopics) EnsureTopic(context.Context, string) error { return nil }

// contextHeaders mimics a connector's per-run headers: one list shared by
// every record.
func testContextHeaders() []connect.Header {
	return []connect.Header{
		{Key: "__debezium.context.connectorLogicalName", Schema: schema.StringSchema, Value: "dbserver1"},
		{Key: "__debezium.context.taskId", Schema: schema.StringSchema, Value: "0"},
		{Key: "__debezium.context.connectorName", Schema: schema.StringSchema, Value: "postgresql"},
		{Key: "__debezium.context.runId", Schema: schema.StringSchema, Value: "8a1c2f7e-0d6b-4c57-9d1e-3f0a5b7c9e21"},
	}
}

// wantHeaders is the plain conversion of hs: Kafka Connect's
// SimpleHeaderConverter for strings, bytes and nulls.
func wantHeaders(hs []connect.Header) ([]sarama.RecordHeader, int64) {
	var out []sarama.RecordHeader
	var size int64
	for _, h := range hs {
		var v []byte
		switch x := h.Value.(type) {
		case string:
			v = []byte(x)
		case []byte:
			v = bytes.Clone(x)
		}
		out = append(out, sarama.RecordHeader{Key: []byte(h.Key), Value: v})
		size += int64(len(h.Key) + len(v))
	}
	return out, size
}

func sameHeaders(a, b []sarama.RecordHeader) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Key, b[i].Key) || !bytes.Equal(a[i].Value, b[i].Value) || (a[i].Value == nil) != (b[i].Value == nil) {
			return false
		}
	}
	return true
}

// TestRecordConverterHeaders converts a sequence of records whose headers
// repeat, grow, change value under the same key, carry bytes that change in
// place, and are null; every message must carry exactly the headers of its
// own record, whatever the converter remembered from the one before.
func TestRecordConverterHeaders(t *testing.T) {
	ctxHeaders := testContextHeaders()
	withKey := func(k string) []connect.Header {
		return append(testContextHeaders(), connect.Header{Key: "__debezium.oldkey", Schema: schema.StringSchema, Value: k})
	}
	changed := testContextHeaders()
	// An equal key with a different value, built at run time so that it
	// shares no memory with the literal.
	changed[3].Value = strings.Repeat("7", 36)
	raw := []byte("bytes-1")
	withBytes := append(testContextHeaders(), connect.Header{Key: "raw", Value: raw})
	withNull := append(testContextHeaders()[:2], connect.Header{Key: "__debezium.context.connectorName", Value: nil})

	steps := []struct {
		name    string
		headers []connect.Header
		mutate  func()
	}{
		{"none", nil, nil},
		{"context", ctxHeaders, nil},
		{"context again", ctxHeaders, nil},
		{"context, equal copy", testContextHeaders(), nil},
		{"context plus key", withKey("Struct{id=1}"), nil},
		{"context plus another key", withKey("Struct{id=2}"), nil},
		{"context after the key", ctxHeaders, nil},
		{"changed value", changed, nil},
		{"context after the change", ctxHeaders, nil},
		{"bytes", withBytes, nil},
		{"bytes changed in place", withBytes, func() { copy(raw, "bytes-2") }},
		{"null where a string was", withNull, nil},
		{"string where a null was", ctxHeaders[:3], nil},
		{"fewer", ctxHeaders[:1], nil},
		{"none again", nil, nil},
	}
	c := newRecordConverter(stringConverter{}, stringConverter{}, noTopics{}, nil)
	var kept []*outMessage
	var want [][]sarama.RecordHeader
	for _, st := range steps {
		if st.mutate != nil {
			st.mutate()
		}
		rec := &connect.SourceRecord{Topic: "events", Key: "k", Value: "value", Headers: st.headers}
		out, size, err := c.process(t.Context(), nil, rec)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		wh, ws := wantHeaders(st.headers)
		if !sameHeaders(out.msg.Headers, wh) {
			t.Fatalf("%s: headers = %q, want %q", st.name, out.msg.Headers, wh)
		}
		if want := int64(len("k")+len("value")) + ws; size != want {
			t.Fatalf("%s: size = %d, want %d", st.name, size, want)
		}
		kept, want = append(kept, out), append(want, wh)
	}
	// Messages still in flight keep their own headers: what a later record
	// converts never writes into an earlier message's headers (the byte
	// header aliases the record's slice, as it always has, so it is left out).
	for i, out := range kept {
		if steps[i].name == "bytes" {
			continue
		}
		if !sameHeaders(out.msg.Headers, want[i]) {
			t.Fatalf("%s: headers changed after later records to %q, want %q", steps[i].name, out.msg.Headers, want[i])
		}
	}
}

func TestRecordConverterMessage(t *testing.T) {
	c := newRecordConverter(stringConverter{}, stringConverter{}, noTopics{}, nil)
	p := int32(2)
	ts := time.UnixMilli(1714557600123)
	out, size, err := c.process(t.Context(), nil, &connect.SourceRecord{Topic: "events", Partition: &p, Timestamp: ts, Key: "key", Value: "value"})
	if err != nil {
		t.Fatal(err)
	}
	m := &out.msg
	k, err := m.Key.Encode()
	if err != nil || string(k) != "key" || m.Key.Length() != 3 {
		t.Fatalf("key = %q (%v), length %d", k, err, m.Key.Length())
	}
	v, err := m.Value.Encode()
	if err != nil || string(v) != "value" || m.Value.Length() != 5 {
		t.Fatalf("value = %q (%v), length %d", v, err, m.Value.Length())
	}
	if m.Topic != "events" || !m.Timestamp.Equal(ts) || m.Headers != nil || size != 8 {
		t.Fatalf("message = %+v, size %d", m, size)
	}
	// The record's partition goes to the producer's partitioner with the
	// message's metadata.
	if part, ok := m.Metadata.(*outMessage).ChosenPartition(); !ok || part != 2 {
		t.Fatalf("chosen partition = %d, %v", part, ok)
	}

	// A tombstone: no value at all, not an empty one. It has no
	// timestamp either: it is stamped as it is converted, as Kafka's
	// producer stamps a record at send, not when the producer batches it.
	before := time.Now()
	out, size, err = c.process(t.Context(), nil, &connect.SourceRecord{Topic: "events", Key: "key"})
	if err != nil {
		t.Fatal(err)
	}
	if out.msg.Value != nil || size != 3 {
		t.Fatalf("tombstone value = %v, size %d", out.msg.Value, size)
	}
	if ts := out.msg.Timestamp; ts.Before(before) || ts.After(time.Now()) {
		t.Fatalf("timestamp of a record without one = %v, want the time of its conversion (after %v)", ts, before)
	}

	_, _, err = c.process(t.Context(), nil, &connect.SourceRecord{Topic: "events", Key: "key",
		Headers: []connect.Header{{Key: "n", Value: 1}}})
	if err == nil || !strings.Contains(err.Error(), "converting header n") {
		t.Fatalf("int header: err = %v", err)
	}
}

// fixedConverter returns the same bytes for every record, so that the
// benchmark counts the runner's allocations, not a converter's.
type fixedConverter []byte

func (f fixedConverter) FromConnect(string, *schema.Schema, any) ([]byte, error) { return f, nil }

// BenchmarkRecordConverterMessage converts one change event as the
// PostgreSQL connector emits it: key, value and the four context headers
// shared by every record of the run.
func BenchmarkRecordConverterMessage(b *testing.B) {
	c := newRecordConverter(fixedConverter(`{"id":1}`), fixedConverter(strings.Repeat("v", 3300)), noTopics{}, nil)
	rec := &connect.SourceRecord{
		Topic: "dbserver1.public.t", Key: "k", Value: "v", Timestamp: time.Now(),
		SourcePartition: map[string]any{"server": "dbserver1"}, SourceOffset: map[string]any{"lsn": int64(1)},
		Headers: testContextHeaders(),
	}
	b.ReportAllocs()
	for b.Loop() {
		out, _, err := c.process(b.Context(), nil, rec)
		if err != nil {
			b.Fatal(err)
		}
		c.release(out)
	}
}

// TestHeaderCacheSharesRepeatedHeaders: the point of the cache is that a
// repeated header list is converted once.
func TestHeaderCacheSharesRepeatedHeaders(t *testing.T) {
	var c headerCache
	a, _, _ := c.convert(testContextHeaders())
	b, _, _ := c.convert(testContextHeaders())
	if len(a) != 4 || &a[0] != &b[0] || cap(a) != len(a) {
		t.Fatalf("repeated headers converted anew (len %d, cap %d, shared %v)", len(a), cap(a), &a[0] == &b[0])
	}
}

// TestRunDeliversHeaders runs records whose headers mostly repeat through
// the runner and a broker: every record must arrive with its own headers.
func TestRunDeliversHeaders(t *testing.T) {
	f := newFixture(t)
	const n = 300
	shared := testContextHeaders()
	recs := records(n, func(i int) string { return fmt.Sprintf("v%d", i) })
	want := map[string][]sarama.RecordHeader{}
	for i := range recs {
		hs := shared
		switch {
		case i%10 == 3:
			hs = append(testContextHeaders(), connect.Header{Key: "__debezium.oldkey", Schema: schema.StringSchema, Value: fmt.Sprintf("Struct{id=%d}", i)})
		case i%50 == 7:
			hs = []connect.Header{{Key: "raw", Value: []byte{0, byte(i)}}, {Key: "none", Value: nil}}
		}
		recs[i].Headers = hs
		want[fmt.Sprintf("v%d", i)], _ = wantHeaders(hs)
	}
	task := &scriptedTask{records: recs, commitChecker: commitChecker{store: f.store}, polled: make(chan struct{})}
	r := f.runner(t, task, time.Hour)
	runUntil(t, r, task.polled)

	got := readHeaders(t, f.brokers, "events")
	if len(got) != n {
		t.Fatalf("read %d records, want %d", len(got), n)
	}
	for v, w := range want {
		if !sameHeaders(got[v], w) {
			t.Fatalf("record %s arrived with headers %q, want %q", v, got[v], w)
		}
	}
}

// readHeaders returns the headers of every record in topic by value.
func readHeaders(t *testing.T, brokers []string, topic string) map[string][]sarama.RecordHeader {
	t.Helper()
	client, err := sarama.NewClient(brokers, kafkaclient.NewConfig("reader"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	c, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]sarama.RecordHeader{}
	for _, p := range parts {
		end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		if end == 0 {
			continue
		}
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		for m := range pc.Messages() {
			var hs []sarama.RecordHeader
			for _, h := range m.Headers {
				hs = append(hs, *h)
			}
			out[string(m.Value)] = hs
			if m.Offset == end-1 {
				break
			}
		}
		pc.Close()
	}
	return out
}

// Turning one change event into a producer message allocates nothing once
// messages are released: the message and, with converters that append, the
// key and value buffers are reused, and the context headers are shared by
// every record of the run (headerCache). A message that is not released
// costs one allocation.
func TestRecordConverterMessageAllocs(t *testing.T) {
	rec := &connect.SourceRecord{
		Topic: "dbserver1.public.t", Key: "k", Value: "v", Timestamp: time.Now(),
		SourcePartition: map[string]any{"server": "dbserver1"}, SourceOffset: map[string]any{"lsn": int64(1)},
		Headers: testContextHeaders(),
	}
	for _, conv := range []Converter{fixedConverter(strings.Repeat("v", 3300)), appendingConverter(strings.Repeat("v", 3300))} {
		c := newRecordConverter(conv, conv, noTopics{}, nil)
		testutil.AllocCeiling(t, 0, func() {
			out, _, err := c.process(t.Context(), nil, rec)
			if err != nil {
				t.Fatal(err)
			}
			c.release(out)
		})
	}
	c := newRecordConverter(fixedConverter(`{"id":1}`), fixedConverter(strings.Repeat("v", 3300)), noTopics{}, nil)
	testutil.AllocCeiling(t, 1, func() {
		if _, _, err := c.process(t.Context(), nil, rec); err != nil {
			t.Fatal(err)
		}
	})
}

// appendingConverter appends the same bytes for every record.
type appendingConverter []byte

func (a appendingConverter) FromConnect(string, *schema.Schema, any) ([]byte, error) {
	return bytes.Clone(a), nil
}

func (a appendingConverter) AppendConnect(dst []byte, _ string, _ *schema.Schema, _ any) ([]byte, error) {
	return append(dst, a...), nil
}

// TestRecordConverterHeaderValues converts the header values HeaderFrom
// copies from a record (numbers, booleans, structs, dates) as Kafka
// Connect's SimpleHeaderConverter writes them (Values.convertToString).
func TestRecordConverterHeaderValues(t *testing.T) {
	s := schema.StructOf("", false, schema.NewField("id", schema.Int32Schema), schema.NewField("name", schema.StringSchema))
	headers := []connect.Header{
		{Key: "id", Schema: schema.Int32Schema, Value: int32(42)},
		{Key: "ok", Schema: schema.BooleanSchema, Value: true},
		{Key: "price", Schema: schema.Float64Schema, Value: 12.5},
		{Key: "row", Schema: s, Value: schema.NewStruct(s).Set("id", int32(1)).Set("name", "a")},
		{Key: "day", Value: time.UnixMilli(86400000).UTC()},
	}
	c := newRecordConverter(stringConverter{}, stringConverter{}, noTopics{}, nil)
	out, _, err := c.process(t.Context(), nil, &connect.SourceRecord{Topic: "events", Value: "v", Headers: headers})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"id=42", "ok=true", "price=12.5", `row={"id":1,"name":"a"}`, "day=1970-01-02"}
	var got []string
	for _, h := range out.msg.Headers {
		got = append(got, string(h.Key)+"="+string(h.Value))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("headers = %q, want %q", got, want)
	}
	if _, _, err := c.process(t.Context(), nil, &connect.SourceRecord{Topic: "events", Value: "v",
		Headers: []connect.Header{{Key: "bad", Value: struct{}{}}}}); err == nil {
		t.Errorf("a header of an unknown type converted")
	}
}
