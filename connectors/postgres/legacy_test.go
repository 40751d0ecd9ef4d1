package postgres_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// TestLegacyVerdicts holds Tributary's verdict on every property (and
// value) Debezium's PostgreSQL connector once read and Debezium 3.5 no
// longer does, reads only to map onto a successor, or refuses. Where the
// verdict is a warning, the configuration is accepted with exactly one
// warning naming the property, and nothing else about it; where it is an
// error, the message is Debezium 3.5's own where Debezium 3.5 refuses the
// value too.
//
// Sources (github.com/debezium/debezium):
//   - removed properties: the Fields of RelationalDatabaseConnectorConfig
//     (SERVER_NAME, TABLE_WHITELIST, TABLE_BLACKLIST, SCHEMA_WHITELIST,
//     SCHEMA_BLACKLIST, COLUMN_WHITELIST, COLUMN_BLACKLIST,
//     DATABASE_WHITELIST, DATABASE_BLACKLIST), PostgresConnectorConfig
//     (TOASTED_VALUE_PLACEHOLDER, TRUNCATE_HANDLING_MODE) and
//     CommonConnectorConfig (SOURCE_STRUCT_MAKER_VERSION, TRANSACTION_TOPIC)
//     at v1.9.8.Final, absent from v2.0.0.Final; CommonConnectorConfig
//     SANITIZE_FIELD_NAMES (last v2.1.4.Final), PostgresConnectorConfig
//     SNAPSHOT_MODE_CLASS (last v2.5.4.Final), DROP_SLOT_ON_STOP_OBSOLETE
//     (last v1.0.x). v3.5.2.Final declares none of them and no deprecated
//     alias.
//   - deprecated, still mapped: PostgresConnectorConfig
//     SHOULD_FLUSH_LSN_IN_SOURCE_DB / LSN_FLUSH_MODE (resolveLsnFlushMode)
//     and SLOT_SEEK_TO_KNOWN_OFFSET / OFFSET_SLOT_MISMATCH_STRATEGY
//     (resolveOffsetSlotMismatchStrategy) at v3.5.2.Final.
//   - refused values: PostgresConnectorConfig.SnapshotMode (always,
//     initial, no_data, initial_only, when_needed, configuration_based,
//     custom: never is gone since v3.3.0.Final, DBZ-8171; exported since
//     v2.0.0.Final; schema_only is not a PostgreSQL mode),
//     LogicalDecoder (pgoutput, decoderbufs), TemporalPrecisionMode
//     (STRUCTURED arrives in v3.7.0), each checked by Field.withEnum's
//     EnumRecommender with the message of Field.validationOutput.
func TestLegacyVerdicts(t *testing.T) {
	base := map[string]string{"topic.prefix": "p", "database.hostname": "h"}
	const (
		accepted = ""
		warns    = "warn"
		refused  = "error"
	)
	tests := []struct {
		props   []string // name, value pairs
		verdict string
		name    string // the property the warning or error names
		message string // a substring of it
	}{
		{[]string{"database.server.name", "dbserver1"}, warns, "database.server.name",
			"removed in Debezium 2.0 and is ignored, as Debezium 3.5 ignores it: topic.prefix names the topics"},
		{[]string{"table.whitelist", "public.a"}, warns, "table.whitelist", "use table.include.list"},
		{[]string{"table.blacklist", "public.a"}, warns, "table.blacklist", "use table.exclude.list"},
		{[]string{"schema.whitelist", "public"}, warns, "schema.whitelist", "use schema.include.list"},
		{[]string{"schema.blacklist", "public"}, warns, "schema.blacklist", "use schema.exclude.list"},
		{[]string{"column.whitelist", "public.a.x"}, warns, "column.whitelist", "use column.include.list"},
		{[]string{"column.blacklist", "public.a.x"}, warns, "column.blacklist", "use column.exclude.list"},
		{[]string{"database.whitelist", "postgres"}, warns, "database.whitelist", "database.dbname"},
		{[]string{"database.blacklist", "other"}, warns, "database.blacklist", "database.dbname"},
		{[]string{"toasted.value.placeholder", "__toast"}, warns, "toasted.value.placeholder", "unavailable.value.placeholder"},
		{[]string{"truncate.handling.mode", "include"}, warns, "truncate.handling.mode", "skipped.operations"},
		{[]string{"source.struct.version", "v1"}, warns, "source.struct.version", "always the v2 one"},
		{[]string{"transaction.topic", "p.tx"}, warns, "transaction.topic", "<topic.prefix>.<topic.transaction>"},
		{[]string{"sanitize.field.names", "true"}, warns, "sanitize.field.names", "removed in Debezium 2.2"},
		{[]string{"snapshot.custom.class", "com.example.Snap"}, warns, "snapshot.custom.class", "removed in Debezium 2.6"},
		{[]string{"slot.drop_on_stop", "true"}, warns, "slot.drop_on_stop", "slot.drop.on.stop=true"},

		{[]string{"flush.lsn.source", "true"}, warns, "flush.lsn.source",
			"Property 'flush.lsn.source' is deprecated and replaced by 'lsn.flush.mode' and will be removed in a future build."},
		{[]string{"flush.lsn.source", "false"}, refused, "flush.lsn.source", "Invalid value false for configuration flush.lsn.source: LSN flushing left to an external process"},
		{[]string{"flush.lsn.source", "maybe"}, refused, "flush.lsn.source", "Invalid value maybe for configuration flush.lsn.source"},
		{[]string{"lsn.flush.mode", "connector"}, accepted, "", ""},
		{[]string{"lsn.flush.mode", "Connector_And_Driver"}, accepted, "", ""},
		{[]string{"lsn.flush.mode", "connector", "flush.lsn.source", "false"}, accepted, "", ""}, // the successor wins
		{[]string{"lsn.flush.mode", "manual"}, refused, "lsn.flush.mode", "Invalid value manual for configuration lsn.flush.mode"},
		{[]string{"lsn.flush.mode", "driver"}, refused, "lsn.flush.mode",
			"The 'lsn.flush.mode' value is invalid: Value must be one of connector_and_driver, connector, manual"},
		{[]string{"slot.seek.to.known.offset.on.start", "false"}, warns, "slot.seek.to.known.offset.on.start",
			"Property 'slot.seek.to.known.offset.on.start' is deprecated and replaced by 'offset.mismatch.strategy' and will be removed in a future build."},
		{[]string{"slot.seek.to.known.offset.on.start", "true"}, refused, "slot.seek.to.known.offset.on.start", "trust_offset"},
		{[]string{"offset.mismatch.strategy", "no_validation"}, accepted, "", ""},
		{[]string{"offset.mismatch.strategy", "trust_slot"}, refused, "offset.mismatch.strategy", "only no_validation is supported"},
		{[]string{"offset.mismatch.strategy", "trust"}, refused, "offset.mismatch.strategy",
			"The 'offset.mismatch.strategy' value is invalid: Value must be one of trust_greater_lsn, trust_slot, no_validation, trust_offset"},

		{[]string{"snapshot.mode", "never"}, refused, "snapshot.mode",
			"The 'snapshot.mode' value is invalid: Value must be one of always, initial_only, configuration_based, when_needed, initial, custom, no_data"},
		{[]string{"snapshot.mode", "schema_only"}, refused, "snapshot.mode", "The 'snapshot.mode' value is invalid: Value must be one of"},
		{[]string{"snapshot.mode", "exported"}, refused, "snapshot.mode", "The 'snapshot.mode' value is invalid: Value must be one of"},
		{[]string{"snapshot.mode", "configuration_based"}, refused, "snapshot.mode", "Invalid value configuration_based for configuration snapshot.mode"},
		{[]string{"snapshot.mode", "custom"}, refused, "snapshot.mode", "Invalid value custom for configuration snapshot.mode"},
		{[]string{"plugin.name", "wal2json"}, refused, "plugin.name",
			"The 'plugin.name' value is invalid: Value must be one of decoderbufs, pgoutput"},
		{[]string{"plugin.name", "decoderbufs"}, refused, "plugin.name", "Invalid value decoderbufs for configuration plugin.name: only pgoutput is supported"},
		{[]string{"time.precision.mode", "structured"}, refused, "time.precision.mode",
			"The 'time.precision.mode' value is invalid: Value must be one of adaptive, adaptive_time_microseconds, isostring, microseconds, nanoseconds, connect"},
		{[]string{"snapshot.locking.mode", "custom"}, refused, "snapshot.locking.mode", "Invalid value custom for configuration snapshot.locking.mode"},
		{[]string{"snapshot.locking.mode", "exclusive"}, refused, "snapshot.locking.mode",
			"The 'snapshot.locking.mode' value is invalid: Value must be one of shared, custom, none"},

		{[]string{"topic.naming.strategy", "io.debezium.schema.DefaultTopicNamingStrategy"}, accepted, "", ""},
		{[]string{"topic.naming.strategy", "io.debezium.schema.SchemaTopicNamingStrategy"}, accepted, "", ""},
		{[]string{"topic.naming.strategy", "com.example.Naming"}, refused, "topic.naming.strategy", "Invalid value com.example.Naming"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.props, "="), func(t *testing.T) {
			c := maps.Clone(base)
			for i := 0; i < len(tc.props); i += 2 {
				c[tc.props[i]] = tc.props[i+1]
			}
			cfg, errs := postgres.ParseConfig(c)
			var mentions []string
			for _, w := range cfg.Warnings {
				for i := 0; i < len(tc.props); i += 2 {
					if strings.Contains(w, tc.props[i]) {
						mentions = append(mentions, w)
					}
				}
			}
			switch tc.verdict {
			case accepted:
				if len(errs) != 0 || len(mentions) != 0 {
					t.Fatalf("got errors %+v and warnings %q, want none", errs, mentions)
				}
			case warns:
				if len(errs) != 0 {
					t.Fatalf("got errors %+v, want none", errs)
				}
				if len(mentions) != 1 || !strings.Contains(mentions[0], "'"+tc.name+"'") || !strings.Contains(mentions[0], tc.message) {
					t.Fatalf("got warnings %q, want one naming %s containing %q", mentions, tc.name, tc.message)
				}
			case refused:
				if len(errs) != 1 || errs[0].Name != tc.name || !strings.Contains(errs[0].Message, tc.message) {
					t.Fatalf("got errors %+v, want one naming %s containing %q", errs, tc.name, tc.message)
				}
			}
		})
	}
}

// TestDefaultTopicNamingStrategy: Debezium's DefaultTopicNamingStrategy
// names a PostgreSQL table's topic <prefix>.<table> (TableId.databaseParts
// with a null catalog: PostgresConnection.createTableId), and its Key,
// Value and Envelope schemas after the topic (TopicNamingStrategy's
// recordSchemaPrefix), in the snapshot and in streaming alike; tables of
// one name in two schemas share the topic.
func TestDefaultTopicNamingStrategy(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE SCHEMA other`,
		`CREATE TABLE public.orders (id int PRIMARY KEY)`, `CREATE TABLE other.orders (id int PRIMARY KEY)`,
		`INSERT INTO public.orders VALUES (1)`, `INSERT INTO other.orders VALUES (2)`)
	h := newHarness(t, pg, map[string]string{"topic.naming.strategy": "io.debezium.schema.DefaultTopicNamingStrategy"})
	h.start()
	recs := h.poll(2)
	pg.Exec(t, `INSERT INTO other.orders VALUES (3)`)
	recs = append(recs, h.poll(1)...)
	for _, r := range recs {
		if r.Topic != "dbserver1.orders" {
			t.Errorf("%s record of %s on topic %q, want dbserver1.orders", op(t, r), sourceField(t, r, "schema"), r.Topic)
		}
		if got := r.ValueSchema.Name; got != "dbserver1.orders.Envelope" {
			t.Errorf("value schema %q, want dbserver1.orders.Envelope", got)
		}
		if got := r.KeySchema.Name; got != "dbserver1.orders.Key" {
			t.Errorf("key schema %q, want dbserver1.orders.Key", got)
		}
	}
	if op(t, recs[2]) != "c" || sourceField(t, recs[2], "schema") != "other" {
		t.Errorf("streamed record %s, want an insert into other.orders", describe(recs[2:]))
	}
}
