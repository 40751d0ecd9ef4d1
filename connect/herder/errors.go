package herder

import (
	"log/slog"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/worker"
)

// errorHandling reads a connector's errors.* properties (ConnectorConfig's
// Error Handling group, checked when the connector was created) for the
// runner, with the converter classes named in its error log.
func errorHandling(connConfig map[string]string, keyClass, valueClass string) worker.ErrorHandling {
	v, _ := connect.SourceConnectorConfigDef.Parse(connConfig)
	retry := time.Duration(v.Long("errors.retry.timeout")) * time.Millisecond
	if retry < 0 {
		retry = -1
	}
	return worker.ErrorHandling{
		ToleranceAll:        strings.EqualFold(v.String("errors.tolerance"), "all"),
		RetryTimeout:        retry,
		RetryDelayMax:       time.Duration(v.Long("errors.retry.delay.max.ms")) * time.Millisecond,
		LogEnable:           v.Bool("errors.log.enable"),
		LogIncludeMessages:  v.Bool("errors.log.include.messages"),
		KeyConverterClass:   keyClass,
		ValueConverterClass: valueClass,
	}
}

// classedStage is a transformation with the class it was configured as,
// which the runner's error log names (Kafka Connect logs the Java class).
type classedStage struct {
	connect.Transformation
	class string
}

func (s classedStage) TransformClass() string { return s.class }

// SetLogger hands the logger to the transformation, if it logs.
func (s classedStage) SetLogger(l *slog.Logger) {
	if lt, ok := s.Transformation.(connect.LoggingTransformation); ok {
		lt.SetLogger(l)
	}
}
