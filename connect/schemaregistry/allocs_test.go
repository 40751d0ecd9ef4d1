package schemaregistry

import (
	"math/big"
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/internal/testutil"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/avro"
)

// The AvroConverter's direct encoder, with the schema id cached after the
// first record, allocates the Confluent-framed output buffer only.
func TestAvroConverterDirectAllocs(t *testing.T) {
	_, c := startRegistry(t, kafkatest.NewCluster(t))
	_, full := multiTypeTable()
	s := schema.StructOf("allocs.public.t.Value", true, full.Fields[:10]...)
	row := &schema.Struct{Schema: s, Values: []any{int32(1), int16(-2), int64(1234567890123), float32(1.5), 2.25, true,
		"some text value", []byte{0, 1, 2}, schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2}, int32(19844)}}
	conv, err := avro.New(nil, false, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conv.FromConnect("allocs.public.t", s, row); err != nil {
		t.Fatal(err)
	}
	testutil.AllocCeiling(t, 1, func() {
		if _, err := conv.FromConnect("allocs.public.t", s, row); err != nil {
			t.Fatal(err)
		}
	})
	// Appending into a reused buffer allocates nothing, and writes what
	// FromConnect returns.
	want, err := conv.FromConnect("allocs.public.t", s, row)
	if err != nil {
		t.Fatal(err)
	}
	var buf []byte
	testutil.AllocCeiling(t, 0, func() {
		if buf, err = conv.AppendConnect(buf[:0], "allocs.public.t", s, row); err != nil {
			t.Fatal(err)
		}
	})
	if string(buf) != string(want) {
		t.Errorf("AppendConnect = %x, want %x", buf, want)
	}
}
