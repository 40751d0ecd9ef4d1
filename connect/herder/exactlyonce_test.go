package herder

import (
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
)

type eosConnector struct {
	connect.Connector
	support connect.ExactlyOnceSupport
}

func (c eosConnector) ExactlyOnceSupport(map[string]string) connect.ExactlyOnceSupport {
	return c.support
}

type plainConnector struct{ connect.Connector }

func TestCheckExactlyOnce(t *testing.T) {
	supported := func() connect.Connector { return eosConnector{support: connect.ExactlyOnceSupported} }
	unsupported := func() connect.Connector { return eosConnector{support: connect.ExactlyOnceUnsupported} }
	silent := func() connect.Connector { return plainConnector{} }
	for _, c := range []struct {
		name    string
		enabled bool
		config  map[string]string
		conn    func() connect.Connector
		want    []string // "property: message prefix"
	}{
		{"defaults", false, map[string]string{}, silent, nil},
		{"interval", true, map[string]string{"transaction.boundary": "INTERVAL", "transaction.boundary.interval.ms": "100"}, silent, nil},
		{"connector boundary", true, map[string]string{"transaction.boundary": "connector"}, supported,
			[]string{"transaction.boundary: The connector does not support connector-defined transaction boundaries"}},
		{"bad boundary", true, map[string]string{"transaction.boundary": "txn"}, supported,
			// CaseInsensitiveValidString lists the upper-cased values in the
			// order of its HashSet (ConfigDef.java).
			[]string{"transaction.boundary: Invalid value txn for configuration transaction.boundary: String must be one of (case insensitive): INTERVAL, POLL, CONNECTOR"}},
		{"bad interval", true, map[string]string{"transaction.boundary.interval.ms": "-1"}, supported,
			[]string{"transaction.boundary.interval.ms: Invalid value -1 for configuration transaction.boundary.interval.ms: Value must be at least 0"}},
		{"required, enabled", true, map[string]string{"exactly.once.support": "required"}, supported, nil},
		{"required, disabled worker", false, map[string]string{"exactly.once.support": "required"}, supported,
			[]string{"exactly.once.support: This worker does not have exactly-once source support enabled."}},
		{"required, unsupported", true, map[string]string{"exactly.once.support": "required"}, unsupported,
			[]string{"exactly.once.support: The connector does not support exactly-once semantics"}},
		{"required, undeclared", true, map[string]string{"exactly.once.support": "required"}, silent,
			[]string{"exactly.once.support: The connector does not implement the API required for preflight validation"}},
		{"bad support", true, map[string]string{"exactly.once.support": "maybe"}, supported,
			[]string{"exactly.once.support: Invalid value maybe for configuration exactly.once.support"}},
	} {
		h := New(Config{ExactlyOnce: c.enabled})
		errs := h.checkExactlyOnce(c.config, c.conn)
		if len(errs) != len(c.want) {
			t.Errorf("%s: %d errors %+v, want %d", c.name, len(errs), errs, len(c.want))
			continue
		}
		for i, e := range errs {
			if got := e.Name + ": " + e.Message; !strings.HasPrefix(got, c.want[i]) {
				t.Errorf("%s: error %q, want it to start with %q", c.name, got, c.want[i])
			}
		}
	}
}
