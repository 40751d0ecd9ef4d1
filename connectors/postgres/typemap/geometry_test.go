package typemap

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// The hex EWKB texts are PostGIS 3.3's output of the WKT in each comment.
func TestGeometryDecode(t *testing.T) {
	cases := []struct {
		name, text string
		srid       any
	}{
		// POINT(1 2): no SRID flag, srid null.
		{"point", "0101000000000000000000F03F0000000000000040", nil},
		// SRID=4326;POINT(1 2): the flag 0x20000000 and the SRID stay in the wkb.
		{"point 4326", "0101000020E6100000000000000000F03F0000000000000040", int32(4326)},
		// POINT Z (1 2 3): the Z flag, no SRID.
		{"point z", "0101000080000000000000F03F00000000000000400000000000000840", nil},
		// SRID=3857;LINESTRING(0 0,1 1), big-endian as ST_AsEWKB(g, 'XDR') writes it.
		{"big endian", "00" + "20000002" + "00000F11" + "00000002" + "0000000000000000" + "0000000000000000" + "3FF0000000000000" + "3FF0000000000000", int32(3857)},
		// GEOMETRYCOLLECTION EMPTY, shorter than a point.
		{"empty collection", "010700000000000000", nil},
	}
	for _, name := range []string{GeometryTypeName, GeographyTypeName} {
		m, err := For(Column{TypeOID: 90100, TypeName: name, Optional: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			v, err := m.Decode([]byte(tc.text))
			if err != nil {
				t.Fatalf("%s %s: %v", name, tc.name, err)
			}
			st := v.(*schema.Struct)
			want, _ := hex.DecodeString(tc.text)
			if !bytes.Equal(st.Values[0].([]byte), want) || st.Values[1] != tc.srid {
				t.Errorf("%s %s: got wkb %x srid %v, want %x %v", name, tc.name, st.Values[0], st.Values[1], want, tc.srid)
			}
		}
		for _, bad := range []string{"", "01", "0101000000000000", "0101000000000000000000F03F000000000000004", "zz01000000000000000000"} {
			if v, err := m.Decode([]byte(bad)); err == nil {
				t.Errorf("%s: %q decoded to %v", name, bad, v)
			}
		}
	}
}

// The schemas are Geometry.builder() and Geography.builder(): Geometry's
// is optional even for a NOT NULL column, Geography's follows the column.
func TestGeometrySchemas(t *testing.T) {
	for _, tc := range []struct {
		typ      string
		optional bool
		name     string
		doc      string
		wantOpt  bool
	}{
		{GeometryTypeName, false, GeometryName, "Geometry", true},
		{GeometryTypeName, true, GeometryName, "Geometry", true},
		{GeographyTypeName, false, GeographyName, "Geography", false},
		{GeographyTypeName, true, GeographyName, "Geography", true},
	} {
		m, err := For(Column{TypeOID: 90100, TypeName: tc.typ, Optional: tc.optional, Default: "'010100000000000000000000000000000000000000'::geometry"})
		if err != nil {
			t.Fatal(err)
		}
		s := m.Schema
		if s.Type != schema.TypeStruct || s.Name != tc.name || s.Version != 1 || s.Doc != tc.doc || s.Optional != tc.wantOpt ||
			len(s.Fields) != 2 || s.Fields[0].Name != "wkb" || s.Fields[0].Schema.Type != schema.TypeBytes || s.Fields[0].Schema.Optional ||
			s.Fields[1].Name != "srid" || s.Fields[1].Schema.Type != schema.TypeInt32 || !s.Fields[1].Schema.Optional {
			t.Errorf("%s optional=%v: schema %+v", tc.typ, tc.optional, s)
		}
		// PostgresDefaultValueConverter has no mapper for these types.
		if s.HasDefault {
			t.Errorf("%s: default %v", tc.typ, s.Default)
		}
		fb := m.Fallback.(*schema.Struct)
		if !bytes.Equal(fb.Values[0].([]byte), emptyGeometryCollection) || fb.Values[1] != nil {
			t.Errorf("%s: fallback %v", tc.typ, fb.Values)
		}
	}
}

// PostGIS declares its types with DELIMITER ':', which array_out writes
// between elements.
func TestGeometryArray(t *testing.T) {
	for _, name := range []string{GeometryTypeName, GeographyTypeName} {
		m, err := For(Column{TypeOID: 90101, TypeName: "_" + name, Optional: true, ElemOID: 90100, ElemName: name})
		if err != nil {
			t.Fatal(err)
		}
		if m.Schema.Type != schema.TypeArray || !m.Schema.Items.Optional || m.Schema.Items.Name == "" {
			t.Fatalf("%s[]: schema %+v", name, m.Schema)
		}
		v, err := m.Decode([]byte("{0101000000000000000000F03F0000000000000040:NULL:0101000020E6100000000000000000F03F0000000000000040}"))
		if err != nil {
			t.Fatal(err)
		}
		items := v.([]any)
		if len(items) != 3 || items[1] != nil || items[0].(*schema.Struct).Values[1] != nil || items[2].(*schema.Struct).Values[1] != int32(4326) {
			t.Errorf("%s[]: %v", name, items)
		}
		if _, err := m.Decode([]byte("{0101000000000000000000F03F0000000000000040,0101000000000000000000F03F0000000000000040}")); err == nil {
			t.Errorf("%s[]: a ',' delimited array decoded", name)
		}
	}
}
