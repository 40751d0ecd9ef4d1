package transforms

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/javaregex"
)

// Debezium's scripting transformations (debezium-scripting 3.5,
// io.debezium.transforms.Filter and ContentBasedRouter on
// ScriptingTransformation).
const (
	ScriptingFilterClass    = "io.debezium.transforms.Filter"
	ContentBasedRouterClass = "io.debezium.transforms.ContentBasedRouter"
)

// Properties of ScriptingTransformation, Filter and ContentBasedRouter.
const (
	propScriptTopicRegex   = "topic.regex"
	propScriptLanguage     = "language"
	propScriptCondition    = "condition"
	propScriptTopicExpr    = "topic.expression"
	propScriptNullHandling = "null.handling.mode"
)

// The one language Tributary evaluates: ScriptingTransformation strips
// "jsr223." and hands graal.js to GraalJsEngine.
const (
	languageGraalJS = "jsr223.graal.js"
	jsr223Prefix    = "jsr223."
	wasmPrefix      = "wasm."
)

// ScriptTimeout bounds one evaluation of a scripting transformation's
// expression: a runaway expression is interrupted and fails the task.
// Debezium has no such bound; a record's expression that runs this long is a
// mistake, not a workload.
const ScriptTimeout = 5 * time.Second

func scriptingPlugins() []connect.TransformationPlugin {
	return []connect.TransformationPlugin{
		{Class: ScriptingFilterClass, New: newScripting(scriptFilter), Config: ScriptingFilterDef},
		{Class: ContentBasedRouterClass, New: newScripting(scriptRouter), Config: ContentBasedRouterDef},
	}
}

// scriptingKeys is ScriptingTransformation.config(): Field.group(config,
// null, TOPIC_REGEX, LANGUAGE, expressionField(), NULL_HANDLING).
func scriptingKeys(expr configdef.Key) []configdef.Key {
	return []configdef.Key{
		debeziumKey(propScriptTopicRegex, configdef.TypeString, nil, javaRegex(""), low, configdef.WidthLong, "Topic regex",
			"A regex used for selecting the topic(s) to which this transformation should be applied."),
		debeziumKey(propScriptLanguage, configdef.TypeString, nil, languageValidator, high, configdef.WidthMedium, "Expression language",
			"An expression language used to evaluate the expression. Must begin with 'jsr223.' or 'wasm.', e.g.  'jsr223.groovy' or 'jsr223.graal.js' or 'wasm.chicory'."),
		expr,
		debeziumKey(propScriptNullHandling, configdef.TypeString, "keep",
			oneOfLower("keep, drop, evaluate", "The value must be one of keep, drop, evaluate", "keep", "drop", "evaluate"),
			low, configdef.WidthShort, "Handle null records",
			"How to handle records with null value. Options are: keep - records are passed (the default),drop - records are removed,evaluate - the null records are passed for evaluation."),
	}
}

// ScriptingFilterDef is io.debezium.transforms.Filter's config().
var ScriptingFilterDef = configdef.Define(scriptingKeys(
	debeziumKey(propScriptCondition, configdef.TypeString, nil, expressionValidator, high, configdef.WidthMedium, "Filtering condition",
		"An expression determining whether the record should be filtered out. When evaluated to true the record is removed."))...)

// ContentBasedRouterDef is io.debezium.transforms.ContentBasedRouter's
// config().
var ContentBasedRouterDef = configdef.Define(scriptingKeys(
	debeziumKey(propScriptTopicExpr, configdef.TypeString, nil, expressionValidator, high, configdef.WidthMedium, "Topic name expression",
		"An expression determining the new name of the topic the record should use. When null the record is delivered to the original topic."))...)

// languageValidator refuses, naming the property, the languages
// Tributary does not evaluate.
var languageValidator = configdef.Func("jsr223.graal.js", func(name string, v any) error {
	s, ok := v.(string)
	if !ok {
		return nil // unset: New reports that a value is required
	}
	if reason := languageProblem(s); reason != "" {
		return configdef.Invalid(name, v, reason)
	}
	return nil
})

// expressionValidator refuses an expression that does not parse.
var expressionValidator = configdef.Func("", func(name string, v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if _, err := goja.Compile("", s, false); err != nil {
		return configdef.Invalid(name, v, fmt.Sprintf("Failed to parse expression '%s': %v", s, err))
	}
	return nil
})

// scriptKind is what a scripting transformation does with the result.
type scriptKind int

const (
	scriptFilter scriptKind = iota // Filter: keep the record when true
	scriptRouter                   // ContentBasedRouter: the new topic, or null
)

func (k scriptKind) exprProp() string {
	if k == scriptFilter {
		return propScriptCondition
	}
	return propScriptTopicExpr
}

// scripting is ScriptingTransformation with GraalJsEngine's bindings, on
// goja. One goja runtime per transformation instance, reused for every
// record: the bindings are set before each evaluation.
type scripting struct {
	kind       scriptKind
	expression string
	program    *goja.Program
	topicRe    *regexp.Regexp // whole-topic match; nil applies to every topic
	nulls      string         // keep, drop, evaluate
	timeout    time.Duration

	mu sync.Mutex // one evaluation at a time on vm
	vm *goja.Runtime

	// guard serialises the watchdog's interrupt with the end of an
	// evaluation, so that a timer firing late never interrupts the next one.
	guard   sync.Mutex
	running uint64 // the evaluation the watchdog may interrupt; 0 none
	seq     uint64
}

func newScripting(kind scriptKind) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	def := ScriptingFilterDef
	if kind == scriptRouter {
		def = ContentBasedRouterDef
	}
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		v, errs := def.Parse(config)
		if len(errs) > 0 {
			return nil, errs
		}
		exprProp := kind.exprProp()
		for _, p := range []string{propScriptLanguage, exprProp} {
			if v.Get(p) == nil {
				errs = append(errs, connect.ConfigError{Name: p,
					Message: fmt.Sprintf("The '%s' value is invalid: A value is required", p)})
			}
		}
		if len(errs) > 0 {
			return nil, errs
		}
		expression := v.String(exprProp)
		program, err := goja.Compile("", expression, false) // the validator parsed it already
		if err != nil {
			return nil, []connect.ConfigError{invalid(exprProp, expression, err.Error())}
		}
		t := &scripting{kind: kind, expression: expression, program: program, timeout: ScriptTimeout,
			nulls: strings.ToLower(javaTrim(v.String(propScriptNullHandling))), vm: goja.New()}
		if re := v.String(propScriptTopicRegex); re != "" {
			_, full, err := javaregex.Compile(re)
			if err != nil {
				return nil, []connect.ConfigError{invalid(propScriptTopicRegex, re, err.Error())}
			}
			t.topicRe = full
		}
		return t, nil
	}
}

// languageProblem follows ScriptingTransformation.configure: the prefix
// jsr223. or wasm., then the engine. Only graal.js runs here; the reason
// another language is refused, or "".
func languageProblem(language string) string {
	switch {
	case language == languageGraalJS:
		return ""
	case strings.HasPrefix(language, jsr223Prefix):
		name := strings.TrimPrefix(language, jsr223Prefix)
		if name == "groovy" {
			return "Groovy expressions are not supported by Tributary; use 'jsr223.graal.js'"
		}
		return fmt.Sprintf("Implementation of language '%s' not found on the classpath; Tributary evaluates 'jsr223.graal.js' only", name)
	case strings.HasPrefix(language, wasmPrefix):
		return "WebAssembly expressions are not supported by Tributary; use 'jsr223.graal.js'"
	}
	return "Value for option 'language' must begin with 'jsr223.' or 'wasm', e.g. 'jsr223.groovy'"
}

// Apply is ScriptingTransformation.apply and the subclass's doApply.
func (t *scripting) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	if r.Topic == "" { // an offset-only record: nothing to evaluate
		return r, true, nil
	}
	if t.topicRe != nil && !t.topicRe.MatchString(r.Topic) {
		return r, true, nil
	}
	if r.Value == nil {
		switch t.nulls {
		case "keep":
			return r, true, nil
		case "drop":
			return r, false, nil
		}
	}
	result, err := t.eval(r)
	if err != nil {
		return r, false, err
	}
	if t.kind == scriptFilter {
		b, ok := result.(bool)
		if !ok {
			if result == nil {
				return r, false, fmt.Errorf("Error while evaluating expression '%s' for record on topic %s: the expression returned null, not a Boolean", t.expression, r.Topic)
			}
			return r, false, fmt.Errorf("Value '%v' returned by the expression is not a Boolean", result)
		}
		return r, b, nil
	}
	switch topic := result.(type) {
	case nil:
		return r, true, nil
	case string:
		r.Topic = topic
		return r, true, nil
	default:
		return r, false, fmt.Errorf("Value '%v' returned by the expression is not a String", result)
	}
}

// eval runs the expression with the record bound, interrupting it after
// the timeout.
func (t *scripting) eval(r connect.SourceRecord) (any, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	vm := t.vm
	b := binder{vm: vm}
	for name, v := range map[string]goja.Value{
		"key": b.value(r.Key), "value": b.value(r.Value),
		"keySchema": b.schema(r.KeySchema), "valueSchema": b.schema(r.ValueSchema),
		"topic": vm.ToValue(r.Topic), "header": b.headers(r.Headers),
	} {
		if err := vm.Set(name, v); err != nil {
			return nil, fmt.Errorf("binding %s: %w", name, err)
		}
	}

	t.guard.Lock()
	t.seq++
	id := t.seq
	t.running = id
	t.guard.Unlock()
	timer := time.AfterFunc(t.timeout, func() {
		t.guard.Lock()
		defer t.guard.Unlock()
		if t.running == id {
			vm.Interrupt(fmt.Sprintf("the expression ran longer than %s", t.timeout))
		}
	})
	res, err := vm.RunProgram(t.program)
	timer.Stop()
	t.guard.Lock()
	t.running = 0
	t.guard.Unlock()
	vm.ClearInterrupt()
	if err != nil {
		return nil, fmt.Errorf("Error while evaluating expression '%s' for record on topic %s: %w", t.expression, r.Topic, err)
	}
	if res == nil || goja.IsUndefined(res) || goja.IsNull(res) {
		return nil, nil
	}
	return res.Export(), nil
}
