package configdef

// The JSON forms of Kafka Connect's REST API (org.apache.kafka.connect.
// runtime.rest.entities ConfigKeyInfo, ConfigValueInfo, ConfigInfo,
// ConfigInfos) and AbstractHerder's conversions into them.

// KeyInfo is ConfigKeyInfo. Default is nil when the key has none.
type KeyInfo struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Required      bool     `json:"required"`
	Default       *string  `json:"default_value"`
	Importance    string   `json:"importance"`
	Documentation string   `json:"documentation"`
	Group         string   `json:"group"`
	Order         int      `json:"order"`
	Width         string   `json:"width"`
	DisplayName   string   `json:"display_name"`
	Dependents    []string `json:"dependents"`
}

// Info is AbstractHerder.convertConfigKey with a name prefix.
func (k Key) Info(prefix string) KeyInfo {
	ki := KeyInfo{Name: prefix + k.Name, Type: string(k.Type), Required: k.Required(),
		Importance: string(k.Importance), Documentation: k.Documentation, Group: k.Group,
		Order: k.Order, Width: string(k.Width), DisplayName: k.DisplayName, Dependents: k.Dependents}
	if ki.Width == "" {
		ki.Width = string(WidthNone)
	}
	if ki.Dependents == nil {
		ki.Dependents = []string{}
	}
	if !k.Required() {
		ki.Default = ToString(k.Default)
	}
	return ki
}

// Infos returns the keys' KeyInfos in declaration order
// (GET /connector-plugins/{plugin}/config).
func (d *Def) Infos() []KeyInfo {
	out := make([]KeyInfo, len(d.keys))
	for i, k := range d.keys {
		out[i] = k.Info("")
	}
	return out
}

// ValueInfo is ConfigValueInfo. Value is nil for null.
type ValueInfo struct {
	Name              string   `json:"name"`
	Value             *string  `json:"value"`
	RecommendedValues []string `json:"recommended_values"`
	Errors            []string `json:"errors"`
	Visible           bool     `json:"visible"`
}

// Info is AbstractHerder.convertConfigValue.
func (v ConfigValue) Info() ValueInfo {
	vi := ValueInfo{Name: v.Name, Value: ToString(v.Value), RecommendedValues: []string{}, Errors: v.Errors, Visible: v.Visible}
	if vi.Errors == nil {
		vi.Errors = []string{}
	}
	for _, r := range v.RecommendedValues {
		if s := ToString(r); s != nil {
			vi.RecommendedValues = append(vi.RecommendedValues, *s)
		}
	}
	return vi
}

// ConfigInfo is one entry of ConfigInfos.configs. Definition is nil for a
// value no key defines.
type ConfigInfo struct {
	Definition *KeyInfo   `json:"definition"`
	Value      *ValueInfo `json:"value"`
}

// ConfigInfos is the body of PUT /connector-plugins/{plugin}/config/validate.
type ConfigInfos struct {
	Name       string       `json:"name"`
	ErrorCount int          `json:"error_count"`
	Groups     []string     `json:"groups"`
	Configs    []ConfigInfo `json:"configs"`
}

// Result is AbstractHerder.generateResult: first the values no key
// defines, then every key in order with its value (nil if none). Errors
// are counted per message.
func Result(connType string, keys []Key, values []ConfigValue, groups []string) ConfigInfos {
	out := ConfigInfos{Name: connType, Groups: groups, Configs: []ConfigInfo{}}
	if out.Groups == nil {
		out.Groups = []string{}
	}
	defined := map[string]bool{}
	for _, k := range keys {
		defined[k.Name] = true
	}
	byName := map[string]ConfigValue{}
	for _, v := range values {
		byName[v.Name] = v
		if !defined[v.Name] {
			vi := v.Info()
			out.Configs = append(out.Configs, ConfigInfo{Value: &vi})
			out.ErrorCount += len(v.Errors)
		}
	}
	for _, k := range keys {
		ki := k.Info("")
		ci := ConfigInfo{Definition: &ki}
		if v, ok := byName[k.Name]; ok {
			vi := v.Info()
			ci.Value = &vi
			out.ErrorCount += len(v.Errors)
		}
		out.Configs = append(out.Configs, ci)
	}
	return out
}

// Prefixed is AbstractHerder.prefixedConfigInfos: the values of a plugin's
// own Def (a converter's, a client's) named under prefix. Errors are
// counted per property; groups are those of the keys with a value.
func Prefixed(d *Def, values []ConfigValue, prefix string) ConfigInfos {
	out := ConfigInfos{Groups: []string{}, Configs: []ConfigInfo{}}
	for _, v := range values {
		var ki *KeyInfo
		if k, ok := d.Key(v.Name); ok {
			if k.Group != "" && !contains(out.Groups, k.Group) {
				out.Groups = append(out.Groups, k.Group)
			}
			info := k.Info(prefix)
			ki = &info
		}
		v.Name = prefix + v.Name
		if len(v.Errors) > 0 {
			out.ErrorCount++
		}
		vi := v.Info()
		out.Configs = append(out.Configs, ConfigInfo{Definition: ki, Value: &vi})
	}
	return out
}

// Merge is AbstractHerder.mergeConfigInfos: the configs, error counts and
// groups of every part, under connType.
func Merge(connType string, parts ...ConfigInfos) ConfigInfos {
	out := ConfigInfos{Name: connType, Groups: []string{}, Configs: []ConfigInfo{}}
	for _, p := range parts {
		out.ErrorCount += p.ErrorCount
		out.Configs = append(out.Configs, p.Configs...)
		for _, g := range p.Groups {
			if !contains(out.Groups, g) {
				out.Groups = append(out.Groups, g)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
