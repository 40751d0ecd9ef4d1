package postgres

import (
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/configdef"
)

// TestParseConfigDefaultsAreConfigDefs: the values ParseConfig gives unset
// properties are the defaults configDef declares and lists, so the two
// cannot drift apart.
func TestParseConfigDefaultsAreConfigDefs(t *testing.T) {
	c, errs := ParseConfig(map[string]string{KeyTopicPrefix: "p", KeyHostname: "h"})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	def := func(name string) string {
		k, ok := configDef.Key(name)
		if !ok || k.Required() || k.Default == nil {
			t.Fatalf("%s has no default", name)
		}
		return *configdef.ToString(k.Default)
	}
	for name, got := range map[string]any{
		KeyPort: c.Port, KeySlotName: c.SlotName, KeyPublicationName: c.PublicationName, KeyPublicationAutocreate: c.PublicationMode,
		KeySnapshotMode: c.SnapshotMode, KeyMaxBatchSize: c.MaxBatchSize, KeyMaxQueueSize: c.MaxQueueSize,
		KeyDecimalHandlingMode: c.Types.Decimal, KeyTimePrecisionMode: c.Types.Time, KeyMoneyFractionDigits: c.Types.MoneyDigits,
		KeySlotMaxRetries: c.SlotMaxRetries, KeySnapshotIsolation: c.SnapshotIsolation, KeyFailureHandling: c.FailureMode,
		KeyTopicDelimiter: c.TopicDelimiter, KeySnapshotMaxThreads: c.SnapshotMaxThreads, KeySSLMode: c.SSLMode,
	} {
		if s := configdef.JavaString(got); s != def(name) {
			t.Errorf("%s: ParseConfig gives %s, configDef declares %s", name, s, def(name))
		}
	}
	if c.SlotRetryDelay.Milliseconds() != 10000 || def(KeySlotRetryDelayMs) != "10000" {
		t.Errorf("slot.retry.delay.ms: %v", c.SlotRetryDelay)
	}
}

// TestUnknownPropertyWarnings: a property neither the connector nor the
// runtime reads is reported, in Kafka's words; framework properties,
// Debezium's parameterised families and the driver pass-through are not.
func TestUnknownPropertyWarnings(t *testing.T) {
	c, errs := ParseConfig(map[string]string{
		KeyTopicPrefix: "p", KeyHostname: "h", "connector.class": "PostgresConnector", "tasks.max": "1",
		"transforms": "r", "transforms.r.type": "x", "exactly.once.support": "required",
		"column.mask.with.3.chars": "public.t.c", "signal.unknown.property": "public.signals",
	})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want := "The configuration 'signal.unknown.property' was supplied but isn't a known config."
	if len(c.Warnings) != 1 || c.Warnings[0] != want {
		t.Fatalf("warnings %q, want [%q]", c.Warnings, want)
	}
}

// TestConfigDefMessages pins the Kafka-worded refusals configDef makes.
func TestConfigDefMessages(t *testing.T) {
	for props, want := range map[[2]string]string{
		{KeyPort, "0"}:                 "Invalid value 0 for configuration database.port: Value must be at least 1",
		{KeyMaxBatchSize, "x"}:         "Invalid value x for configuration max.batch.size: Not a number of type INT",
		{KeySlotRetryDelayMs, "1.5"}:   "Invalid value 1.5 for configuration slot.retry.delay.ms: Not a number of type LONG",
		{KeyTombstonesOnDelete, "yes"}: "Invalid value yes for configuration tombstones.on.delete: Expected value to be either true or false",
		{KeySkippedOperations, "c,x"}:  "Invalid value c,x for configuration skipped.operations: must be a comma-separated subset of c, u, d, t, or none",
	} {
		_, errs := ParseConfig(map[string]string{KeyTopicPrefix: "p", KeyHostname: "h", props[0]: props[1]})
		if len(errs) != 1 || errs[0].Name != props[0] || errs[0].Message != want {
			t.Errorf("%s=%s: %+v, want %q", props[0], props[1], errs, want)
		}
	}
	if k, _ := configDef.Key(KeyUser); k.Required() || !strings.Contains(configDef.Markdown(), "`"+KeyTopicPrefix+"`") {
		t.Error("database.user is optional, as ParseConfig reads it; the table lists every key")
	}
}
