package transforms

import (
	"reflect"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/schema"
)

func newECRS(t *testing.T, config map[string]string) connect.Transformation {
	t.Helper()
	tr, errs := NewExtractChangedRecordState(config)
	if len(errs) > 0 {
		t.Fatalf("NewExtractChangedRecordState(%v): %v", config, errs)
	}
	return tr
}

func headerNamed(r connect.SourceRecord, key string) *connect.Header {
	for i := range r.Headers {
		if r.Headers[i].Key == key {
			return &r.Headers[i]
		}
	}
	return nil
}

// TestExtractChangedRecordState ports ExtractChangedRecordStateTest
// (DBZ-5283, DBZ-8721) on PostgreSQL change events of
// inventory.customers(id, name, status DEFAULT 'active').
func TestExtractChangedRecordState(t *testing.T) {
	tbl := customersTable()
	both := map[string]string{"header.changed.name": "Changed", "header.unchanged.name": "Unchanged"}
	for _, c := range []struct {
		name             string
		config           map[string]string
		in               connect.SourceRecord
		changed, unchang []any // nil: no such header
	}{
		{"testAddUpdatedFieldToHeaders", both, change(tbl, envelope.OpUpdate, anne, []any{int32(1), "Anne Marie", "active"}),
			[]any{"name"}, []any{"id", "status"}},
		{"changed only", map[string]string{"header.changed.name": "Changed"}, change(tbl, envelope.OpUpdate, anne, anneNew),
			[]any{"name", "status"}, nil},
		// A null before a default equal to the new value is a change:
		// values are compared without defaults (testUpdateWithDefaultValues).
		{"testUpdateWithDefaultValues", map[string]string{"header.changed.name": "Changed"},
			change(tbl, envelope.OpUpdate, []any{int32(1), "Anne", nil}, []any{int32(1), "Anne", "active"}), []any{"status"}, nil},
		{"testAddCreatedFieldToHeaders", both, change(tbl, envelope.OpCreate, nil, anne), []any{}, []any{}},
		{"delete", both, change(tbl, envelope.OpDelete, anne, nil), []any{}, []any{}},
		{"testNoHeadersSetWhenNotConfiguredWithCreate", map[string]string{}, change(tbl, envelope.OpCreate, nil, anne), nil, nil},
		{"testNoHeadersSetWhenNotConfiguredWithUpdate", map[string]string{}, change(tbl, envelope.OpUpdate, anne, anneNew), nil, nil},
		{"testNoHeadersSetWhenNotConfiguredWithDelete", map[string]string{}, change(tbl, envelope.OpDelete, anne, nil), nil, nil},
		{"blank names", map[string]string{"header.changed.name": " ", "header.unchanged.name": ""}, change(tbl, envelope.OpUpdate, anne, anneNew), nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := newECRS(t, c.config)
			out, keep, err := tr.Apply(c.in)
			if err != nil || !keep {
				t.Fatalf("Apply: %v %v", keep, err)
			}
			want := 0
			for _, h := range []struct {
				key    string
				values []any
			}{{"Changed", c.changed}, {"Unchanged", c.unchang}} {
				got := headerNamed(out, h.key)
				if h.values == nil {
					if got != nil {
						t.Errorf("unexpected header %v", got)
					}
					continue
				}
				want++
				if got == nil {
					t.Fatalf("no %s header", h.key)
				}
				if !reflect.DeepEqual(got.Value, h.values) {
					t.Errorf("%s = %v, want %v", h.key, got.Value, h.values)
				}
				s := got.Schema
				if s.Type != schema.TypeArray || !s.Optional || s.Name != h.key || s.Items != schema.OptionalStringSchema {
					t.Errorf("%s schema %+v", h.key, s)
				}
			}
			if len(out.Headers) != want || len(c.in.Headers) != 0 {
				t.Errorf("headers %v", out.Headers)
			}
			if out.Value != c.in.Value || out.Topic != c.in.Topic {
				t.Error("value or topic changed")
			}
		})
	}
	// Tombstones and records that are no change event pass untouched.
	tr := newECRS(t, both)
	for _, in := range []connect.SourceRecord{
		tombstoneOf(change(tbl, envelope.OpDelete, anne, nil)),
		{Topic: "heartbeat", ValueSchema: schema.StringSchema, Value: "x"},
	} {
		if out, _, _ := tr.Apply(in); !reflect.DeepEqual(out, in) {
			t.Errorf("changed: %+v", out)
		}
	}
}
