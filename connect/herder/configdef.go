package herder

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
)

// Connector configs are declared by connect.SourceConnectorConfigDef (Kafka
// Connect's ConnectorConfig and SourceConnectorConfig), enriched with the
// keys of the configured transformations and predicates
// (ConnectorConfig.enrich), then the connector's own ConfigDef. The checks
// of create and of config/validate are the same (checkConfig); validate
// reports them against these declarations, as AbstractHerder.
// validateConnectorConfig does.

// frameworkErrors returns what SourceConnectorConfigDef finds wrong with
// config, for the keys keep selects, and the parsed values.
func frameworkErrors(config map[string]string, keep func(name string) bool) (*configdef.Values, []connect.ConfigError) {
	v, errs := connect.SourceConnectorConfigDef.Parse(config)
	out := errs[:0]
	for _, e := range errs {
		if keep(e.Name) {
			out = append(out, e)
		}
	}
	return v, out
}

// uniqueAliases is the aliases of a LIST property of the connector, each
// once, in order (the LinkedHashSet of EnrichablePlugin.enrich).
func uniqueAliases(config map[string]string, key string) []string {
	var out []string
	for _, a := range configdef.SplitList(config[key]) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// classRecommender is Kafka Connect's ClassRecommender: the installed
// classes of a kind.
type classRecommender []string

func (c classRecommender) ValidValues(string, map[string]any) []any {
	out := make([]any, len(c))
	for i, s := range c {
		out[i] = s
	}
	return out
}

func (classRecommender) Visible(string, map[string]any) bool { return true }

// transformStageDef is the implicit part of every transformation's config
// (ConnectorConfig.enrich's initialConfigDef: TransformationStage's
// predicate and negate).
var transformStageDef = configdef.Define(
	configdef.Key{Name: "predicate", Type: configdef.TypeString, Importance: configdef.ImportanceMedium,
		Documentation: "The alias of a predicate used to determine whether to apply this transformation.",
		Order:         -1, Width: configdef.WidthNone, DisplayName: "predicate"},
	configdef.Key{Name: "negate", Type: configdef.TypeBoolean, Default: false, Importance: configdef.ImportanceMedium,
		Documentation: "Whether the configured predicate should be negated.",
		Order:         -1, Width: configdef.WidthNone, DisplayName: "negate"},
)

// enrichedDef is the definition a source connector's config is parsed
// with: SourceConnectorConfig.configDef(), with the topic creation groups
// embedded when the worker creates the connector's topics
// (SourceConnectorConfig's enriched definition, topicCreationDef), then
// ConnectorConfig.enrich: for every transformation and predicate alias,
// its type key and, when the type is installed, its Config under the
// alias's prefix and group.
func (h *Herder) enrichedDef(config map[string]string) *configdef.Def {
	def := connect.SourceConnectorConfigDef
	if !h.cfg.TopicCreationDisabled && usesTopicCreation(config) {
		def, _, _ = topicCreationDef(def, config)
	}
	var transforms, predicates classRecommender
	for _, p := range h.cfg.Transformations {
		transforms = append(transforms, p.Class)
	}
	for _, p := range h.cfg.Predicates {
		predicates = append(predicates, p.Class)
	}
	enrich := func(aliasKey, group, kind, baseClass string, classes classRecommender, pluginDef func(class string) *configdef.Def) {
		for _, alias := range uniqueAliases(config, aliasKey) {
			prefix := aliasKey + "." + alias + "."
			g := group + ": " + alias
			def = def.With(configdef.Key{Name: prefix + "type", Type: configdef.TypeClass, Default: configdef.NoDefault,
				Importance: configdef.ImportanceHigh, Documentation: "Class for the '" + alias + "' " + kind + ".",
				Group: g, Order: 0, Width: configdef.WidthLong, DisplayName: baseClass + " type for " + alias,
				Recommender: classes})
			if child := pluginDef(strings.TrimSpace(config[prefix+"type"])); child != nil {
				def = def.Embed(prefix, g, 1, child)
			}
		}
	}
	enrich("transforms", connect.GroupTransforms, "transformation", "Transformation", transforms, func(class string) *configdef.Def {
		p := h.transformPlugin(class)
		if p == nil {
			return nil
		}
		child := transformStageDef
		if p.Config != nil {
			// The implicit keys mask the transformation's own of those names.
			for _, k := range p.Config.Keys() {
				if k.Name != "predicate" && k.Name != "negate" {
					child = child.With(k)
				}
			}
		}
		return child
	})
	enrich("predicates", connect.GroupPredicates, "predicate", "Predicate", predicates, func(class string) *configdef.Def {
		if p := h.predicatePlugin(class); p != nil && p.Config != nil {
			return p.Config
		}
		return nil
	})
	return def
}

// pluginDef is a Config, or an empty Def for a plugin that declares none.
func pluginDef(d *configdef.Def) *configdef.Def {
	if d == nil {
		return configdef.Define()
	}
	return d
}

// pluginErrors are the problems a transformation's or predicate's
// constructor found, named under prefix: the ones its Config finds are
// worded as ConfigDef.validateAll words an embedded key's (parse and
// missing errors name the prefixed key, validators the plain one), the
// constructor's own checks follow.
func pluginErrors(def *configdef.Def, props map[string]string, prefix string, errs []connect.ConfigError) []connect.ConfigError {
	_, defErrs := def.Parse(props)
	var out []connect.ConfigError
	for _, e := range errs {
		if slices.Contains(defErrs, e) {
			continue
		}
		out = append(out, connect.ConfigError{Name: prefix + e.Name, Message: e.Message})
	}
	embedded := configdef.Define().Embed(prefix, "", 0, def)
	withPrefix := map[string]string{}
	for k, v := range props {
		withPrefix[prefix+k] = v
	}
	_, embeddedErrs := embedded.Parse(withPrefix)
	return append(embeddedErrs, out...)
}

// PluginConfig answers GET /connector-plugins/{plugin}/config as
// AbstractHerder.connectorPluginConfig does: a connector's own keys, then
// the framework's (SourceConnectorConfig) it does not redefine; a
// transformation's, predicate's or converter's keys.
func (h *Herder) PluginConfig(_ context.Context, plugin string) ([]connect.ConfigKey, error) {
	if p := h.plugins[plugin]; p != nil {
		out := []connect.ConfigKey{}
		own := map[string]bool{}
		if d, ok := p().(connect.ConfigDefiner); ok {
			for _, k := range d.ConfigDef().Infos() {
				own[k.Name] = true
				out = append(out, k)
			}
		}
		for _, k := range connect.SourceConnectorConfigDef.Infos() {
			if !own[k.Name] {
				out = append(out, k)
			}
		}
		return out, nil
	}
	if t := h.transformPlugin(plugin); t != nil {
		return pluginDef(t.Config).Infos(), nil
	}
	if p := h.predicatePlugin(plugin); p != nil {
		return pluginDef(p.Config).Infos(), nil
	}
	if h.cfg.ConverterConfigDef != nil {
		if d := h.cfg.ConverterConfigDef(plugin); d != nil {
			return d.Infos(), nil
		}
	}
	return nil, fmt.Errorf("plugin %s: %w", plugin, connect.ErrNotFound)
}

// ValidateConnectorConfig answers PUT /connector-plugins/{plugin}/config/
// validate as AbstractHerder.validateConnectorConfig does: the enriched
// framework keys and the connector's, in their groups (Common, Transforms,
// Predicates, Error Handling, Topic Creation, Exactly Once Support,
// offsets.topic, the topic creation groups when the worker creates the
// connector's topics ("default", "Topic Creation: <alias>"), "Transforms:
// <alias>", "Predicates: <alias>", then the connector's), each with its
// value and errors, then the converters'
// own keys when the config names a converter class. The errors are those
// create finds (checkConfig); one no key declares is reported under a
// definition of its own.
func (h *Herder) ValidateConnectorConfig(ctx context.Context, config map[string]string) (connect.ConfigInfos, error) {
	class := config["connector.class"]
	if class == "" {
		return connect.ConfigInfos{}, &connect.BadRequestError{Message: "Connector config " + formatConfig(config) + " contains no connector type"}
	}
	name, named := config["name"]
	errs, _, err := h.checkConfig(ctx, name, config)
	if err != nil {
		return connect.ConfigInfos{}, err
	}
	if !named {
		for i, e := range errs {
			if e.Name == "name" {
				errs[i].Message = configdef.MissingMessage("name")
			}
		}
	}
	resolved, err := h.resolve(config)
	if err != nil {
		return connect.ConfigInfos{}, err
	}
	framework := h.enrichedDef(config)
	keys := framework.Keys()
	values := framework.Validate(resolved)
	groups := framework.Groups()
	if p := h.plugin(config); p != nil {
		class = p().Class()
		if d, ok := p().(connect.ConfigDefiner); ok {
			own := d.ConfigDef()
			// configKeys.putAll: the connector's key replaces the
			// framework's of the same name, in place.
			for _, k := range own.Keys() {
				if i := slices.IndexFunc(keys, func(f configdef.Key) bool { return f.Name == k.Name }); i >= 0 {
					keys[i] = k
				} else {
					keys = append(keys, k)
				}
			}
			values = append(values, own.Validate(resolved)...)
			for _, g := range own.Groups() {
				if !slices.Contains(groups, g) {
					groups = append(groups, g)
				}
			}
		}
	}
	byName := map[string][]string{}
	var order []string
	for _, e := range errs {
		if _, seen := byName[e.Name]; !seen {
			order = append(order, e.Name)
		}
		byName[e.Name] = append(byName[e.Name], e.Message)
	}
	valueOf := map[string]configdef.ConfigValue{}
	for _, v := range values {
		valueOf[v.Name] = v
	}
	out := connect.ConfigInfos{Name: class, ErrorCount: len(errs), Groups: groups, Configs: []connect.ConfigInfo{}}
	if out.Groups == nil {
		out.Groups = []string{}
	}
	defined := map[string]bool{}
	for _, k := range keys {
		defined[k.Name] = true
		v := valueOf[k.Name]
		v.Name, v.Errors = k.Name, byName[k.Name]
		out.Configs = append(out.Configs, connect.ConfigInfo{Definition: k.Info(""), Value: v.Info()})
	}
	// Errors about properties without a definition still get reported.
	for _, name := range order {
		if defined[name] {
			continue
		}
		k := configdef.Key{Name: name, Type: configdef.TypeString, Importance: configdef.ImportanceLow, Width: configdef.WidthNone, DisplayName: name}
		var value any
		if s, ok := config[name]; ok {
			value = s
		}
		v := configdef.ConfigValue{Name: name, Value: value, Errors: byName[name], Visible: true}
		out.Configs = append(out.Configs, connect.ConfigInfo{Definition: k.Info(""), Value: v.Info()})
	}
	h.validateConverters(&out, resolved)
	redactInfos(&out)
	return out, nil
}

// validateConverters adds the keys of each converter the config names, as
// AbstractHerder.validateConverterConfig does, under the
// "<key|value|header>.converter." prefix. Kafka Connect skips a converter
// whose class property has an error; here that property also carries the
// converter's configuration errors (create builds the converter), so only
// an unknown class is skipped.
func (h *Herder) validateConverters(out *connect.ConfigInfos, config map[string]string) {
	if h.cfg.ConverterConfigDef == nil {
		return
	}
	for _, kind := range []string{"header", "key", "value"} {
		prop := kind + ".converter"
		class, ok := config[prop]
		if !ok {
			continue
		}
		def := h.cfg.ConverterConfigDef(class)
		if def == nil {
			continue
		}
		props := map[string]string{}
		for k, v := range config {
			if rest, ok := strings.CutPrefix(k, prop+"."); ok {
				props[rest] = v
			}
		}
		if _, ok := props["converter.type"]; !ok {
			props["converter.type"] = kind
		}
		infos := configdef.Prefixed(def, def.Validate(props), prop+".")
		out.ErrorCount += infos.ErrorCount
		for _, g := range infos.Groups {
			if !slices.Contains(out.Groups, g) {
				out.Groups = append(out.Groups, g)
			}
		}
		for _, c := range infos.Configs {
			ci := connect.ConfigInfo{Value: *c.Value}
			if c.Definition != nil {
				ci.Definition = *c.Definition
			} else {
				ci.Definition = configdef.Key{Name: c.Value.Name, Type: configdef.TypeString, Width: configdef.WidthNone}.Info("")
			}
			out.Configs = append(out.Configs, ci)
		}
	}
}

// formatConfig renders a config as Java's Map.toString does: {k=v, …},
// credentials hidden (redactValue).
func formatConfig(config map[string]string) string {
	keys := slices.Sorted(maps.Keys(config))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + redactValue(k, config[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
