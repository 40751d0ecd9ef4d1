package pgnotify

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

func baseProps() map[string]string {
	return map[string]string{
		"name":              "events",
		"connector.class":   ConnectorClass,
		"tasks.max":         "1",
		"database.hostname": "127.0.0.1",
		"database.port":     "5432",
		"database.user":     "app",
		"database.password": "s3cret",
		"database.dbname":   "shop",
		"topic.prefix":      "shop",
		"notify.channels":   "orders,Billing",
	}
}

func TestParseConfigDefaults(t *testing.T) {
	c, errs := ParseConfig(baseProps())
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if !slices.Equal(c.Channels, []string{"orders", "Billing"}) {
		t.Errorf("channels = %q", c.Channels)
	}
	if c.Topics["orders"] != "shop.orders" || c.Topics["Billing"] != "shop.Billing" {
		t.Errorf("topics = %v", c.Topics)
	}
	if c.JSON || c.TolerateAll || c.MaxBatchSize != 2048 || c.MaxQueueSize != 8192 ||
		c.BackoffInitial != 500*time.Millisecond || c.BackoffMax != 30*time.Second {
		t.Errorf("defaults = %+v", c)
	}
	if c.Conn.Host != "127.0.0.1" || c.Conn.Port != 5432 || c.Conn.User != "app" || c.Conn.Password != "s3cret" || c.Conn.Database != "shop" {
		t.Errorf("connection = %s:%d %s %s", c.Conn.Host, c.Conn.Port, c.Conn.User, c.Conn.Database)
	}
}

func TestParseConfigMappingAndFormat(t *testing.T) {
	p := baseProps()
	p["notify.channels"] = "orders,we:ird chan"
	p["notify.topic.mapping"] = "we:ird chan:weird-events"
	p["notify.payload.format"] = "json"
	p["errors.tolerance"] = "all"
	p["errors.log.enable"] = "true"
	c, errs := ParseConfig(p)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if c.Topics["we:ird chan"] != "weird-events" || c.Topics["orders"] != "shop.orders" {
		t.Errorf("topics = %v", c.Topics)
	}
	if !c.JSON || !c.TolerateAll || !c.LogErrors {
		t.Errorf("config = %+v", c)
	}
}

// TestParseConfigRefuses: every invalid or unknown property is an error
// naming it (the herder answers 400 with it).
func TestParseConfigRefuses(t *testing.T) {
	cases := []struct {
		name  string
		set   map[string]string
		field string
		text  string
	}{
		{"unknown property", map[string]string{"notify.channel": "x"}, "notify.channel", "is not a property of"},
		{"Debezium property this connector does not read", map[string]string{"slot.name": "s"}, "slot.name", "is not a property of"},
		{"driver pass-through", map[string]string{"driver.foo": "1"}, "driver.foo", "is not a property of"},
		{"missing channels", map[string]string{"notify.channels": ""}, "notify.channels", "notify.channels"},
		{"duplicate channel", map[string]string{"notify.channels": "a,a"}, "notify.channels", "listed twice"},
		{"channel too long", map[string]string{"notify.channels": strings.Repeat("c", 64)}, "notify.channels", "longer than 63"},
		{"channel gives an invalid topic", map[string]string{"notify.channels": "has space"}, "notify.channels", "notify.topic.mapping"},
		{"mapping without topic", map[string]string{"notify.topic.mapping": "orders"}, "notify.topic.mapping", "not <channel>:<topic>"},
		{"mapping to an invalid topic", map[string]string{"notify.topic.mapping": "orders:a b"}, "notify.topic.mapping", "not a valid topic name"},
		{"mapping of an unlisted channel", map[string]string{"notify.topic.mapping": "other:t"}, "notify.topic.mapping", "not one of notify.channels"},
		{"channel mapped twice", map[string]string{"notify.topic.mapping": "orders:a,orders:b"}, "notify.topic.mapping", "mapped twice"},
		{"bad format", map[string]string{"notify.payload.format": "xml"}, "notify.payload.format", "notify.payload.format"},
		{"bad backoff", map[string]string{"notify.reconnect.backoff.initial.ms": "0"}, "notify.reconnect.backoff.initial.ms", "at least 1"},
		{"backoff max below initial", map[string]string{"notify.reconnect.backoff.max.ms": "100"}, "notify.reconnect.backoff.max.ms", "must be at least"},
		{"bad port", map[string]string{"database.port": "x"}, "database.port", "database.port"},
		{"bad sslmode", map[string]string{"database.sslmode": "sometimes"}, "database.sslmode", "database.sslmode"},
		{"missing hostname", map[string]string{"database.hostname": ""}, "database.hostname", "database.hostname"},
		{"missing topic.prefix", map[string]string{"topic.prefix": ""}, "topic.prefix", "topic.prefix"},
		{"invalid topic.prefix", map[string]string{"topic.prefix": "a/b"}, "topic.prefix", "valid topic name"},
		{"bad queue size", map[string]string{"max.queue.size": "0"}, "max.queue.size", "at least 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := baseProps()
			for k, v := range tc.set {
				p[k] = v
			}
			_, errs := ParseConfig(p)
			i := slices.IndexFunc(errs, func(e connect.ConfigError) bool { return e.Name == tc.field })
			if i < 0 {
				t.Fatalf("errors %v name no %s", errs, tc.field)
			}
			if !strings.Contains(errs[i].Message, tc.text) {
				t.Errorf("error %q does not say %q", errs[i].Message, tc.text)
			}
			for _, e := range errs {
				if strings.Contains(e.Message, "s3cret") {
					t.Errorf("error %q shows the password", e.Message)
				}
			}
		})
	}
}

// TestParseConfigFrameworkProperties: Kafka Connect's own properties are
// not the connector's to refuse.
func TestParseConfigFrameworkProperties(t *testing.T) {
	p := baseProps()
	for k, v := range map[string]string{
		"transforms": "r", "transforms.r.type": "org.apache.kafka.connect.transforms.RegexRouter",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
		"errors.tolerance": "none", "topic.creation.default.partitions": "3", "producer.override.linger.ms": "5",
	} {
		p[k] = v
	}
	if _, errs := ParseConfig(p); len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
}

func TestListenSQLQuotesIdentifiers(t *testing.T) {
	got := listenSQL([]string{"orders", `Mixed "Case"; DROP TABLE x`})
	want := `LISTEN "orders";LISTEN "Mixed ""Case""; DROP TABLE x";`
	if got != want {
		t.Fatalf("listenSQL = %s, want %s", got, want)
	}
}

func TestBackoffBoundedAndJittered(t *testing.T) {
	initial, maxDelay := 100*time.Millisecond, time.Second
	for n := range 20 {
		want := min(initial<<min(n, 10), maxDelay)
		for range 50 {
			d := backoff(initial, maxDelay, n)
			if d < want/2 || d > want {
				t.Fatalf("backoff(attempt %d) = %v, want within [%v, %v]", n, d, want/2, want)
			}
		}
	}
}

// FuzzTopicMapping: whatever notify.channels and notify.topic.mapping say,
// parsing never panics, and an accepted config maps every channel to a
// valid topic name.
func FuzzTopicMapping(f *testing.F) {
	f.Add("orders,Billing", "Billing:billing-events")
	f.Add("a:b,c", "a:b:t1,c:t2")
	f.Add("x", ":y")
	f.Add("é", "é:t")
	f.Fuzz(func(t *testing.T, channels, mapping string) {
		p := baseProps()
		p["notify.channels"] = channels
		p["notify.topic.mapping"] = mapping
		c, errs := ParseConfig(p)
		if len(errs) > 0 {
			return
		}
		for _, ch := range c.Channels {
			if !validTopic(c.Topics[ch]) {
				t.Fatalf("channel %q maps to invalid topic %q", ch, c.Topics[ch])
			}
		}
		if len(c.Topics) != len(c.Channels) {
			t.Fatalf("topics %v for channels %q", c.Topics, c.Channels)
		}
	})
}
