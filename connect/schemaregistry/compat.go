package schemaregistry

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// avroType is a parsed Avro schema, enough for schema resolution checks.
type avroType struct {
	kind           string // primitive name, "record", "enum", "array", "map", "union", "fixed"
	logical        string
	name           string // full name of named types
	fields         []avroField
	symbols        []string
	items          *avroType // array items, map values
	branches       []*avroType
	size           int
	hasEnumDefault bool
}

type avroField struct {
	name       string
	typ        *avroType
	hasDefault bool
}

var primitives = map[string]bool{"null": true, "boolean": true, "int": true, "long": true,
	"float": true, "double": true, "bytes": true, "string": true}

// parseAvro parses Avro schema JSON, resolving named references.
func parseAvro(text string) (*avroType, error) {
	var raw any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("parsing schema JSON: %w", err)
	}
	p := &avroParser{named: map[string]*avroType{}}
	return p.parse(raw, "")
}

type avroParser struct {
	named map[string]*avroType
}

func fullName(name, ns string) string {
	if strings.Contains(name, ".") || ns == "" {
		return name
	}
	return ns + "." + name
}

func (p *avroParser) parse(raw any, ns string) (*avroType, error) {
	switch x := raw.(type) {
	case string:
		if primitives[x] {
			return &avroType{kind: x}, nil
		}
		if t, ok := p.named[fullName(x, ns)]; ok {
			return t, nil
		}
		if t, ok := p.named[x]; ok {
			return t, nil
		}
		return nil, fmt.Errorf("undefined name: %q", x)
	case []any:
		u := &avroType{kind: "union"}
		for _, b := range x {
			t, err := p.parse(b, ns)
			if err != nil {
				return nil, err
			}
			if t.kind == "union" {
				return nil, errors.New("nested union")
			}
			u.branches = append(u.branches, t)
		}
		return u, nil
	case map[string]any:
		typ, _ := x["type"].(string)
		logical, _ := x["logicalType"].(string)
		switch typ {
		case "record", "error", "enum", "fixed":
			name, _ := x["name"].(string)
			if name == "" {
				return nil, fmt.Errorf("%s without a name", typ)
			}
			space := ns
			if s, ok := x["namespace"].(string); ok {
				space = s
			}
			full := fullName(name, space)
			if i := strings.LastIndexByte(full, '.'); i >= 0 {
				space = full[:i]
			} else {
				space = ""
			}
			if _, dup := p.named[full]; dup {
				return nil, fmt.Errorf("can't redefine: %s", full)
			}
			t := &avroType{kind: typ, name: full, logical: logical}
			if typ == "error" {
				t.kind = "record"
			}
			p.named[full] = t
			switch t.kind {
			case "record":
				fields, ok := x["fields"].([]any)
				if !ok {
					return nil, fmt.Errorf("record %s has no fields", full)
				}
				for _, fr := range fields {
					fm, ok := fr.(map[string]any)
					if !ok {
						return nil, fmt.Errorf("record %s: field is not an object", full)
					}
					fname, _ := fm["name"].(string)
					if fname == "" {
						return nil, fmt.Errorf("record %s: field without a name", full)
					}
					ft, err := p.parse(fm["type"], space)
					if err != nil {
						return nil, fmt.Errorf("field %s: %w", fname, err)
					}
					_, hasDef := fm["default"]
					t.fields = append(t.fields, avroField{name: fname, typ: ft, hasDefault: hasDef})
				}
			case "enum":
				syms, _ := x["symbols"].([]any)
				for _, s := range syms {
					str, _ := s.(string)
					t.symbols = append(t.symbols, str)
				}
				_, t.hasEnumDefault = x["default"]
			case "fixed":
				n, _ := x["size"].(json.Number)
				size, err := n.Int64()
				if err != nil {
					return nil, fmt.Errorf("fixed %s: bad size", full)
				}
				t.size = int(size)
			}
			return t, nil
		case "array":
			it, err := p.parse(x["items"], ns)
			if err != nil {
				return nil, err
			}
			return &avroType{kind: "array", items: it, logical: logical}, nil
		case "map":
			vt, err := p.parse(x["values"], ns)
			if err != nil {
				return nil, err
			}
			return &avroType{kind: "map", items: vt, logical: logical}, nil
		}
		if primitives[typ] {
			return &avroType{kind: typ, logical: logical}, nil
		}
		if inner, ok := x["type"]; ok && typ == "" {
			return p.parse(inner, ns)
		}
		return p.parse(typ, ns)
	}
	return nil, fmt.Errorf("unexpected JSON %T in schema", raw)
}

// canRead reports whether data written with writer can be read with reader
// under Avro's schema resolution rules, returning the first reason it
// cannot.
func canRead(reader, writer *avroType) error {
	return (&resolver{seen: map[[2]*avroType]bool{}}).check(reader, writer, "/")
}

type resolver struct {
	seen map[[2]*avroType]bool
}

func (r *resolver) check(reader, writer *avroType, path string) error {
	if writer.kind == "union" {
		for i, b := range writer.branches {
			if err := r.check(reader, b, fmt.Sprintf("%s%d/", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if reader.kind == "union" {
		for _, b := range reader.branches {
			if r.check(b, writer, path) == nil {
				return nil
			}
		}
		return fmt.Errorf("TYPE_MISMATCH at %s: reader union lacks type %s", path, describe(writer))
	}
	if reader.kind != writer.kind && !promotable(writer.kind, reader.kind) {
		return fmt.Errorf("TYPE_MISMATCH at %s: reader type %s not compatible with writer type %s", path, describe(reader), describe(writer))
	}
	switch reader.kind {
	case "record":
		if shortName(reader.name) != shortName(writer.name) {
			return fmt.Errorf("NAME_MISMATCH at %s: expected %s, found %s", path, writer.name, reader.name)
		}
		key := [2]*avroType{reader, writer}
		if r.seen[key] {
			return nil
		}
		r.seen[key] = true
		for _, rf := range reader.fields {
			var wf *avroField
			for i := range writer.fields {
				if writer.fields[i].name == rf.name {
					wf = &writer.fields[i]
					break
				}
			}
			if wf == nil {
				if !rf.hasDefault {
					return fmt.Errorf("READER_FIELD_MISSING_DEFAULT_VALUE at %sfields/%s: %s", path, rf.name, rf.name)
				}
				continue
			}
			if err := r.check(rf.typ, wf.typ, path+"fields/"+rf.name+"/type/"); err != nil {
				return err
			}
		}
	case "enum":
		if shortName(reader.name) != shortName(writer.name) {
			return fmt.Errorf("NAME_MISMATCH at %s: expected %s, found %s", path, writer.name, reader.name)
		}
		if !reader.hasEnumDefault {
			for _, s := range writer.symbols {
				found := false
				for _, rs := range reader.symbols {
					found = found || rs == s
				}
				if !found {
					return fmt.Errorf("MISSING_ENUM_SYMBOLS at %ssymbols: [%s]", path, s)
				}
			}
		}
	case "fixed":
		if shortName(reader.name) != shortName(writer.name) {
			return fmt.Errorf("NAME_MISMATCH at %s: expected %s, found %s", path, writer.name, reader.name)
		}
		if reader.size != writer.size {
			return fmt.Errorf("FIXED_SIZE_MISMATCH at %ssize: expected %d, found %d", path, writer.size, reader.size)
		}
	case "array":
		return r.check(reader.items, writer.items, path+"items/")
	case "map":
		return r.check(reader.items, writer.items, path+"values/")
	}
	return nil
}

// promotable lists Avro's type promotions from writer to reader.
func promotable(writer, reader string) bool {
	switch writer {
	case "int":
		return reader == "long" || reader == "float" || reader == "double"
	case "long":
		return reader == "float" || reader == "double"
	case "float":
		return reader == "double"
	case "string":
		return reader == "bytes"
	case "bytes":
		return reader == "string"
	}
	return false
}

func shortName(full string) string {
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[i+1:]
	}
	return full
}

func describe(t *avroType) string {
	if t.name != "" {
		return t.name
	}
	return strings.ToUpper(t.kind)
}

// Compatibility levels (CompatibilityLevel.java).
var compatibilityLevels = map[string]bool{"NONE": true, "BACKWARD": true, "BACKWARD_TRANSITIVE": true,
	"FORWARD": true, "FORWARD_TRANSITIVE": true, "FULL": true, "FULL_TRANSITIVE": true}

// checkCompatibility checks candidate against the previous schemas of a
// subject (oldest first) under level and returns the incompatibilities.
func checkCompatibility(level string, candidate *avroType, previous []*avroType) []string {
	if level == "NONE" || len(previous) == 0 {
		return nil
	}
	against := previous[len(previous)-1:]
	if strings.HasSuffix(level, "_TRANSITIVE") {
		against = previous
	}
	backward := strings.HasPrefix(level, "BACKWARD") || strings.HasPrefix(level, "FULL")
	forward := strings.HasPrefix(level, "FORWARD") || strings.HasPrefix(level, "FULL")
	var msgs []string
	for i := len(against) - 1; i >= 0; i-- {
		old := against[i]
		if backward {
			if err := canRead(candidate, old); err != nil {
				msgs = append(msgs, "{errorType:'"+strings.SplitN(err.Error(), " ", 2)[0]+"', description:'The new schema cannot read data written by an old schema: "+err.Error()+"'}")
			}
		}
		if forward {
			if err := canRead(old, candidate); err != nil {
				msgs = append(msgs, "{errorType:'"+strings.SplitN(err.Error(), " ", 2)[0]+"', description:'An old schema cannot read data written by the new schema: "+err.Error()+"'}")
			}
		}
	}
	return msgs
}
