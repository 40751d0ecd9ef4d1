package worker

import (
	"errors"
	"maps"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
)

type transformFunc func(connect.SourceRecord) (connect.SourceRecord, bool, error)

func (f transformFunc) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) { return f(r) }

func TestTransformChain(t *testing.T) {
	op := newOperator(ErrorHandling{}, connect.TaskID{}, nil, nil) // errors.tolerance=none
	transform := func(chain []connect.Transformation, r *connect.SourceRecord) error {
		_, err := transformOp(t.Context(), chain, op, r, *r)
		return err
	}
	part, off := map[string]any{"server": "s"}, map[string]any{"lsn": int64(7)}
	rec := func() connect.SourceRecord {
		return connect.SourceRecord{SourcePartition: part, SourceOffset: off, Topic: "t", Value: "v"}
	}
	retopic := transformFunc(func(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
		r.Topic += "2"
		r.SourceOffset = nil // ignored: the offset stays the task's
		return r, true, nil
	})
	drop := transformFunc(func(r connect.SourceRecord) (connect.SourceRecord, bool, error) { return r, false, nil })
	boom := errors.New("boom")
	fail := transformFunc(func(r connect.SourceRecord) (connect.SourceRecord, bool, error) { return r, false, boom })

	r := rec()
	if err := transform([]connect.Transformation{retopic, retopic}, &r); err != nil || r.Topic != "t22" || !maps.Equal(r.SourceOffset, off) {
		t.Errorf("chain of two: %+v, %v", r, err)
	}
	r = rec()
	if err := transform([]connect.Transformation{drop, retopic}, &r); err != nil || r.Topic != "" || r.Value != nil ||
		!maps.Equal(r.SourcePartition, part) || !maps.Equal(r.SourceOffset, off) {
		t.Errorf("dropped record: %+v, %v; want offset-only", r, err)
	}
	r = rec()
	if err := transform([]connect.Transformation{fail}, &r); !errors.Is(err, boom) {
		t.Errorf("failing transformation: %v", err)
	}
	r = connect.SourceRecord{SourcePartition: part, SourceOffset: off}
	if err := transform([]connect.Transformation{retopic}, &r); err != nil || r.Topic != "" {
		t.Errorf("offset-only record was transformed: %+v", r)
	}
}
