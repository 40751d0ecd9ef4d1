package typemap

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/tributary-cdc/tributary/schema"
)

// Semantic schema names of the PostGIS types.
const (
	GeometryName  = "io.debezium.data.geometry.Geometry"
	GeographyName = "io.debezium.data.geometry.Geography"
)

// Type names of the PostGIS extension types, whose OIDs differ between
// databases.
const (
	GeometryTypeName  = "geometry"
	GeographyTypeName = "geography"
)

// emptyGeometryCollection is PostgisGeometry.HEXEWKB_EMPTY_GEOMETRYCOLLECTION
// decoded: GEOMETRYCOLLECTION EMPTY, the value Debezium gives a NOT NULL
// geometry or geography column that has no value.
var emptyGeometryCollection = []byte{0x01, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}

// geometrySchema is Geometry.builder() (debezium-connector-common,
// io/debezium/data/geometry/Geometry.java): the builder itself is optional,
// so the column's schema is optional even for a NOT NULL column.
var geometrySchema = func() *schema.Schema {
	s := schema.StructOf(GeometryName, true,
		schema.NewField("wkb", schema.BytesSchema),
		schema.NewField("srid", schema.OptionalInt32Schema))
	s.Version = 1
	s.Doc = "Geometry"
	return s
}()

// geographySchemaReq and geographySchemaOpt are Geography.builder(), which,
// unlike Geometry's, is optional only for a nullable column.
var geographySchemaReq, geographySchemaOpt = geographySchema(false), geographySchema(true)

func geographySchema(optional bool) *schema.Schema {
	s := schema.StructOf(GeographyName, optional,
		schema.NewField("wkb", schema.BytesSchema),
		schema.NewField("srid", schema.OptionalInt32Schema))
	s.Version = 1
	s.Doc = "Geography"
	return s
}

// geometry maps PostGIS geometry as PostgresValueConverter.convertGeometry.
func geometry(Column) Mapping {
	return geoMapping(geometrySchema)
}

// geography maps PostGIS geography as PostgresValueConverter.convertGeography.
func geography(c Column) Mapping {
	return geoMapping(pick(geographySchemaReq, geographySchemaOpt, c.Optional))
}

func geoMapping(s *schema.Schema) Mapping {
	return Mapping{
		Schema: s,
		Decode: func(b []byte) (any, error) {
			ewkb, srid, err := DecodeHexEWKB(b)
			if err != nil {
				return nil, err
			}
			return geoStruct(s, ewkb, srid), nil
		},
		Fallback:  geoStruct(s, emptyGeometryCollection, nil),
		noDefault: true,
	}
}

func geoStruct(s *schema.Schema, wkb []byte, srid any) *schema.Struct {
	return &schema.Struct{Schema: s, Values: []any{wkb, srid}}
}

// ewkbSRIDFlag is the EWKB type-word flag saying an SRID follows the type.
const ewkbSRIDFlag = 0x20000000

// DecodeHexEWKB decodes the PostGIS text form of a geometry or geography
// (hex EWKB) as PostgisGeometry.fromHexEwkb does: the bytes are kept whole,
// as the Connect value's wkb (Debezium passes the EWKB through, SRID flag and
// SRID included), and the SRID is read from them: an int32 when the type
// word carries the SRID flag, nil otherwise.
func DecodeHexEWKB(text []byte) (ewkb []byte, srid any, err error) {
	ewkb = make([]byte, hex.DecodedLen(len(text)))
	if _, err := hex.Decode(ewkb, text); err != nil {
		return nil, nil, fmt.Errorf("decoding hex EWKB: %w", err)
	}
	// PostgisGeometry.parseSrid: the byte order, the type word, then the
	// SRID when flagged; fewer than 9 bytes is "Invalid EWKB length".
	if len(ewkb) < 9 {
		return nil, nil, errors.New("decoding EWKB: invalid EWKB length")
	}
	var order binary.ByteOrder = binary.BigEndian
	if ewkb[0] != 0 {
		order = binary.LittleEndian
	}
	if order.Uint32(ewkb[1:5])&ewkbSRIDFlag == 0 {
		return ewkb, nil, nil
	}
	return ewkb, int32(order.Uint32(ewkb[5:9])), nil
}
