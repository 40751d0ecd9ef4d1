package avro

import (
	"context"
	"testing"

	"github.com/tributary-cdc/tributary/internal/testutil"
	"github.com/tributary-cdc/tributary/schema/registry"
)

// fixedRegistry gives every schema id 1.
type fixedRegistry struct{}

func (fixedRegistry) Register(context.Context, string, string) (int, error) { return 1, nil }
func (fixedRegistry) LookupID(context.Context, string, string) (int, error) { return 1, nil }
func (fixedRegistry) Latest(context.Context, string) (*registry.Schema, error) {
	return nil, nil
}

// Converting a Debezium envelope once its schema is registered allocates
// the output buffer only: it starts at the size of the previous value, so
// it is not grown while the value is written.
func TestFromConnectAllocs(t *testing.T) {
	s, v := connectFromJSON(t, readFile(t, "connect-customers-value.json"))
	c, err := New(nil, false, fixedRegistry{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.FromConnect("t", s, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) <= 128 {
		t.Fatalf("a %d-byte value does not outgrow the first buffer: the test shows nothing", len(first))
	}
	testutil.AllocCeiling(t, 1, func() {
		if _, err := c.FromConnect("t", s, v); err != nil {
			t.Fatal(err)
		}
	})
}
