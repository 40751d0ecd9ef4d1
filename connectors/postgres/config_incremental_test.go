package postgres

import (
	"strings"
	"testing"
)

// TestIncrementalConfig: the signal table and incremental snapshot keys
// as Debezium reads and checks them.
func TestIncrementalConfig(t *testing.T) {
	base := map[string]string{KeyTopicPrefix: "p", KeyHostname: "h", KeySchemaInclude: "app"}
	c, errs := ParseConfig(base)
	if len(errs) != 0 || c.IncrementalChunkSize != 1024 || c.WatermarkInsertDelete || len(c.SignalTables) != 0 {
		t.Fatalf("defaults: %+v %v", c, errs)
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for bk, bv := range base {
			m[bk] = bv
		}
		return m
	}
	c, errs = ParseConfig(with(KeySignalDataCollection, "ops.debezium_signal"))
	if len(errs) != 0 || len(c.SignalTables) != 1 || c.SignalTables[0] != (signalTable{"ops", "debezium_signal"}) {
		t.Fatalf("%+v %v", c.SignalTables, errs)
	}
	// Captured although schema.include.list leaves its schema out, as
	// RelationalTableFilters adds it.
	if ok, _ := c.Filter.Captures("ops", "debezium_signal"); !ok {
		t.Fatal("the signal table is not captured")
	}
	if ok, _ := c.Filter.Captures("ops", "other"); ok {
		t.Fatal("a table of an excluded schema is captured")
	}
	c, errs = ParseConfig(with(KeySignalDataCollection, "db.public.s"))
	if len(errs) != 0 || c.SignalTables[0] != (signalTable{"public", "s"}) {
		t.Fatalf("database.schema.table: %+v %v", c.SignalTables, errs)
	}
	for k, v := range map[string]string{
		KeySignalDataCollection:    "public.a,public.b",
		KeyReadOnly:                "true",
		KeyIncrementalWatermarking: "insert_update",
		KeyIncrementalChunkSize:    "-1",
	} {
		_, errs := ParseConfig(with(k, v))
		if len(errs) != 1 || errs[0].Name != k {
			t.Errorf("%s=%s: %v", k, v, errs)
		}
	}
	_, errs = ParseConfig(with(KeySignalDataCollection, "public.a,public.b"))
	if len(errs) == 1 && !strings.Contains(errs[0].Message, "only one signal data collection") {
		t.Errorf("message %q", errs[0].Message)
	}
	c, _ = ParseConfig(with(KeyIncrementalWatermarking, "INSERT_DELETE"))
	if !c.WatermarkInsertDelete {
		t.Error("insert_delete is read case-insensitively")
	}
}
