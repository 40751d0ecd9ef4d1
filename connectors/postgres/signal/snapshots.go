package signal

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Aggregate types of snapshot notifications.
const (
	AggregateInitialSnapshot     = "Initial Snapshot"     // InitialSnapshotNotificationService.INITIAL_SNAPSHOT
	AggregateIncrementalSnapshot = "Incremental Snapshot" // IncrementalSnapshotNotificationService.INCREMENTAL_SNAPSHOT
)

// Notification types (io.debezium.pipeline.notification.SnapshotStatus and
// SnapshotResult.SnapshotResultStatus).
const (
	StatusStarted              = "STARTED"
	StatusPaused               = "PAUSED"
	StatusResumed              = "RESUMED"
	StatusAborted              = "ABORTED"
	StatusInProgress           = "IN_PROGRESS"
	StatusTableChunkInProgress = "TABLE_CHUNK_IN_PROGRESS"
	StatusTableChunkCompleted  = "TABLE_CHUNK_COMPLETED"
	StatusTableScanCompleted   = "TABLE_SCAN_COMPLETED"
	StatusCompleted            = "COMPLETED"
	StatusSkipped              = "SKIPPED"
)

// additional_data keys of the snapshot notification services.
const (
	KeyConnectorName               = "connector_name"
	KeyDataCollections             = "data_collections"
	KeyScannedCollection           = "scanned_collection"
	KeyCurrentCollectionInProgress = "current_collection_in_progress"
	KeyMaximumKey                  = "maximum_key"
	KeyLastProcessedKey            = "last_processed_key"
	KeyTotalRowsScanned            = "total_rows_scanned"
	KeyStatus                      = "status"
	KeyChunkIndex                  = "chunk_index"
	KeyTotalChunks                 = "total_chunks"
)

// TableScanStatus is the "status" of a TABLE_SCAN_COMPLETED notification
// (IncrementalSnapshotNotificationService.TableScanCompletionStatus; the
// initial snapshot's uses SUCCEEDED and SQL_EXCEPTION).
type TableScanStatus string

// Table scan statuses.
const (
	ScanEmpty         TableScanStatus = "EMPTY"
	ScanNoPrimaryKey  TableScanStatus = "NO_PRIMARY_KEY"
	ScanSkipped       TableScanStatus = "SKIPPED"
	ScanSQLException  TableScanStatus = "SQL_EXCEPTION"
	ScanSucceeded     TableScanStatus = "SUCCEEDED"
	ScanUnknownSchema TableScanStatus = "UNKNOWN_SCHEMA"
)

// NullKeyPart stands for a null key column in maximum_key and
// last_processed_key (Objects.toString(x, "<null>")); MissingMaximumKey is
// maximum_key when the snapshot has none yet, quotes included.
const (
	NullKeyPart       = "<null>"
	MissingMaximumKey = `"<null>"`
)

// listDelimiter joins collection names and key parts.
const listDelimiter = ","

// Snapshots builds the notifications Debezium's initial (and blocking)
// and incremental snapshot services emit for one connector. Collection
// names are TableId.identifier's: schema.table for PostgreSQL.
type Snapshots struct {
	// ConnectorName is topic.prefix (connector_name in every
	// notification).
	ConnectorName string
	// Now is the clock of the timestamps; nil is time.Now.
	Now func() time.Time
	// NewID makes an id where the notification has no correlation id;
	// nil is a random UUID, as Debezium's.
	NewID func() string
}

func (s Snapshots) build(aggregate, typ, id string, data map[string]string) Notification {
	if id == "" {
		id = s.newID()
	}
	full := make(map[string]string, len(data)+1)
	for k, v := range data {
		full[k] = v
	}
	full[KeyConnectorName] = s.ConnectorName
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return Notification{ID: id, AggregateType: aggregate, Type: typ, AdditionalData: full, Timestamp: now()}
}

func (s Snapshots) newID() string {
	if s.NewID != nil {
		return s.NewID()
	}
	return RandomUUID()
}

// RandomUUID is UUID.randomUUID's form: a version 4 UUID in lowercase.
func RandomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// --- Initial and blocking snapshots (InitialSnapshotNotificationService).

// InitialStarted is notifyStarted.
func (s Snapshots) InitialStarted() Notification {
	return s.build(AggregateInitialSnapshot, StatusStarted, "", nil)
}

// InitialAborted is notifyAborted.
func (s Snapshots) InitialAborted() Notification {
	return s.build(AggregateInitialSnapshot, StatusAborted, "", nil)
}

// InitialCompleted is notifyCompleted.
func (s Snapshots) InitialCompleted() Notification {
	return s.build(AggregateInitialSnapshot, StatusCompleted, "", nil)
}

// InitialSkipped is notifySkipped.
func (s Snapshots) InitialSkipped() Notification {
	return s.build(AggregateInitialSnapshot, StatusSkipped, "", nil)
}

// InitialTableInProgress is notifyTableInProgress with the captured tables
// (RelationalSnapshotChangeEventSource passes them): IN_PROGRESS with
// current_collection_in_progress and data_collections.
func (s Snapshots) InitialTableInProgress(current string, tables []string) Notification {
	return s.build(AggregateInitialSnapshot, StatusInProgress, "", map[string]string{
		KeyCurrentCollectionInProgress: current, KeyDataCollections: strings.Join(tables, listDelimiter)})
}

// InitialTableScanCompleted is notifyCompletedTableSuccessfully with rows
// and tables: TABLE_SCAN_COMPLETED, status SUCCEEDED.
func (s Snapshots) InitialTableScanCompleted(scanned string, rows int64, tables []string) Notification {
	return s.build(AggregateInitialSnapshot, StatusTableScanCompleted, "", map[string]string{
		KeyScannedCollection: scanned, KeyDataCollections: strings.Join(tables, listDelimiter),
		KeyTotalRowsScanned: strconv.FormatInt(rows, 10), KeyStatus: string(ScanSucceeded)})
}

// InitialTableScanFailed is notifyCompletedTableWithError:
// TABLE_SCAN_COMPLETED, status SQL_EXCEPTION.
func (s Snapshots) InitialTableScanFailed(scanned string) Notification {
	return s.build(AggregateInitialSnapshot, StatusTableScanCompleted, "", map[string]string{
		KeyScannedCollection: scanned, KeyStatus: string(ScanSQLException)})
}

// InitialChunkInProgress is notifyTableChunkInProgress.
func (s Snapshots) InitialChunkInProgress(current string, chunkIndex, totalChunks int, rows int64) Notification {
	return s.build(AggregateInitialSnapshot, StatusTableChunkInProgress, "", map[string]string{
		KeyCurrentCollectionInProgress: current, KeyChunkIndex: strconv.Itoa(chunkIndex),
		KeyTotalChunks: strconv.Itoa(totalChunks), KeyTotalRowsScanned: strconv.FormatInt(rows, 10)})
}

// InitialChunkCompleted is notifyCompletedTableChunkSuccessfully.
func (s Snapshots) InitialChunkCompleted(scanned string, tables []string, chunkIndex, totalChunks int) Notification {
	return s.build(AggregateInitialSnapshot, StatusTableChunkCompleted, "", map[string]string{
		KeyScannedCollection: scanned, KeyDataCollections: strings.Join(tables, listDelimiter),
		KeyChunkIndex: strconv.Itoa(chunkIndex), KeyTotalChunks: strconv.Itoa(totalChunks), KeyStatus: string(ScanSucceeded)})
}

// --- Incremental snapshots (IncrementalSnapshotNotificationService). The
// id is the snapshot's correlation id, the id of the execute-snapshot
// signal that started it; "" makes a random one. collections are the
// snapshot's data collections, in its order.

// IncrementalStarted is notifyStarted.
func (s Snapshots) IncrementalStarted(correlationID string, collections []string) Notification {
	return s.build(AggregateIncrementalSnapshot, StatusStarted, correlationID, map[string]string{
		KeyDataCollections: strings.Join(collections, listDelimiter)})
}

// IncrementalPaused is notifyPaused.
func (s Snapshots) IncrementalPaused(correlationID string, collections []string) Notification {
	return s.build(AggregateIncrementalSnapshot, StatusPaused, correlationID, map[string]string{
		KeyDataCollections: strings.Join(collections, listDelimiter)})
}

// IncrementalResumed is notifyResumed.
func (s Snapshots) IncrementalResumed(correlationID string, collections []string) Notification {
	return s.build(AggregateIncrementalSnapshot, StatusResumed, correlationID, map[string]string{
		KeyDataCollections: strings.Join(collections, listDelimiter)})
}

// IncrementalAborted is notifyAborted: with stopped == nil, the variant
// without data_collections; otherwise data_collections lists the
// collections a stop-snapshot removed.
func (s Snapshots) IncrementalAborted(correlationID string, stopped []string) Notification {
	var data map[string]string
	if stopped != nil {
		data = map[string]string{KeyDataCollections: strings.Join(stopped, listDelimiter)}
	}
	return s.build(AggregateIncrementalSnapshot, StatusAborted, correlationID, data)
}

// IncrementalTableScanCompleted is notifyTableScanCompleted.
func (s Snapshots) IncrementalTableScanCompleted(correlationID string, collections []string, scanned string, rows int64, status TableScanStatus) Notification {
	return s.build(AggregateIncrementalSnapshot, StatusTableScanCompleted, correlationID, map[string]string{
		KeyDataCollections: strings.Join(collections, listDelimiter), KeyScannedCollection: scanned,
		KeyTotalRowsScanned: strconv.FormatInt(rows, 10), KeyStatus: string(status)})
}

// IncrementalInProgress is notifyInProgress: maximumKey and
// lastProcessedKey are the key columns as Java's toString shows them
// (NullKeyPart for a null), joined with commas; a nil maximumKey (none
// known yet) is MissingMaximumKey.
func (s Snapshots) IncrementalInProgress(correlationID string, collections []string, current string, maximumKey, lastProcessedKey []string) Notification {
	maxKey := MissingMaximumKey
	if maximumKey != nil {
		maxKey = strings.Join(maximumKey, listDelimiter)
	}
	return s.build(AggregateIncrementalSnapshot, StatusInProgress, correlationID, map[string]string{
		KeyDataCollections: strings.Join(collections, listDelimiter), KeyCurrentCollectionInProgress: current,
		KeyMaximumKey: maxKey, KeyLastProcessedKey: strings.Join(lastProcessedKey, listDelimiter)})
}

// IncrementalCompleted is notifyCompleted.
func (s Snapshots) IncrementalCompleted(correlationID string) Notification {
	return s.build(AggregateIncrementalSnapshot, StatusCompleted, correlationID, nil)
}
