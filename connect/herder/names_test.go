package herder

import (
	"errors"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
)

// TestConnectorNamesRefusedAsKafkaConnectRefusesThem: ConnectorConfig's
// "name" is ConfigDef.NonEmptyStringWithoutControlChars, so create and PUT
// refuse names with ISO control characters (C0, DEL and C1) and create
// nothing; a name with "/" or other printable characters is a name like any
// other, as in Kafka Connect 3.9 (ConnectorsResource has no other check).
func TestConnectorNamesRefusedAsKafkaConnectRefusesThem(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)
	for _, tc := range []struct{ name, chars string }{
		{"a\nb", "10"},
		{"tab\there", "9"},
		{"nul\x00", "0"},
		{"del\x7f", "127"},
		{"c1\u0085", "133"},
	} {
		want := "String may not contain control sequences but had the following ASCII chars: " + tc.chars
		_, err := h.CreateConnector(t.Context(), tc.name, config())
		checkNameRefused(t, "create", tc.name, err, want)
		_, _, err = h.PutConnectorConfig(t.Context(), tc.name, config())
		checkNameRefused(t, "put", tc.name, err, want)
	}
	if names, _ := h.Connectors(t.Context()); len(names) != 0 {
		t.Fatalf("refused names created %q", names)
	}
	for _, name := range []string{"a/b", "dbz ü 📦", "x.y-z_1"} {
		if _, err := h.CreateConnector(t.Context(), name, config()); err != nil {
			t.Errorf("create %q: %v", name, err)
		}
	}
}

func checkNameRefused(t *testing.T, op, name string, err error, want string) {
	t.Helper()
	var verr *connect.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("%s %q = %v, want a ValidationError", op, name, err)
	}
	for _, e := range verr.Errors {
		if e.Name == "name" && strings.HasSuffix(e.Message, want) {
			return
		}
	}
	t.Errorf("%s %q: errors %+v do not refuse the name with %q", op, name, verr.Errors, want)
}
