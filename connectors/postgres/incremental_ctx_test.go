package postgres

import (
	"encoding/json"
	"math/big"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/javaser"
)

// TestIncrementalOffsetGolden: the keys a running incremental snapshot adds
// to an offset are Debezium's (testdata/README.md), and read back into the
// same state.
func TestIncrementalOffsetGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/incremental_offset.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	id := "ad-hoc-1"
	c := &incContext{
		collections: []incCollection{
			{ID: "public.big", Condition: "(id > 100 AND note <> 'a&b')"},
			{ID: "public.nopk", SurrogateKey: "id"},
		},
		correlationID: &id,
	}
	got := map[string]any{"lsn_proc": 24023128.0, "lsn_commit": 24023040.0, "lsn": 24023128.0, "txId": 555.0,
		"ts_usec": 1714557600123456.0, "messageType": "INSERT", "lsn_events_processed": 1.0}
	if err := c.store(javaKeys{}, got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		t.Fatalf("offset\n%s\nwant\n%s", g, b)
	}
	back, err := loadIncContext(javaKeys{}, want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.collections, c.collections) || *back.correlationID != id || back.chunkEnd != nil || back.maxKey != nil {
		t.Fatalf("loaded %+v", back)
	}
	// Not running: no keys.
	none := map[string]any{}
	if err := (&incContext{}).store(javaKeys{}, none); err != nil || len(none) != 0 {
		t.Fatalf("idle snapshot stored %v, %v", none, err)
	}
}

// TestChunkKeyRoundTrip: chunk keys of every supported type survive the
// offsets.
func TestChunkKeyRoundTrip(t *testing.T) {
	u, err := keyValue(oidUUID, "0b4b43c6-3e1d-4e6f-9bd0-1d3d6f0b1e2a")
	if err != nil {
		t.Fatal(err)
	}
	d, err := keyValue(oidNumeric, "-12.340")
	if err != nil {
		t.Fatal(err)
	}
	key := []any{int32(-7), int64(1) << 40, "a\"b,c", u, d}
	c := &incContext{collections: []incCollection{{ID: "public.t"}}, lastSent: key, maxKey: key}
	off := map[string]any{}
	if err := c.store(javaKeys{}, off); err != nil {
		t.Fatal(err)
	}
	back, err := loadIncContext(javaKeys{}, off)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.chunkEnd, key) || !reflect.DeepEqual(back.maxKey, key) {
		t.Fatalf("loaded %#v %#v", back.chunkEnd, back.maxKey)
	}
	for _, v := range key {
		if text, err := keyValue(oidFor(v), string(keyText(v))); err != nil || !reflect.DeepEqual(text, v) {
			t.Errorf("%#v: as a parameter and back %#v, %v", v, text, err)
		}
	}
	if _, err := loadIncContext(javaKeys{}, map[string]any{offIncPrimaryKey: "aced0005zz"}); err == nil {
		t.Fatal("a malformed key was accepted")
	}
	if _, err := keyValue(oidNumeric, "NaN"); err == nil {
		t.Fatal("a NaN chunk key was accepted")
	}
}

func oidFor(v any) uint32 {
	switch v.(type) {
	case int32:
		return oidInt4
	case int64:
		return oidInt8
	case string:
		return oidText
	case javaser.UUID:
		return oidUUID
	}
	return oidNumeric
}

// TestDecimalText: chunk key decimals go back to PostgreSQL as
// BigDecimal.toPlainString writes them.
func TestDecimalText(t *testing.T) {
	for text, want := range map[string]string{"0": "0", "-12.340": "-12.340", "0.005": "0.005", "-0.5": "-0.5", "123": "123"} {
		d, err := parseBigDecimal(text)
		if err != nil || decimalText(d) != want {
			t.Errorf("%s: %v %v", text, decimalText(d), err)
		}
	}
	if got := decimalText(javaser.BigDecimal{Unscaled: big.NewInt(12), Scale: -2}); got != "1200" {
		t.Errorf("scale -2: %s", got)
	}
}

func TestJavaInstant(t *testing.T) {
	for ns, want := range map[int]string{
		0: "2024-05-01T10:00:00Z", 123_000_000: "2024-05-01T10:00:00.123Z",
		123_456_000: "2024-05-01T10:00:00.123456Z", 123_456_789: "2024-05-01T10:00:00.123456789Z",
	} {
		if got := javaInstant(timeAt(ns)); got != want {
			t.Errorf("%d ns: %s, want %s", ns, got, want)
		}
	}
}

// FuzzLoadIncContext: no stored offset, however malformed, panics loading.
func FuzzLoadIncContext(f *testing.F) {
	f.Add(`[{"incremental_snapshot_collections_id":"public.t"}]`, "aced000570")
	f.Add(`{}`, "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b020000787000000001")
	f.Add(`[null]`, "")
	f.Fuzz(func(t *testing.T, collections, key string) {
		_, _ = loadIncContext(javaKeys{}, map[string]any{offIncCollections: collections, offIncPrimaryKey: key, offIncMaximumKey: key})
	})
}

func timeAt(ns int) time.Time { return time.Date(2024, 5, 1, 10, 0, 0, ns, time.UTC) }

// TestDecorate: offsets get the running snapshot's keys; once none runs,
// an offset replayed from the store loses the keys it carried.
func TestDecorate(t *testing.T) {
	inc := &incremental{codec: javaKeys{}, c: &incContext{collections: []incCollection{{ID: "public.t"}}}}
	if err := inc.refreshExtra(); err != nil {
		t.Fatal(err)
	}
	off := map[string]any{"lsn": int64(1)}
	got := inc.decorate(off)
	if got[offIncCollections] == nil || got[offIncPrimaryKey] != javaSerializedNull || len(off) != 1 {
		t.Fatalf("decorated %v (from %v)", got, off)
	}
	inc.c.collections = nil
	if err := inc.refreshExtra(); err != nil {
		t.Fatal(err)
	}
	if stripped := inc.decorate(got); len(stripped) != 1 || len(got) == 1 {
		t.Fatalf("stripped %v (from %v)", stripped, got)
	}
	if plain := inc.decorate(off); !reflect.DeepEqual(plain, off) {
		t.Fatalf("%v", plain)
	}
}
