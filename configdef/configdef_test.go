package configdef

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The messages below are Kafka 3.9's, from
// clients/src/main/java/org/apache/kafka/common/config/ConfigDef.java
// (parseType, parseValue, parseForValidate and the validators) and
// ConfigException.java ("Invalid value " + value + " for configuration " +
// name + ": " + message); ConfigDefTest.testValidateCannotParse and
// testValidateMissingConfigKey pin the same texts upstream.

func TestParseTypeMessages(t *testing.T) {
	cases := []struct {
		typ   Type
		value string
		want  any
		err   string
	}{
		{TypeBoolean, " TRUE ", true, ""},
		{TypeBoolean, "False", false, ""},
		{TypeBoolean, "yes", nil, "Invalid value yes for configuration k: Expected value to be either true or false"},
		{TypeInt, " 12 ", 12, ""},
		{TypeInt, "+7", 7, ""},
		{TypeInt, "non_integer", nil, "Invalid value non_integer for configuration k: Not a number of type INT"},
		{TypeInt, "2147483648", nil, "Invalid value 2147483648 for configuration k: Not a number of type INT"},
		{TypeShort, "32767", int16(32767), ""},
		{TypeShort, "32768", nil, "Invalid value 32768 for configuration k: Not a number of type SHORT"},
		{TypeLong, "9223372036854775807", int64(9223372036854775807), ""},
		{TypeLong, "1.5", nil, "Invalid value 1.5 for configuration k: Not a number of type LONG"},
		{TypeDouble, "1.5", 1.5, ""},
		{TypeDouble, "2d", 2.0, ""},
		{TypeDouble, "inf", nil, "Invalid value inf for configuration k: Not a number of type DOUBLE"},
		{TypeDouble, "", nil, "Invalid value  for configuration k: Not a number of type DOUBLE"},
		{TypeString, "\t a b \n", "a b", ""},
		{TypeClass, " com.example.X ", "com.example.X", ""},
		{TypePassword, " secret ", Password("secret"), ""},
		{TypeList, " a , b,,c ", []string{"a", "b", "", "c"}, ""},
		{TypeList, "  ", []string{}, ""},
	}
	for _, c := range cases {
		got, err := ParseType("k", c.value, c.typ)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s %q: error %v, want %q", c.typ, c.value, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %q: got %#v, %v; want %#v", c.typ, c.value, got, err, c.want)
		}
	}
}

func TestValidatorMessages(t *testing.T) {
	cases := []struct {
		v     Validator
		value any
		err   string
		desc  string
	}{
		// Range.ensureValid.
		{AtLeast(1), 0, "Invalid value 0 for configuration k: Value must be at least 1", "[1,...]"},
		{AtLeast(1), nil, "Invalid value null for configuration k: Value must be non-null", "[1,...]"},
		{Between(0, 10), int64(11), "Invalid value 11 for configuration k: Value must be no more than 10", "[0,...,10]"},
		{Between(0.5, 1.0), 0.25, "Invalid value 0.25 for configuration k: Value must be at least 0.5", "[0.5,...,1.0]"},
		// ValidString, CaseInsensitiveValidString (HashSet order, as
		// JsonConverterConfig's decimal.format prints it), ValidList.
		{In("a", "b"), "c", "Invalid value c for configuration k: String must be one of: a, b", "[a, b]"},
		{InIgnoreCase("BASE64", "NUMERIC"), "FOO", "Invalid value FOO for configuration k: String must be one of (case insensitive): NUMERIC, BASE64",
			"(case insensitive) [NUMERIC, BASE64]"},
		{InIgnoreCase("requested", "required"), "x", "Invalid value x for configuration k: String must be one of (case insensitive): REQUIRED, REQUESTED",
			"(case insensitive) [REQUIRED, REQUESTED]"},
		{ListIn("x", "y"), []string{"x", "z"}, "Invalid value z for configuration k: String must be one of: x, y", "[x, y]"},
		// NonNullValidator, NonEmptyString, NonEmptyStringWithoutControlChars, ListSize.
		{NonNull(), nil, "Invalid value null for configuration k: entry must be non null", "non-null string"},
		{NonEmptyString(), "", "Invalid value  for configuration k: String must be non-empty", "non-empty string"},
		{NonEmptyStringWithoutControlChars(), "", "Invalid value  for configuration k: String may not be empty", "non-empty string without ISO control characters"},
		{NonEmptyStringWithoutControlChars(), "a\tb\u0085", "Invalid value a\tb\u0085 for configuration k: String may not contain control sequences but had the following ASCII chars: 9, 133",
			"non-empty string without ISO control characters"},
		{ListSize(1), []string{"a", "b"}, "Invalid value [a, b] for configuration k: exceeds maximum list size of [1].", "List containing maximum of 1 elements"},
		// CompositeValidator: the first refusal.
		{All(NonNull(), AtLeast(int64(0))), int64(-1), "Invalid value -1 for configuration k: Value must be at least 0", "non-null string, [0,...]"},
	}
	for _, c := range cases {
		err := c.v.EnsureValid("k", c.value)
		if err == nil || err.Error() != c.err {
			t.Errorf("%s on %#v: error %v, want %q", c.v, c.value, err, c.err)
		}
		if c.v.String() != c.desc {
			t.Errorf("String() = %q, want %q", c.v.String(), c.desc)
		}
	}
	if err := NonEmptyStringWithoutControlChars().EnsureValid("k", nil); err != nil {
		t.Errorf("null name: %v", err)
	}
}

// TestJavaHashSetOrder pins the iteration order of java.util.HashSet (as
// Collectors.toSet builds it), checked against a JVM.
func TestJavaHashSetOrder(t *testing.T) {
	cases := [][2][]string{
		{{"BASE64", "NUMERIC"}, {"NUMERIC", "BASE64"}},
		{{"DEFAULT", "POLL", "INTERVAL", "CONNECTOR"}, {"INTERVAL", "POLL", "DEFAULT", "CONNECTOR"}},
		{{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "Zebra", "apple"},
			{"A", "B", "C", "D", "E", "Zebra", "F", "G", "H", "I", "J", "K", "L", "M", "N", "apple"}},
	}
	for _, c := range cases {
		if got := JavaHashSetOrder(c[0]); !reflect.DeepEqual(got, c[1]) {
			t.Errorf("%v: got %v, want %v", c[0], got, c[1])
		}
	}
}

func TestJavaString(t *testing.T) {
	for v, want := range map[any]string{1e7: "1.0E7", 0.0001: "1.0E-4", 123.456: "123.456", 1.0: "1.0", Password("x"): "[hidden]", nil: "null"} {
		if got := JavaString(v); got != want {
			t.Errorf("JavaString(%#v) = %q, want %q", v, got, want)
		}
	}
}

func testDef() *Def {
	return Define(
		Key{Name: "name", Type: TypeString, Default: NoDefault, Validator: NonEmptyStringWithoutControlChars(),
			Importance: ImportanceHigh, Documentation: "The name.", Group: "Common", Order: 1, Width: WidthMedium, DisplayName: "Name"},
		Key{Name: "tasks.max", Type: TypeInt, Default: 1, Validator: AtLeast(1), Importance: ImportanceHigh,
			Documentation: "Tasks.", Group: "Common", Order: 2, Width: WidthShort, DisplayName: "Tasks max"},
		Key{Name: "retry", Type: TypeLong, Default: "0", Importance: ImportanceMedium, Group: "Error Handling", Order: 1},
		Key{Name: "tolerance", Type: TypeString, Default: "none", Validator: In("none", "all"), Importance: ImportanceMedium,
			Group: "Error Handling", Order: 2},
		Key{Name: "aliases", Type: TypeList, Default: []string{}, Importance: ImportanceLow, Group: "Common", Order: 3},
		Key{Name: "secret", Type: TypePassword, Importance: ImportanceLow, Group: "Common", Order: 4},
	)
}

func TestParse(t *testing.T) {
	d := testDef()
	v, errs := d.Parse(map[string]string{"tasks.max": "0", "retry": " 5 ", "aliases": "a, b", "secret": "s", "other": "x"})
	want := []Error{
		{Name: "name", Message: `Missing required configuration "name" which has no default value.`},
		{Name: "tasks.max", Message: "Invalid value 0 for configuration tasks.max: Value must be at least 1"},
	}
	if !reflect.DeepEqual(errs, want) {
		t.Fatalf("errors %#v, want %#v", errs, want)
	}
	if v.Int("tasks.max") != 1 || v.Long("retry") != 5 || v.String("tolerance") != "none" ||
		!reflect.DeepEqual(v.List("aliases"), []string{"a", "b"}) || v.Password("secret").Value() != "s" {
		t.Fatalf("values %#v", v.Map())
	}
	if !v.IsSet("retry") || v.IsSet("tolerance") {
		t.Fatal("IsSet")
	}
	if got := d.Unknown(map[string]string{"other": "x", "name": "n", "b": ""}); !reflect.DeepEqual(got, []string{"b", "other"}) {
		t.Fatalf("Unknown = %v", got)
	}
}

func TestDefinePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"twice":       func() { Define(Key{Name: "a", Type: TypeInt}, Key{Name: "a", Type: TypeInt}) },
		"bad default": func() { Define(Key{Name: "a", Type: TypeInt, Default: "x"}) },
		"invalid":     func() { Define(Key{Name: "a", Type: TypeInt, Default: 0, Validator: AtLeast(1)}) },
		"wrong type":  func() { Define(Key{Name: "a", Type: TypeInt, Default: true}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestValidateAndResult(t *testing.T) {
	d := testDef()
	values := d.Validate(map[string]string{"tasks.max": "x", "secret": "s", "tolerance": "some"})
	byName := map[string]ConfigValue{}
	for _, v := range values {
		byName[v.Name] = v
	}
	// parseForValidate: a value that did not parse is null, and the
	// validator still runs on it.
	if got := byName["tasks.max"].Errors; !reflect.DeepEqual(got, []string{
		"Invalid value x for configuration tasks.max: Not a number of type INT",
		"Invalid value null for configuration tasks.max: Value must be non-null",
	}) {
		t.Fatalf("tasks.max errors %q", got)
	}
	if got := byName["name"].Errors; !reflect.DeepEqual(got, []string{`Missing required configuration "name" which has no default value.`}) {
		t.Fatalf("name errors %q", got)
	}
	values = append(values, ConfigValue{Name: "loose", Errors: []string{"bad"}})
	res := Result("C", d.Keys(), values, d.Groups())
	if res.ErrorCount != 5 || !reflect.DeepEqual(res.Groups, []string{"Common", "Error Handling"}) {
		t.Fatalf("result %d errors, groups %v", res.ErrorCount, res.Groups)
	}
	if res.Configs[0].Definition != nil || res.Configs[0].Value.Name != "loose" {
		t.Fatalf("undefined value first: %#v", res.Configs[0])
	}
	js, err := json.Marshal(res.Configs[1:3])
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"definition":{"name":"name","type":"STRING","required":true,"default_value":null,"importance":"HIGH","documentation":"The name.","group":"Common","order":1,"width":"MEDIUM","display_name":"Name","dependents":[]},` +
		`"value":{"name":"name","value":null,"recommended_values":[],"errors":["Missing required configuration \"name\" which has no default value."],"visible":true}},` +
		`{"definition":{"name":"tasks.max","type":"INT","required":false,"default_value":"1","importance":"HIGH","documentation":"Tasks.","group":"Common","order":2,"width":"SHORT","display_name":"Tasks max","dependents":[]},` +
		`"value":{"name":"tasks.max","value":null,"recommended_values":[],"errors":["Invalid value x for configuration tasks.max: Not a number of type INT","Invalid value null for configuration tasks.max: Value must be non-null"],"visible":true}}]`
	if string(js) != want {
		t.Fatalf("JSON\n%s\nwant\n%s", js, want)
	}
	if v := byName["secret"].Info(); *v.Value != "[hidden]" {
		t.Fatalf("password shown as %q", *v.Value)
	}
}

type recommender struct{}

func (recommender) ValidValues(string, map[string]any) []any { return []any{"x", "y"} }
func (recommender) Visible(_ string, parsed map[string]any) bool {
	return parsed["on"] == true
}

func TestEmbedAndRecommender(t *testing.T) {
	child := Define(
		Key{Name: "on", Type: TypeBoolean, Default: false, Order: 2, Dependents: []string{"pick"}},
		Key{Name: "pick", Type: TypeString, Default: "x", Validator: In("x", "y"), Recommender: recommender{}, Order: 1},
	)
	d := Define(Key{Name: "transforms", Type: TypeList, Default: "", Group: "Transforms"}).
		Embed("transforms.a.", "Transforms: a", 1, child)
	keys := d.Keys()
	if keys[1].Name != "transforms.a.pick" || keys[1].Order != 1 || keys[1].Group != "Transforms: a" ||
		keys[2].Name != "transforms.a.on" || keys[2].Dependents[0] != "transforms.a.pick" {
		t.Fatalf("embedded keys %#v", keys)
	}
	values := d.Validate(map[string]string{"transforms.a.on": "true", "transforms.a.pick": "z"})
	pick := values[1]
	// The embedded validator sees the name without the prefix, as Kafka's
	// embeddedValidator passes it.
	if !reflect.DeepEqual(pick.Errors, []string{"Invalid value z for configuration pick: String must be one of: x, y"}) ||
		!pick.Visible || len(pick.RecommendedValues) != 2 {
		t.Fatalf("pick %#v", pick)
	}
}

func TestMarkdown(t *testing.T) {
	md := testDef().Markdown()
	want := "| Name | Description | Type | Default | Valid Values | Importance |\n" +
		"|---|---|---|---|---|---|\n" +
		"| `name` | The name. | string |  | non-empty string without ISO control characters | high |\n" +
		"| `tasks.max` | Tasks. | int | 1 | [1,...] | high |\n" +
		"| `aliases` |  | list | \"\" |  | low |\n" +
		"| `secret` |  | password | null |  | low |\n" +
		"| `retry` |  | long | 0 |  | medium |\n" +
		"| `tolerance` |  | string | none | [none, all] | medium |\n"
	if md != want {
		t.Fatalf("Markdown:\n%s\nwant\n%s", md, want)
	}
	if strings.Contains(Define(Key{Name: "a", Type: TypeString, Internal: true}).Markdown(), "`a`") {
		t.Fatal("internal key listed")
	}
}
