package transforms

import (
	"fmt"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
)

// Properties of TimestampRouter (TimestampRouter.java, ConfigName).
const (
	propTopicFormat     = "topic.format"
	propTimestampFormat = "timestamp.format"
)

// timestampRouter is TimestampRouter.java: the topic becomes topic.format
// with ${topic} replaced by the topic and then ${timestamp} by the record
// timestamp formatted in UTC.
type timestampRouter struct {
	topicFormat string
	timestamp   *dateFormat
}

// NewTimestampRouter configures a TimestampRouter from TimestampRouterDef:
// "topic.format" and "timestamp.format" (a java.text.SimpleDateFormat
// pattern).
func NewTimestampRouter(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	v, errs := TimestampRouterDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	f, _ := compileDateFormat(v.String(propTimestampFormat)) // checked by the Def
	return &timestampRouter{topicFormat: v.String(propTopicFormat), timestamp: f}, nil
}

func (t *timestampRouter) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	// An offset-only record has no topic to route.
	if r.Topic == "" {
		return r, true, nil
	}
	if r.Timestamp.IsZero() {
		return r, false, fmt.Errorf("%s: Timestamp missing on record: topic %s", TimestampRouterClass, r.Topic)
	}
	ts := t.timestamp.format(r.Timestamp)
	topic := strings.ReplaceAll(t.topicFormat, "${topic}", r.Topic)
	r.Topic = strings.ReplaceAll(topic, "${timestamp}", ts)
	return r, true, nil
}
