package transforms

import (
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

// time1483425001864 is the timestamp of Kafka's TimestampRouterTest:
// 2017-01-03T06:30:01.864Z.
func time1483425001864() time.Time { return time.UnixMilli(1483425001864) }

// TimestampRouterTest.defaultConfiguration
func TestTimestampRouterDefaultConfiguration(t *testing.T) {
	tr := kafkaTransform(t, TimestampRouterClass, nil)
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", Partition: partitionOf(0), Timestamp: time1483425001864()})
	if out.Topic != "test-20170103" {
		t.Errorf("topic = %q, want test-20170103", out.Topic)
	}
}

// TestTimestampRouterFormats checks SimpleDateFormat's documented output
// for the supported letters, quoting, and both placeholders.
func TestTimestampRouterFormats(t *testing.T) {
	for _, c := range []struct{ topicFormat, tsFormat, want string }{
		{"${topic}-${timestamp}", "yyyy-MM-dd HH:mm:ss.SSS", "test-2017-01-03 06:30:01.864"},
		{"${topic}-${timestamp}", "yy", "test-17"},
		{"${topic}-${timestamp}", "y", "test-2017"},
		{"${topic}-${timestamp}", "yyyyy", "test-02017"},
		{"${topic}-${timestamp}", "M/d H:m:s S", "test-1/3 6:30:1 864"},
		{"${topic}-${timestamp}", "SSSS", "test-0864"},
		{"${topic}-${timestamp}", "MMM-MMMM", "test-Jan-January"},
		{"${topic}-${timestamp}", "'week'yyyy''MM", "test-week2017'01"},
		{"${topic}-${timestamp}", "'it''s' yyyy", "test-it's 2017"},
		{"${timestamp}.${topic}.${topic}", "yyyyMM", "201701.test.test"},
		{"static", "yyyy", "static"},
		{"  ${topic}_x  ", "yyyy", "test_x"},
	} {
		tr := kafkaTransform(t, TimestampRouterClass, map[string]string{"topic.format": c.topicFormat, "timestamp.format": c.tsFormat})
		out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", Timestamp: time1483425001864()})
		if out.Topic != c.want {
			t.Errorf("%q %q: topic = %q, want %q", c.topicFormat, c.tsFormat, out.Topic, c.want)
		}
	}
}

// The topic is replaced first, so a topic holding ${timestamp} gets the
// timestamp too, as with Kafka's two successive replaceAll calls.
func TestTimestampRouterReplacementOrder(t *testing.T) {
	tr := kafkaTransform(t, TimestampRouterClass, nil)
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "a${timestamp}", Timestamp: time1483425001864()})
	if out.Topic != "a20170103-20170103" {
		t.Errorf("topic = %q", out.Topic)
	}
}

func TestTimestampRouterMissingTimestamp(t *testing.T) {
	tr := kafkaTransform(t, TimestampRouterClass, nil)
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "test"})
	if !strings.Contains(msg, "Timestamp missing on record") {
		t.Errorf("error %q", msg)
	}
	// An offset-only record has no topic to route.
	if out := mustKeep(t, tr, connect.SourceRecord{}); out.Topic != "" {
		t.Errorf("offset-only record routed to %q", out.Topic)
	}
}

func TestTimestampRouterConfigErrors(t *testing.T) {
	wantConfigError(t, TimestampRouterClass, map[string]string{"timestamp.format": "yyyy-qq"},
		"timestamp.format", "Invalid value yyyy-qq for configuration timestamp.format: Illegal pattern character 'q'")
	wantConfigError(t, TimestampRouterClass, map[string]string{"timestamp.format": "XXXX"},
		"timestamp.format", "Invalid value XXXX for configuration timestamp.format: invalid ISO 8601 format: length=4")
	wantConfigError(t, TimestampRouterClass, map[string]string{"timestamp.format": "yyyy'abc"},
		"timestamp.format", "Invalid value yyyy'abc for configuration timestamp.format: Unterminated quote")
}
