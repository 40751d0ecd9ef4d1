package jsonconv

import (
	"testing"

	"github.com/tributary-cdc/tributary/internal/testutil"
)

// Converting one Debezium insert envelope (debezium.md §4.2) with the
// schema JSON cached allocates the output buffer only, with and without
// the schema envelope.
func TestFromConnectAllocs(t *testing.T) {
	for _, props := range []map[string]string{nil, {"schemas.enable": "false"}} {
		c := mustNew(t, props, false)
		cs := newCustomers()
		_, value := cs.insert()
		if _, err := c.FromConnect("t", cs.envelope, value); err != nil {
			t.Fatal(err)
		}
		testutil.AllocCeiling(t, 1, func() {
			if _, err := c.FromConnect("t", cs.envelope, value); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Appending into a buffer the caller reuses allocates nothing.
func TestAppendConnectAllocs(t *testing.T) {
	for _, props := range []map[string]string{nil, {"schemas.enable": "false"}} {
		c := mustNew(t, props, false)
		cs := newCustomers()
		_, value := cs.insert()
		buf, err := c.AppendConnect(nil, "t", cs.envelope, value)
		if err != nil {
			t.Fatal(err)
		}
		testutil.AllocCeiling(t, 0, func() {
			if buf, err = c.AppendConnect(buf[:0], "t", cs.envelope, value); err != nil {
				t.Fatal(err)
			}
		})
	}
}
