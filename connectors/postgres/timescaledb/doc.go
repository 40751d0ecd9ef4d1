// Package timescaledb is Debezium's TimescaleDb transformation
// (io.debezium.connector.postgresql.transforms.timescaledb.TimescaleDb):
// change events of TimescaleDB chunk tables are routed to the topic of
// their hypertable, or of the continuous aggregate the hypertable
// materializes, with the source block renamed and the chunk named in
// headers.
//
// The chunk → hypertable → aggregate mapping lives in TimescaleDB's
// _timescaledb_catalog, so the transformation reads the database, with a
// connection of its own configured by its own database.* properties, as
// Debezium's does (the connector's are not visible to a transformation).
// It lives with the PostgreSQL connector for that reason: transformations
// do not import connectors, and the connection settings are the
// connector's (postgres.QueryConnConfig). The application registers it
// next to the transformations package's classes.
//
// The catalog is read when a chunk is not known yet: a connection is
// opened for the read and closed after it, so that the transformation,
// which the runtime never closes, holds none between reads.
package timescaledb
