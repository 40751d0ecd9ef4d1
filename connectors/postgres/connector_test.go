package postgres_test

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

func TestValidate(t *testing.T) {
	pg := pgtest.Start(t)
	good := map[string]string{
		"connector.class":   postgres.ConnectorClass,
		"topic.prefix":      "dbserver1",
		"database.hostname": pg.Host(),
		"database.port":     strconv.Itoa(pg.Port()),
		"database.user":     "postgres",
		"database.dbname":   "postgres",
	}
	with := func(kv ...string) map[string]string {
		c := maps.Clone(good)
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "<unset>" {
				delete(c, kv[i])
				continue
			}
			c[kv[i]] = kv[i+1]
		}
		return c
	}
	stopped := pgtest.Start(t)
	stopped.Stop(t)

	tests := []struct {
		name    string
		config  map[string]string
		prop    string // the property the single error names
		message string // a substring of its message
	}{
		{"missing topic.prefix", with("topic.prefix", "<unset>"), "topic.prefix",
			`Missing required configuration "topic.prefix" which has no default value.`},
		{"missing hostname", with("database.hostname", "<unset>"), "database.hostname",
			`Missing required configuration "database.hostname"`},
		{"decoderbufs", with("plugin.name", "decoderbufs"), "plugin.name",
			"Invalid value decoderbufs for configuration plugin.name:"},
		// Debezium's Field.withEnum messages (Field.EnumRecommender,
		// Field.validationOutput), the values in java.util.HashSet order.
		{"bad snapshot.mode", with("snapshot.mode", "sometimes"), "snapshot.mode",
			"The 'snapshot.mode' value is invalid: Value must be one of always, initial_only, configuration_based, when_needed, initial, custom, no_data"},
		{"bad decimal.handling.mode", with("decimal.handling.mode", "exact"), "decimal.handling.mode",
			"The 'decimal.handling.mode' value is invalid: Value must be one of string, double, precise"},
		{"bad time.precision.mode", with("time.precision.mode", "nanos"), "time.precision.mode",
			"The 'time.precision.mode' value is invalid: Value must be one of adaptive, adaptive_time_microseconds, isostring, microseconds, nanoseconds, connect"},
		{"bad binary.handling.mode", with("binary.handling.mode", "base32"), "binary.handling.mode",
			"The 'binary.handling.mode' value is invalid: Value must be one of bytes, base64, hex, base64-url-safe"},
		{"bad hstore.handling.mode", with("hstore.handling.mode", "list"), "hstore.handling.mode",
			"The 'hstore.handling.mode' value is invalid: Value must be one of json, map"},
		{"bad interval.handling.mode", with("interval.handling.mode", "iso"), "interval.handling.mode",
			"The 'interval.handling.mode' value is invalid: Value must be one of string, numeric"},
		{"bad message.key.columns", with("message.key.columns", "public.t"), "message.key.columns",
			"Invalid value public.t for configuration message.key.columns:"},
		{"bad column regex", with("column.exclude.list", "public.t.(x"), "column.exclude.list",
			"Invalid value public.t.(x for configuration column.exclude.list:"},
		{"negative money.fraction.digits", with("money.fraction.digits", "-1"), "money.fraction.digits",
			"Invalid value -1 for configuration money.fraction.digits:"},
		{"bad slot.name", with("slot.name", "My-Slot"), "slot.name",
			"Invalid value My-Slot for configuration slot.name:"},
		{"non-numeric port", with("database.port", "abc"), "database.port",
			"Invalid value abc for configuration database.port: Not a number of type INT"},
		{"bad publication mode", with("publication.autocreate.mode", "some"), "publication.autocreate.mode",
			"The 'publication.autocreate.mode' value is invalid: Value must be one of no_tables, filtered, disabled, all_tables"},
		{"bad regex", with("table.include.list", "public.(x"), "table.include.list",
			"Invalid value public.(x for configuration table.include.list"},
		{"include and exclude", with("table.include.list", "public.a", "table.exclude.list", "public.b"),
			"table.exclude.list", "Invalid value public.b for configuration table.exclude.list"},
		{"queue not above batch", with("max.batch.size", "100", "max.queue.size", "100"), "max.queue.size",
			"Invalid value 100 for configuration max.queue.size"},
		{"unreachable database", with("database.port", strconv.Itoa(stopped.Port())), "database.hostname",
			"Error while validating connector config: connecting to the database at database.hostname=127.0.0.1, database.port=" + strconv.Itoa(stopped.Port())},
		{"unknown user", with("database.user", "nobody"), "database.hostname",
			`role "nobody" does not exist`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := postgres.New().Validate(t.Context(), tc.config)
			if len(errs) != 1 {
				t.Fatalf("got %d errors %+v, want 1 naming %s", len(errs), errs, tc.prop)
			}
			if errs[0].Name != tc.prop || !strings.Contains(errs[0].Message, tc.message) {
				t.Fatalf("got %+v, want %s with a message containing %q", errs[0], tc.prop, tc.message)
			}
		})
	}

	goodConfigs := map[string]map[string]string{
		"minimal":            good,
		"pgoutput, any case": with("plugin.name", "PGOUTPUT", "snapshot.mode", " No_Data "),
		"every mode":         with("snapshot.mode", "when_needed", "publication.autocreate.mode", "filtered"),
		"lists":              with("table.include.list", "public\\..*,inventory.orders", "schema.exclude.list", "tmp"),
	}
	for name, cfg := range goodConfigs {
		t.Run("valid "+name, func(t *testing.T) {
			if errs := postgres.New().Validate(t.Context(), cfg); len(errs) != 0 {
				t.Fatalf("unexpected errors: %+v", errs)
			}
		})
	}
}

func TestParseConfigCollectsEveryProblem(t *testing.T) {
	_, errs := postgres.ParseConfig(map[string]string{"plugin.name": "decoderbufs", "snapshot.mode": "x"})
	got := map[string]bool{}
	for _, e := range errs {
		got[e.Name] = true
	}
	for _, want := range []string{"topic.prefix", "database.hostname", "plugin.name", "snapshot.mode"} {
		if !got[want] {
			t.Errorf("no error for %s in %+v", want, errs)
		}
	}
}

// TestSnapshotModes reads Debezium 3.5's SnapshotMode values in any case;
// the aliases earlier releases took are refused (TestLegacyVerdicts).
func TestSnapshotModes(t *testing.T) {
	base := map[string]string{"topic.prefix": "p", "database.hostname": "h"}
	for in, want := range map[string]string{
		"": "initial", "INITIAL": "initial", "No_Data": "no_data", "initial_only": "initial_only",
		"always": "always", "when_needed": "when_needed",
	} {
		c := maps.Clone(base)
		if in != "" {
			c["snapshot.mode"] = in
		}
		cfg, errs := postgres.ParseConfig(c)
		if len(errs) != 0 || cfg.SnapshotMode != want {
			t.Errorf("snapshot.mode %q: got %q %+v, want %q", in, cfg.SnapshotMode, errs, want)
		}
	}
}

func TestTaskConfigs(t *testing.T) {
	cfg := map[string]string{"topic.prefix": "p", "database.hostname": "h"}
	got, err := postgres.New().TaskConfigs(cfg, 4)
	if err != nil || len(got) != 1 || !maps.Equal(got[0], cfg) {
		t.Fatalf("got %v %v, want one task config equal to the connector config", got, err)
	}
	c := postgres.New()
	if c.Class() != "io.debezium.connector.postgresql.PostgresConnector" || c.Type() != "source" || c.Version() != "3.5.0.Final" {
		t.Fatalf("identity: %s %s %s", c.Class(), c.Type(), c.Version())
	}
}

// TestValidateSlotCapacity: a connector whose slot does not exist yet is
// refused while the server has no replication slot or WAL sender left, and
// the message names the limit; a connector whose slot exists is not.
func TestValidateSlotCapacity(t *testing.T) {
	pg := pgtest.Start(t, "max_replication_slots=10", "max_wal_senders=2")
	var create []string
	for i := 1; i <= 10; i++ {
		create = append(create, fmt.Sprintf("SELECT pg_create_logical_replication_slot('slot%d', 'pgoutput')", i))
	}
	pg.Exec(t, create...)
	config := func(slot string) map[string]string {
		return map[string]string{
			"connector.class":   postgres.ConnectorClass,
			"topic.prefix":      "dbserver1",
			"database.hostname": pg.Host(),
			"database.port":     strconv.Itoa(pg.Port()),
			"database.user":     "postgres",
			"database.dbname":   "postgres",
			"slot.name":         slot,
		}
	}
	expectRefused := func(slot, limit string) {
		t.Helper()
		errs := postgres.New().Validate(t.Context(), config(slot))
		if len(errs) != 1 || errs[0].Name != "slot.name" || !strings.Contains(errs[0].Message, limit) {
			t.Fatalf("slot %s: got %+v, want one slot.name error naming %s", slot, errs, limit)
		}
	}
	expectRefused("slot11", "max_replication_slots=10")
	if errs := postgres.New().Validate(t.Context(), config("slot1")); len(errs) != 0 {
		t.Fatalf("existing slot refused: %+v", errs)
	}

	// One slot free, but both WAL senders taken by replication connections.
	pg.Exec(t, "SELECT pg_drop_replication_slot('slot10')")
	for range 2 {
		conn, err := pgconn.Connect(t.Context(), fmt.Sprintf(
			"host=%s port=%d user=postgres dbname=postgres replication=database", pg.Host(), pg.Port()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
	}
	expectRefused("slot11", "max_wal_senders=2")
	if errs := postgres.New().Validate(t.Context(), config("slot1")); len(errs) != 0 {
		t.Fatalf("existing slot refused: %+v", errs)
	}
}
