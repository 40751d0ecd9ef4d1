package transforms

import (
	"reflect"
	"testing"
)

// TestPluginsDeclareConfig: every class carries the ConfigDef its
// constructor parses, and the constructor reports what the Def's
// validation reports for the same properties.
func TestPluginsDeclareConfig(t *testing.T) {
	for _, p := range Plugins() {
		if p.Config == nil {
			t.Errorf("%s has no Config", p.Class)
		}
	}
	for _, p := range PredicatePlugins() {
		if p.Config == nil {
			t.Errorf("%s has no Config", p.Class)
		}
	}
	cases := []struct {
		class  string
		config map[string]string
	}{
		{ValueToKeyClass, map[string]string{"fields": " "}},
		{ExtractFieldValueClass, map[string]string{"field.syntax.version": "v3"}},
		{ReplaceFieldValueClass, map[string]string{"renames": "a:b,c"}},
		{TimestampRouterClass, map[string]string{"timestamp.format": "qq"}},
		{RegexRouterClass, map[string]string{"regex": "a"}},
		{ExtractNewRecordStateClass, map[string]string{"delete.tombstone.handling.mode": "keep"}},
	}
	for _, c := range cases {
		var plugin = -1
		all := Plugins()
		for i := range all {
			if all[i].Class == c.class {
				plugin = i
			}
		}
		_, errs := all[plugin].New(c.config)
		var fromNew, fromDef []string
		for _, e := range errs {
			fromNew = append(fromNew, e.Message)
		}
		for _, v := range all[plugin].Config.Validate(c.config) {
			fromDef = append(fromDef, v.Errors...)
		}
		if len(fromNew) == 0 || !reflect.DeepEqual(fromNew, fromDef) {
			t.Errorf("%s %v: New says %q, the Def %q", c.class, c.config, fromNew, fromDef)
		}
	}
}
