package postgres

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
)

// Keys of the trigger-based capture (TriggerConnector) besides the ones it
// shares with the logical-replication connector.
const (
	KeyTriggerAutocreate = "trigger.autocreate.mode"
	KeyTriggerSchema     = "trigger.schema"
	KeyTriggerQueue      = "trigger.queue.table"
)

// trigger.autocreate.mode values.
const (
	TriggerAutocreateAll      = "all"
	TriggerAutocreateDisabled = "disabled"
)

// TriggerConfig is the trigger-based capture's own part of a Config.
type TriggerConfig struct {
	// Mode is trigger.autocreate.mode: all installs the queue and the
	// triggers, disabled only checks they are there.
	Mode string
	// Schema holds the queue table, its sequence-backed key, the trigger
	// function and nothing else.
	Schema string
	// Queue is the queue table's name (default: the topic prefix, made a
	// valid identifier).
	Queue string
}

// Channel is the LISTEN/NOTIFY channel the trigger function notifies.
func (c *TriggerConfig) Channel() string { return c.Schema + "." + c.Queue }

// triggerKeys declares the trigger keys.
func triggerKeys() []configdef.Key {
	return []configdef.Key{
		{Name: KeyTriggerAutocreate, Type: configdef.TypeString, Default: TriggerAutocreateAll, Importance: configdef.ImportanceMedium, Group: "Connection",
			Validator: configdef.InIgnoreCase(TriggerAutocreateAll, TriggerAutocreateDisabled), DisplayName: "Trigger autocreate mode",
			Documentation: "Whether the connector installs, on start, its queue table and one capture trigger per captured table (all), or only checks that they exist and prints the DDL that installs them (disabled)."},
		{Name: KeyTriggerSchema, Type: configdef.TypeString, Default: "tributary_cdc", Importance: configdef.ImportanceLow, Group: "Connection", DisplayName: "Trigger schema",
			Documentation: "The schema that holds the connector's queue table and trigger function; the connector creates it with trigger.autocreate.mode=all. It must hold no captured table."},
		{Name: KeyTriggerQueue, Type: configdef.TypeString, Importance: configdef.ImportanceLow, Group: "Connection", DisplayName: "Queue table",
			Documentation: "The name of the connector's queue table, one per connector. Defaults to the topic prefix, lower-cased, with every character other than a-z, 0-9 and _ replaced by _."},
	}
}

// replicationOnlyKeys are the logical-replication connector's keys the
// trigger connector has no use for: set, each is warned about by name.
var replicationOnlyKeys = []string{
	KeyPluginName, KeySlotName, KeyPublicationName, KeyPublicationAutocreate, KeySlotDropOnStop,
	KeyStatusUpdateIntervalMs, KeySlotMaxRetries, KeySlotRetryDelayMs, KeyReplicaIdentityAutoset,
	KeySlotStreamParams, KeySlotFailover, KeyMessagePrefixInclude, KeyMessagePrefixExclude,
	KeyPublishViaPartitionRoot, "lsn.flush.mode", "flush.lsn.source", "xmin.fetch.interval.ms",
}

// inertTriggerKeys are the logical-replication connector's keys that only
// tune a feature the trigger connector refuses (heartbeats, transaction
// metadata, signals and the snapshots and notifications they drive): left
// out of its property list, and warned about by name when set.
var inertTriggerKeys = []string{
	KeyHeartbeatTopicPrefix, KeyHeartbeatTopicName, KeyTopicTransaction,
	KeyIncrementalChunkSize, KeyIncrementalWatermarking, KeyReadOnly,
	KeySignalEnabledChannels, KeySignalPollIntervalMs, KeySignalFile, KeySignalKafkaTopic,
	KeySignalKafkaBootstrapServers, KeySignalKafkaPollTimeoutMs, KeySignalKafkaGroupID,
	KeyNotificationEnabledChannels, KeyNotificationSinkTopicName,
}

// unsupportedTriggerKeys are features of the logical-replication connector
// the trigger connector does not offer: set, each is refused by name.
var unsupportedTriggerKeys = []string{
	KeyHeartbeatIntervalMs, KeyHeartbeatActionQuery, KeyProvideTransactionMetadata,
	KeySignalDataCollection,
}

// TriggerConfigDef lists the trigger connector's properties: the
// logical-replication connector's ones it uses, and its own.
func TriggerConfigDef() *configdef.Def { return triggerConfigDef }

var triggerConfigDef = func() *configdef.Def {
	var keys []configdef.Key
	for _, k := range configDef.Keys() {
		if slices.Contains(replicationOnlyKeys, k.Name) || slices.Contains(unsupportedTriggerKeys, k.Name) ||
			slices.Contains(inertTriggerKeys, k.Name) {
			continue
		}
		keys = append(keys, k)
	}
	return configdef.Define(append(keys, triggerKeys()...)...)
}()

var triggerOwnDef = configdef.Define(triggerKeys()...)

// nonIdentifier is what a default queue name replaces.
var nonIdentifier = regexp.MustCompile(`[^a-z0-9_]`)

// ParseTriggerConfig parses a TriggerConnector configuration: the shared
// properties as ParseConfig does, then the trigger keys.
func ParseTriggerConfig(props map[string]string) (*Config, []connect.ConfigError) {
	rest := maps.Clone(props)
	own := map[string]string{}
	for _, k := range triggerOwnDef.Keys() {
		if v, ok := rest[k.Name]; ok {
			if strings.TrimSpace(v) != "" {
				own[k.Name] = v
			}
			delete(rest, k.Name)
		}
	}
	c, errs := ParseConfig(rest)
	v, ownErrs := triggerOwnDef.Parse(own)
	errs = append(errs, ownErrs...)
	tc := &TriggerConfig{
		Mode:   strings.ToLower(v.String(KeyTriggerAutocreate)),
		Schema: v.String(KeyTriggerSchema),
		Queue:  v.String(KeyTriggerQueue),
	}
	if tc.Queue == "" {
		tc.Queue = nonIdentifier.ReplaceAllString(strings.ToLower(c.TopicPrefix), "_")
	}
	if len(tc.Schema) > 63 || len(tc.Queue) > 50 {
		errs = append(errs, connect.ConfigError{Name: KeyTriggerQueue, Message: fmt.Sprintf(
			"%s must be at most 63 characters and %s at most 50", KeyTriggerSchema, KeyTriggerQueue)})
	}
	c.Trigger = tc
	for _, k := range replicationOnlyKeys {
		if strings.TrimSpace(props[k]) != "" {
			c.Warnings = append(c.Warnings, fmt.Sprintf("The configuration '%s' has no effect on the trigger-based connector, which uses no replication slot or publication.", k))
		}
	}
	for _, k := range inertTriggerKeys {
		if k != KeySignalEnabledChannels && strings.TrimSpace(props[k]) != "" {
			c.Warnings = append(c.Warnings, fmt.Sprintf("The configuration '%s' has no effect on the trigger-based connector, which supports no heartbeats, transaction metadata, signals or notifications.", k))
		}
	}
	for _, k := range unsupportedTriggerKeys {
		if v := strings.TrimSpace(props[k]); v != "" && v != "0" && v != "false" {
			errs = append(errs, connect.ConfigError{Name: k, Message: fmt.Sprintf(
				"The configuration '%s' is not supported by the trigger-based connector", k)})
		}
	}
	for _, ch := range strings.Split(props[KeySignalEnabledChannels], ",") {
		if ch = strings.TrimSpace(ch); ch != "" && !strings.EqualFold(ch, "source") {
			errs = append(errs, connect.ConfigError{Name: KeySignalEnabledChannels, Message: fmt.Sprintf(
				"The trigger-based connector reads no signal channel; '%s' is not supported", ch)})
		}
	}
	return c, errs
}

// PgxConfig is the configuration of a query connection to the database,
// with the session settings the decoders need.
func (c *Config) PgxConfig() (*pgx.ConnConfig, error) { return c.pgxConfig() }
