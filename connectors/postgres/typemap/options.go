package typemap

import (
	"encoding/base64"
	"encoding/hex"
)

// Mode values, spelled as Debezium's properties spell them.
const (
	DecimalPrecise = "precise"
	DecimalDouble  = "double"
	DecimalString  = "string"

	TimeAdaptive       = "adaptive"
	TimeAdaptiveMicros = "adaptive_time_microseconds"
	TimeConnect        = "connect"
	TimeISOString      = "isostring"
	TimeMicroseconds   = "microseconds"
	TimeNanoseconds    = "nanoseconds"

	BinaryBytes         = "bytes"
	BinaryBase64        = "base64"
	BinaryBase64URLSafe = "base64-url-safe"
	BinaryHex           = "hex"

	HstoreJSON = "json"
	HstoreMap  = "map"

	IntervalNumeric = "numeric"
	IntervalString  = "string"
)

// Options are the type-handling modes of a connector
// (decimal.handling.mode, time.precision.mode, binary.handling.mode,
// hstore.handling.mode, interval.handling.mode, money.fraction.digits,
// include.unknown.datatypes, unavailable.value.placeholder).
type Options struct {
	Decimal        string
	Time           string
	Binary         string
	Hstore         string
	Interval       string
	MoneyDigits    int
	IncludeUnknown bool
	// Placeholder replaces unchanged TOASTed values; "" means
	// UnavailableValue.
	Placeholder string
}

// DefaultOptions are Debezium's defaults.
func DefaultOptions() *Options {
	return &Options{
		Decimal: DecimalPrecise, Time: TimeAdaptive, Binary: BinaryBytes,
		Hstore: HstoreJSON, Interval: IntervalNumeric, MoneyDigits: 2,
	}
}

func (o *Options) placeholder() string {
	if o.Placeholder == "" {
		return UnavailableValue
	}
	return o.Placeholder
}

// binaryEncoder renders bytes as binary.handling.mode asks for a string.
func (o *Options) binaryEncoder() func([]byte) string {
	switch o.Binary {
	case BinaryBase64URLSafe:
		return base64.URLEncoding.EncodeToString
	case BinaryHex:
		return hex.EncodeToString
	}
	return base64.StdEncoding.EncodeToString
}
