package jsonconv

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzToConnect feeds arbitrary bytes to ToConnect under each configuration.
// Invariants: ToConnect never panics; whatever it accepts and FromConnect can
// write back reaches a fixed point after one round (read, write, read, write
// gives the same bytes twice).
func FuzzToConnect(f *testing.F) {
	for _, name := range []string{"customers_insert_key.json", "customers_insert_value.json"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`["inventory",{"server":"dbserver1"}]`))
	f.Add([]byte(`{"schema":null,"payload":{"a":[1,2.5,"x",null,true]}}`))

	configs := []map[string]string{
		nil,
		{"decimal.format": "NUMERIC"},
		{"schemas.enable": "false"},
		{"replace.null.with.default": "false"},
	}
	convs := make([]*Converter, len(configs))
	for i, props := range configs {
		convs[i] = mustNew(f, props, false)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i, c := range convs {
			s, v, err := c.ToConnect("t", data)
			if err != nil {
				continue
			}
			out, err := c.FromConnect("t", s, v)
			if err != nil {
				continue // e.g. a NUMERIC literal whose scale is not the schema's, under BASE64
			}
			s2, v2, err := c.ToConnect("t", out)
			if err != nil {
				t.Fatalf("config %v: reading back our own output %q: %v", configs[i], out, err)
			}
			out2, err := c.FromConnect("t", s2, v2)
			if err != nil {
				t.Fatalf("config %v: rewriting %q: %v", configs[i], out, err)
			}
			if !bytes.Equal(out, out2) {
				t.Fatalf("config %v: no fixed point:\n%q\n%q", configs[i], out, out2)
			}
		}
	})
}
