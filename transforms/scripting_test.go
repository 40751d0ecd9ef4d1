package transforms

import (
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// The records of Debezium's TransformsUtils.java (debezium-scripting 3.5):
// a dummy envelope whose before/after hold {id int8, name string}.
var (
	dummyRecordSchema = schema.StructOf("", false,
		schema.NewField("id", schema.Int8Schema), schema.NewField("name", schema.StringSchema))
	dummySourceSchema = schema.StructOf("", false,
		schema.NewField("lsn", schema.Int32Schema), schema.NewField("version", schema.StringSchema))
)

func dummyEnvelopeSchema(name string, record *schema.Schema) *schema.Schema {
	opt := *record
	opt.Optional = true
	return schema.StructOf(name, false,
		schema.NewField("before", &opt), schema.NewField("after", &opt),
		schema.NewField("source", dummySourceSchema), schema.NewField("op", schema.StringSchema),
		schema.NewField("ts_ms", schema.OptionalInt64Schema))
}

func dummySource() *schema.Struct {
	return schema.NewStruct(dummySourceSchema).Set("lsn", int32(1234)).Set("version", "version!")
}

// createDeleteRecord is TransformsUtils.createDeleteRecord(id).
func createDeleteRecord(id int) connect.SourceRecord {
	env := dummyEnvelopeSchema("dummy.Envelope", dummyRecordSchema)
	before := schema.NewStruct(dummyRecordSchema).Set("id", int8(id)).Set("name", "myRecord")
	v := schema.NewStruct(env).Set("before", before).Set("source", dummySource()).Set("op", "d").
		Set("ts_ms", time.Now().UnixMilli())
	return connect.SourceRecord{Topic: "dummy" + string(rune('0'+id)), ValueSchema: env, Value: v,
		Headers: []connect.Header{{Key: "idh", Schema: schema.Int32Schema, Value: int32(id)}}}
}

// createDeleteCustomerRecord is TransformsUtils.createDeleteCustomerRecord.
func createDeleteCustomerRecord(id int) connect.SourceRecord {
	r := createDeleteRecord(id)
	r.Topic, r.Headers = "customer", nil
	return r
}

// createMongoDbRecord is TransformsUtils.createMongoDbRecord: after is a
// JSON string.
func createMongoDbRecord() connect.SourceRecord {
	env := dummyEnvelopeSchema("dummy.Envelope", schema.StringSchema)
	v := schema.NewStruct(env).Set("after",
		`{"_id": {"$numberLong": "1004"},"first_name": "Anne","last_name": "Kretchmar","email": "annek@noanswer.org"}`).
		Set("source", dummySource()).Set("op", "c")
	return connect.SourceRecord{Topic: "original", ValueSchema: env, Value: v}
}

func createNullRecord() connect.SourceRecord { return connect.SourceRecord{Topic: "dummy"} }

func newScript(t *testing.T, class string, props map[string]string) connect.Transformation {
	t.Helper()
	for _, p := range scriptingPlugins() {
		if p.Class == class {
			tr, errs := p.New(props)
			if len(errs) > 0 {
				t.Fatalf("configuring %s: %v", class, errs)
			}
			return tr
		}
	}
	t.Fatalf("no plugin %s", class)
	return nil
}

func scriptErrors(class string, props map[string]string) []connect.ConfigError {
	for _, p := range scriptingPlugins() {
		if p.Class == class {
			_, errs := p.New(props)
			return errs
		}
	}
	return nil
}

func mustApply(t *testing.T, tr connect.Transformation, r connect.SourceRecord) (connect.SourceRecord, bool) {
	t.Helper()
	out, keep, err := tr.Apply(r)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return out, keep
}

// FilterTest.java, with the Groovy expressions written in JavaScript
// (they are valid JavaScript as they stand, except where noted).
func TestScriptingFilterConfig(t *testing.T) {
	cases := []struct {
		name  string
		props map[string]string
		prop  string
		msg   string
	}{
		{"testLanguageRequired", map[string]string{"condition": "operation != 'd'"}, "language", "A value is required"},
		{"testExpressionRequired", map[string]string{"language": "jsr223.graal.js"}, "condition", "A value is required"},
		{"shouldFailOnUnkownLanguage", map[string]string{"condition": "operation != 'd'", "language": "jsr223.jython"}, "language", "Implementation of language 'jython' not found"},
		{"shouldFailToParseCondition", map[string]string{"condition": "operation != 'd", "language": "jsr223.graal.js"}, "condition", "Failed to parse expression"},
		{"groovy", map[string]string{"condition": "value.op != 'd'", "language": "jsr223.groovy"}, "language", "Groovy expressions are not supported"},
		{"wasm", map[string]string{"condition": "filter1.wasm", "language": "wasm.chicory"}, "language", "WebAssembly"},
		{"no prefix", map[string]string{"condition": "true", "language": "graal.js"}, "language", "must begin with 'jsr223.' or 'wasm'"},
		{"null handling", map[string]string{"condition": "true", "language": "jsr223.graal.js", "null.handling.mode": "ignore"}, "null.handling.mode", "keep, drop, evaluate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := scriptErrors(ScriptingFilterClass, c.props)
			if len(errs) != 1 || errs[0].Name != c.prop || !strings.Contains(errs[0].Message, c.msg) {
				t.Fatalf("errors = %v, want one on %s containing %q", errs, c.prop, c.msg)
			}
		})
	}
}

func TestScriptingFilter(t *testing.T) {
	js := func(cond string, extra ...string) map[string]string {
		p := map[string]string{"condition": cond, "language": "jsr223.graal.js"}
		for i := 0; i+1 < len(extra); i += 2 {
			p[extra[i]] = extra[i+1]
		}
		return p
	}
	t.Run("shouldProcessCondition", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js("value.op != 'd' || value.before.id != 2"))
		if _, keep := mustApply(t, tr, createDeleteRecord(2)); keep {
			t.Error("record 2 kept")
		}
		if r, keep := mustApply(t, tr, createDeleteRecord(1)); !keep || r.Topic != "dummy1" {
			t.Error("record 1 dropped")
		}
	})
	t.Run("shouldProcessTopic", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js("topic == 'dummy1'"))
		if _, keep := mustApply(t, tr, createDeleteRecord(2)); keep {
			t.Error("record 2 kept")
		}
		if _, keep := mustApply(t, tr, createDeleteRecord(1)); !keep {
			t.Error("record 1 dropped")
		}
	})
	t.Run("shouldProcessHeader", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js("header.idh.value == 1"))
		if _, keep := mustApply(t, tr, createDeleteRecord(2)); keep {
			t.Error("record 2 kept")
		}
		if _, keep := mustApply(t, tr, createDeleteRecord(1)); !keep {
			t.Error("record 1 dropped")
		}
	})
	t.Run("shouldApplyTopicRegex", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js("value.op != 'd' || value.before.id != 2", "topic.regex", "dum.*"))
		if _, keep := mustApply(t, tr, createDeleteCustomerRecord(2)); !keep {
			t.Error("record on a topic the regex does not match was dropped")
		}
		if _, keep := mustApply(t, tr, createDeleteRecord(2)); keep {
			t.Error("record 2 kept")
		}
	})
	t.Run("shouldKeepNulls", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js("value.op != 'd' || value.before.id != 2"))
		if _, keep := mustApply(t, tr, createNullRecord()); !keep {
			t.Error("null dropped")
		}
	})
	t.Run("shouldDropNulls", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js("value.op != 'd' || value.before.id != 2", "null.handling.mode", "drop"))
		if _, keep := mustApply(t, tr, createNullRecord()); keep {
			t.Error("null kept")
		}
	})
	t.Run("shouldEvaluateNulls", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js("value.op != 'd' || value.before.id != 2", "null.handling.mode", "evaluate"))
		if _, _, err := tr.Apply(createNullRecord()); err == nil {
			t.Error("evaluating value.op on a null value did not fail")
		}
	})
	t.Run("shouldRunJavaScriptWithHeaderAndTopic", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js("header.idh.value == 1 && topic.startsWith('dummy')"))
		if _, keep := mustApply(t, tr, createDeleteRecord(2)); keep {
			t.Error("record 2 kept")
		}
		if _, keep := mustApply(t, tr, createDeleteRecord(1)); !keep {
			t.Error("record 1 dropped")
		}
	})
	t.Run("schemas", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js(
			"valueSchema.name() == 'dummy.Envelope' && valueSchema.type() == 'STRUCT' && "+
				"valueSchema.field('before').schema().field('id').schema().type() == 'INT8' && keySchema == null && key == null && "+
				"header.idh.schema.type() == 'INT32' && Object.keys(value.before).join() == 'id,name'"))
		if _, keep := mustApply(t, tr, createDeleteRecord(1)); !keep {
			t.Error("the schema accessors did not answer as Kafka's Schema does")
		}
	})
	t.Run("not a boolean", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js("value.op"))
		if _, _, err := tr.Apply(createDeleteRecord(1)); err == nil || !strings.Contains(err.Error(), "is not a Boolean") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("read-only", func(t *testing.T) {
		tr := newScript(t, ScriptingFilterClass, js("value.op = 'c'; true"))
		if _, _, err := tr.Apply(createDeleteRecord(1)); err == nil || !strings.Contains(err.Error(), "must not be modified") {
			t.Errorf("err = %v", err)
		}
	})
}

// A runaway expression is interrupted and fails the task instead of
// hanging it; the next record evaluates normally.
func TestScriptingTimeout(t *testing.T) {
	tr := newScript(t, ScriptingFilterClass, map[string]string{"condition": "while (true) {}", "language": "jsr223.graal.js"})
	tr.(*scripting).timeout = 50 * time.Millisecond
	_, _, err := tr.Apply(createDeleteRecord(1))
	if err == nil || !strings.Contains(err.Error(), "ran longer than") {
		t.Fatalf("err = %v, want an interruption", err)
	}

	ok := newScript(t, ScriptingFilterClass, map[string]string{"condition": "value.op == 'd'", "language": "jsr223.graal.js"})
	s := ok.(*scripting)
	s.timeout = time.Hour
	for range 3 {
		if _, keep := mustApply(t, ok, createDeleteRecord(1)); !keep {
			t.Fatal("dropped")
		}
	}
}

// RouterTest.java, the Groovy expressions written in JavaScript.
func TestContentBasedRouter(t *testing.T) {
	const expr = "value == null ? 'nulls' : (value.before.id == 1 ? 'ones' : null)"
	js := func(e string, extra ...string) map[string]string {
		p := map[string]string{"topic.expression": e, "language": "jsr223.graal.js"}
		for i := 0; i+1 < len(extra); i += 2 {
			p[extra[i]] = extra[i+1]
		}
		return p
	}
	t.Run("testExpressionRequired", func(t *testing.T) {
		errs := scriptErrors(ContentBasedRouterClass, map[string]string{"language": "jsr223.graal.js"})
		if len(errs) != 1 || errs[0].Name != "topic.expression" {
			t.Fatalf("errors = %v", errs)
		}
	})
	t.Run("shouldFailOnInvalidReturnValue", func(t *testing.T) {
		tr := newScript(t, ContentBasedRouterClass, js("1"))
		if _, _, err := tr.Apply(createDeleteRecord(1)); err == nil || !strings.Contains(err.Error(), "is not a String") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("shouldRoute", func(t *testing.T) {
		tr := newScript(t, ContentBasedRouterClass, js(expr))
		if r, _ := mustApply(t, tr, createDeleteRecord(1)); r.Topic != "ones" {
			t.Errorf("topic = %s", r.Topic)
		}
		if r, _ := mustApply(t, tr, createDeleteRecord(2)); r.Topic != "dummy2" {
			t.Errorf("topic = %s", r.Topic)
		}
	})
	t.Run("shouldRouteMongoDbFormat", func(t *testing.T) {
		tr := newScript(t, ContentBasedRouterClass, js("value == null ? 'nulls' : (JSON.parse(value.after).last_name == 'Kretchmar' ? 'kretchmar' : null)"))
		if r, _ := mustApply(t, tr, createMongoDbRecord()); r.Topic != "kretchmar" {
			t.Errorf("topic = %s", r.Topic)
		}
	})
	t.Run("shouldApplyTopicRegex", func(t *testing.T) {
		tr := newScript(t, ContentBasedRouterClass, js(expr, "topic.regex", "orig.*"))
		if r, _ := mustApply(t, tr, createDeleteRecord(1)); r.Topic != "dummy1" {
			t.Errorf("matching topic = %s", r.Topic)
		}
		if r, _ := mustApply(t, tr, createDeleteCustomerRecord(1)); r.Topic != "customer" {
			t.Errorf("non-matching topic = %s", r.Topic)
		}
	})
	t.Run("shouldKeepNulls", func(t *testing.T) {
		tr := newScript(t, ContentBasedRouterClass, js(expr))
		if r, keep := mustApply(t, tr, createNullRecord()); !keep || r.Topic != "dummy" {
			t.Errorf("topic = %s keep = %v", r.Topic, keep)
		}
	})
	t.Run("shouldDropNulls", func(t *testing.T) {
		tr := newScript(t, ContentBasedRouterClass, js(expr, "null.handling.mode", "drop"))
		if _, keep := mustApply(t, tr, createNullRecord()); keep {
			t.Error("null kept")
		}
	})
	t.Run("shouldEvaluateNulls", func(t *testing.T) {
		tr := newScript(t, ContentBasedRouterClass, js(expr, "null.handling.mode", "evaluate"))
		if r, _ := mustApply(t, tr, createNullRecord()); r.Topic != "nulls" {
			t.Errorf("topic = %s", r.Topic)
		}
	})
}

func FuzzScriptingExpression(f *testing.F) {
	for _, s := range []string{"value.op == 'd'", "topic", "header.idh.value", "while(", "value.after.x.y", "keySchema.name()"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		p := map[string]string{"condition": expr, "language": "jsr223.graal.js"}
		for _, pl := range scriptingPlugins() {
			if pl.Class != ScriptingFilterClass {
				continue
			}
			tr, errs := pl.New(p)
			if len(errs) > 0 {
				return
			}
			tr.(*scripting).timeout = 20 * time.Millisecond
			_, _, _ = tr.Apply(createDeleteRecord(1))
		}
	})
}
