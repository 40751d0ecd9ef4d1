package herder

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
)

// transformPlugin returns the installed transformation class, or nil.
func (h *Herder) transformPlugin(class string) *connect.TransformationPlugin {
	for i := range h.cfg.Transformations {
		if h.cfg.Transformations[i].Class == class {
			return &h.cfg.Transformations[i]
		}
	}
	return nil
}

// predicatePlugin returns the installed predicate class, or nil.
func (h *Herder) predicatePlugin(class string) *connect.PredicatePlugin {
	for i := range h.cfg.Predicates {
		if h.cfg.Predicates[i].Class == class {
			return &h.cfg.Predicates[i]
		}
	}
	return nil
}

// prefixed returns the properties under prefix, with it removed.
func prefixed(config map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range config {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}

// pluginType returns the class in <prefix>type, or a problem with it.
func pluginType(config map[string]string, prefix string, found func(string) bool) (string, *connect.ConfigError) {
	class := strings.TrimSpace(config[prefix+"type"])
	if class == "" {
		return "", &connect.ConfigError{Name: prefix + "type", Message: fmt.Sprintf(
			"Missing required configuration %q which has no default value.", prefix+"type")}
	}
	if !found(class) {
		return "", &connect.ConfigError{Name: prefix + "type", Message: fmt.Sprintf(
			"Invalid value %s for configuration %stype: Class %s could not be found.", class, prefix, class)}
	}
	return class, nil
}

// buildTransforms configures the connector's transformation chain, in the
// order of its "transforms" list, with the predicates they name (Kafka
// Connect's ConnectorConfig.transformationStages), returning every problem
// at once, named as Kafka Connect names them
// (transforms.<alias>.<property>, predicates.<alias>.<property>).
func (h *Herder) buildTransforms(config map[string]string) ([]connect.Transformation, []connect.ConfigError) {
	// A repeated alias is reported by SourceConnectorConfigDef
	// (checkConfig); each alias is configured once.
	var errs []connect.ConfigError
	preds := map[string]connect.Predicate{}
	predAliases := uniqueAliases(config, "predicates")
	for _, alias := range predAliases {
		prefix := "predicates." + alias + "."
		class, err := pluginType(config, prefix, func(c string) bool { return h.predicatePlugin(c) != nil })
		if err != nil {
			errs = append(errs, *err)
			continue
		}
		plugin := h.predicatePlugin(class)
		props := prefixed(config, prefix)
		p, perrs := plugin.New(props)
		errs = append(errs, pluginErrors(pluginDef(plugin.Config), props, prefix, perrs)...)
		if len(perrs) == 0 && p != nil {
			preds[alias] = p
		}
	}

	var chain []connect.Transformation
	for _, alias := range uniqueAliases(config, "transforms") {
		prefix := "transforms." + alias + "."
		class, err := pluginType(config, prefix, func(c string) bool { return h.transformPlugin(c) != nil })
		if err != nil {
			errs = append(errs, *err)
			continue
		}
		props := prefixed(config, prefix)
		// predicate and negate belong to the runtime (TransformationStage)
		// and mask the transformation's own properties of those names.
		predAlias, hasPred := props["predicate"]
		negateValue, hasNegate := props["negate"]
		delete(props, "predicate")
		delete(props, "negate")
		var pred connect.Predicate
		if hasPred {
			predAlias = strings.TrimSpace(predAlias)
			if pred = preds[predAlias]; pred == nil && !slices.Contains(predAliases, predAlias) {
				errs = append(errs, connect.ConfigError{Name: prefix + "predicate", Message: fmt.Sprintf(
					"Invalid value %s for configuration %spredicate: the predicate is not in \"predicates\"", predAlias, prefix)})
			}
		}
		negate := false
		if hasNegate {
			switch strings.ToLower(strings.TrimSpace(negateValue)) {
			case "true":
				negate = true
			case "false":
			default:
				errs = append(errs, connect.ConfigError{Name: prefix + "negate", Message: fmt.Sprintf(
					"Invalid value %s for configuration %snegate: Expected value to be either true or false", negateValue, prefix)})
			}
			if !hasPred {
				errs = append(errs, connect.ConfigError{Name: prefix + "negate", Message: fmt.Sprintf(
					"Config '%snegate' was provided but there is no config '%spredicate' defining a predicate to be negated.", prefix, prefix)})
			}
		}
		plugin := h.transformPlugin(class)
		t, perrs := plugin.New(props)
		errs = append(errs, pluginErrors(pluginDef(plugin.Config), props, prefix, perrs)...)
		if len(perrs) == 0 && t != nil {
			if pred != nil {
				t = predicatedStage{transformation: t, predicate: pred, negate: negate}
			}
			chain = append(chain, classedStage{Transformation: t, class: class})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return chain, nil
}

// predicatedStage applies a transformation only to the records its predicate accepts
// (rejects, when negated), as Kafka Connect's TransformationStage does.
type predicatedStage struct {
	transformation connect.Transformation
	predicate      connect.Predicate
	negate         bool
}

// SetLogger hands the logger to the transformation, if it logs.
func (s predicatedStage) SetLogger(l *slog.Logger) {
	if lt, ok := s.transformation.(connect.LoggingTransformation); ok {
		lt.SetLogger(l)
	}
}

func (s predicatedStage) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	if s.negate == s.predicate.Test(r) {
		return r, true, nil
	}
	return s.transformation.Apply(r)
}
