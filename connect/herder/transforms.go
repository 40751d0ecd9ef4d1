package herder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
)

// transformAliases is the connector's "transforms" list (Kafka Connect's
// ConnectorConfig: a comma-separated list of aliases, blanks ignored).
func transformAliases(config map[string]string) []string {
	var out []string
	for a := range strings.SplitSeq(config["transforms"], ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// transformPlugin returns the installed transformation class, or nil.
func (h *Herder) transformPlugin(class string) *connect.TransformationPlugin {
	for i := range h.cfg.Transformations {
		if h.cfg.Transformations[i].Class == class {
			return &h.cfg.Transformations[i]
		}
	}
	return nil
}

// buildTransforms configures the connector's transformation chain, in the
// order of its "transforms" list, returning every problem at once, named as
// Kafka Connect names them (transforms.<alias>.<property>). Predicates are
// not available: a connector using them is refused rather than run without.
func (h *Herder) buildTransforms(config map[string]string) ([]connect.Transformation, []connect.ConfigError) {
	var (
		chain []connect.Transformation
		errs  []connect.ConfigError
	)
	aliases := transformAliases(config)
	for i, alias := range aliases {
		if slices.Contains(aliases[:i], alias) {
			errs = append(errs, connect.ConfigError{Name: "transforms", Message: fmt.Sprintf(
				"Invalid value %s for configuration transforms: Duplicate alias provided.", config["transforms"])})
			continue
		}
		prefix := "transforms." + alias + "."
		class := strings.TrimSpace(config[prefix+"type"])
		if class == "" {
			errs = append(errs, connect.ConfigError{Name: prefix + "type", Message: fmt.Sprintf(
				"Missing required configuration %q which has no default value.", prefix+"type")})
			continue
		}
		p := h.transformPlugin(class)
		if p == nil {
			errs = append(errs, connect.ConfigError{Name: prefix + "type", Message: fmt.Sprintf(
				"Invalid value %s for configuration %stype: Class %s could not be found.", class, prefix, class)})
			continue
		}
		props := map[string]string{}
		for k, v := range config {
			if rest, ok := strings.CutPrefix(k, prefix); ok {
				props[rest] = v
			}
		}
		for _, k := range []string{"predicate", "negate"} {
			if _, ok := props[k]; ok {
				errs = append(errs, connect.ConfigError{Name: prefix + k, Message: fmt.Sprintf(
					"Invalid value %s for configuration %s%s: Tributary does not support transformation predicates", props[k], prefix, k)})
			}
			delete(props, k)
		}
		t, perrs := p.New(props)
		for _, e := range perrs {
			errs = append(errs, connect.ConfigError{Name: prefix + e.Name, Message: e.Message})
		}
		if len(perrs) == 0 && t != nil {
			chain = append(chain, t)
		}
	}
	if v := strings.TrimSpace(config["predicates"]); v != "" {
		errs = append(errs, connect.ConfigError{Name: "predicates", Message: fmt.Sprintf(
			"Invalid value %s for configuration predicates: Tributary does not support transformation predicates", v)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return chain, nil
}
