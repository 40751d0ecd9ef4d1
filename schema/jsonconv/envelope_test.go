package jsonconv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// FromConnect writes the envelope as a cached head and the record's payload.
// On seeded random customers records (a null or present before, strings of
// every length up to a few KB with characters Jackson escapes, negative and
// large decimals) the envelope must be exactly {"schema":S,"payload":P},
// with S the schema's JSON as appendSchema writes it and P what the
// schemas.enable=false converter writes; and every output returned earlier
// must still hold its bytes after later calls reused the scratch buffer.
func TestEnvelopeIsHeadAndPayload(t *testing.T) {
	cs := newCustomers()
	for _, props := range []map[string]string{nil, {"decimal.format": "NUMERIC"}, {"replace.null.with.default": "false"}} {
		withSchema := mustNew(t, props, false)
		bare := map[string]string{"schemas.enable": "false"}
		for k, v := range props {
			bare[k] = v
		}
		payloadOnly := mustNew(t, bare, false)
		e := encoder{numeric: withSchema.numeric, replaceNull: withSchema.replaceNull}
		schemaJSON, err := e.appendSchema(nil, cs.envelope)
		if err != nil {
			t.Fatal(err)
		}

		rng := rand.New(rand.NewPCG(18, uint64(len(props))))
		type kept struct{ got, want []byte }
		var all []kept
		for i := range 500 {
			v := randomCustomersEvent(rng, cs)
			got, err := withSchema.FromConnect("t", cs.envelope, v)
			if err != nil {
				t.Fatal(err)
			}
			payload, err := payloadOnly.FromConnect("t", cs.envelope, v)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Appendf(nil, `{"schema":%s,"payload":%s}`, schemaJSON, payload)
			if !bytes.Equal(got, want) {
				t.Fatalf("%v, record %d:\n got %s\nwant %s", props, i, got, want)
			}
			if !json.Valid(got) {
				t.Fatalf("%v, record %d: invalid JSON %s", props, i, got)
			}
			all = append(all, kept{got, bytes.Clone(want)})
		}
		for i, k := range all {
			if !bytes.Equal(k.got, k.want) {
				t.Fatalf("%v: record %d changed after later conversions:\n got %s\nwant %s", props, i, k.got, k.want)
			}
		}
	}
}

// randomCustomersEvent is a customers envelope with random values.
func randomCustomersEvent(rng *rand.Rand, cs customers) *schema.Struct {
	row := func() *schema.Struct {
		unscaled := big.NewInt(rng.Int64N(1 << 40))
		if rng.IntN(2) == 0 {
			unscaled.Neg(unscaled)
		}
		if rng.IntN(8) == 0 {
			unscaled.Mul(unscaled, big.NewInt(1<<40)) // beyond 64 bits
		}
		r := schema.NewStruct(cs.value).
			Set("id", rng.Int32()).
			Set("email", randomString(rng))
		if rng.IntN(4) > 0 {
			r.Set("balance", schema.Decimal{Unscaled: unscaled, Scale: 2})
		}
		if rng.IntN(4) > 0 {
			r.Set("created_at", "2024-05-01T10:00:00.000000Z")
		}
		return r
	}
	src := schema.NewStruct(cs.source).
		Set("version", "3.5.0.Final").Set("connector", "postgresql").Set("name", randomString(rng)).
		Set("ts_ms", rng.Int64()).Set("db", "postgres").Set("schema", "public").Set("table", "customers")
	if rng.IntN(2) == 0 {
		src.Set("snapshot", "true").Set("txId", rng.Int64()).Set("lsn", rng.Int64())
	}
	ops := []string{"c", "u", "d", "r"}
	v := schema.NewStruct(cs.envelope).Set("source", src).Set("op", ops[rng.IntN(len(ops))])
	if rng.IntN(2) == 0 {
		v.Set("before", row())
	}
	if rng.IntN(4) > 0 {
		v.Set("after", row())
	}
	if rng.IntN(2) == 0 {
		v.Set("ts_ms", rng.Int64()).Set("ts_us", rng.Int64()).Set("ts_ns", rng.Int64())
	}
	return v
}

// randomString has a random length up to a few KB (so that records outgrow
// the scratch buffer now and then) and characters JSON escapes.
func randomString(rng *rand.Rand) string {
	alphabet := []string{"a", "Z", "0", " ", `"`, `\`, "\n", "\x01", "/", "<", "é", "漢", "😀"}
	n := rng.IntN(40)
	if rng.IntN(20) == 0 {
		n = rng.IntN(4000)
	}
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}
