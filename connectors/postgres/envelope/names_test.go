package envelope

import (
	"testing"

	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
)

// Expected names follow Debezium's SchemaNameAdjuster rules (cases from its
// SchemaNameAdjusterTest where it has them).
func TestNameAdjusters(t *testing.T) {
	cases := []struct {
		adjust func(string) string
		in     string
		want   string
	}{
		{SchemaNameAdjuster(AdjustAvroUnicode), "_hello_语言.", "_u005fhello_u005f_u8bed_u8a00."},
		{SchemaNameAdjuster(AdjustAvro), "24ColumnName", "_24ColumnName"},
		{SchemaNameAdjuster(AdjustAvro), "test-server.connector_test.products.Key", "test_server.connector_test.products.Key"},
		{SchemaNameAdjuster(AdjustAvro), "t1234.connector_test.products.Key", "t1234.connector_test.products.Key"},
		{SchemaNameAdjuster(AdjustAvroUnicode), "1db.s.t-x.Value", "_u0031db.s.t_u002dx.Value"},
		{SchemaNameAdjuster(AdjustAvroUnicode), "a\tb", "a_u009b"},
		{SchemaNameAdjuster(AdjustAvroUnicode), "aāb", "a_u101b"},
		{SchemaNameAdjuster(AdjustAvro), "a😀b", "a__b"},
		{SchemaNameAdjuster(AdjustAvroUnicode), "a😀b", "a_ud83d_ude00b"},
		{FieldNameAdjuster(AdjustAvro), "first.name", "first_name"},
		{FieldNameAdjuster(AdjustAvro), "9lives", "_9lives"},
		{FieldNameAdjuster(AdjustAvro), "my col-é", "my_col__"},
		{FieldNameAdjuster(AdjustAvro), "ok_name1", "ok_name1"},
		{FieldNameAdjuster(AdjustAvroUnicode), "my_col", "my_u005fcol"},
		{FieldNameAdjuster(AdjustAvroUnicode), "9lives", "_u0039lives"},
		{FieldNameAdjuster(AdjustAvroUnicode), "a.b é", "a_u002eb_u0020_u00e9"},
	}
	for _, c := range cases {
		if got := c.adjust(c.in); got != c.want {
			t.Errorf("adjust(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if SchemaNameAdjuster(AdjustNone) != nil || FieldNameAdjuster(AdjustNone) != nil {
		t.Error("none must leave names alone")
	}
}

func TestTopicName(t *testing.T) {
	cases := []struct{ prefix, schema, table, want string }{
		{"p", "public", "t", "p.public.t"},
		{"p", "public", "my table", "p.public.my_table"},
		{"p", "Sch-1", "tëst$", "p.Sch-1.t_st_"},
		{"p", "s", "a😀", "p.s.a__"},
	}
	for _, c := range cases {
		if got := TopicName(c.prefix, c.schema, c.table); got != c.want {
			t.Errorf("TopicName(%q, %q, %q) = %q, want %q", c.prefix, c.schema, c.table, got, c.want)
		}
	}
	long := TopicName("p", "s", string(make([]byte, 300)))
	if len(long) != 249 {
		t.Errorf("long topic has %d characters", len(long))
	}
}

// TestTopicNameDelimiter: topic.delimiter joins the parts; characters a
// topic cannot hold are replaced after joining, delimiter included (Debezium
// sanitizes the joined name), and the schema names follow the topic.
func TestTopicNameDelimiter(t *testing.T) {
	for _, c := range []struct{ delim, want string }{
		{"_", "dbserver1_public_customers"},
		{"--", "dbserver1--public--customers"},
		{"/", "dbserver1_public_customers"},
		{".", "dbserver1.public.customers"},
	} {
		if got := TopicNameWith("dbserver1", c.delim, "public", "customers"); got != c.want {
			t.Errorf("delimiter %q: %q, want %q", c.delim, got, c.want)
		}
	}
	tbl := NewTableNamed("dbserver1", "public", "customers", []Column{{Name: "id", Mapping: mapping()}}, []int{0},
		Naming{Delimiter: "_"})
	if tbl.Topic != "dbserver1_public_customers" || tbl.ValueSchema.Name != "dbserver1_public_customers.Value" ||
		tbl.KeySchema.Name != "dbserver1_public_customers.Key" || tbl.EnvelopeSchema.Name != "dbserver1_public_customers.Envelope" {
		t.Fatalf("names %s %s %s %s", tbl.Topic, tbl.ValueSchema.Name, tbl.KeySchema.Name, tbl.EnvelopeSchema.Name)
	}
}

func TestNamingAppliesToSchemasAndFields(t *testing.T) {
	tbl := NewTableNamed("1db", "s", "my-table", []Column{{Name: "first name", Mapping: mapping()}}, []int{0},
		Naming{Schema: SchemaNameAdjuster(AdjustAvro), Field: FieldNameAdjuster(AdjustAvro)})
	if tbl.Topic != "1db.s.my-table" || tbl.ValueSchema.Name != "_1db.s.my_table.Value" ||
		tbl.KeySchema.Name != "_1db.s.my_table.Key" || tbl.EnvelopeSchema.Name != "_1db.s.my_table.Envelope" {
		t.Fatalf("names %s %s %s %s", tbl.Topic, tbl.ValueSchema.Name, tbl.KeySchema.Name, tbl.EnvelopeSchema.Name)
	}
	if tbl.ValueSchema.Fields[0].Name != "first_name" || tbl.KeySchema.Fields[0].Name != "first_name" {
		t.Fatalf("fields %s %s", tbl.ValueSchema.Fields[0].Name, tbl.KeySchema.Fields[0].Name)
	}
}

func mapping() typemap.Mapping {
	m, err := typemap.For(typemap.Column{TypeOID: typemap.OIDText})
	if err != nil {
		panic(err)
	}
	return m
}
