package schemaregistry

import (
	"math/big"
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/avro"
)

// BenchmarkAvroConverter10Columns converts a 10-column row (the value
// struct alone, ids cached after the first record) to Confluent Avro: with
// the default settings (the direct encoder) and with use.latest.version
// (the registered schema taken as is, encoded through goavro).
func BenchmarkAvroConverter10Columns(b *testing.B) {
	_, c := startRegistry(b, kafkatest.NewCluster(b))
	_, full := multiTypeTable()
	s := schema.StructOf("bench.public.t.Value", true, full.Fields[:10]...)
	row := &schema.Struct{Schema: s, Values: []any{int32(1), int16(-2), int64(1234567890123), float32(1.5), 2.25, true,
		"some text value", []byte{0, 1, 2}, schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2}, int32(19844)}}
	for _, bc := range []struct {
		name  string
		props map[string]string
	}{
		{"direct", nil},
		{"goavro", map[string]string{"use.latest.version": "true"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			// The first conversion registers the schema (the goavro case
			// then finds it as the latest version).
			first, err := avro.New(nil, false, c)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := first.FromConnect("bench.public.t", s, row); err != nil {
				b.Fatal(err)
			}
			conv, err := avro.New(bc.props, false, c)
			if err != nil {
				b.Fatal(err)
			}
			out, err := conv.FromConnect("bench.public.t", s, row)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(out)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := conv.FromConnect("bench.public.t", s, row); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
