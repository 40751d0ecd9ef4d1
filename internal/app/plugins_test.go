package app

import (
	"testing"

	"github.com/tributary-cdc/tributary/rest"
)

// TestPluginsListTriggerConnector: GET /connector-plugins lists the trigger
// connector next to the PostgreSQL connector, as a source.
func TestPluginsListTriggerConnector(t *testing.T) {
	want := map[string]bool{
		"io.debezium.connector.postgresql.PostgresConnector": false,
		"io.tributary.connector.postgresql.TriggerConnector": false,
	}
	for _, info := range newPlugins().infos {
		if _, ok := want[info.Class]; ok {
			if info.Type != rest.PluginSource {
				t.Errorf("%s listed as %q", info.Class, info.Type)
			}
			want[info.Class] = true
		}
	}
	for class, listed := range want {
		if !listed {
			t.Errorf("%s is not listed", class)
		}
	}
}
