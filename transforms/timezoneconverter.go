package transforms

import (
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	// The zone database goes into the binary: TimezoneConverter resolves
	// geographic zones wherever it runs, as Java's bundled one does.
	_ "time/tzdata"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/javaregex"
	"github.com/tributary-cdc/tributary/schema"
)

// TimezoneConverterClass is Debezium's transform that moves the timestamps
// of change events to another time zone.
const TimezoneConverterClass = "io.debezium.transforms.TimezoneConverter"

// Properties of TimezoneConverter (Debezium 3.5,
// debezium-connect-plugins/.../transforms/TimezoneConverter.java).
const (
	propTZConverted = "converted.timezone"
	propTZInclude   = "include.list"
	propTZExclude   = "exclude.list"
)

const tzListDoc = "`source:<tablename>`:: Matches only Debezium change events with a source information block with the specified table name. All time-based fields will be %[1]s. " +
	"`source:<tablename>:<fieldname%[2]s>`:: Matches only Debezium change events with a source information with the specified table name. Only the specified field name will be %[1]s. " +
	"`topic:<topicname>`:: Matches the specified topic name, %[3]s all time-based fields. " +
	"`topic:<topicname>:<fieldname%[2]s>`:: Matches the specified topic name, %[3]s only the specified field name. " +
	"`<matchname>:<fieldname%[2]s>`:: Uses a heuristic matching algorithm to matches the source information block table name if the source information block exists, otherwise matches against the topic name. The conversion is applied only to to the specified field name. "

// TimezoneConverterDef is TimezoneConverter.config(). As Debezium's, it
// carries no validator: the constructor checks the properties as configure
// does.
var TimezoneConverterDef = configdef.Define(
	debeziumKey(propTZConverted, configdef.TypeString, nil, nil, high, configdef.WidthMedium, "Converted Timezone",
		"A string that represents the timezone to which the time-based fields should be converted."+
			"The format can be geographic (e.g. America/Los_Angeles), or it can be a UTC offset in the format of +/-hh:mm, (e.g. +08:00)."),
	debeziumKey(propTZInclude, configdef.TypeList, nil, nil, high, configdef.WidthMedium, "Include List",
		"A comma-separated list of rules that specify what events should be evaluated for timezone conversion, using one of the following formats: "+
			fmt.Sprintf(tzListDoc, "converted", "", "converting")),
	debeziumKey(propTZExclude, configdef.TypeList, nil, nil, high, configdef.WidthMedium, "Exclude List",
		"A comma-separated list of rules that specify what events should be excluded from timezone conversion, using one of the following formats: "+
			fmt.Sprintf(tzListDoc, "excluded", "s", "excluding")),
)

// Schema names TimezoneConverter converts, and those it warns about.
const (
	tzMicroTimestamp = "io.debezium.time.MicroTimestamp"
	tzNanoTimestamp  = "io.debezium.time.NanoTimestamp"
	tzTimestamp      = "io.debezium.time.Timestamp"
	tzZonedTimestamp = "io.debezium.time.ZonedTimestamp"
	tzZonedTime      = "io.debezium.time.ZonedTime"
)

var (
	tzSupported   = []string{tzMicroTimestamp, tzNanoTimestamp, tzTimestamp, tzZonedTimestamp, tzZonedTime, schema.TimestampName}
	tzUnsupported = []string{"io.debezium.time.Date", "io.debezium.time.MicroTime", "io.debezium.time.NanoTime", "io.debezium.time.Time",
		schema.DateName, schema.TimeName}
	tzEpochFields = []string{"ts_ms", "ts_us", "ts_ns"}

	// TIMEZONE_OFFSET_PATTERN and LIST_PATTERN.
	tzOffsetPattern = regexp.MustCompile(`^[+-]\d{2}:\d{2}(:\d{2})?$`)
	tzListPattern   = regexp.MustCompile(`^\[(source|topic|[".\w\s_]+):([".\w\s_]+(?::[".\w\s_]+)?(?:,|\]$))+$`)
)

// tzMatch is one rule set: the fields a match name lists (none: all).
type tzRules map[string]map[string]bool

type timezoneConverter struct {
	zone *time.Location
	// include or exclude (at most one is set), and the rules of the list
	// that is set, by kind.
	include, exclude         bool
	topics, tables, noPrefix tzRules
	log                      *slog.Logger
	warned                   map[string]bool
}

// NewTimezoneConverter configures the transform as configure does.
func NewTimezoneConverter(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	_, errs := TimezoneConverterDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	zoneName, ok := config[propTZConverted]
	if !ok || javaTrim(zoneName) == "" {
		errs = append(errs, dbzInvalid(propTZConverted, config, "A value is required"))
	}
	for _, name := range []string{propTZInclude, propTZExclude} {
		// Field.isListOfRegex.
		for _, e := range dbzList(config, name) {
			if _, _, err := javaregex.Compile(e); err != nil {
				errs = append(errs, dbzInvalid(name, config, "A comma-separated list of valid regular expressions is expected, but "+err.Error()))
				break
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	include, exclude := dbzList(config, propTZInclude), dbzList(config, propTZExclude)
	// validateConfiguration: the list format, the zone, then both lists.
	switch {
	case len(include) > 0 && !tzListPattern.MatchString("["+strings.Join(include, ", ")+"]"):
		return nil, []connect.ConfigError{{Name: propTZInclude, Message: `Invalid include list format. Please specify a list of rules in the format of "source:<tablename>:<fieldnames>", "topic:<topicname>:<fieldnames>", "<matchname>:<fieldnames>"`}}
	case len(include) == 0 && len(exclude) > 0 && !tzListPattern.MatchString("["+strings.Join(exclude, ", ")+"]"):
		return nil, []connect.ConfigError{{Name: propTZExclude, Message: `Invalid exclude list format. Please specify a list of rules in the format of "source:<tablename>:<fieldnames>", "topic:<topicname>:<fieldnames>", "<matchname>:<fieldnames>"`}}
	}
	zone, err := tzZone(zoneName)
	if err != nil {
		return nil, []connect.ConfigError{{Name: propTZConverted, Message: "Invalid timezone format. Please specify either a geographic timezone (e.g. America/Los_Angeles) or a UTC offset in the format of +/-hh:mm, (e.g. +08:00)."}}
	}
	if len(include) > 0 && len(exclude) > 0 {
		return nil, []connect.ConfigError{{Name: propTZExclude, Message: "Both include and exclude lists are specified. Please specify only one."}}
	}
	t := &timezoneConverter{zone: zone, include: len(include) > 0, exclude: len(exclude) > 0,
		topics: tzRules{}, tables: tzRules{}, noPrefix: tzRules{},
		log: slog.New(slog.DiscardHandler), warned: map[string]bool{}}
	if t.exclude {
		t.collect(exclude)
	} else if t.include {
		t.collect(include)
	}
	return t, nil
}

// tzZone resolves converted.timezone: a ±hh:mm[:ss] offset or a zone ID.
func tzZone(name string) (*time.Location, error) {
	if tzOffsetPattern.MatchString(name) {
		sign := 1
		if name[0] == '-' {
			sign = -1
		}
		h, _ := strconv.Atoi(name[1:3])
		m, _ := strconv.Atoi(name[4:6])
		s := 0
		if len(name) > 6 {
			s, _ = strconv.Atoi(name[7:9])
		}
		if h > 18 || m > 59 || s > 59 || h == 18 && (m > 0 || s > 0) {
			// ZoneOffset.of's range.
			return nil, fmt.Errorf("zone offset %s out of range", name)
		}
		return time.FixedZone(name, sign*(h*3600+m*60+s)), nil
	}
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return time.LoadLocation(name)
}

// collect is collectTablesAndTopics: each rule goes to the map of its
// prefix, a rule without one to the map of the previous rule's.
func (t *timezoneConverter) collect(list []string) {
	prefix := ""
	for _, item := range list {
		p, match, field := tzParseItem(item)
		if p != "" {
			prefix = p
		}
		m := t.noPrefix
		switch prefix {
		case "topic":
			m = t.topics
		case "source":
			m = t.tables
		}
		if m[match] == nil {
			m[match] = map[string]bool{}
		}
		if field != "" {
			m[match][field] = true
		}
	}
}

// tzParseItem is parseItem: [prefix:]match[:field].
func tzParseItem(item string) (prefix, match, field string) {
	parts := javaSplit(item, ":")
	switch {
	case len(parts) == 1:
		return "", parts[0], ""
	case len(parts) <= 3:
		if strings.EqualFold(parts[0], "source") || strings.EqualFold(parts[0], "topic") {
			if len(parts) == 3 {
				field = parts[2]
			}
			// The prefix keeps its case; only "source" and "topic"
			// select a map, as in Debezium.
			return parts[0], parts[1], field
		}
		return "", parts[0], parts[1]
	}
	return "", "", ""
}

// SetLogger implements connect.LoggingTransformation.
func (t *timezoneConverter) SetLogger(l *slog.Logger) {
	t.log = l.With("transform", TimezoneConverterClass)
}

type tzMode int

const (
	tzAll tzMode = iota
	tzIncludeFields
	tzExcludeFields
)

// Apply follows TimezoneConverter.apply. Debezium converts the values in
// the record's own structs; here the envelope and the structs it changes
// are copied.
func (t *timezoneConverter) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	if r.Topic == "" || r.Value == nil || !isEnvelope(r) {
		return r, true, nil
	}
	env, ok := r.Value.(*schema.Struct)
	if !ok {
		return r, false, fmt.Errorf("%s: the value is a %T, not a struct", TimezoneConverterClass, r.Value)
	}
	table, hasTable := "", false
	if src, ok := env.Get("source").(*schema.Struct); ok && src.Schema.Field("table") != nil {
		table, hasTable = src.Get("table").(string)
	}
	mode, fields, apply := tzAll, map[string]bool(nil), true
	match, found := t.match(table, hasTable, r.Topic)
	switch {
	case t.include:
		apply = found
		if len(match) > 0 {
			mode, fields = tzIncludeFields, match
		}
	case t.exclude:
		switch {
		case !found:
		case len(match) > 0:
			mode, fields = tzExcludeFields, match
		default:
			apply = false
		}
	}
	if !apply {
		return r, true, nil
	}
	out, err := t.convert(env, mode, fields)
	if err != nil {
		return r, false, err
	}
	r.Value = out
	return r, true, nil
}

// match is handleMatchNameAndFields: the topic rules, the table's, then
// the rules without prefix for the topic and for the table.
func (t *timezoneConverter) match(table string, hasTable bool, topic string) (map[string]bool, bool) {
	if f, ok := t.topics[topic]; ok {
		return f, true
	}
	if f, ok := t.tables[table]; ok && hasTable {
		return f, true
	}
	if f, ok := t.noPrefix[topic]; ok {
		return f, true
	}
	if f, ok := t.noPrefix[table]; ok && hasTable {
		return f, true
	}
	return nil, false
}

// convert is handleStructs: before and after, and source when the rules
// name source fields.
func (t *timezoneConverter) convert(env *schema.Struct, mode tzMode, fields map[string]bool) (*schema.Struct, error) {
	var before, after, source map[string]bool
	if len(fields) > 0 {
		before, after, source = map[string]bool{}, map[string]bool{}, map[string]bool{}
		for f := range fields {
			switch {
			case strings.HasPrefix(f, "source."):
				source[strings.TrimPrefix(f, "source.")] = true
			case strings.HasPrefix(f, "before."):
				before[strings.TrimPrefix(f, "before.")] = true
			case strings.HasPrefix(f, "after."):
				after[strings.TrimPrefix(f, "after.")] = true
			default:
				before[f], after[f] = true, true
			}
		}
	}
	out := &schema.Struct{Schema: env.Schema, Values: slices.Clone(env.Values)}
	for _, part := range []struct {
		name   string
		fields map[string]bool
	}{{"before", before}, {"after", after}, {"source", source}} {
		f := env.Schema.Field(part.name)
		if f == nil || f.Index >= len(out.Values) {
			continue
		}
		st, ok := out.Values[f.Index].(*schema.Struct)
		if !ok || st == nil || part.name == "source" && len(part.fields) == 0 {
			continue
		}
		conv, err := t.convertStruct(part.name, st, mode, part.fields)
		if err != nil {
			return nil, err
		}
		out.Values[f.Index] = conv
	}
	return out, nil
}

// convertStruct is handleValueForFields on a copy of st.
func (t *timezoneConverter) convertStruct(part string, st *schema.Struct, mode tzMode, fields map[string]bool) (*schema.Struct, error) {
	var out *schema.Struct
	for i, f := range st.Schema.Fields {
		name := f.Schema.Name
		epoch := part == "source" && slices.Contains(tzEpochFields, f.Name)
		if name == "" && !epoch {
			continue
		}
		include := mode == tzAll || mode == tzIncludeFields && fields[f.Name] || mode == tzExcludeFields && !fields[f.Name]
		if !include {
			continue
		}
		if slices.Contains(tzUnsupported, name) {
			if !t.warned[f.Name] {
				t.warned[f.Name] = true
				t.log.Warn("Skipping conversion for unsupported logical type: " + name + " for field: " + f.Name)
			}
			continue
		}
		if !slices.Contains(tzSupported, name) && !epoch {
			continue
		}
		if i >= len(st.Values) {
			continue
		}
		v := fieldValue(st, i, true)
		if v == nil {
			continue
		}
		var nv any
		var err error
		if name != "" {
			nv, err = t.timestamp(name, v)
		} else {
			nv, err = t.epoch(f.Name, v)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: field %s.%s: %w", TimezoneConverterClass, part, f.Name, err)
		}
		if out == nil {
			out = &schema.Struct{Schema: st.Schema, Values: slices.Clone(st.Values)}
		}
		out.Values[i] = nv
	}
	if out == nil {
		return st, nil
	}
	return out, nil
}

// timestamp is getTimestampWithTimezone.
func (t *timezoneConverter) timestamp(name string, v any) (any, error) {
	switch name {
	case tzZonedTimestamp:
		s, _ := v.(string)
		odt, off, err := parseOffsetDateTime(s)
		if err != nil {
			return nil, err
		}
		// The offset the zone has at the value's local date-time, read as
		// a date-time of the zone (Debezium's choice).
		local := odt.Add(time.Duration(off) * time.Second)
		return formatOffsetDateTime(odt, offsetAtLocal(t.zone, local)), nil
	case tzZonedTime:
		s, _ := v.(string)
		return convertOffsetTime(s, offsetAt(t.zone, time.Now()))
	case tzMicroTimestamp:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("value is a %T, not an int64", v)
		}
		off := offsetAtLocal(t.zone, time.UnixMicro(n).UTC())
		return n - int64(off)*1_000_000, nil
	case tzNanoTimestamp:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("value is a %T, not an int64", v)
		}
		off := offsetAtLocal(t.zone, time.Unix(0, n).UTC())
		return n - int64(off)*1_000_000_000, nil
	case tzTimestamp:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("value is a %T, not an int64", v)
		}
		off := offsetAtLocal(t.zone, time.UnixMilli(n).UTC())
		return n - int64(off)*1000, nil
	case schema.TimestampName:
		ts, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("value is a %T, not a time", v)
		}
		off := offsetAtLocal(t.zone, ts.UTC())
		return ts.Add(-time.Duration(off) * time.Second), nil
	}
	return v, nil
}

// epoch is getEpochWithTimezone: the source's ts_* moved by the zone's
// offset at that instant.
func (t *timezoneConverter) epoch(field string, v any) (any, error) {
	n, ok := v.(int64)
	if !ok {
		return nil, fmt.Errorf("Epoch field value should be a java.lang.Long")
	}
	var unit time.Duration
	var at time.Time
	switch field {
	case "ts_ms":
		unit, at = time.Millisecond, time.UnixMilli(n)
	case "ts_us":
		unit, at = time.Microsecond, time.UnixMicro(n)
	default:
		unit, at = time.Nanosecond, time.Unix(0, n)
	}
	return n + int64(offsetAt(t.zone, at))*int64(time.Second/unit), nil
}

// offsetAt is the zone's offset in seconds at an instant.
func offsetAt(zone *time.Location, at time.Time) int {
	_, off := at.In(zone).Zone()
	return off
}

// offsetAtLocal is ZoneRules.getOffset(LocalDateTime) for the date-time
// local's wall clock (its UTC fields): the one valid offset, or in an
// overlap or a gap the offset before the transition.
func offsetAtLocal(zone *time.Location, local time.Time) int {
	local = local.UTC()
	before := offsetAt(zone, local.Add(-48*time.Hour))
	after := offsetAt(zone, local.Add(48*time.Hour))
	valid := func(off int) bool { return offsetAt(zone, local.Add(-time.Duration(off)*time.Second)) == off }
	switch {
	case valid(before):
		return before
	case valid(after):
		return after
	}
	return before
}

// isoOffsetDateTime is what DateTimeFormatter.ISO_OFFSET_DATE_TIME parses
// (case-insensitively): date, 'T', hours and minutes, optional seconds
// and up to nine fraction digits, and Z or ±hh:mm[:ss].
var isoOffsetDateTime = regexp.MustCompile(`^(?i)(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$`)
var isoOffsetTime = regexp.MustCompile(`^(?i)(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$`)

// parseISOOffset reads Z or ±hh:mm[:ss] into seconds east of UTC.
func parseISOOffset(s string) (int, error) {
	if strings.EqualFold(s, "z") {
		return 0, nil
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[4:6])
	sec := 0
	if len(s) > 6 {
		sec, _ = strconv.Atoi(s[7:9])
	}
	if h > 18 || m > 59 || sec > 59 {
		return 0, fmt.Errorf("invalid offset %s", s)
	}
	off := h*3600 + m*60 + sec
	if s[0] == '-' {
		off = -off
	}
	return off, nil
}

func atoiFraction(s string) int {
	if s == "" {
		return 0
	}
	n, _ := strconv.Atoi((s + "000000000")[:9])
	return n
}

// parseOffsetDateTime parses an ISO offset date-time into its instant and
// offset.
func parseOffsetDateTime(s string) (time.Time, int, error) {
	m := isoOffsetDateTime.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, 0, fmt.Errorf("Text '%s' could not be parsed", s)
	}
	off, err := parseISOOffset(m[8])
	if err != nil {
		return time.Time{}, 0, err
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	y, mo, d, h, mi, sec := n(1), n(2), n(3), n(4), n(5), 0
	if m[6] != "" {
		sec = n(6)
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, 0, fmt.Errorf("Text '%s' could not be parsed", s)
	}
	wall := time.Date(y, time.Month(mo), d, h, mi, sec, atoiFraction(m[7]), time.UTC)
	if wall.Day() != d {
		return time.Time{}, 0, fmt.Errorf("Text '%s' could not be parsed: Invalid date", s)
	}
	return wall.Add(-time.Duration(off) * time.Second), off, nil
}

// formatOffsetDateTime is ISO_OFFSET_DATE_TIME's format of the instant at
// the offset: seconds always, the fraction without trailing zeros, Z for
// a zero offset.
func formatOffsetDateTime(at time.Time, off int) string {
	wall := at.UTC().Add(time.Duration(off) * time.Second)
	return wall.Format("2006-01-02T15:04:05") + isoFraction(wall.Nanosecond()) + isoOffset(off)
}

// convertOffsetTime is OffsetTime.withOffsetSameInstant, formatted with
// ISO_OFFSET_TIME.
func convertOffsetTime(s string, off int) (string, error) {
	m := isoOffsetTime.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("Text '%s' could not be parsed", s)
	}
	from, err := parseISOOffset(m[5])
	if err != nil {
		return "", err
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	sec, _ := strconv.Atoi(m[3])
	if h > 23 || mi > 59 || sec > 59 {
		return "", fmt.Errorf("Text '%s' could not be parsed", s)
	}
	secs := ((h*3600+mi*60+sec-from+off)%86400 + 86400) % 86400
	return fmt.Sprintf("%02d:%02d:%02d", secs/3600, secs/60%60, secs%60) + isoFraction(atoiFraction(m[4])) + isoOffset(off), nil
}

// isoFraction is appendFraction(NANO_OF_SECOND, 0, 9, true).
func isoFraction(nanos int) string {
	if nanos == 0 {
		return ""
	}
	return "." + strings.TrimRight(fmt.Sprintf("%09d", nanos), "0")
}

// isoOffset is appendOffsetId: Z, or +hh:mm with :ss when not zero.
func isoOffset(off int) string {
	if off == 0 {
		return "Z"
	}
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	s := fmt.Sprintf("%c%02d:%02d", sign, off/3600, off/60%60)
	if off%60 != 0 {
		s += fmt.Sprintf(":%02d", off%60)
	}
	return s
}
