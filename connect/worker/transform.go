package worker

import (
	"fmt"

	"github.com/tributary-cdc/tributary/connect"
)

// transform applies the transformation chain to rec in place, as Kafka
// Connect's TransformationChain does between poll and conversion. A record
// a transformation drops becomes offset-only: nothing is produced for it,
// and its source offset is still committed in order. Offset-only records
// from the task pass untouched, and no transformation may move a record's
// source partition or offset.
func transform(chain []connect.Transformation, rec *connect.SourceRecord) error {
	if len(chain) == 0 || rec.Topic == "" {
		return nil
	}
	partition, offset := rec.SourcePartition, rec.SourceOffset
	for _, t := range chain {
		out, keep, err := t.Apply(*rec)
		if err != nil {
			return fmt.Errorf("applying a transformation to a record for %s: %w", rec.Topic, err)
		}
		if !keep {
			*rec = connect.SourceRecord{SourcePartition: partition, SourceOffset: offset}
			return nil
		}
		*rec = out
	}
	rec.SourcePartition, rec.SourceOffset = partition, offset
	return nil
}
