package postgres

import (
	"slices"
	"testing"
)

// TestSplitRegexList follows Debezium's Strings.RegExSplitter: "\," keeps a
// comma in the pattern, a backslash escapes any character (so "\\," is an
// escaped backslash, then a separator), pieces are trimmed and empty ones
// dropped, a trailing lone backslash is an error.
func TestSplitRegexList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`a, b ,c`, []string{"a", "b", "c"}},
		{`a\,b,c`, []string{"a,b", "c"}},
		{`x{1\,3},y`, []string{"x{1,3}", "y"}},
		{`a\\,b`, []string{`a\\`, "b"}},
		{`a,,b,`, []string{"a", "b"}},
		{`p\.q`, []string{`p\.q`}},
	} {
		got, err := splitRegexList(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("splitRegexList(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := splitRegexList(`a,b\`); err == nil {
		t.Error("a trailing backslash was accepted")
	}
}

// TestRegexListsAreDebeziums: every list Debezium reads with
// Strings.setOfRegex(…, CASE_INSENSITIVE) matches case-insensitively,
// anchored, with "\," as a literal comma.
func TestRegexListsAreDebeziums(t *testing.T) {
	c, errs := ParseConfig(map[string]string{
		"topic.prefix": "p", "database.hostname": "h",
		"schema.include.list":              "PUBLIC,In\\,ventory",
		"table.exclude.list":               "public\\.SECRET.*",
		"column.exclude.list":              "public\\.t\\.PASSWORD",
		"message.prefix.include.list":      "Audit.*,a{1\\,2}",
		"snapshot.include.collection.list": "PUBLIC\\.T",
		"replica.identity.autoset.values":  "PUBLIC.T:FULL",
	})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if ok, _ := c.Filter.Captures("public", "t"); !ok {
		t.Error("schema.include.list PUBLIC does not capture public.t")
	}
	if ok, _ := c.Filter.Captures("in,ventory", "t"); !ok {
		t.Error(`schema.include.list In\,ventory does not capture schema "in,ventory"`)
	}
	if ok, _ := c.Filter.Captures("public", "secret_stuff"); ok {
		t.Error("table.exclude.list is case-sensitive")
	}
	if ok, _ := c.Filter.Captures("publicx", "t"); ok {
		t.Error("schema.include.list is not anchored")
	}
	if c.Columns.captures("public", "t", "password") || !c.Columns.captures("public", "t", "password2") {
		t.Error("column.exclude.list is case-sensitive or not anchored")
	}
	if !c.MessagePrefixes.captures("audit-log") || !c.MessagePrefixes.captures("aa") || c.MessagePrefixes.captures("aaa") {
		t.Error("message.prefix.include.list is case-sensitive or lost its escaped comma")
	}
	if !anyMatch(c.SnapshotInclude, "public.t") {
		t.Error("snapshot.include.collection.list is case-sensitive")
	}
	if len(c.ReplicaIdentities) != 1 || !c.ReplicaIdentities[0].table.MatchString("public.t") {
		t.Error("replica.identity.autoset.values is case-sensitive")
	}
}

// TestMessageKeyColumnsLikeDebezium: each listed column is one
// "<table regex>.<column>" predicate over schema.table.column (so the
// table part is case-insensitive too), and the key takes the columns in
// the order the property lists them.
func TestMessageKeyColumnsLikeDebezium(t *testing.T) {
	c, errs := ParseConfig(map[string]string{
		"topic.prefix": "p", "database.hostname": "h",
		"message.key.columns": "PUBLIC.orders:Region,ID;other.t:k",
	})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	info := &tableInfo{tableRef: tableRef{Schema: "public", Name: "orders"},
		Columns: []columnInfo{{Name: "id"}, {Name: "amount"}, {Name: "region"}}}
	got, ok := c.KeyColumns.columns(info)
	if !ok || !slices.Equal(got, []string{"region", "id"}) {
		t.Errorf("key columns %v, want [region id]", got)
	}
	other := &tableInfo{tableRef: tableRef{Schema: "public", Name: "x"}, Columns: []columnInfo{{Name: "id"}}}
	if got, ok := c.KeyColumns.columns(other); ok {
		t.Errorf("an unlisted table got key columns %v", got)
	}
	for _, bad := range []string{"public.orders", "public.orders:a:b", "t:a;u"} {
		if _, errs := ParseConfig(map[string]string{"topic.prefix": "p", "database.hostname": "h",
			"message.key.columns": bad}); len(errs) == 0 {
			t.Errorf("message.key.columns=%q accepted", bad)
		}
	}
}
