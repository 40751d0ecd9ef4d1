package postgres

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tributary-cdc/tributary/connectors/postgres/javaser"
)

// Offset keys of a running incremental snapshot, as Debezium's
// AbstractIncrementalSnapshotContext.store writes them. The collections
// are a JSON string (Jackson, compact, nulls written); the two keys are
// the hex of a Java-serialized Object[] (ObjectOutputStream).
const (
	offIncCollections         = "incremental_snapshot_collections"
	offIncCollectionID        = "incremental_snapshot_collections_id"
	offIncCollectionCondition = "incremental_snapshot_collections_additional_condition"
	offIncCollectionSurrogate = "incremental_snapshot_collections_surrogate_key"
	offIncPrimaryKey          = "incremental_snapshot_primary_key"
	offIncMaximumKey          = "incremental_snapshot_maximum_key"
	offIncCorrelationID       = "incremental_snapshot_correlation_id"
	javaSerializedNull        = "aced000570" // ObjectOutputStream.writeObject(null)
)

// keyCodec encodes a chunk key as Debezium stores it in the offsets: the
// hex of a Java-serialized Object[] (javaser). Key values are the Go types
// javaser maps to the Java classes Debezium's JDBC read gives the key
// columns (pgjdbc getObject): int2 and int4 are Integer (int32), int8 Long
// (int64), text types String (string), uuid UUID (javaser.UUID), numeric
// BigDecimal (javaser.BigDecimal). A stored Short (int16) is read too.
type keyCodec interface {
	Encode(key []any) (string, error)
	Decode(s string) ([]any, error)
}

// javaKeys is the keyCodec of Debezium's offsets.
type javaKeys struct{}

func (javaKeys) Encode(key []any) (string, error) { return javaser.Encode(key) }
func (javaKeys) Decode(s string) ([]any, error)   { return javaser.Decode(s) }

// incCollection is one table queued for an incremental snapshot
// (Debezium's DataCollection).
type incCollection struct {
	ID string // schema.table, TableId.toString
	// Condition is the additional condition in parentheses, "" for none
	// (DataCollection.getAdditionalCondition).
	Condition    string
	SurrogateKey string
}

// incContext is the state of the incremental snapshot that goes into the
// offsets (AbstractIncrementalSnapshotContext), and the window state that
// does not.
type incContext struct {
	collections []incCollection
	// chunkEnd is the last key of the chunk read (the next one starts
	// after it); lastSent the key of the last row emitted; maxKey the
	// table's largest key when its snapshot started. nil: none.
	chunkEnd, lastSent, maxKey []any
	correlationID              *string

	paused     bool
	windowOpen bool
	chunkID    string
	// stops are the collections (patterns) a stop-snapshot asked to stop,
	// applied before the next chunk.
	stops []string
}

func (c *incContext) running() bool { return len(c.collections) > 0 }

func (c *incContext) current() *incCollection {
	if len(c.collections) == 0 {
		return nil
	}
	return &c.collections[0]
}

// nextCollection drops the current table and resets the chunk state
// (nextDataCollection, resetChunk).
func (c *incContext) nextCollection() {
	c.lastSent, c.chunkEnd, c.maxKey = nil, nil, nil
	if len(c.collections) > 0 {
		c.collections = c.collections[1:]
	}
}

// expected reports whether a window signal id belongs to the current
// chunk: after a restart, replayed signals of older chunks are ignored.
func (c *incContext) expected(id string) bool {
	return c.chunkID != "" && strings.HasPrefix(id, c.chunkID)
}

// jsonCollection is one element of incremental_snapshot_collections, in
// Jackson's field order.
type jsonCollection struct {
	ID        string  `json:"incremental_snapshot_collections_id"`
	Condition *string `json:"incremental_snapshot_collections_additional_condition"`
	Surrogate *string `json:"incremental_snapshot_collections_surrogate_key"`
}

// collectionsJSON is SnapshotDataCollection.computeJsonString: Jackson
// does not escape HTML characters, and empty values are null.
func collectionsJSON(cs []incCollection) (string, error) {
	out := make([]jsonCollection, len(cs))
	for i, c := range cs {
		out[i].ID = c.ID
		if c.Condition != "" {
			out[i].Condition = &cs[i].Condition
		}
		if c.SurrogateKey != "" {
			out[i].Surrogate = &cs[i].SurrogateKey
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return "", fmt.Errorf("encoding %s: %w", offIncCollections, err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func parseCollectionsJSON(s string) ([]incCollection, error) {
	var in []jsonCollection
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", offIncCollections, err)
	}
	out := make([]incCollection, 0, len(in))
	for _, c := range in {
		ic := incCollection{ID: c.ID}
		if c.Condition != nil {
			ic.Condition = *c.Condition
		}
		if c.Surrogate != nil {
			ic.SurrogateKey = *c.Surrogate
		}
		out = append(out, ic)
	}
	return out, nil
}

// store adds the running snapshot's keys to an offset
// (AbstractIncrementalSnapshotContext.store); nothing when none runs. A
// nil key is Java's null (javaSerializedNull).
func (c *incContext) store(codec keyCodec, off map[string]any) error {
	if !c.running() {
		return nil
	}
	pk, err := encodeKey(codec, c.lastSent)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", offIncPrimaryKey, err)
	}
	mk, err := encodeKey(codec, c.maxKey)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", offIncMaximumKey, err)
	}
	cs, err := collectionsJSON(c.collections)
	if err != nil {
		return err
	}
	off[offIncPrimaryKey] = pk
	off[offIncMaximumKey] = mk
	off[offIncCollections] = cs
	if c.correlationID != nil {
		off[offIncCorrelationID] = *c.correlationID
	} else {
		off[offIncCorrelationID] = nil
	}
	return nil
}

// loadIncContext reads the keys store wrote (AbstractIncrementalSnapshotContext.init):
// the next chunk starts after the last row sent.
func loadIncContext(codec keyCodec, m map[string]any) (*incContext, error) {
	c := &incContext{}
	if m == nil {
		return c, nil
	}
	var err error
	if s, ok := m[offIncPrimaryKey].(string); ok {
		if c.chunkEnd, err = decodeKey(codec, s); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", offIncPrimaryKey, err)
		}
	}
	if s, ok := m[offIncMaximumKey].(string); ok {
		if c.maxKey, err = decodeKey(codec, s); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", offIncMaximumKey, err)
		}
	}
	if s, ok := m[offIncCollections].(string); ok {
		if c.collections, err = parseCollectionsJSON(s); err != nil {
			return nil, err
		}
	}
	if s, ok := m[offIncCorrelationID].(string); ok {
		c.correlationID = &s
	}
	return c, nil
}

func encodeKey(codec keyCodec, key []any) (string, error) {
	if key == nil {
		return javaSerializedNull, nil
	}
	return codec.Encode(key)
}

func decodeKey(codec keyCodec, s string) ([]any, error) {
	if strings.EqualFold(s, javaSerializedNull) {
		return nil, nil
	}
	return codec.Decode(s)
}
