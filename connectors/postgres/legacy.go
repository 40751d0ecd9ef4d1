package postgres

import (
	"fmt"
	"slices"
	"strings"
)

// Properties earlier Debezium releases read and Debezium 3.5 does not, or
// reads only to map them onto their successors. Debezium 3.5 accepts a
// configuration carrying them; so does Tributary, with one warning naming
// each and saying what Debezium 3.5 does instead, rather than the generic
// unknown-property warning (or the JDBC driver pass-through's, for the
// database.* ones, which Debezium 3.5 hands to pgjdbc, which ignores them).
//
// The list is taken from Debezium's sources: each entry names the Field the
// property last had and the last release line declaring it; Debezium
// 3.5.2.Final's CommonConnectorConfig, RelationalDatabaseConnectorConfig,
// PostgresConnectorConfig and ExtractNewRecordStateConfigDefinition declare
// none of the removed ones, and no Field of 3.5 lists one as a deprecated
// alias (Field.withDeprecatedAliases is unused).
type legacyProperty struct {
	name string
	// removed is the Debezium release that stopped reading the property.
	removed string
	// instead says what Debezium 3.5 does with a configuration carrying it.
	instead string
}

var legacyProperties = []legacyProperty{
	// RelationalDatabaseConnectorConfig.SERVER_NAME (1.x, required); 2.0
	// replaced it with CommonConnectorConfig.TOPIC_PREFIX.
	{"database.server.name", "2.0", "topic.prefix names the topics and the offsets' server"},
	// RelationalDatabaseConnectorConfig.TABLE_WHITELIST/TABLE_BLACKLIST,
	// SCHEMA_*, COLUMN_*, DATABASE_* ("Old, backwards-compatible" aliases
	// of the *.include.list/*.exclude.list keys since 1.3, last in 1.9).
	{"table.whitelist", "2.0", "every table the other filters allow is captured; use table.include.list"},
	{"table.blacklist", "2.0", "no table is excluded by it; use table.exclude.list"},
	{"schema.whitelist", "2.0", "every schema the other filters allow is captured; use schema.include.list"},
	{"schema.blacklist", "2.0", "no schema is excluded by it; use schema.exclude.list"},
	{"column.whitelist", "2.0", "every column the other filters allow is captured; use column.include.list"},
	{"column.blacklist", "2.0", "no column is excluded by it; use column.exclude.list"},
	{"database.whitelist", "2.0", "the PostgreSQL connector captures the database named by database.dbname"},
	{"database.blacklist", "2.0", "the PostgreSQL connector captures the database named by database.dbname"},
	// PostgresConnectorConfig.TOASTED_VALUE_PLACEHOLDER, renamed in 1.x.
	{"toasted.value.placeholder", "2.0", "unchanged TOASTed values are written as unavailable.value.placeholder"},
	// PostgresConnectorConfig.TRUNCATE_HANDLING_MODE (skip|include).
	{"truncate.handling.mode", "2.0", "a TRUNCATE is emitted unless skipped.operations contains t (its default does)"},
	// CommonConnectorConfig.SOURCE_STRUCT_MAKER_VERSION (v1|v2).
	{"source.struct.version", "2.0", "the source block is always the v2 one"},
	// CommonConnectorConfig.TRANSACTION_TOPIC (a full topic name).
	{"transaction.topic", "2.0", "transaction records go to <topic.prefix>.<topic.transaction>"},
	// CommonConnectorConfig.SANITIZE_FIELD_NAMES, last in 2.1.
	{"sanitize.field.names", "2.2", "names are adjusted as schema.name.adjustment.mode and field.name.adjustment.mode say (default none)"},
	// PostgresConnectorConfig.SNAPSHOT_MODE_CLASS, last in 2.5.
	{"snapshot.custom.class", "2.6", "a custom snapshotter is snapshot.mode=custom with snapshot.mode.custom.name, which Tributary does not support"},
	// PostgresConnectorConfig.DROP_SLOT_ON_STOP_OBSOLETE, last in 1.0.
	{"slot.drop_on_stop", "1.1", "the slot is dropped on stop only with slot.drop.on.stop=true"},
}

// Deprecated properties Debezium 3.5's PostgresConnectorConfig still maps
// onto their successors (resolveLsnFlushMode,
// resolveOffsetSlotMismatchStrategy), logging its own warning. Tributary
// does what their defaults map to; the other values are refused.
const (
	keyFlushLSNSource  = "flush.lsn.source"                   // SHOULD_FLUSH_LSN_IN_SOURCE_DB
	keySlotSeekToKnown = "slot.seek.to.known.offset.on.start" // SLOT_SEEK_TO_KNOWN_OFFSET
	keyLSNFlushMode    = "lsn.flush.mode"                     // LSN_FLUSH_MODE
	keyOffsetMismatch  = "offset.mismatch.strategy"           // OFFSET_SLOT_MISMATCH_STRATEGY
)

// deprecatedPair is a deprecated boolean and the enum replacing it.
type deprecatedPair struct {
	old, successor string
	// values are the successor's enum values, in declaration order;
	// supported those Tributary runs (what Tributary always does).
	values, supported []string
	// oldValue maps the deprecated boolean onto a successor value.
	oldValue    func(bool) string
	unsupported string
}

var deprecatedPairs = []deprecatedPair{
	{old: keyFlushLSNSource, successor: keyLSNFlushMode,
		// LsnFlushMode; connector_and_driver also confirms positions no
		// record carries, which Tributary always does (position markers).
		values: []string{"connector", "manual", "connector_and_driver"}, supported: []string{"connector", "connector_and_driver"},
		oldValue: func(b bool) string {
			if b {
				return "connector"
			}
			return "manual"
		},
		unsupported: "LSN flushing left to an external process (lsn.flush.mode=manual, flush.lsn.source=false) is not supported: Tributary confirms every committed position to the slot"},
	{old: keySlotSeekToKnown, successor: keyOffsetMismatch,
		// OffsetSlotMismatchStrategy: Tributary streams from the stored
		// offset without comparing it with the slot (no_validation).
		values: []string{"no_validation", "trust_offset", "trust_slot", "trust_greater_lsn"}, supported: []string{"no_validation"},
		oldValue: func(b bool) string {
			if b {
				return "trust_offset"
			}
			return "no_validation"
		},
		unsupported: "only no_validation is supported (slot.seek.to.known.offset.on.start=true is trust_offset)"},
}

// legacyName reports whether the property is one of legacyProperties or a
// deprecated one the parser reads.
func legacyName(name string) bool {
	for _, d := range deprecatedPairs {
		if name == d.old || name == d.successor {
			return true
		}
	}
	for _, l := range legacyProperties {
		if l.name == name {
			return true
		}
	}
	return false
}

// legacy warns once about each removed property present and checks the
// deprecated ones Debezium 3.5 still reads.
func (p *parser) legacy() {
	for _, l := range legacyProperties {
		if _, ok := p.props[l.name]; ok {
			p.warn(fmt.Sprintf("The configuration '%s' was removed in Debezium %s and is ignored, as Debezium 3.5 ignores it: %s.",
				l.name, l.removed, l.instead))
		}
	}
	for _, d := range deprecatedPairs {
		p.deprecated(d)
	}
}

// deprecated resolves a deprecated boolean and its successor as Debezium
// 3.5 does: the successor wins when set (checked as Field.withEnum checks
// it), the deprecated one alone logs Debezium's warning and maps onto a
// successor value.
func (p *parser) deprecated(d deprecatedPair) {
	value, name := strings.ToLower(strings.TrimSpace(p.props[d.successor])), d.successor
	if value != "" {
		if err := oneOf(d.values...).EnsureValid(name, value); err != nil {
			p.add(name, err.Error())
			return
		}
	} else {
		raw := strings.TrimSpace(p.props[d.old])
		if raw == "" {
			return
		}
		p.warn(fmt.Sprintf("Property '%s' is deprecated and replaced by '%s' and will be removed in a future build.", d.old, d.successor))
		before := len(p.errs)
		b := p.boolValue(d.old, false)
		if len(p.errs) > before {
			return
		}
		value, name = d.oldValue(b), d.old
	}
	if !slices.Contains(d.supported, value) {
		p.invalid(name, p.props[name], d.unsupported)
	}
}
