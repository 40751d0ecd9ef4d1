// Package signal holds what Debezium's signalling and notification
// subsystems exchange with the PostgreSQL task (io.debezium.pipeline.signal,
// io.debezium.pipeline.notification): the signal record every channel
// delivers, the channels other than the signal table (which the task reads
// from the WAL), the parsed actions, and the notification records.
//
// The task's side:
//
//   - Signals: OpenChannels(ctx, cfg.Signals, tc, log) opens the file and
//     kafka channels listed in signal.enabled.channels (source is the
//     task's own; jmx and unknown names are warned about). The task calls
//     Read on each every ChannelConfig.PollInterval from one goroutine it
//     owns, and CloseChannels when it stops. A Read error is logged and
//     the channel read again at the next interval; it never fails the
//     task.
//   - Actions: Parse(signal) gives *Log, *ExecuteSnapshot, *StopSnapshot,
//     *PauseSnapshot, *ResumeSnapshot or the snapshot window watermarks;
//     an error (an *Error naming the signal, in Debezium's words) is
//     logged and the signal skipped. ExpandDataCollections turns
//     data-collections into table names as Debezium does; FilterFor gives
//     a table's additional condition; FormatLog renders a log signal.
//   - Notifications: NewNotifier(cfg.Notifications, log) and, for each
//     notification Snapshots builds (initial and blocking snapshots share
//     the "Initial Snapshot" ones, as in Debezium), Notify(n, partition,
//     offset): it logs the log channel's line and returns the sink
//     channel's record for the task to queue through the converters like
//     any other.
//
// The package does no database I/O; the kafka channel reads its topic
// through the connect SPI (connect.TopicReaderOpener), never a Kafka client
// of its own, and nothing of it goes into the connector's offsets.
package signal
