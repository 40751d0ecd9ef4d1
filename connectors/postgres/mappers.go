package postgres

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
	"github.com/tributary-cdc/tributary/schema"
)

// Keys of the column mappers and name adjustment, spelled as Debezium
// spells them.
const (
	KeyColumnPropagateSourceType   = "column.propagate.source.type"
	KeyDatatypePropagateSourceType = "datatype.propagate.source.type"
	KeySchemaNameAdjustmentMode    = "schema.name.adjustment.mode"
	KeyFieldNameAdjustmentMode     = "field.name.adjustment.mode"
	KeyPublishViaPartitionRoot     = "publish.via.partition.root"
)

// Schema parameters Debezium's PropagateSourceMetadataToSchemaParameter
// adds, in the order it adds them.
const (
	ParamSourceType   = "__debezium.source.column.type"
	ParamSourceLength = "__debezium.source.column.length"
	ParamSourceScale  = "__debezium.source.column.scale"
	ParamSourceName   = "__debezium.source.column.name"
)

// mapperKind orders column mappers as Debezium's ColumnMappers registers
// them; for a column, only the first rule that matches applies.
type mapperKind int

const (
	mapTruncate mapperKind = iota
	mapMask
	mapPropagateColumn
	mapPropagateType
	mapHashV1
	mapHashV2
)

// mapperRule is one column mapper: a set of case-insensitive anchored
// regexes over schema.table.column (schema.table.type for
// datatype.propagate.source.type).
type mapperRule struct {
	kind     mapperKind
	patterns []*regexp.Regexp
	n        int    // truncate and mask length
	salt     []byte // hash salt, UTF-8
	newHash  func() hash.Hash
}

var hashKeyRE = regexp.MustCompile(`^column\.mask\.hash\.(v2\.)?([^.]+)\.with\.salt\.(.+)$`)

// hashAlgorithms are Java's MessageDigest algorithms Go provides; Java
// looks names up case-insensitively.
var hashAlgorithms = map[string]func() hash.Hash{
	"MD5": md5.New, "SHA": sha1.New, "SHA1": sha1.New, "SHA-1": sha1.New,
	"SHA-224": sha256.New224, "SHA-256": sha256.New, "SHA-384": sha512.New384, "SHA-512": sha512.New,
	"SHA-512/224": sha512.New512_224, "SHA-512/256": sha512.New512_256,
	"SHA3-224": func() hash.Hash { return sha3.New224() }, "SHA3-256": func() hash.Hash { return sha3.New256() },
	"SHA3-384": func() hash.Hash { return sha3.New384() }, "SHA3-512": func() hash.Hash { return sha3.New512() },
}

// fidelity reads the properties of this file into c.
func (p *parser) fidelity(c *Config) {
	c.SchemaNaming = strings.ToLower(p.v.String(KeySchemaNameAdjustmentMode))
	c.FieldNaming = strings.ToLower(p.v.String(KeyFieldNameAdjustmentMode))
	c.PublishViaPartitionRoot = p.v.Bool(KeyPublishViaPartitionRoot)

	var truncates, masks, hashes, hashesV2 []mapperRule
	for _, r := range c.ColumnRewrites {
		if r.mask {
			masks = append(masks, mapperRule{kind: mapMask, patterns: r.columns, n: r.n})
		} else {
			truncates = append(truncates, mapperRule{kind: mapTruncate, patterns: r.columns, n: r.n})
		}
	}
	keys := make([]string, 0, len(p.props))
	for k := range p.props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		m := hashKeyRE.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		alg := hashAlgorithms[strings.ToUpper(m[2])]
		if alg == nil {
			p.invalid(k, p.props[k], fmt.Sprintf("%s is not a supported hash algorithm", m[2]))
			continue
		}
		rule := mapperRule{kind: mapHashV1, patterns: p.patternList(k), salt: []byte(m[3]), newHash: alg}
		if rule.patterns == nil {
			continue
		}
		if m[1] != "" {
			rule.kind = mapHashV2
			hashesV2 = append(hashesV2, rule)
		} else {
			hashes = append(hashes, rule)
		}
	}
	c.Mappers = append(c.Mappers, truncates...)
	c.Mappers = append(c.Mappers, masks...)
	if res := p.patternList(KeyColumnPropagateSourceType); res != nil {
		c.Mappers = append(c.Mappers, mapperRule{kind: mapPropagateColumn, patterns: res})
	}
	if res := p.patternList(KeyDatatypePropagateSourceType); res != nil {
		c.Mappers = append(c.Mappers, mapperRule{kind: mapPropagateType, patterns: res})
	}
	c.Mappers = append(c.Mappers, hashes...)
	c.Mappers = append(c.Mappers, hashesV2...)
}

// patternList reads a Debezium regex list (Strings.setOfRegex with
// Pattern.CASE_INSENSITIVE, matched with matches()): every pattern
// anchored and case-insensitive. An invalid list is reported against name.
func (p *parser) patternList(name string) []*regexp.Regexp {
	v := p.props[name]
	if strings.TrimSpace(v) == "" {
		return nil
	}
	res, err := compileRegexList(v)
	if err != nil {
		p.invalid(name, v, err.Error())
		return nil
	}
	return res
}

// compileRegexList splits a regex list as Debezium's RegExSplitter does and
// compiles each pattern anchored and case-insensitive.
func compileRegexList(v string) ([]*regexp.Regexp, error) {
	parts, err := splitRegexList(v)
	if err != nil {
		return nil, err
	}
	var out []*regexp.Regexp
	for _, part := range parts {
		if part == "" {
			continue
		}
		re, err := regexp.Compile(`(?i)^(?:` + part + `)$`)
		if err != nil {
			return nil, fmt.Errorf("%q is not a valid regular expression: %w", part, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// splitRegexList is Debezium's Strings.RegExSplitter: a comma separates
// patterns unless a backslash escapes it (a backslash escapes whatever
// character follows, so "\\," is a backslash and then a separator);
// empty pieces are dropped, the others trimmed, and "\," in them becomes
// ",". A backslash at the very end is an error.
func splitRegexList(s string) ([]string, error) {
	var pieces []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("unterminated escape sequence at the end of %q", s)
			}
			i++
		case ',':
			pieces = append(pieces, s[start:i])
			start = i + 1
		}
	}
	pieces = append(pieces, s[start:])
	out := pieces[:0]
	for _, p := range pieces {
		if p == "" {
			continue
		}
		// String.trim: every character up to U+0020.
		p = strings.TrimFunc(p, func(r rune) bool { return r <= ' ' })
		out = append(out, strings.ReplaceAll(p, `\,`, ","))
	}
	return out, nil
}

// columnMapping is what the first matching mapper does to one column: the
// value field's schema (a copy with the mapper's parameters) and the value
// rewrite, either nil when nothing changes.
type columnMapping struct {
	schema    *schema.Schema
	transform func(any) any
}

// mapColumn applies the first mapper rule matching the column, as
// Debezium's ColumnMappers.mapperFor does.
func (c *Config) mapColumn(schemaName, table string, col *columnInfo, m typemap.Mapping) columnMapping {
	full := schemaName + "." + table + "." + col.Name
	byType := schemaName + "." + table + "." + col.declaredType()
	for _, r := range c.Mappers {
		subject := full
		if r.kind == mapPropagateType {
			subject = byType
		}
		if anyMatch(r.patterns, subject) {
			return r.apply(col, m)
		}
	}
	return columnMapping{}
}

func (r *mapperRule) apply(col *columnInfo, m typemap.Mapping) columnMapping {
	tc := col.typemapColumn()
	length := typemap.SourceLength(col.TypeOID, col.ElemOID, col.TypeMod)
	switch r.kind {
	case mapTruncate:
		// TruncateColumn acts only on columns it could shorten (length
		// unknown or above the limit), whatever their type: its converter
		// cuts any String value (text, but also json, uuid, xml, enums,
		// ZonedTimestamp, base64/hex binary...) and any ByteBuffer (bytea in
		// bytes mode) and passes everything else through.
		if length >= 0 && length <= r.n {
			return columnMapping{}
		}
		return columnMapping{
			schema:    withParams(m.Schema, schema.Param{Key: "truncateLength", Value: strconv.Itoa(r.n)}),
			transform: truncator(r.n),
		}
	case mapMask:
		out := columnMapping{schema: withParams(m.Schema, schema.Param{Key: "masked", Value: "true"})}
		if typemap.StringLike(tc) {
			// MaskingValueConverter returns the mask for every value, null
			// included.
			masked := strings.Repeat("*", r.n)
			out.transform = func(any) any { return masked }
		}
		return out
	case mapPropagateColumn, mapPropagateType:
		return columnMapping{schema: withParams(m.Schema,
			schema.Param{Key: ParamSourceType, Value: strings.ToUpper(col.declaredType())},
			schema.Param{Key: ParamSourceLength, Value: strconv.Itoa(length)},
			schema.Param{Key: ParamSourceScale, Value: strconv.Itoa(typemap.SourceScale(col.TypeOID, col.ElemOID, col.TypeMod))},
			schema.Param{Key: ParamSourceName, Value: col.Name})}
	}
	out := columnMapping{schema: withParams(m.Schema, schema.Param{Key: "masked", Value: "true"})}
	if typemap.StringLike(tc) {
		v2, salt, newHash := r.kind == mapHashV2, r.salt, r.newHash
		out.transform = func(v any) any {
			s, ok := v.(string)
			if !ok {
				return v
			}
			h := hashHex(newHash(), salt, s, v2)
			// The hash is cut to the column's length, as MaskStrings does.
			if length > 0 && len(h) > length {
				h = h[:length]
			}
			return h
		}
	}
	return out
}

// withParams copies a schema with extra parameters after its own.
func withParams(s *schema.Schema, params ...schema.Param) *schema.Schema {
	c := *s
	c.Params = append(slices.Clip(slices.Clone(s.Params)), params...)
	return &c
}

// truncator is TruncatingValueConverter: a string is cut to n UTF-16 code
// units (String.substring), bytes to n bytes; other values pass through.
func truncator(n int) func(any) any {
	return func(v any) any {
		switch x := v.(type) {
		case string:
			if len(x) <= n {
				return x
			}
			u := utf16.Encode([]rune(x))
			if len(u) <= n {
				return x
			}
			return string(utf16.Decode(u[:n]))
		case []byte:
			if len(x) > n {
				return x[:n:n]
			}
		}
		return v
	}
}

// hashHex is MaskStrings' HashValueConverter: the lowercase hex digest of
// the salt followed by the value's bytes, which are the Java serialization
// of the String (HashingByteArrayStrategy.V1) or its UTF-8 bytes (V2).
func hashHex(h hash.Hash, salt []byte, s string, v2 bool) string {
	h.Write(salt)
	if v2 {
		h.Write([]byte(s))
	} else {
		h.Write(javaSerializedString(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// javaSerializedString is ObjectOutputStream.writeObject(String) on a new
// stream: the stream header, then TC_STRING with a 2-byte length (or
// TC_LONGSTRING with an 8-byte length past 65535 bytes) and the string in
// Java's modified UTF-8 (NUL as C0 80, supplementary characters as two
// 3-byte surrogates).
func javaSerializedString(s string) []byte {
	var body []byte
	for _, u := range utf16.Encode([]rune(s)) {
		switch {
		case u >= 1 && u <= 0x7f:
			body = append(body, byte(u))
		case u <= 0x7ff:
			body = append(body, byte(0xc0|u>>6), byte(0x80|u&0x3f))
		default:
			body = append(body, byte(0xe0|u>>12), byte(0x80|(u>>6)&0x3f), byte(0x80|u&0x3f))
		}
	}
	out := []byte{0xac, 0xed, 0x00, 0x05}
	if len(body) <= 0xffff {
		out = append(out, 0x74)
		out = binary.BigEndian.AppendUint16(out, uint16(len(body)))
	} else {
		out = append(out, 0x7c)
		out = binary.BigEndian.AppendUint64(out, uint64(len(body)))
	}
	return append(out, body...)
}
