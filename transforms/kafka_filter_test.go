package transforms

import (
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Filter drops every record, tombstones and offset-only records included,
// and ignores its properties.
func TestFilterDropsEveryRecord(t *testing.T) {
	tr := kafkaTransform(t, FilterClass, map[string]string{"unknown": "x"})
	s := schema.StructOf("", false, schema.NewField("a", schema.Int32Schema))
	for _, r := range []connect.SourceRecord{
		{Topic: "t", ValueSchema: s, Value: schema.NewStruct(s)},
		{Topic: "t"},
		{},
	} {
		if _, keep, err := tr.Apply(r); keep || err != nil {
			t.Errorf("Apply(%+v) = keep %v, err %v", r, keep, err)
		}
	}
}
