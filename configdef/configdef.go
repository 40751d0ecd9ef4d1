package configdef

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Type is ConfigDef.Type, named as Kafka names it in the REST API.
type Type string

// The types of ConfigDef.Type and the Go type of their parsed values.
const (
	TypeBoolean  Type = "BOOLEAN"  // bool
	TypeString   Type = "STRING"   // string
	TypeInt      Type = "INT"      // int (32-bit range)
	TypeShort    Type = "SHORT"    // int16
	TypeLong     Type = "LONG"     // int64
	TypeDouble   Type = "DOUBLE"   // float64
	TypeList     Type = "LIST"     // []string
	TypeClass    Type = "CLASS"    // string: the class name
	TypePassword Type = "PASSWORD" // Password
)

// Importance is ConfigDef.Importance.
type Importance string

// Importances.
const (
	ImportanceHigh   Importance = "HIGH"
	ImportanceMedium Importance = "MEDIUM"
	ImportanceLow    Importance = "LOW"
)

// rank orders importances as Java's enum does (HIGH first).
func (i Importance) rank() int {
	switch i {
	case ImportanceHigh:
		return 0
	case ImportanceMedium:
		return 1
	}
	return 2
}

// Width is ConfigDef.Width.
type Width string

// Widths.
const (
	WidthNone   Width = "NONE"
	WidthShort  Width = "SHORT"
	WidthMedium Width = "MEDIUM"
	WidthLong   Width = "LONG"
)

// Password is a PASSWORD value (org.apache.kafka.common.config.types.
// Password): printed as [hidden]; Value is the secret.
type Password string

// String is Password.toString.
func (p Password) String() string { return "[hidden]" }

// Value is Password.value.
func (p Password) Value() string { return string(p) }

type noDefault struct{}

// NoDefault as a Key's Default makes it required (ConfigDef.NO_DEFAULT_VALUE).
var NoDefault any = noDefault{}

// Key is ConfigDef.ConfigKey: one property.
type Key struct {
	Name string
	Type Type
	// Default is nil for a null default, NoDefault for a required key, a
	// string (parsed as a property value would be, as Kafka parses a String
	// default) or a value of the type's Go type.
	Default       any
	Validator     Validator
	Importance    Importance
	Documentation string
	Group         string
	Order         int
	Width         Width
	DisplayName   string
	Dependents    []string
	Recommender   Recommender
	// Internal keys are parsed but left out of the Markdown tables.
	Internal bool
}

// Required reports whether the key has no default (ConfigKey.hasDefault).
func (k Key) Required() bool { return k.Default == NoDefault }

// Recommender is ConfigDef.Recommender: the valid values and visibility of
// a key given the parsed values of the others.
type Recommender interface {
	ValidValues(name string, parsed map[string]any) []any
	Visible(name string, parsed map[string]any) bool
}

// Error is one problem with one property.
type Error struct {
	Name    string // the property, e.g. "topic.prefix"
	Message string
}

// Def is a ConfigDef: keys in declaration order.
type Def struct {
	keys   []Key
	index  map[string]int
	groups []string
}

// Define builds a Def from keys. Like ConfigDef.define it panics on a name
// defined twice and on a default that does not parse or validate: both are
// mistakes in the declaration, not in a configuration.
func Define(keys ...Key) *Def {
	return (&Def{}).With(keys...)
}

// With returns a copy of d with keys added (ConfigDef(base).define(…)).
func (d *Def) With(keys ...Key) *Def {
	out := &Def{keys: slices.Clone(d.keys), index: maps.Clone(d.index), groups: slices.Clone(d.groups)}
	if out.index == nil {
		out.index = map[string]int{}
	}
	for _, k := range keys {
		out.define(k)
	}
	return out
}

func (d *Def) define(k Key) {
	if _, dup := d.index[k.Name]; dup {
		panic("Configuration " + k.Name + " is defined twice.")
	}
	if k.Default != NoDefault {
		if s, ok := k.Default.(string); ok {
			v, err := ParseType(k.Name, s, k.Type)
			if err != nil {
				panic(err.Error())
			}
			k.Default = v
		} else if k.Default != nil {
			k.Default = normalize(k.Name, k.Default, k.Type)
		}
		if k.Validator != nil {
			if err := k.Validator.EnsureValid(k.Name, k.Default); err != nil {
				panic(err.Error())
			}
		}
	}
	if k.Dependents == nil {
		k.Dependents = []string{}
	}
	if k.Group != "" && !slices.Contains(d.groups, k.Group) {
		d.groups = append(d.groups, k.Group)
	}
	d.index[k.Name] = len(d.keys)
	d.keys = append(d.keys, k)
}

// normalize checks a typed default against its type, widening the integer
// kinds as ConfigDef.parseType accepts an Integer for a LONG.
func normalize(name string, v any, t Type) any {
	switch t {
	case TypeBoolean:
		if b, ok := v.(bool); ok {
			return b
		}
	case TypeString, TypeClass:
		if s, ok := v.(string); ok {
			return s
		}
	case TypePassword:
		if p, ok := v.(Password); ok {
			return p
		}
	case TypeInt:
		if n, ok := v.(int); ok {
			return n
		}
	case TypeShort:
		switch n := v.(type) {
		case int16:
			return n
		case int:
			return int16(n)
		}
	case TypeLong:
		switch n := v.(type) {
		case int64:
			return n
		case int:
			return int64(n)
		}
	case TypeDouble:
		switch n := v.(type) {
		case float64:
			return n
		case int:
			return float64(n)
		}
	case TypeList:
		if l, ok := v.([]string); ok {
			return l
		}
	}
	panic(fmt.Sprintf("configuration %s: default %v (%T) is not a %s", name, v, v, t))
}

// Embed returns a copy of d with child's keys added under prefix, their
// groups under groupPrefix and their orders from startingOrd on
// (ConfigDef.embed): validators see the name without the prefix.
func (d *Def) Embed(prefix, groupPrefix string, startingOrd int, child *Def) *Def {
	order := startingOrd
	var keys []Key
	for _, k := range child.Sorted() {
		k.Name = prefix + k.Name
		if k.Group == "" {
			k.Group = groupPrefix
		} else {
			k.Group = groupPrefix + ": " + k.Group
		}
		k.Order = order
		order++
		if k.Validator != nil {
			k.Validator = embedded{prefix: prefix, base: k.Validator}
		}
		deps := make([]string, len(k.Dependents))
		for i, dep := range k.Dependents {
			deps[i] = prefix + dep
		}
		k.Dependents = deps
		if k.Recommender != nil {
			k.Recommender = embeddedRecommender{prefix: prefix, base: k.Recommender}
		}
		keys = append(keys, k)
	}
	return d.With(keys...)
}

type embedded struct {
	prefix string
	base   Validator
}

func (e embedded) EnsureValid(name string, v any) error {
	return e.base.EnsureValid(strings.TrimPrefix(name, e.prefix), v)
}
func (e embedded) String() string { return e.base.String() }

type embeddedRecommender struct {
	prefix string
	base   Recommender
}

func (e embeddedRecommender) unprefixed(parsed map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range parsed {
		if rest, ok := strings.CutPrefix(k, e.prefix); ok {
			out[rest] = v
		}
	}
	return out
}

func (e embeddedRecommender) ValidValues(name string, parsed map[string]any) []any {
	return e.base.ValidValues(strings.TrimPrefix(name, e.prefix), e.unprefixed(parsed))
}

func (e embeddedRecommender) Visible(name string, parsed map[string]any) bool {
	return e.base.Visible(strings.TrimPrefix(name, e.prefix), e.unprefixed(parsed))
}

// Keys returns the keys in declaration order.
func (d *Def) Keys() []Key { return slices.Clone(d.keys) }

// Key returns the named key.
func (d *Def) Key(name string) (Key, bool) {
	i, ok := d.index[name]
	if !ok {
		return Key{}, false
	}
	return d.keys[i], true
}

// Groups returns the groups in the order they were first used
// (ConfigDef.groups).
func (d *Def) Groups() []string { return slices.Clone(d.groups) }

// Sorted returns the keys as ConfigDef.sortedConfigs orders them: by group
// (keys without one first), order in group, required first, importance and
// name.
func (d *Def) Sorted() []Key {
	ord := map[string]int{}
	for i, g := range d.groups {
		ord[g] = i
	}
	out := slices.Clone(d.keys)
	slices.SortStableFunc(out, func(a, b Key) int {
		switch {
		case a.Group == "" && b.Group != "":
			return -1
		case a.Group != "" && b.Group == "":
			return 1
		}
		if c := ord[a.Group] - ord[b.Group]; c != 0 {
			return c
		}
		if c := a.Order - b.Order; c != 0 {
			return c
		}
		if a.Required() != b.Required() {
			if a.Required() {
				return -1
			}
			return 1
		}
		if c := a.Importance.rank() - b.Importance.rank(); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// Values are parsed properties: every key of the Def, set or defaulted.
type Values struct {
	def    *Def
	values map[string]any
	set    map[string]bool
}

// Parse parses props (ConfigDef.parse) and returns every problem, in
// declaration order. A value that does not parse or validate is replaced
// by the key's default; a missing required one is its type's zero value.
func (d *Def) Parse(props map[string]string) (*Values, []Error) {
	v := &Values{def: d, values: make(map[string]any, len(d.keys)), set: map[string]bool{}}
	var errs []Error
	for _, k := range d.keys {
		raw, isSet := props[k.Name]
		var val any
		switch {
		case isSet:
			v.set[k.Name] = true
			parsed, err := ParseType(k.Name, raw, k.Type)
			if err != nil {
				errs = append(errs, Error{Name: k.Name, Message: err.Error()})
				val = defaultOf(k)
				break
			}
			val = parsed
			if k.Validator != nil {
				if err := k.Validator.EnsureValid(k.Name, parsed); err != nil {
					errs = append(errs, Error{Name: k.Name, Message: err.Error()})
					val = defaultOf(k)
				}
			}
		case k.Required():
			errs = append(errs, Error{Name: k.Name, Message: MissingMessage(k.Name)})
		default:
			val = k.Default
		}
		v.values[k.Name] = val
	}
	return v, errs
}

func defaultOf(k Key) any {
	if k.Required() {
		return nil
	}
	return k.Default
}

// MissingMessage is Kafka's error for an absent required property.
func MissingMessage(name string) string {
	return "Missing required configuration \"" + name + "\" which has no default value."
}

func (v *Values) get(name string) any {
	if _, ok := v.def.index[name]; !ok {
		panic("configuration " + name + " is not defined")
	}
	return v.values[name]
}

// Get returns the parsed value of name, nil for a null one.
func (v *Values) Get(name string) any { return v.get(name) }

// IsSet reports whether props gave name a value.
func (v *Values) IsSet(name string) bool { return v.set[name] }

// Map returns every parsed value by name.
func (v *Values) Map() map[string]any { return maps.Clone(v.values) }

// Bool returns a BOOLEAN value.
func (v *Values) Bool(name string) bool { b, _ := v.get(name).(bool); return b }

// String returns a STRING or CLASS value ("" for null).
func (v *Values) String(name string) string { s, _ := v.get(name).(string); return s }

// Int returns an INT value.
func (v *Values) Int(name string) int { n, _ := v.get(name).(int); return n }

// Short returns a SHORT value.
func (v *Values) Short(name string) int16 { n, _ := v.get(name).(int16); return n }

// Long returns a LONG value.
func (v *Values) Long(name string) int64 { n, _ := v.get(name).(int64); return n }

// Double returns a DOUBLE value.
func (v *Values) Double(name string) float64 { n, _ := v.get(name).(float64); return n }

// List returns a LIST value.
func (v *Values) List(name string) []string { l, _ := v.get(name).([]string); return l }

// Password returns a PASSWORD value.
func (v *Values) Password(name string) Password { p, _ := v.get(name).(Password); return p }

// ConfigValue is ConfigDef's ConfigValue: one key's validation result.
type ConfigValue struct {
	Name              string
	Value             any
	RecommendedValues []any
	Errors            []string
	Visible           bool
}

// Validate is ConfigDef.validateAll: one ConfigValue per key, in
// declaration order, then one per undefined dependent.
func (d *Def) Validate(props map[string]string) []ConfigValue {
	out := make([]ConfigValue, 0, len(d.keys))
	parsed := make(map[string]any, len(d.keys))
	for _, k := range d.keys {
		cv := ConfigValue{Name: k.Name, RecommendedValues: []any{}, Errors: []string{}, Visible: true}
		var val any
		if raw, ok := props[k.Name]; ok {
			var err error
			if val, err = ParseType(k.Name, raw, k.Type); err != nil {
				cv.Errors = append(cv.Errors, err.Error())
			}
		} else if k.Required() {
			cv.Errors = append(cv.Errors, MissingMessage(k.Name))
		} else {
			val = k.Default
		}
		if k.Validator != nil {
			if err := k.Validator.EnsureValid(k.Name, val); err != nil {
				cv.Errors = append(cv.Errors, err.Error())
			}
		}
		cv.Value = val
		parsed[k.Name] = val
		out = append(out, cv)
	}
	for i, k := range d.keys {
		if k.Recommender == nil {
			continue
		}
		out[i].RecommendedValues = k.Recommender.ValidValues(k.Name, parsed)
		if out[i].RecommendedValues == nil {
			out[i].RecommendedValues = []any{}
		}
		out[i].Visible = k.Recommender.Visible(k.Name, parsed)
	}
	var undefined []string
	for _, k := range d.keys {
		for _, dep := range k.Dependents {
			if _, ok := d.index[dep]; !ok && !slices.Contains(undefined, dep) {
				undefined = append(undefined, dep)
			}
		}
	}
	for _, name := range undefined {
		out = append(out, ConfigValue{Name: name, RecommendedValues: []any{},
			Errors: []string{name + " is referred in the dependents, but not defined."}})
	}
	return out
}

// Unknown returns the properties of props that d does not define, sorted:
// what AbstractConfig.logUnused reports as "supplied but are not used".
func (d *Def) Unknown(props map[string]string) []string {
	var out []string
	for name := range props {
		if _, ok := d.index[name]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
