package postgres

import (
	"crypto/md5"
	"crypto/sha256"
	"testing"
)

// The expected digests were computed with sha256sum/md5sum over the bytes
// Java writes: the salt, then (V1) ObjectOutputStream's stream header
// AC ED 00 05, TC_STRING 74, the 2-byte length and the modified UTF-8
// string, or (V2) the UTF-8 string, e.g.
//
//	printf 'CzQMA0cB5K\xac\xed\x00\x05\x74\x00\x05hello' | sha256sum
func TestHashMatchesJava(t *testing.T) {
	salt := []byte("CzQMA0cB5K")
	if got := hashHex(sha256.New(), salt, "hello", false); got != "b4d39ab0d198fb4cac8b2f023da74f670bcaf192dcc79b5d6361b7ae6b2fafdf" {
		t.Errorf("v1 %s", got)
	}
	if got := hashHex(sha256.New(), salt, "hello", true); got != "c4bf2f9ebc99b7f64add45103e81eb4ca483649064e3e1398b21f41786360c7b" {
		t.Errorf("v2 %s", got)
	}
	// NUL is C0 80 in modified UTF-8: printf '...\x00\x05h\xc3\xa9\xc0\x80'.
	if got := hashHex(sha256.New(), salt, "hé\x00", false); got[:10] != "be7a775f9b" {
		t.Errorf("v1 with NUL %s", got)
	}
	// A supplementary character is two 3-byte surrogates.
	if got := hashHex(md5.New(), []byte("salt"), "😀", false); got != "5185bbf4c87eea055d18449e1ee5b6ea" {
		t.Errorf("v1 supplementary %s", got)
	}
	long := javaSerializedString(string(make([]byte, 70000)))
	if long[4] != 0x7c || len(long) != 4+1+8+140000 {
		t.Errorf("long string: tag %x, %d bytes", long[4], len(long))
	}
}

// TestFidelityConfigErrors: bad regexes, unknown modes and unknown hash
// algorithms are errors naming their property.
func TestFidelityConfigErrors(t *testing.T) {
	for key, value := range map[string]string{
		KeyColumnPropagateSourceType:               "public.t.(",
		KeyDatatypePropagateSourceType:             "[",
		KeySchemaNameAdjustmentMode:                "avro2",
		KeyFieldNameAdjustmentMode:                 "sometimes",
		KeyPublishViaPartitionRoot:                 "yes",
		"column.mask.hash.SHA-256.with.salt.abc":   "public.t.(",
		"column.mask.hash.v2.NOPE-1.with.salt.abc": "public.t.c",
		"column.mask.hash.MD2.with.salt.abc":       "public.t.c",
		"column.truncate.to.3.chars":               "a(",
	} {
		_, errs := ParseConfig(map[string]string{"topic.prefix": "p", "database.hostname": "h", key: value})
		if len(errs) != 1 || errs[0].Name != key {
			t.Errorf("%s=%s: errors %v", key, value, errs)
		}
	}
}

// TestMapperPrecedence: a column gets only the first matching mapper, in
// Debezium's order (truncate, mask, column propagation, datatype
// propagation, hash, hash v2); patterns are case-insensitive and "\,"
// escapes a comma.
func TestMapperPrecedence(t *testing.T) {
	c, errs := ParseConfig(map[string]string{"topic.prefix": "p", "database.hostname": "h",
		"column.mask.hash.v2.SHA-256.with.salt.s": "public.t.a",
		"column.mask.hash.SHA-256.with.salt.s":    "public.t.a",
		KeyColumnPropagateSourceType:              "PUBLIC.T.A,public.t.x{1\\,2}",
		"column.truncate.to.3.chars":              "public.t.b",
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	kinds := []mapperKind{}
	for _, r := range c.Mappers {
		kinds = append(kinds, r.kind)
	}
	if len(kinds) != 4 || kinds[0] != mapTruncate || kinds[1] != mapPropagateColumn || kinds[2] != mapHashV1 || kinds[3] != mapHashV2 {
		t.Fatalf("order %v", kinds)
	}
	if !anyMatch(c.Mappers[1].patterns, "public.t.a") || !anyMatch(c.Mappers[1].patterns, "public.t.xx") {
		t.Fatalf("patterns %v", c.Mappers[1].patterns)
	}
}
