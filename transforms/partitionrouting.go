package transforms

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// PartitionRoutingClass is Debezium's transform that picks a record's
// partition from hashes of its payload fields.
const PartitionRoutingClass = "io.debezium.transforms.partitions.PartitionRouting"

// Properties of PartitionRouting (Debezium 3.5,
// debezium-connect-plugins/.../transforms/partitions/PartitionRouting.java).
const (
	propPRFields       = "partition.payload.fields"
	propPRTopicNum     = "partition.topic.num"
	propPRHashFunction = "partition.hash.function"
)

// partitionsGroup is the group config() puts the fields in.
const partitionsGroup = "partitions"

// PartitionRoutingDef is PartitionRouting.config(): Field.group with the
// "partitions" group (order by position), no validators, as Debezium's.
var PartitionRoutingDef = configdef.Define(
	configdef.Key{Name: propPRFields, Type: configdef.TypeList, Importance: high, Group: partitionsGroup, Order: 1,
		Width: configdef.WidthNone, DisplayName: "List of payload fields to use for compute partition.",
		Documentation: "Payload fields to use to calculate the partition. Supports Struct nesting using dot notation." +
			"To access fields related to data collections, you can use: after, before or change, " +
			"where 'change' is a special field that will automatically choose, based on operation, the 'after' or 'before'. " +
			"If a field not exist for the current record it will simply not used" +
			"e.g. after.name,source.table,change.name"},
	configdef.Key{Name: propPRTopicNum, Type: configdef.TypeInt, Importance: high, Group: partitionsGroup, Order: 2,
		Width: configdef.WidthNone, DisplayName: "Number of partition configured for topic",
		Documentation: "Number of partition for the topic on which this SMT act. Use TopicNameMatches predicate to filter records by topic"},
	configdef.Key{Name: propPRHashFunction, Type: configdef.TypeString, Default: "java", Importance: low, Group: partitionsGroup, Order: 3,
		Width: configdef.WidthNone, DisplayName: "Hash function",
		Documentation: "Hash function to be used when computing hash of the fields which would determine number of the destination partition."},
)

// partitionRouting sets each change event's partition to the sum of the
// hashes of the configured fields that it has, modulo partition.topic.num.
type partitionRouting struct {
	fields     [][]string // each payload field split at dots, trimmed
	partitions int32
	hash       func(any) (int32, error)
	hashName   string
	unknown    string // an unknown partition.hash.function, to warn about
	log        *slog.Logger
}

// NewPartitionRouting configures the transform as configure does.
func NewPartitionRouting(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	_, errs := PartitionRoutingDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	errs = append(errs, checkDbzList(config, propPRFields, true, false)...)
	var n int64
	switch raw, ok := config[propPRTopicNum]; {
	case !ok || javaTrim(raw) == "":
		errs = append(errs, dbzInvalid(propPRTopicNum, config, "A value is required"))
	default:
		// Field.isPositiveInteger.
		var err error
		if n, err = strconv.ParseInt(javaTrim(raw), 10, 32); err != nil || n <= 0 {
			errs = append(errs, dbzInvalid(propPRTopicNum, config, "A positive, non-zero integer value is expected"))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	t := &partitionRouting{partitions: int32(n), hash: javaHashCode, hashName: "java", log: slog.New(slog.DiscardHandler)}
	// HashFunction.parse: trimmed, any case; anything else is java.
	if raw, ok := config[propPRHashFunction]; ok {
		switch strings.ToLower(javaTrim(raw)) {
		case "murmur":
			t.hash, t.hashName = murmurHash, "murmur"
		case "java":
		default:
			t.unknown = raw
		}
	}
	for _, f := range dbzList(config, propPRFields) {
		// Split at "\." with each part trimmed, as toValue does.
		parts := javaSplit(f, ".")
		for i := range parts {
			parts[i] = javaTrim(parts[i])
		}
		t.fields = append(t.fields, parts)
	}
	return t, nil
}

// SetLogger implements connect.LoggingTransformation; an unknown hash
// function, which Debezium silently reads as java, is warned about here.
func (t *partitionRouting) SetLogger(l *slog.Logger) {
	t.log = l.With("transform", PartitionRoutingClass)
	if t.unknown != "" {
		t.log.Warn("unknown hash function: the java hash is used, as in Debezium", "property", propPRHashFunction, "value", t.unknown)
	}
}

// Apply follows PartitionRouting.apply.
func (t *partitionRouting) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	if r.Topic == "" || r.Value == nil || !isEnvelope(r) {
		return r, true, nil
	}
	env, ok := r.Value.(*schema.Struct)
	if !ok {
		return r, false, fmt.Errorf("%s: Unprocessable message: the value is a %T, not a struct", PartitionRoutingClass, r.Value)
	}
	op, _ := env.Get("op").(string)
	if op == "t" || op == "m" {
		// SmtManager.isGenericOrTruncateMessage.
		return r, true, nil
	}
	var sum int32
	found := false
	for _, parts := range t.fields {
		v, err := payloadField(env, parts, op)
		if err != nil {
			return r, false, fmt.Errorf("%s: Unprocessable message: %s: %w", PartitionRoutingClass, strings.Join(parts, "."), err)
		}
		if v == nil {
			continue
		}
		h, err := t.hash(v)
		if err != nil {
			return r, false, fmt.Errorf("%s: Unprocessable message: %s: %w", PartitionRoutingClass, strings.Join(parts, "."), err)
		}
		sum += h
		found = true
	}
	if !found {
		return r, true, nil
	}
	// computePartition: the sign bit cleared, MAX_VALUE folded to 0.
	h := sum & 0x7fffffff
	if h == 0x7fffffff {
		h = 0
	}
	p := h % t.partitions
	r.Partition = &p
	return r, true, nil
}

// payloadField is toValue: the value at a dotted path of the envelope
// (Struct.get, defaults applied), "change" standing for before on deletes
// and after otherwise; nil when a field on the path does not exist. A
// null struct on the path fails, as Debezium's NullPointerException does.
func payloadField(env *schema.Struct, parts []string, op string) (any, error) {
	cur := env
	for i, name := range parts {
		if i < len(parts)-1 && name == "change" {
			name = "after"
			if op == "d" {
				name = "before"
			}
		}
		f := cur.Schema.Field(name)
		if f == nil || f.Index >= len(cur.Values) {
			return nil, nil // DataException: not considered
		}
		v := fieldValue(cur, f.Index, true)
		if i == len(parts)-1 {
			return v, nil
		}
		if v == nil {
			return nil, fmt.Errorf("%s is null", name)
		}
		st, ok := v.(*schema.Struct)
		if !ok {
			// Struct.getStruct on a field that is no struct.
			return nil, nil
		}
		cur = st
	}
	return nil, nil
}
