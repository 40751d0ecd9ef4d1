package typemap

// Source column metadata as Debezium reports it (column.propagate.source.type,
// the hash masks' truncation): Debezium takes a column's length and scale
// from the PostgreSQL JDBC driver's TypeInfoCache.getPrecision / getScale
// (getDisplaySize when the precision is 0), so these follow that driver.

// unknownLength is the JDBC driver's length of unbounded types.
const unknownLength = 2147483647

const (
	oidChar = 18 // "char"
)

// SourceLength is the column length Debezium reports for a column of the
// (domain-resolved) type oid with typmod; an array column reports its
// element type's.
func SourceLength(oid, elemOID uint32, typmod int32) int {
	if elemOID != 0 {
		oid = elemOID
	}
	switch oid {
	case OIDInt2:
		return 5
	case OIDOid, OIDInt4:
		return 10
	case OIDInt8:
		return 19
	case OIDFloat4:
		return 8
	case OIDFloat8:
		return 17
	case OIDNumeric:
		if typmod == -1 {
			return 131089 // the display size of an unconstrained numeric
		}
		return int(((typmod - 4) >> 16) & 0xffff)
	case oidChar, OIDBool:
		return 1
	case OIDBpchar, OIDVarchar:
		if typmod == -1 {
			return unknownLength
		}
		return int(typmod - 4)
	case OIDDate:
		return 13
	case OIDTime, OIDTimetz, OIDTimestamp, OIDTimestamptz:
		var second int
		switch typmod {
		case -1:
			second = 7
		case 0:
			second = 0
		case 1:
			second = 3
		default:
			second = int(typmod) + 1
		}
		switch oid {
		case OIDTime:
			return 8 + second
		case OIDTimetz:
			return 8 + second + 6
		case OIDTimestamp:
			return 13 + 1 + 8 + second
		}
		return 13 + 1 + 8 + second + 6
	case OIDInterval:
		return 49
	case OIDBit:
		return int(typmod)
	case OIDVarbit:
		if typmod == -1 {
			return unknownLength
		}
		return int(typmod)
	}
	return unknownLength
}

// SourceScale is the column scale Debezium reports, as SourceLength.
func SourceScale(oid, elemOID uint32, typmod int32) int {
	if elemOID != 0 {
		oid = elemOID
	}
	switch oid {
	case OIDFloat4:
		return 8
	case OIDFloat8:
		return 17
	case OIDNumeric:
		if typmod == -1 {
			return 0
		}
		return int((typmod - 4) & 0xffff)
	case OIDTime, OIDTimetz, OIDTimestamp, OIDTimestamptz:
		if typmod == -1 {
			return 6
		}
		return int(typmod)
	case OIDInterval:
		if typmod == -1 {
			return 6
		}
		return int(typmod & 0xffff)
	}
	return 0
}

// StringLike reports whether Debezium treats the column as a character
// column (JDBC CHAR or VARCHAR: text, varchar, bpchar, "char", name and
// enums, domains over them included), the only columns its string masks
// (column.mask.with.*, column.mask.hash.*) rewrite.
func StringLike(c Column) bool {
	if c.ElemOID != 0 {
		return false
	}
	switch c.TypeOID {
	case OIDText, OIDVarchar, OIDBpchar, oidChar, OIDName:
		return true
	}
	return c.TypeKind == KindEnum
}
