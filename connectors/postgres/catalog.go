package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connectors/postgres/decode"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
)

// tableRef names one captured table.
type tableRef struct {
	OID    uint32
	Schema string
	Name   string
	rank   int
}

// quoted is the table's name quoted for SQL.
func (r tableRef) quoted() string {
	return pgx.Identifier{r.Schema, r.Name}.Sanitize()
}

// columnInfo is one column as the catalog describes it.
type columnInfo struct {
	Name string
	// AttTypeOID and AttTypeMod are the column's pg_attribute type and
	// typmod as pgoutput sends them (a domain's own oid).
	AttTypeOID uint32
	AttTypeMod int32
	TypeOID    uint32
	TypeMod    int32
	NotNull    bool
	Default    string // pg_get_expr of the default, "" for none
	// DeclType is the declared type's name (a domain's own name, "_elem"
	// for arrays), as Debezium reports it.
	DeclType string
	// Type details of the domain-resolved type, see typemap.Column.
	TypeName   string
	TypeKind   string
	EnumLabels string
	ElemOID    uint32
	ElemName   string
	ElemKind   string
	ElemLabels string
}

// typemapColumn is the column as the type mapping sees it.
func (c *columnInfo) typemapColumn() typemap.Column {
	return typemap.Column{
		TypeOID: c.TypeOID, TypeMod: c.TypeMod, Optional: !c.NotNull, Default: c.Default,
		TypeName: c.TypeName, TypeKind: firstByte(c.TypeKind), EnumLabels: c.EnumLabels,
		ElemOID: c.ElemOID, ElemName: c.ElemName, ElemKind: firstByte(c.ElemKind), ElemLabels: c.ElemLabels,
	}
}

// declaredType is the type name Debezium reports and matches
// datatype.propagate.source.type against.
func (c *columnInfo) declaredType() string {
	if c.DeclType != "" {
		return c.DeclType
	}
	return c.TypeName
}

func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

// tableInfo is a table's shape from the catalog.
type tableInfo struct {
	tableRef
	Columns []columnInfo // attnum order, without dropped and generated columns
	PK      []string     // primary key columns in index order
}

// listTables returns the captured tables in snapshot order: by the first
// table.include.list pattern they match, then by name. Partitioned tables
// and their partitions are tables alike, as for Debezium (JDBC types TABLE
// and PARTITIONED TABLE): which of them the filters capture decides whether
// a partition's rows are read through the root, through the partition, or
// both.
func listTables(ctx context.Context, conn *pgx.Conn, f TableFilter) ([]tableRef, error) {
	rows, err := conn.Query(ctx, `SELECT c.oid, n.nspname, c.relname
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
		  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'`)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	var out []tableRef
	var r tableRef
	_, err = pgx.ForEachRow(rows, []any{&r.OID, &r.Schema, &r.Name}, func() error {
		if ok, rank := f.Captures(r.Schema, r.Name); ok {
			r.rank = rank
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].rank != out[j].rank {
			return out[i].rank < out[j].rank
		}
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// errTableGone reports a relation that no longer exists in the catalog.
var errTableGone = errors.New("table not found in the catalog")

// loadTable reads a table's columns and primary key. Domains are resolved to
// their base type.
func loadTable(ctx context.Context, conn *pgx.Conn, oid uint32) (*tableInfo, error) {
	info := &tableInfo{}
	err := conn.QueryRow(ctx, `SELECT c.oid, n.nspname, c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`, oid).
		Scan(&info.OID, &info.Schema, &info.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("loading table %d: %w", oid, errTableGone)
	}
	if err != nil {
		return nil, fmt.Errorf("loading table %d: %w", oid, err)
	}
	rows, err := conn.Query(ctx, `SELECT a.attname, a.atttypid, a.atttypmod, bt.oid,
			CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
			a.attnotnull,
			COALESCE(pg_get_expr(d.adbin, d.adrelid), ''),
			t.typname::text, bt.typname::text, bt.typtype::text,
			COALESCE((SELECT string_agg(e.enumlabel::text, ',' ORDER BY e.enumsortorder)
				FROM pg_enum e WHERE e.enumtypid = bt.oid), ''),
			COALESCE(et.oid, 0), COALESCE(et.typname::text, ''), COALESCE(et.typtype::text, ''),
			COALESCE((SELECT string_agg(e.enumlabel::text, ',' ORDER BY e.enumsortorder)
				FROM pg_enum e WHERE e.enumtypid = et.oid), '')
		FROM pg_attribute a
		JOIN pg_type t ON t.oid = a.atttypid
		JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
		LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
		ORDER BY a.attnum`, oid)
	if err != nil {
		return nil, fmt.Errorf("loading columns of %s: %w", info.quoted(), err)
	}
	var c columnInfo
	_, err = pgx.ForEachRow(rows, []any{&c.Name, &c.AttTypeOID, &c.AttTypeMod, &c.TypeOID, &c.TypeMod, &c.NotNull, &c.Default,
		&c.DeclType, &c.TypeName, &c.TypeKind, &c.EnumLabels, &c.ElemOID, &c.ElemName, &c.ElemKind, &c.ElemLabels}, func() error {
		info.Columns = append(info.Columns, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading columns of %s: %w", info.quoted(), err)
	}
	rows, err = conn.Query(ctx, `SELECT a.attname
		FROM pg_index i
		CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		WHERE i.indrelid = $1 AND i.indisprimary
		ORDER BY k.ord`, oid)
	if err != nil {
		return nil, fmt.Errorf("loading primary key of %s: %w", info.quoted(), err)
	}
	var name string
	_, err = pgx.ForEachRow(rows, []any{&name}, func() error {
		info.PK = append(info.PK, name)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading primary key of %s: %w", info.quoted(), err)
	}
	return info, nil
}

// relationInfo is the shape of a table as a pgoutput Relation message
// describes it, for tables the catalog no longer has: every column is
// optional, and the key columns form the key under the default replica
// identity.
func relationInfo(m *pglogrepl.RelationMessage) *tableInfo {
	info := &tableInfo{tableRef: tableRef{OID: m.RelationID, Schema: m.Namespace, Name: m.RelationName}}
	for _, c := range m.Columns {
		info.Columns = append(info.Columns, columnInfo{Name: c.Name, AttTypeOID: c.DataType, AttTypeMod: c.TypeModifier,
			TypeOID: c.DataType, TypeMod: c.TypeModifier})
		if m.ReplicaIdentity == 'd' && c.Flags&1 != 0 {
			info.PK = append(info.PK, c.Name)
		}
	}
	return info
}

// relationShape is the table as Debezium's PgOutputMessageDecoder builds it
// from a Relation message: the columns, their order, type oids and typmods
// come from the message, which describes the table as it was when the
// changes that follow were written; optionality and defaults are looked up
// by name in the current catalog (a column the catalog no longer has is
// optional, without default); the primary key is the catalog's, less the
// columns the message does not have. The catalog may be ahead of the WAL:
// a column dropped since, added since, or of another type since.
func relationShape(ctx context.Context, conn *pgx.Conn, m *pglogrepl.RelationMessage, cat *tableInfo) (*tableInfo, error) {
	info := &tableInfo{tableRef: cat.tableRef}
	info.Schema, info.Name = m.Namespace, m.RelationName
	byName := make(map[string]*columnInfo, len(cat.Columns))
	for i := range cat.Columns {
		byName[cat.Columns[i].Name] = &cat.Columns[i]
	}
	names := make(map[string]bool, len(m.Columns))
	for _, rc := range m.Columns {
		names[rc.Name] = true
		cc := byName[rc.Name]
		if cc != nil && cc.AttTypeOID == rc.DataType && cc.AttTypeMod == rc.TypeModifier {
			info.Columns = append(info.Columns, *cc)
			continue
		}
		c, err := typeColumn(ctx, conn, rc.DataType, rc.TypeModifier)
		if err != nil {
			return nil, fmt.Errorf("column %s of %s: %w", rc.Name, info.quoted(), err)
		}
		c.Name = rc.Name
		if cc != nil {
			c.NotNull, c.Default = cc.NotNull, cc.Default
		}
		info.Columns = append(info.Columns, c)
	}
	for _, k := range cat.PK {
		if names[k] {
			info.PK = append(info.PK, k)
		}
	}
	return info, nil
}

// typeColumn describes a column of the given type and typmod as loadTable
// would, domains resolved to their base type.
func typeColumn(ctx context.Context, conn *pgx.Conn, oid uint32, typmod int32) (columnInfo, error) {
	c := columnInfo{AttTypeOID: oid, AttTypeMod: typmod}
	err := conn.QueryRow(ctx, `SELECT bt.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE $2 END,
			t.typname::text, bt.typname::text, bt.typtype::text,
			COALESCE((SELECT string_agg(e.enumlabel::text, ',' ORDER BY e.enumsortorder)
				FROM pg_enum e WHERE e.enumtypid = bt.oid), ''),
			COALESCE(et.oid, 0), COALESCE(et.typname::text, ''), COALESCE(et.typtype::text, ''),
			COALESCE((SELECT string_agg(e.enumlabel::text, ',' ORDER BY e.enumsortorder)
				FROM pg_enum e WHERE e.enumtypid = et.oid), '')
		FROM pg_type t
		JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
		LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
		WHERE t.oid = $1`, oid, typmod).
		Scan(&c.TypeOID, &c.TypeMod, &c.DeclType, &c.TypeName, &c.TypeKind, &c.EnumLabels,
			&c.ElemOID, &c.ElemName, &c.ElemKind, &c.ElemLabels)
	if errors.Is(err, pgx.ErrNoRows) {
		// The type is gone too: map by oid alone (built-in types still map).
		return columnInfo{AttTypeOID: oid, AttTypeMod: typmod, TypeOID: oid, TypeMod: typmod}, nil
	}
	if err != nil {
		return c, fmt.Errorf("loading type %d: %w", oid, err)
	}
	return c, nil
}

// equal reports whether two infos describe the same shape.
func (i *tableInfo) equal(o *tableInfo) bool {
	return i.tableRef == o.tableRef && slices.Equal(i.Columns, o.Columns) && slices.Equal(i.PK, o.PK)
}

// capturedTable is a table's catalog shape with its envelope schemas.
type capturedTable struct {
	info *tableInfo
	*envelope.Table
	// pos maps a column name to its position in Table.Columns.
	pos map[string]int
}

// buildTable maps every column; columns of unsupported types are omitted
// with a warning, as Debezium does.
// Columns outside column.include.list (or inside column.exclude.list) are
// left out, and message.key.columns replaces the primary key as the key.
func buildTable(cfg *Config, info *tableInfo, log *slog.Logger) *capturedTable {
	ct := &capturedTable{info: info, pos: make(map[string]int, len(info.Columns))}
	cols := make([]envelope.Column, 0, len(info.Columns))
	for _, c := range info.Columns {
		if !cfg.Columns.captures(info.Schema, info.Name, c.Name) {
			continue
		}
		m, err := cfg.Types.For(c.typemapColumn())
		if err != nil {
			log.Warn("omitting column of unsupported type", "table", info.Schema+"."+info.Name,
				"column", c.Name, "type", c.TypeName, "type_oid", c.TypeOID)
			continue
		}
		ct.pos[c.Name] = len(cols)
		mapped := cfg.mapColumn(info.Schema, info.Name, &c, m)
		cols = append(cols, envelope.Column{Name: c.Name, Mapping: m, Transform: mapped.transform, ValueSchema: mapped.schema})
	}
	keyCols := info.PK
	if custom, ok := cfg.KeyColumns.columns(info); ok {
		keyCols = custom
	}
	var key []int
	for _, k := range keyCols {
		if p, ok := ct.pos[k]; ok {
			key = append(key, p)
		}
	}
	if len(key) != len(keyCols) {
		log.Warn("a key column is excluded or of an unsupported type; records will have no key",
			"table", info.Schema+"."+info.Name)
		key = nil
	}
	ct.Table = envelope.NewTableNamed(cfg.TopicPrefix, info.Schema, info.Name, cols, key, envelope.Naming{
		Delimiter:  cfg.TopicDelimiter,
		OmitSchema: cfg.TopicNaming == defaultTopicNamingStrategy,
		Schema:     envelope.SchemaNameAdjuster(cfg.SchemaNaming),
		Field:      envelope.FieldNameAdjuster(cfg.FieldNaming),
	})
	return ct
}

// layout maps result or relation columns, by name, to row positions.
func (ct *capturedTable) layout(names []string) decode.Layout {
	l := decode.Layout{Width: len(ct.Columns), Columns: make([]decode.Column, len(names))}
	for i, n := range names {
		l.Columns[i].Pos = -1
		if p, ok := ct.pos[n]; ok {
			l.Columns[i] = decode.Column{Pos: p, Decode: ct.Columns[p].Mapping.Decode}
		}
	}
	return l
}
