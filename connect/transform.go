package connect

import (
	"log/slog"

	"github.com/tributary-cdc/tributary/configdef"
)

// Transformation is a single message transform (Kafka Connect's
// org.apache.kafka.connect.transforms.Transformation). The runtime applies a
// connector's transformations to each record its tasks poll, in the order of
// the connector's "transforms" list, before the converters see it. An
// instance belongs to one task and is called from one goroutine.
type Transformation interface {
	// Apply returns the transformed record, or false to drop it: nothing is
	// produced for a dropped record, but its source offset is committed as
	// if it had been. An error fails the task.
	Apply(r SourceRecord) (SourceRecord, bool, error)
}

// LoggingTransformation is implemented by a Transformation that logs: the
// runtime gives it the task's logger before its first Apply.
type LoggingTransformation interface {
	SetLogger(l *slog.Logger)
}

// TransformationPlugin is an installable transformation class.
type TransformationPlugin struct {
	// Class is the Java class name users configure in
	// transforms.<alias>.type, e.g. io.debezium.transforms.ExtractNewRecordState.
	Class string
	// New configures an instance from the transform's properties, with the
	// "transforms.<alias>." prefix removed ("type" included). Problems are
	// reported per property, named without the prefix; with any, the
	// returned Transformation is nil.
	New func(config map[string]string) (Transformation, []ConfigError)
	// Config declares the transformation's properties
	// (Transformation.config()); New parses with it.
	Config *configdef.Def
}

// Predicate decides whether a transformation applies to a record (Kafka
// Connect's org.apache.kafka.connect.transforms.predicates.Predicate, KIP-585).
type Predicate interface {
	Test(r SourceRecord) bool
}

// PredicatePlugin is an installable predicate class, configured from the
// "predicates.<alias>." properties as TransformationPlugin.New is.
type PredicatePlugin struct {
	Class string
	New   func(config map[string]string) (Predicate, []ConfigError)
	// Config declares the predicate's properties (Predicate.config()).
	Config *configdef.Def
}
