package postgres

import "context"

// blockingSnapshot runs a blocking snapshot of the tables a signal names.
func (s *streamer) blockingSnapshot(ctx context.Context, a actExecuteSnapshot, id string) error {
	s.t.log.Warn("blocking snapshots are not supported yet; skipping the signal", "signal_id", id)
	return nil
}
