package worker

import (
	"context"
	"fmt"

	"github.com/tributary-cdc/tributary/connect"
)

// transformOp applies the transformation chain to rec in place, as Kafka
// Connect's TransformationChain does between poll and conversion, each
// transformation under op: one that fails is retried, skips the record
// (skip: the caller makes it offset-only) or fails the task, as op says.
// A record a transformation drops becomes offset-only: nothing is produced
// for it, and its source offset is still committed in order. Offset-only
// records from the task pass untouched, and no transformation may move a
// record's source partition or offset. original is the record as polled,
// for the error log.
func transformOp(ctx context.Context, chain []connect.Transformation, op *operator, rec *connect.SourceRecord, original connect.SourceRecord) (skip bool, err error) {
	if len(chain) == 0 || rec.Topic == "" {
		return false, nil
	}
	partition, offset := rec.SourcePartition, rec.SourceOffset
	for _, t := range chain {
		out, keep, err := t.Apply(*rec)
		for a := op.begin(); err != nil; {
			err = fmt.Errorf("applying a transformation to a record for %s: %w", rec.Topic, err)
			retry, skip, ferr := op.failed(ctx, stageTransformation, transformClass(t), original, &a, err)
			if !retry {
				return skip, ferr
			}
			out, keep, err = t.Apply(*rec)
		}
		if !keep {
			*rec = connect.SourceRecord{SourcePartition: partition, SourceOffset: offset}
			return false, nil
		}
		*rec = out
	}
	rec.SourcePartition, rec.SourceOffset = partition, offset
	return false, nil
}

// transformClass names a transformation in the error log: its configured
// class, else its Go type.
func transformClass(t connect.Transformation) string {
	if c, ok := t.(ClassedTransformation); ok {
		return c.TransformClass()
	}
	return fmt.Sprintf("%T", t)
}
