package postgres

// eventFailed applies event.processing.failure.handling.mode to a change
// that could not be converted, as Debezium's EventDispatcher does: fail
// (the default) stops the task with the error; warn logs it and skips the
// event, skip and ignore skip it with a debug log. A skipped event is lost
// for good: the offset moves past it with the events that follow.
func (s *streamer) eventFailed(err error) error {
	switch s.t.cfg.FailureMode {
	case FailureWarn:
		s.t.log.Warn("skipping an event that could not be processed", KeyFailureHandling, FailureWarn, "error", err)
		return nil
	case FailureSkip, FailureIgnore:
		s.t.log.Debug("skipping an event that could not be processed", KeyFailureHandling, s.t.cfg.FailureMode, "error", err)
		return nil
	}
	return err
}
