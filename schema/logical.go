package schema

import "strconv"

// Logical type names defined by Kafka Connect.
const (
	DecimalName   = "org.apache.kafka.connect.data.Decimal"
	DateName      = "org.apache.kafka.connect.data.Date"
	TimeName      = "org.apache.kafka.connect.data.Time"
	TimestampName = "org.apache.kafka.connect.data.Timestamp"

	// DecimalScaleParam and DecimalPrecisionParam are the Decimal parameters.
	DecimalScaleParam     = "scale"
	DecimalPrecisionParam = "connect.decimal.precision"
)

// Primitive schemas shared by everyone; never modify them.
var (
	Int8Schema    = &Schema{Type: TypeInt8}
	Int16Schema   = &Schema{Type: TypeInt16}
	Int32Schema   = &Schema{Type: TypeInt32}
	Int64Schema   = &Schema{Type: TypeInt64}
	Float32Schema = &Schema{Type: TypeFloat32}
	Float64Schema = &Schema{Type: TypeFloat64}
	BooleanSchema = &Schema{Type: TypeBoolean}
	StringSchema  = &Schema{Type: TypeString}
	BytesSchema   = &Schema{Type: TypeBytes}

	OptionalInt8Schema    = &Schema{Type: TypeInt8, Optional: true}
	OptionalInt16Schema   = &Schema{Type: TypeInt16, Optional: true}
	OptionalInt32Schema   = &Schema{Type: TypeInt32, Optional: true}
	OptionalInt64Schema   = &Schema{Type: TypeInt64, Optional: true}
	OptionalFloat32Schema = &Schema{Type: TypeFloat32, Optional: true}
	OptionalFloat64Schema = &Schema{Type: TypeFloat64, Optional: true}
	OptionalBooleanSchema = &Schema{Type: TypeBoolean, Optional: true}
	OptionalStringSchema  = &Schema{Type: TypeString, Optional: true}
	OptionalBytesSchema   = &Schema{Type: TypeBytes, Optional: true}
)

// DecimalSchema returns a Decimal schema with the given scale. A precision of
// zero or less omits the connect.decimal.precision parameter (as Debezium does
// for money).
func DecimalSchema(scale, precision int, optional bool) *Schema {
	params := []Param{{DecimalScaleParam, strconv.Itoa(scale)}}
	if precision > 0 {
		params = append(params, Param{DecimalPrecisionParam, strconv.Itoa(precision)})
	}
	return &Schema{Type: TypeBytes, Name: DecimalName, Version: 1, Params: params, Optional: optional}
}
