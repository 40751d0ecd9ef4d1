package postgres

import (
	"slices"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
)

// TestParseTriggerConfig: the trigger keys' defaults, replication-only keys
// warned about by name, unsupported features refused by name.
func TestParseTriggerConfig(t *testing.T) {
	base := map[string]string{"topic.prefix": "Shop-1", "database.hostname": "h"}
	c, errs := ParseTriggerConfig(base)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if c.Trigger.Mode != TriggerAutocreateAll || c.Trigger.Schema != "tributary_cdc" || c.Trigger.Queue != "shop_1" {
		t.Fatalf("trigger config %+v", *c.Trigger)
	}
	if len(c.Warnings) != 0 {
		t.Fatalf("warnings %q", c.Warnings)
	}

	with := func(kv ...string) map[string]string {
		m := map[string]string{"topic.prefix": "shop", "database.hostname": "h"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	c, errs = ParseTriggerConfig(with(KeySlotName, "s", KeyTriggerAutocreate, "DISABLED", KeyTriggerQueue, "q", KeyTriggerSchema, "cdc"))
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if c.Trigger.Mode != TriggerAutocreateDisabled || c.Trigger.Queue != "q" || c.Trigger.Schema != "cdc" || c.Trigger.Channel() != "cdc.q" {
		t.Fatalf("trigger config %+v", *c.Trigger)
	}
	if !slices.ContainsFunc(c.Warnings, func(w string) bool { return strings.Contains(w, "'"+KeySlotName+"'") }) {
		t.Fatalf("no warning naming %s: %q", KeySlotName, c.Warnings)
	}

	for _, bad := range []map[string]string{
		with(KeyTriggerAutocreate, "sometimes"),
		with(KeyHeartbeatIntervalMs, "1000"),
		with(KeyProvideTransactionMetadata, "true"),
		with(KeySignalDataCollection, "public.signals"),
		with(KeySignalEnabledChannels, "source,kafka"),
	} {
		_, errs := ParseTriggerConfig(bad)
		named := false
		for k := range bad {
			if k != "topic.prefix" && k != "database.hostname" {
				named = slices.ContainsFunc(errs, func(e connect.ConfigError) bool { return e.Name == k })
			}
		}
		if !named {
			t.Errorf("%v: errors %v do not name the property", bad, errs)
		}
	}
	// Settings of the refused features are warned about by name.
	for _, k := range []string{KeyIncrementalChunkSize, KeySignalFile, KeyNotificationEnabledChannels, KeyHeartbeatTopicName, KeyTopicTransaction} {
		c, errs := ParseTriggerConfig(with(k, "1"))
		if len(errs) != 0 {
			t.Fatalf("%s: errors %v", k, errs)
		}
		if !slices.ContainsFunc(c.Warnings, func(w string) bool { return strings.Contains(w, "'"+k+"'") }) {
			t.Errorf("no warning naming %s: %q", k, c.Warnings)
		}
	}
	// The property list leaves out what the trigger connector has no use for.
	for _, k := range slices.Concat(replicationOnlyKeys, unsupportedTriggerKeys, inertTriggerKeys) {
		if _, ok := TriggerConfigDef().Key(k); ok {
			t.Errorf("%s is listed", k)
		}
	}
	if _, ok := TriggerConfigDef().Key(KeyTriggerAutocreate); !ok {
		t.Errorf("%s is not listed", KeyTriggerAutocreate)
	}
}
