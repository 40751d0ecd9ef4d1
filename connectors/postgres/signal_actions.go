package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tributary-cdc/tributary/connectors/postgres/signal"
)

// Signal types the task acts on (Debezium's signal action names). The
// window signals are the watermarks the incremental snapshot writes.
const (
	sigExecuteSnapshot = "execute-snapshot"
	sigStopSnapshot    = "stop-snapshot"
	sigPauseSnapshot   = "pause-snapshot"
	sigResumeSnapshot  = "resume-snapshot"
	sigLog             = "log"
	sigWindowOpen      = "snapshot-window-open"
	sigWindowClose     = "snapshot-window-close"
)

// Snapshot types of execute-snapshot and stop-snapshot.
const (
	snapTypeIncremental = "INCREMENTAL"
	snapTypeBlocking    = "BLOCKING"
)

// The parsed actions.
type (
	actExecuteSnapshot struct {
		collections []string
		kind        string // snapTypeIncremental or snapTypeBlocking
		conditions  []actCondition
		surrogate   string
	}
	actCondition struct {
		collection string // a case-insensitive regex
		filter     string
	}
	actStopSnapshot struct {
		collections []string
		kind        string
	}
	actPause  struct{}
	actResume struct{}
	actLog    struct{ message string }
)

// errUnknownSignal is a signal of a type no action handles.
var errUnknownSignal = errors.New("unknown signal type")

// parseAction turns a signal into its action, as Debezium's actions read
// their JSON (ExecuteSnapshot, StopSnapshot, AbstractSnapshotSignal, Log).
// TODO(signal): replace with signal.Parse once the signal package has it.
func parseAction(sig signal.Signal) (any, error) {
	var data struct {
		Collections []string `json:"data-collections"`
		Type        string   `json:"type"`
		Conditions  []struct {
			Collection string `json:"data-collection"`
			Filter     string `json:"filter"`
		} `json:"additional-conditions"`
		Surrogate string `json:"surrogate-key"`
		Message   string `json:"message"`
	}
	switch sig.Type {
	case sigExecuteSnapshot, sigStopSnapshot, sigPauseSnapshot, sigResumeSnapshot, sigLog:
	default:
		return nil, fmt.Errorf("%w %q", errUnknownSignal, sig.Type)
	}
	if strings.TrimSpace(sig.Data) != "" {
		if err := json.Unmarshal([]byte(sig.Data), &data); err != nil {
			return nil, fmt.Errorf("the data %q cannot be parsed: %w", sig.Data, err)
		}
	}
	kind := strings.ToUpper(strings.TrimSpace(data.Type))
	switch kind {
	case "":
		kind = snapTypeIncremental
	case snapTypeIncremental, snapTypeBlocking:
	default:
		if sig.Type == sigExecuteSnapshot || sig.Type == sigStopSnapshot {
			return nil, fmt.Errorf("unknown snapshot type %q", data.Type)
		}
	}
	trimmed := make([]string, 0, len(data.Collections))
	for _, c := range data.Collections {
		trimmed = append(trimmed, strings.TrimSpace(c))
	}
	switch sig.Type {
	case sigExecuteSnapshot:
		if len(trimmed) == 0 {
			return nil, errors.New("execute-snapshot needs data-collections")
		}
		a := actExecuteSnapshot{collections: trimmed, kind: kind, surrogate: strings.TrimSpace(data.Surrogate)}
		for _, c := range data.Conditions {
			if c.Collection == "" {
				return nil, errors.New("an additional condition needs data-collection")
			}
			a.conditions = append(a.conditions, actCondition{collection: c.Collection, filter: c.Filter})
		}
		return a, nil
	case sigStopSnapshot:
		return actStopSnapshot{collections: trimmed, kind: kind}, nil
	case sigPauseSnapshot:
		return actPause{}, nil
	case sigResumeSnapshot:
		return actResume{}, nil
	default:
		return actLog{message: data.Message}, nil
	}
}
