package cloudevents

import "github.com/tributary-cdc/tributary/schema/schemaname"

// adjuster returns schema.name.adjustment.mode's function (Debezium's
// SchemaNameAdjuster.AVRO and AVRO_UNICODE, schemaname.Adjuster); none
// leaves names alone. The converter applies it to the event schema's name.
func adjuster(mode string) func(string) string {
	if f := schemaname.Adjuster(mode); f != nil {
		return f
	}
	return func(s string) string { return s }
}
