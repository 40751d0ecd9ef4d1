package signal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/connect/javaregex"
)

// Signal types: the names of Debezium's standard actions
// (io.debezium.pipeline.signal.actions.StandardActionProvider).
const (
	TypeLog                 = "log"                   // Log.NAME
	TypeExecuteSnapshot     = "execute-snapshot"      // ExecuteSnapshot.NAME
	TypeStopSnapshot        = "stop-snapshot"         // StopSnapshot.NAME
	TypePauseSnapshot       = "pause-snapshot"        // PauseIncrementalSnapshot.NAME
	TypeResumeSnapshot      = "resume-snapshot"       // ResumeIncrementalSnapshot.NAME
	TypeSnapshotWindowOpen  = "snapshot-window-open"  // OpenIncrementalSnapshotWindow.NAME
	TypeSnapshotWindowClose = "snapshot-window-close" // CloseIncrementalSnapshotWindow.NAME
	TypeSchemaChanges       = "schema-changes"        // SchemaChanges.NAME
)

// SnapshotType is AbstractSnapshotSignal.SnapshotType.
type SnapshotType string

// The snapshot types; a signal's "type" is read case-insensitively
// (SnapshotType.valueOf(typeStr.toUpperCase())) and defaults to
// INCREMENTAL.
const (
	SnapshotIncremental SnapshotType = "INCREMENTAL"
	SnapshotBlocking    SnapshotType = "BLOCKING"
)

// Action is a parsed signal: one of *Log, *ExecuteSnapshot, *StopSnapshot,
// *PauseSnapshot, *ResumeSnapshot, *SnapshotWindowOpen,
// *SnapshotWindowClose.
type Action interface {
	// Type is the signal type the action was parsed from.
	Type() string
}

// Log is the log action (io.debezium.pipeline.signal.actions.Log): the task
// logs Message at INFO with its offset in place of the first "{}".
type Log struct {
	Message string
}

// ExecuteSnapshot is the execute-snapshot action
// (io.debezium.pipeline.signal.actions.snapshotting.ExecuteSnapshot).
type ExecuteSnapshot struct {
	// DataCollections are the "data-collections" entries, trimmed: regular
	// expressions over schema.table, in Java's syntax (see
	// ExpandDataCollections).
	DataCollections []string
	// SnapshotType is INCREMENTAL or BLOCKING.
	SnapshotType SnapshotType
	// AdditionalConditions are the "additional-conditions" entries, in
	// order.
	AdditionalConditions []AdditionalCondition
	// SurrogateKey is "surrogate-key", "" when absent or blank (the
	// primary key is used).
	SurrogateKey string
}

// AdditionalCondition is one "additional-conditions" entry
// (io.debezium.pipeline.signal.actions.snapshotting.AdditionalCondition):
// the filter applies to the collections its pattern matches, whole and
// case-insensitively (Pattern.CASE_INSENSITIVE, Matcher.matches).
type AdditionalCondition struct {
	// DataCollection is the "data-collection" pattern as written.
	DataCollection string
	// Filter is "filter": an incremental snapshot's condition on the
	// collection's columns, or a blocking snapshot's SELECT statement.
	Filter string

	match *regexp.Regexp
}

// Matches reports whether the condition applies to the collection
// (schema.table).
func (c AdditionalCondition) Matches(collection string) bool {
	if c.match == nil { // a condition not made by Parse
		_, full, err := javaregex.Compile("(?i)" + c.DataCollection)
		return err == nil && full.MatchString(collection)
	}
	return c.match.MatchString(collection)
}

// StopSnapshot is the stop-snapshot action
// (io.debezium.pipeline.signal.actions.snapshotting.StopSnapshot).
// Debezium stops only incremental snapshots: for BLOCKING it logs the
// request and does nothing.
type StopSnapshot struct {
	// DataCollections are the collections (regular expressions) to remove
	// from the running snapshot; nil stops all of it.
	DataCollections []string
	SnapshotType    SnapshotType
}

// PauseSnapshot is pause-snapshot (PauseIncrementalSnapshot).
type PauseSnapshot struct{}

// ResumeSnapshot is resume-snapshot (ResumeIncrementalSnapshot).
type ResumeSnapshot struct{}

// SnapshotWindowOpen and SnapshotWindowClose are the watermarks an
// incremental snapshot writes to the signal table around each chunk
// (OpenIncrementalSnapshotWindow, CloseIncrementalSnapshotWindow); only
// the source channel carries them.
type SnapshotWindowOpen struct{}

// SnapshotWindowClose: see SnapshotWindowOpen.
type SnapshotWindowClose struct{}

// Type implements Action.
func (*Log) Type() string                 { return TypeLog }
func (*ExecuteSnapshot) Type() string     { return TypeExecuteSnapshot }
func (*StopSnapshot) Type() string        { return TypeStopSnapshot }
func (*PauseSnapshot) Type() string       { return TypePauseSnapshot }
func (*ResumeSnapshot) Type() string      { return TypeResumeSnapshot }
func (*SnapshotWindowOpen) Type() string  { return TypeSnapshotWindowOpen }
func (*SnapshotWindowClose) Type() string { return TypeSnapshotWindowClose }

// Error is a signal that cannot be acted on. Its message names the signal
// and says what is wrong, in Debezium's words where Debezium has them; the
// task logs it and skips the signal.
type Error struct {
	ID, Type string
	Msg      string
}

func (e *Error) Error() string { return e.Msg }

func fail(s Signal, format string, args ...any) error {
	return &Error{ID: s.ID, Type: s.Type, Msg: fmt.Sprintf(format, args...)}
}

// Field names of the actions' data (AbstractSnapshotSignal, Log).
const (
	fieldMessage              = "message"
	fieldDataCollections      = "data-collections"
	fieldDataCollection       = "data-collection"
	fieldType                 = "type"
	fieldAdditionalCondition  = "additional-condition" // deprecated, read by no action
	fieldAdditionalConditions = "additional-conditions"
	fieldSurrogateKey         = "surrogate-key"
	fieldFilter               = "filter"
)

// Parse reads a signal's data into its action, as
// SignalProcessor.processSignal and the action's arrived method read it.
// Data that is empty is an empty document. A type other than Debezium's
// standard ones, and schema-changes (which only a historized connector
// acts on, and PostgreSQL's is not), is an *Error: the task logs it and
// skips the signal.
func Parse(s Signal) (Action, error) {
	switch s.Type {
	case TypeLog, TypeExecuteSnapshot, TypeStopSnapshot, TypePauseSnapshot, TypeResumeSnapshot,
		TypeSnapshotWindowOpen, TypeSnapshotWindowClose:
	case TypeSchemaChanges:
		return nil, fail(s, "Signal '%s' has been received but the type '%s' is not supported by the PostgreSQL connector", s.ID, s.Type)
	default:
		return nil, fail(s, "Signal '%s' has been received but the type '%s' is not recognized", s.ID, s.Type)
	}
	doc := map[string]json.RawMessage{}
	if strings.TrimSpace(s.Data) != "" {
		dec := json.NewDecoder(strings.NewReader(s.Data))
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			if err == nil {
				err = fmt.Errorf("data after the JSON document")
			}
			return nil, fail(s, "Signal '%s' has been received but the data '%s' cannot be parsed: %v", s.ID, s.Data, err)
		}
		if err := json.Unmarshal([]byte(s.Data), &doc); err != nil || doc == nil {
			return nil, fail(s, "Signal '%s' has been received but the data '%s' cannot be parsed: it is not a JSON object", s.ID, s.Data)
		}
	}
	d := document{s: s, doc: doc}
	switch s.Type {
	case TypeLog:
		msg, err := d.string(fieldMessage)
		if err != nil {
			return nil, err
		}
		if msg == "" {
			return nil, fail(s, "Logging signal '%s' has arrived but the requested field '%s' is missing from data", s.ID, fieldMessage)
		}
		return &Log{Message: msg}, nil
	case TypeExecuteSnapshot:
		return d.executeSnapshot()
	case TypeStopSnapshot:
		return d.stopSnapshot()
	case TypePauseSnapshot:
		return &PauseSnapshot{}, nil
	case TypeResumeSnapshot:
		return &ResumeSnapshot{}, nil
	case TypeSnapshotWindowOpen:
		return &SnapshotWindowOpen{}, nil
	default:
		return &SnapshotWindowClose{}, nil
	}
}

// document reads the fields of a signal's data.
type document struct {
	s   Signal
	doc map[string]json.RawMessage
}

func isNull(raw json.RawMessage) bool {
	return raw == nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// string reads a string field; absent or null is "".
func (d document) string(name string) (string, error) {
	raw, ok := d.doc[name]
	if !ok || isNull(raw) {
		return "", nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fail(d.s, "Signal '%s': the field '%s' must be a string, not %s", d.s.ID, name, raw)
	}
	return v, nil
}

// array reads an array field; absent or null is nil.
func (d document) array(name string) ([]json.RawMessage, error) {
	raw, ok := d.doc[name]
	if !ok || isNull(raw) {
		return nil, nil
	}
	var v []json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fail(d.s, "Signal '%s': the field '%s' must be an array, not %s", d.s.ID, name, raw)
	}
	return v, nil
}

// snapshotType is AbstractSnapshotSignal.getSnapshotType.
func (d document) snapshotType() (SnapshotType, error) {
	t, err := d.string(fieldType)
	if err != nil {
		return "", err
	}
	if t == "" {
		if _, set := d.doc[fieldType]; !set || isNull(d.doc[fieldType]) {
			return SnapshotIncremental, nil
		}
	}
	switch st := SnapshotType(strings.ToUpper(t)); st {
	case SnapshotIncremental, SnapshotBlocking:
		return st, nil
	}
	return "", fail(d.s, "Signal '%s': Detected an unexpected snapshot type '%s'. Signal will be skipped.", d.s.ID, t)
}

// dataCollections reads data-collections: each entry a string, trimmed,
// and a valid regular expression.
func (d document) dataCollections() ([]string, error) {
	arr, err := d.array(fieldDataCollections)
	if err != nil || len(arr) == 0 {
		return nil, err
	}
	out := make([]string, 0, len(arr))
	for _, raw := range arr {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fail(d.s, "Signal '%s': the entries of '%s' must be strings, not %s", d.s.ID, fieldDataCollections, raw)
		}
		v = strings.TrimSpace(v)
		if _, _, err := javaregex.Compile(v); err != nil {
			return nil, fail(d.s, "Signal '%s': the '%s' entry '%s' is not a valid regular expression: %v", d.s.ID, fieldDataCollections, v, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func (d document) executeSnapshot() (Action, error) {
	cols, err := d.dataCollections()
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fail(d.s, "Execute snapshot signal '%s' has arrived but the requested field '%s' is missing from data or is empty", d.s.ID, fieldDataCollections)
	}
	a := &ExecuteSnapshot{DataCollections: cols}
	if a.SnapshotType, err = d.snapshotType(); err != nil {
		return nil, err
	}
	if _, old := d.doc[fieldAdditionalCondition]; old {
		// Debezium 3.5 reads only additional-conditions; the field of
		// earlier versions would be dropped without a word.
		return nil, fail(d.s, "Signal '%s': the field '%s' is no longer supported; use '%s': [{\"%s\": ..., \"%s\": ...}]",
			d.s.ID, fieldAdditionalCondition, fieldAdditionalConditions, fieldDataCollection, fieldFilter)
	}
	conds, err := d.array(fieldAdditionalConditions)
	if err != nil {
		return nil, err
	}
	for _, raw := range conds {
		c, err := d.additionalCondition(raw)
		if err != nil {
			return nil, err
		}
		a.AdditionalConditions = append(a.AdditionalConditions, c)
	}
	key, err := d.string(fieldSurrogateKey)
	if err != nil {
		return nil, err
	}
	a.SurrogateKey = strings.TrimSpace(key)
	if a.SurrogateKey != "" {
		a.SurrogateKey = key // Strings.isNullOrBlank tests, the value is kept as written
	}
	return a, nil
}

func (d document) additionalCondition(raw json.RawMessage) (AdditionalCondition, error) {
	var entry map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entry); err != nil || entry == nil {
		return AdditionalCondition{}, fail(d.s, "Signal '%s': the entries of '%s' must be objects with '%s' and '%s', not %s",
			d.s.ID, fieldAdditionalConditions, fieldDataCollection, fieldFilter, raw)
	}
	sub := document{s: d.s, doc: entry}
	pattern, err := sub.string(fieldDataCollection)
	if err != nil {
		return AdditionalCondition{}, err
	}
	if _, set := entry[fieldDataCollection]; !set || isNull(entry[fieldDataCollection]) {
		return AdditionalCondition{}, fail(d.s, "Signal '%s': an entry of '%s' has no '%s'", d.s.ID, fieldAdditionalConditions, fieldDataCollection)
	}
	filter, err := sub.string(fieldFilter)
	if err != nil {
		return AdditionalCondition{}, err
	}
	_, full, err := javaregex.Compile("(?i)" + pattern)
	if err != nil {
		return AdditionalCondition{}, fail(d.s, "Signal '%s': the '%s' '%s' of '%s' is not a valid regular expression: %v",
			d.s.ID, fieldDataCollection, pattern, fieldAdditionalConditions, err)
	}
	return AdditionalCondition{DataCollection: pattern, Filter: filter, match: full}, nil
}

func (d document) stopSnapshot() (Action, error) {
	cols, err := d.dataCollections()
	if err != nil {
		return nil, err
	}
	st, err := d.snapshotType()
	if err != nil {
		return nil, err
	}
	return &StopSnapshot{DataCollections: cols, SnapshotType: st}, nil
}

// FilterFor returns the filter of the first additional condition matching
// the collection, or "" (AbstractIncrementalSnapshotContext's
// buildDataCollection).
func (a *ExecuteSnapshot) FilterFor(collection string) string {
	for _, c := range a.AdditionalConditions {
		if c.Matches(collection) {
			return c.Filter
		}
	}
	return ""
}

// ExpandDataCollections turns a signal's data-collections into collection
// names as AbstractIncrementalSnapshotChangeEventSource's
// expandAndDedupeDataCollectionIds does: each pattern is matched whole and
// case-sensitively (Pattern.compile(x).matcher(t).matches()) against the
// identifiers of the known tables (TableId.identifier: schema.table for
// PostgreSQL) in their order; a pattern matching none stands for itself.
// The result keeps the first occurrence of each name. A pattern that does
// not compile stands for itself too (Parse has refused it already).
func ExpandDataCollections(patterns, tables []string) []string {
	var out []string
	for _, p := range patterns {
		_, full, err := javaregex.Compile(p)
		matched := false
		if err == nil {
			for _, t := range tables {
				if full.MatchString(t) {
					matched = true
					if !slices.Contains(out, t) {
						out = append(out, t)
					}
				}
			}
		}
		if !matched && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// FormatLog renders a log signal's message as Debezium's Log action does
// with SLF4J (LOGGER.info(message, offset)): the first "{}" not escaped by
// a backslash becomes offset, which is the task's offset as Java's
// Map.toString shows it, or "<none>" when it has none.
func FormatLog(message, offset string) string {
	for i := 0; i+1 < len(message); i++ {
		if message[i] != '{' || message[i+1] != '}' {
			continue
		}
		if i > 0 && message[i-1] == '\\' {
			if i > 1 && message[i-2] == '\\' { // "\\{}": an escaped backslash, then the anchor
				return message[:i-1] + offset + message[i+2:]
			}
			message = message[:i-1] + message[i:] // "\{}" prints "{}"
			i++
			continue
		}
		return message[:i] + offset + message[i+2:]
	}
	return message
}
