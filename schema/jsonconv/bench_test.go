package jsonconv

import "testing"

// The benchmarks convert the Debezium INSERT of debezium.md §4.2: the
// per-record path with the schema JSON cached, with and without the envelope.

func BenchmarkFromConnectEnvelope(b *testing.B) {
	benchFromConnect(b, nil)
}

func BenchmarkFromConnectPayloadOnly(b *testing.B) {
	benchFromConnect(b, map[string]string{"schemas.enable": "false"})
}

func BenchmarkFromConnectNumeric(b *testing.B) {
	benchFromConnect(b, map[string]string{"decimal.format": "NUMERIC"})
}

func benchFromConnect(b *testing.B, props map[string]string) {
	c := mustNew(b, props, false)
	cs := newCustomers()
	_, value := cs.insert()
	out, err := c.FromConnect("t", cs.envelope, value)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.FromConnect("t", cs.envelope, value); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendConnectEnvelope is the envelope case written into a buffer
// the caller reuses, as the source runners do.
func BenchmarkAppendConnectEnvelope(b *testing.B) {
	c := mustNew(b, nil, false)
	cs := newCustomers()
	_, value := cs.insert()
	buf, err := c.AppendConnect(nil, "t", cs.envelope, value)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = c.AppendConnect(buf[:0], "t", cs.envelope, value); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromConnectParallel(b *testing.B) {
	c := mustNew(b, nil, false)
	cs := newCustomers()
	_, value := cs.insert()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.FromConnect("t", cs.envelope, value); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkToConnectEnvelope(b *testing.B) {
	c := mustNew(b, nil, false)
	cs := newCustomers()
	_, value := cs.insert()
	data, err := c.FromConnect("t", cs.envelope, value)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.ToConnect("t", data); err != nil {
			b.Fatal(err)
		}
	}
}
