package typemap

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	mathbits "math/bits"
	"strconv"
	"time"

	"github.com/tributary-cdc/tributary/schema"
)

// Values Debezium emits for ±infinity timestamps (pgjdbc's constants).
const (
	PositiveInfinityTimestamp int64 = 9223372036825200000
	NegativeInfinityTimestamp int64 = -9223372036832400000
)

const (
	microsPerSecond = int64(1_000_000)
	microsPerDay    = 86_400 * microsPerSecond
)

func decodeBool(b []byte) (any, error) {
	switch string(b) {
	case "t", "true":
		return true, nil
	case "f", "false":
		return false, nil
	}
	return nil, fmt.Errorf("parsing bool %q", b)
}

func decodeInt16(b []byte) (any, error) {
	v, err := strconv.ParseInt(string(b), 10, 16)
	if err != nil {
		return nil, fmt.Errorf("parsing int2: %w", err)
	}
	return int16(v), nil
}

func decodeInt32(b []byte) (any, error) {
	v, err := strconv.ParseInt(string(b), 10, 32)
	if err != nil {
		return nil, fmt.Errorf("parsing int4: %w", err)
	}
	return int32(v), nil
}

func decodeInt64(b []byte) (any, error) {
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("parsing int8: %w", err)
	}
	return v, nil
}

func decodeFloat32(b []byte) (any, error) {
	v, err := strconv.ParseFloat(string(b), 32)
	if err != nil {
		return nil, fmt.Errorf("parsing float4: %w", err)
	}
	return float32(v), nil
}

func decodeFloat64(b []byte) (any, error) {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return nil, fmt.Errorf("parsing float8: %w", err)
	}
	return v, nil
}

func decodeString(b []byte) (any, error) { return string(b), nil }

// decodeBytea decodes the hex output format (`\x0a0b`).
func decodeBytea(b []byte) (any, error) {
	if len(b) < 2 || b[0] != '\\' || b[1] != 'x' {
		return nil, fmt.Errorf("parsing bytea: not in hex format")
	}
	out := make([]byte, hex.DecodedLen(len(b)-2))
	if _, err := hex.Decode(out, b[2:]); err != nil {
		return nil, fmt.Errorf("parsing bytea: %w", err)
	}
	return out, nil
}

// numericText is numeric text scanned once: its sign, the number of digits
// and of fraction digits, and, when there are at most maxSmallDigits digits,
// the unscaled magnitude.
type numericText struct {
	neg     bool
	mag     uint64 // the digits as one number, when small
	small   bool   // at most maxSmallDigits digits: mag holds them exactly
	frac    int    // digits after the point
	special bool   // NaN or ±Infinity
}

// maxSmallDigits is the most decimal digits a uint64 always holds.
const maxSmallDigits = 19

// scanNumeric checks numeric text ("-12.50", "+3", ".5", "NaN") and reads
// it without allocating.
func scanNumeric(b []byte) (numericText, error) {
	switch string(b) {
	case "NaN", "Infinity", "-Infinity":
		return numericText{special: true}, nil
	}
	var n numericText
	s := b
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		n.neg = s[0] == '-'
		s = s[1:]
	}
	seenDot, digits := false, 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits <= maxSmallDigits {
				n.mag = n.mag*10 + uint64(c-'0')
			}
			if seenDot {
				n.frac++
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return numericText{}, fmt.Errorf("parsing numeric %q", b)
		}
	}
	if digits == 0 {
		return numericText{}, fmt.Errorf("parsing numeric %q", b)
	}
	n.small = digits <= maxSmallDigits
	return n, nil
}

// parseNumeric splits numeric text into its unscaled digits and the number
// of fraction digits. special is true for NaN and ±Infinity.
func parseNumeric(b []byte) (unscaled *big.Int, frac int, special bool, err error) {
	n, err := scanNumeric(b)
	if err != nil || n.special {
		return nil, 0, n.special, err
	}
	if n.small {
		return smallBigInt(n.neg, n.mag), n.frac, false, nil
	}
	digits := make([]byte, 0, len(b))
	if n.neg {
		digits = append(digits, '-')
	}
	for _, c := range b {
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	u, ok := new(big.Int).SetString(string(digits), 10)
	if !ok {
		return nil, 0, false, fmt.Errorf("parsing numeric %q", b)
	}
	return u, n.frac, false, nil
}

// smallInt is a big.Int together with the words it holds, so that a value
// that fits in 64 bits costs one allocation instead of three (the Int, its
// words and, in SetString, a reader).
type smallInt struct {
	i big.Int
	w [64 / mathbits.UintSize]big.Word
}

// smallBigInt returns ±mag as a *big.Int (zero is never negative).
func smallBigInt(neg bool, mag uint64) *big.Int {
	s := new(smallInt)
	for k := range s.w { // least significant word first
		s.w[k] = big.Word(mag)
		mag = mag >> (mathbits.UintSize - 1) >> 1
	}
	s.i.SetBits(s.w[:]) // normalises: zero gets no words
	if neg {
		s.i.Neg(&s.i)
	}
	return &s.i
}

// pow10u64[n] is 10^n for the n a uint64 holds.
var pow10u64 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// rescaleSmall moves the magnitude mag with frac fraction digits to scale
// fraction digits in 64 bits. ok is false when the result does not fit or
// fraction digits would be lost; the caller then takes the exact path.
func rescaleSmall(mag uint64, frac, scale int) (uint64, bool) {
	switch {
	case frac == scale || mag == 0:
		return mag, true
	case frac < scale:
		e := scale - frac
		if e >= len(pow10u64) || mag > math.MaxUint64/pow10u64[e] {
			return 0, false
		}
		return mag * pow10u64[e], true
	default:
		e := frac - scale
		if e >= len(pow10u64) || mag%pow10u64[e] != 0 {
			return 0, false
		}
		return mag / pow10u64[e], true
	}
}

var bigTen = big.NewInt(10)

func pow10(n int) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

// decodeDecimal decodes numeric(p,s) to a Decimal rescaled to s. NaN and
// ±Infinity have no Decimal form and become null.
func decodeDecimal(b []byte, scale int) (any, error) {
	n, err := scanNumeric(b)
	if err != nil || n.special {
		return nil, err
	}
	if n.small {
		if mag, ok := rescaleSmall(n.mag, n.frac, scale); ok {
			return schema.Decimal{Unscaled: smallBigInt(n.neg, mag), Scale: int32(scale)}, nil
		}
	}
	u, frac, _, err := parseNumeric(b)
	if err != nil {
		return nil, err
	}
	switch {
	case frac < scale:
		u.Mul(u, pow10(scale-frac))
	case frac > scale:
		q, r := new(big.Int).QuoRem(u, pow10(frac-scale), new(big.Int))
		if r.Sign() != 0 {
			return nil, fmt.Errorf("parsing numeric %q: more than %d fraction digits", b, scale)
		}
		u = q
	}
	return schema.Decimal{Unscaled: u, Scale: int32(scale)}, nil
}

func zeroDecimal(scale int) schema.Decimal {
	return schema.Decimal{Unscaled: new(big.Int), Scale: int32(scale)}
}

// decodeVariableScale decodes numeric without typmod to Debezium's
// VariableScaleDecimal: trailing fraction zeros are stripped (never below
// scale 0) and the unscaled value is big-endian two's complement.
func decodeVariableScale(b []byte, optional bool) (any, error) {
	n, err := scanNumeric(b)
	if err != nil || n.special {
		return nil, err
	}
	if n.small {
		mag, frac := n.mag, n.frac
		for frac > 0 && mag%10 == 0 {
			mag /= 10
			frac--
		}
		return smallVariableScale(optional, int32(frac), n.neg, mag), nil
	}
	u, frac, _, err := parseNumeric(b)
	if err != nil {
		return nil, err
	}
	r := new(big.Int)
	for frac > 0 {
		q, m := new(big.Int).QuoRem(u, bigTen, r)
		if m.Sign() != 0 {
			break
		}
		u = q
		frac--
	}
	return variableScaleStruct(optional, int32(frac), schema.BigIntBytes(u)), nil
}

func variableScaleStruct(optional bool, scale int32, value []byte) *schema.Struct {
	s := schema.NewStruct(pick(vsdReq, vsdOpt, optional))
	s.Values[0] = scale
	s.Values[1] = value
	return s
}

// smallVariableScale is variableScaleStruct for ±mag, with the struct, its
// values and the value's bytes in one allocation.
func smallVariableScale(optional bool, scale int32, neg bool, mag uint64) *schema.Struct {
	blk := &struct {
		st schema.Struct
		v  [2]any
		b  [9]byte
	}{}
	blk.v[0] = scale
	blk.v[1] = appendTwosComplement(blk.b[:0], neg, mag)
	blk.st = schema.Struct{Schema: pick(vsdReq, vsdOpt, optional), Values: blk.v[:]}
	return &blk.st
}

// appendTwosComplement appends ±mag as schema.BigIntBytes writes it: Java's
// BigInteger.toByteArray, the shortest big-endian two's complement.
func appendTwosComplement(dst []byte, neg bool, mag uint64) []byte {
	if mag == 0 {
		return append(dst, 0)
	}
	var be [8]byte
	if !neg {
		binary.BigEndian.PutUint64(be[:], mag)
		i := mathbits.LeadingZeros64(mag) / 8
		if be[i]&0x80 != 0 {
			dst = append(dst, 0)
		}
		return append(dst, be[i:]...)
	}
	// -mag = ^(mag-1): the bytes of mag-1, inverted, with a sign byte when
	// the top bit does not already say negative.
	m := mag - 1
	binary.BigEndian.PutUint64(be[:], ^m)
	i := mathbits.LeadingZeros64(m) / 8
	if i == 8 || be[i]&0x80 == 0 {
		dst = append(dst, 0xff)
	}
	return append(dst, be[min(i, 8):]...)
}

// parseDate parses "YYYY-MM-DD" (years may have more than 4 digits) and
// returns the rest of the input.
func parseDate(b []byte) (y, m, d int, rest []byte, err error) {
	i := bytes.IndexByte(b, '-')
	if i < 1 || len(b) < i+6 || b[i+3] != '-' {
		return 0, 0, 0, nil, fmt.Errorf("parsing date %q", b)
	}
	y, err1 := atoi(b[:i])
	m, err2 := atoi(b[i+1 : i+3])
	d, err3 := atoi(b[i+4 : i+6])
	if err1 != nil || err2 != nil || err3 != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, 0, nil, fmt.Errorf("parsing date %q", b)
	}
	return y, m, d, b[i+6:], nil
}

// atoi parses a short unsigned decimal.
func atoi(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 9 {
		return 0, fmt.Errorf("parsing number %q", b)
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("parsing number %q", b)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// trimBC removes a trailing " BC" and reports whether it was there.
func trimBC(b []byte) ([]byte, bool) {
	if bytes.HasSuffix(b, []byte(" BC")) {
		return b[:len(b)-3], true
	}
	return b, false
}

// epochDays converts a proleptic Gregorian date to days since 1970-01-01.
func epochDays(y, m, d int, bc bool) int64 {
	if bc {
		y = 1 - y
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func decodeDate(b []byte) (any, error) {
	days, err := dateDays(b)
	if err != nil {
		return nil, err
	}
	return int32(days), nil
}

// dateDays parses a date to days since 1970-01-01.
func dateDays(b []byte) (int64, error) {
	b, bc := trimBC(b)
	y, m, d, rest, err := parseDate(b)
	if err != nil {
		return 0, err
	}
	if len(rest) != 0 {
		return 0, fmt.Errorf("parsing date %q", b)
	}
	return epochDays(y, m, d, bc), nil
}

// parseClock parses "HH:MM:SS[.ffffff]" to microseconds of day and returns
// the rest of the input.
func parseClock(b []byte) (micros int64, rest []byte, err error) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return 0, nil, fmt.Errorf("parsing time %q", b)
	}
	h, err1 := atoi(b[0:2])
	mi, err2 := atoi(b[3:5])
	s, err3 := atoi(b[6:8])
	if err1 != nil || err2 != nil || err3 != nil || h > 24 || mi > 59 || s > 60 {
		return 0, nil, fmt.Errorf("parsing time %q", b)
	}
	micros = (int64(h)*3600 + int64(mi)*60 + int64(s)) * microsPerSecond
	rest = b[8:]
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		var frac int64
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			if i <= 6 {
				frac = frac*10 + int64(rest[i]-'0')
			}
		}
		if i == 1 {
			return 0, nil, fmt.Errorf("parsing time %q", b)
		}
		for d := i - 1; d < 6; d++ {
			frac *= 10
		}
		micros += frac
		rest = rest[i:]
	}
	return micros, rest, nil
}

// parseOffset parses a UTC offset "+HH[:MM[:SS]]" to seconds east of UTC.
func parseOffset(b []byte) (int64, error) {
	if len(b) < 3 || (b[0] != '+' && b[0] != '-') {
		return 0, fmt.Errorf("parsing offset %q", b)
	}
	sign := int64(1)
	if b[0] == '-' {
		sign = -1
	}
	var secs int64
	mult := int64(3600)
	for p := b[1:]; ; {
		if len(p) < 2 {
			return 0, fmt.Errorf("parsing offset %q", b)
		}
		n, err := atoi(p[:2])
		if err != nil {
			return 0, fmt.Errorf("parsing offset %q", b)
		}
		secs += int64(n) * mult
		p = p[2:]
		if len(p) == 0 {
			break
		}
		if p[0] != ':' || mult == 1 {
			return 0, fmt.Errorf("parsing offset %q", b)
		}
		p = p[1:]
		mult /= 60
	}
	return sign * secs, nil
}

func decodeTimeMicros(b []byte) (any, error) {
	us, rest, err := parseClock(b)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("parsing time %q", b)
	}
	return us, nil
}

func decodeTimeMillis(b []byte) (any, error) {
	us, rest, err := parseClock(b)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("parsing time %q", b)
	}
	return int32(us / 1000), nil
}

// decodeTimetz shifts the time to UTC and formats it as Java's
// ISO_OFFSET_TIME does: seconds always, the fraction with as few digits as
// needed, and "Z".
func decodeTimetz(b []byte) (any, error) {
	us, rest, err := parseClock(b)
	if err != nil {
		return nil, fmt.Errorf("parsing timetz %q", b)
	}
	off, err := parseOffset(rest)
	if err != nil {
		return nil, fmt.Errorf("parsing timetz %q: %w", b, err)
	}
	us = ((us-off*microsPerSecond)%microsPerDay + microsPerDay) % microsPerDay
	return string(append(appendISOClock(make([]byte, 0, 20), us), 'Z')), nil
}

// appendISOClock appends a time of day (microseconds, below one day) as
// Java's ISO_LOCAL_TIME formats it: seconds always, the fraction with as
// few digits as needed and none when it is zero.
func appendISOClock(out []byte, us int64) []byte {
	secs, frac := us/microsPerSecond, us%microsPerSecond
	out = appendPadded(out, int(secs/3600), 2)
	out = appendPadded(append(out, ':'), int(secs/60%60), 2)
	out = appendPadded(append(out, ':'), int(secs%60), 2)
	if frac != 0 {
		var f [6]byte
		appendPadded(f[:0], int(frac), 6)
		out = append(append(out, '.'), bytes.TrimRight(f[:], "0")...)
	}
	return out
}

// appendISODate appends the date of t as Java's ISO_LOCAL_DATE formats it:
// the proleptic year (1 BC is 0000) in at least four digits, with a sign
// when it is negative or above 9999.
func appendISODate(out []byte, t time.Time) []byte {
	switch y := t.Year(); {
	case y > 9999:
		out = strconv.AppendInt(append(out, '+'), int64(y), 10)
	case y < 0:
		out = appendPadded(append(out, '-'), -y, 4)
	default:
		out = appendPadded(out, y, 4)
	}
	_, month, day := t.Date()
	out = appendPadded(append(out, '-'), int(month), 2)
	return appendPadded(append(out, '-'), day, 2)
}

// decodeTimeNanos gives NanoTime's nanoseconds past midnight (24:00:00
// included, as Debezium reads the time as a Duration).
func decodeTimeNanos(b []byte) (any, error) {
	us, rest, err := parseClock(b)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("parsing time %q", b)
	}
	return us * 1000, nil
}

// decodeIsoTime formats a time as Debezium's IsoTime does: it adds the
// Duration to midnight, so 24:00:00 wraps to "00:00:00Z".
func decodeIsoTime(b []byte) (any, error) {
	us, rest, err := parseClock(b)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("parsing time %q", b)
	}
	return string(append(appendISOClock(make([]byte, 0, 20), us%microsPerDay), 'Z')), nil
}

// decodeIsoDate formats a date as Debezium's IsoDate does (ISO_OFFSET_DATE
// at UTC), e.g. "2016-01-16Z".
func decodeIsoDate(b []byte) (any, error) {
	days, err := dateDays(b)
	if err != nil {
		return nil, err
	}
	t := time.Unix(days*86400, 0).UTC()
	return string(append(appendISODate(make([]byte, 0, 16), t), 'Z')), nil
}

// decodeIsoTimestamp formats a timestamp as Debezium's IsoTimestamp does
// (ISO_OFFSET_DATE_TIME at UTC, the fraction as short as possible). For
// ±infinity Debezium formats the LocalDateTime of pgjdbc's infinity
// microseconds, as it does in the numeric modes.
func decodeIsoTimestamp(b []byte) (any, error) {
	us, ok := infinity(b)
	if !ok {
		var rest []byte
		var err error
		if us, rest, err = parseTimestamp(b); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("parsing timestamp %q", b)
		}
	}
	out := appendISODate(make([]byte, 0, 40), time.UnixMicro(us).UTC())
	out = appendISOClock(append(out, 'T'), us-floorDiv(us, microsPerDay)*microsPerDay)
	return string(append(out, 'Z')), nil
}

const nanosPerDay = microsPerDay * 1000

// decodeTimestampNanos gives NanoTimestamp's nanoseconds since the epoch.
// Debezium computes them as epochDay*nanosPerDay + nanoOfDay with overflow
// checks, so the range is 1677-09-22 to 2262-04-11T23:47:16.854775807.
// Outside it (±infinity included) Debezium's converter fails: the value is
// null in an optional column and an error in a required one.
func decodeTimestampNanos(b []byte, optional bool) (any, error) {
	us, ok := infinity(b)
	if !ok {
		var rest []byte
		var err error
		if us, rest, err = parseTimestamp(b); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("parsing timestamp %q", b)
		}
	}
	days := floorDiv(us, microsPerDay)
	nanoOfDay := (us - days*microsPerDay) * 1000
	const maxDays = math.MaxInt64 / nanosPerDay
	if days < -maxDays || days > maxDays || days*nanosPerDay > math.MaxInt64-nanoOfDay {
		if optional {
			return nil, nil
		}
		return nil, fmt.Errorf("timestamp %q is outside the range of epoch nanoseconds (1677-09-22 to 2262-04-11)", b)
	}
	return days*nanosPerDay + nanoOfDay, nil
}

// parseTimestamp parses "YYYY-MM-DD HH:MM:SS[.f][offset][ BC]" into
// microseconds since the epoch of the wall-clock value and the rest (the
// offset, if any).
func parseTimestamp(b []byte) (micros int64, rest []byte, err error) {
	b, bc := trimBC(b)
	y, m, d, rest, err := parseDate(b)
	if err != nil || len(rest) == 0 || rest[0] != ' ' {
		return 0, nil, fmt.Errorf("parsing timestamp %q", b)
	}
	us, rest, err := parseClock(rest[1:])
	if err != nil {
		return 0, nil, fmt.Errorf("parsing timestamp %q: %w", b, err)
	}
	return epochDays(y, m, d, bc)*microsPerDay + us, rest, nil
}

func infinity(b []byte) (int64, bool) {
	switch string(b) {
	case "infinity":
		return PositiveInfinityTimestamp, true
	case "-infinity":
		return NegativeInfinityTimestamp, true
	}
	return 0, false
}

func decodeTimestampMicros(b []byte) (any, error) {
	if v, ok := infinity(b); ok {
		return v, nil
	}
	us, rest, err := parseTimestamp(b)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("parsing timestamp %q", b)
	}
	return us, nil
}

func decodeTimestampMillis(b []byte) (any, error) {
	if v, ok := infinity(b); ok {
		return v, nil
	}
	us, rest, err := parseTimestamp(b)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("parsing timestamp %q", b)
	}
	return floorDiv(us, 1000), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// decodeTimestamptz converts to UTC and formats with exactly digits fraction
// digits, as Debezium's ZonedTimestamp does.
func decodeTimestamptz(b []byte, digits int) (any, error) {
	if s, ok := formatUTCText(b, digits); ok {
		return s, nil
	}
	return decodeTimestamptzConverted(b, digits)
}

// decodeTimestamptzConverted is decodeTimestamptz for any text: it parses
// the instant and formats it in UTC.
func decodeTimestamptzConverted(b []byte, digits int) (any, error) {
	switch string(b) {
	case "infinity", "-infinity":
		return string(b), nil
	}
	us, rest, err := parseTimestamp(b)
	if err != nil {
		return nil, fmt.Errorf("parsing timestamptz %q", b)
	}
	off, err := parseOffset(rest)
	if err != nil {
		return nil, fmt.Errorf("parsing timestamptz %q: %w", b, err)
	}
	return formatZoned(us-off*microsPerSecond, digits), nil
}

// formatUTCText formats a timestamptz the server wrote at UTC, as the
// connector's sessions ask (TimeZone=UTC): "yyyy-mm-dd hh:mm:ss[.f]+00"
// already holds the fields formatZoned would write, so they are copied
// instead of parsed into an instant and formatted back. ok is false for any
// other text (an offset, BC, a year beyond 9999, a field out of range),
// which decodeTimestamptzConverted reads, so the two agree on every input
// (FuzzTimestamptzUTCText).
func formatUTCText(b []byte, digits int) (string, bool) {
	const layout = "dddd-dd-dd dd:dd:dd"
	if len(b) < len(layout)+3 || string(b[len(b)-3:]) != "+00" {
		return "", false
	}
	for i := range len(layout) {
		if c := b[i]; layout[i] == 'd' && (c < '0' || c > '9') || layout[i] != 'd' && c != layout[i] {
			return "", false
		}
	}
	frac := b[len(layout) : len(b)-3]
	if len(frac) > 0 {
		if frac = frac[1:]; b[len(layout)] != '.' || len(frac) == 0 || len(frac) > 6 {
			return "", false
		}
		for _, c := range frac {
			if c < '0' || c > '9' {
				return "", false
			}
		}
	}
	num := func(i int) int { return int(b[i]-'0')*10 + int(b[i+1]-'0') }
	year, month, day := num(0)*100+num(2), num(5), num(8)
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || num(11) > 23 || num(14) > 59 || num(17) > 59 {
		return "", false
	}
	var buf [40]byte
	out := append(buf[:0], b[:10]...)
	out = append(out, 'T')
	out = append(out, b[11:19]...)
	if digits > 0 {
		out = append(out, '.')
		for k := range digits {
			if k < len(frac) {
				out = append(out, frac[k])
			} else {
				out = append(out, '0')
			}
		}
	}
	return string(append(out, 'Z')), true
}

// daysIn is the number of days of a month of the proleptic Gregorian
// calendar.
func daysIn(month, year int) int {
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 29
	}
	return [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
}

// formatZoned formats microseconds since the epoch in UTC as
// yyyy-MM-ddTHH:mm:ss[.fraction]Z with exactly digits fraction digits.
func formatZoned(us int64, digits int) string {
	t := time.UnixMicro(us).UTC()
	out := appendISODate(make([]byte, 0, 40), t)
	hour, minute, sec := t.Clock()
	out = appendPadded(append(out, 'T'), hour, 2)
	out = appendPadded(append(out, ':'), minute, 2)
	out = appendPadded(append(out, ':'), sec, 2)
	if digits > 0 {
		var f [6]byte
		appendPadded(f[:0], t.Nanosecond()/1000, 6)
		out = append(out, '.')
		out = append(out, f[:min(digits, 6)]...)
		for n := 6; n < digits; n++ {
			out = append(out, '0')
		}
	}
	return string(append(out, 'Z'))
}

// appendPadded appends the non-negative v in decimal, zero-padded to width.
func appendPadded(b []byte, v, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 10 || width > 1 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	buf[i] = byte('0' + v)
	return append(b, buf[i:]...)
}
