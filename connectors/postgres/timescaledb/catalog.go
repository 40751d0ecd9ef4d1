package timescaledb

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The catalog queries of Debezium's QueryInformationSchemaMetadata.
const (
	queryChunkToHypertable = "SELECT c.schema_name, c.table_name, ht.schema_name, ht.table_name FROM _timescaledb_catalog.chunk c " +
		"LEFT JOIN _timescaledb_catalog.hypertable ht ON c.hypertable_id = ht.id"
	queryHypertableToAggregate = "SELECT ht.schema_name, ht.table_name, agg.user_view_schema, agg.user_view_name FROM _timescaledb_catalog.continuous_agg agg" +
		" LEFT JOIN _timescaledb_catalog.hypertable ht ON agg.mat_hypertable_id = ht.id"
)

// readTimeout bounds one read of the catalog, connection included.
const readTimeout = 2 * time.Minute

// maxMissing bounds the remembered tables that are no chunk.
const maxMissing = 1024

// catalog is QueryInformationSchemaMetadata: the chunk → hypertable and
// hypertable → aggregate maps, read again in full when a chunk is not in
// them. Unlike Debezium, a table still not found after a read is
// remembered as no chunk, so that its records do not each read the
// catalog: a chunk is in the catalog when its first row is committed, so
// it is found on the first read that follows.
type catalog struct {
	config     *pgx.ConnConfig
	chunks     map[TableID]TableID
	aggregates map[TableID]TableID
	missing    map[TableID]bool
}

func newCatalog(config *pgx.ConnConfig) *catalog {
	return &catalog{config: config, missing: map[TableID]bool{}}
}

func (c *catalog) Hypertable(ctx context.Context, chunk TableID) (TableID, bool, error) {
	if h, ok := c.chunks[chunk]; ok {
		return h, true, nil
	}
	if c.missing[chunk] {
		return TableID{}, false, nil
	}
	if err := c.load(ctx); err != nil {
		return TableID{}, false, fmt.Errorf("Failed to read TimescaleDB metadata: %w", err)
	}
	h, ok := c.chunks[chunk]
	if !ok {
		if len(c.missing) >= maxMissing {
			clear(c.missing)
		}
		c.missing[chunk] = true
	}
	return h, ok, nil
}

func (c *catalog) Aggregate(hypertable TableID) (TableID, bool) {
	a, ok := c.aggregates[hypertable]
	return a, ok
}

// load reads both maps on a connection of its own.
func (c *catalog) load(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, c.config)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.Background()) }() // only read from
	chunks, err := readPairs(ctx, conn, queryChunkToHypertable)
	if err != nil {
		return err
	}
	aggregates, err := readPairs(ctx, conn, queryHypertableToAggregate)
	if err != nil {
		return err
	}
	c.chunks, c.aggregates = chunks, aggregates
	clear(c.missing)
	return nil
}

// readPairs reads rows of two table ids into a map from the first to the
// second. A LEFT JOIN's missing side reads as empty names.
func readPairs(ctx context.Context, conn *pgx.Conn, query string) (map[TableID]TableID, error) {
	rows, err := conn.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	out := map[TableID]TableID{}
	var a, b, c, d *string
	_, err = pgx.ForEachRow(rows, []any{&a, &b, &c, &d}, func() error {
		out[TableID{str(a), str(b)}] = TableID{str(c), str(d)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
