-- TimescaleDB's catalog as the TimescaleDb transformation reads it, for a
-- database without the extension: the tables of _timescaledb_catalog with
-- the columns of TimescaleDB 2.x (sql/pre_install/tables.sql), one
-- hypertable, public.example_metrics, and its chunk
-- _timescaledb_internal._hyper_1_1_chunk, which a trigger keeps equal to
-- public.example as TimescaleDB's insert path fills chunks.
CREATE SCHEMA IF NOT EXISTS _timescaledb_catalog;
CREATE SCHEMA IF NOT EXISTS _timescaledb_internal;
CREATE TABLE IF NOT EXISTS _timescaledb_catalog.hypertable (
  id serial PRIMARY KEY,
  schema_name name NOT NULL,
  table_name name NOT NULL,
  associated_schema_name name NOT NULL,
  associated_table_prefix name NOT NULL,
  num_dimensions smallint NOT NULL,
  chunk_sizing_func_schema name NOT NULL,
  chunk_sizing_func_name name NOT NULL,
  chunk_target_size bigint NOT NULL,
  compression_state smallint NOT NULL DEFAULT 0,
  compressed_hypertable_id integer,
  status integer NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS _timescaledb_catalog.chunk (
  id serial PRIMARY KEY,
  hypertable_id integer NOT NULL REFERENCES _timescaledb_catalog.hypertable(id),
  schema_name name NOT NULL,
  table_name name NOT NULL,
  compressed_chunk_id integer,
  dropped boolean NOT NULL DEFAULT false,
  status integer NOT NULL DEFAULT 0,
  osm_chunk boolean NOT NULL DEFAULT false,
  creation_time timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS _timescaledb_catalog.continuous_agg (
  mat_hypertable_id integer PRIMARY KEY,
  raw_hypertable_id integer NOT NULL,
  parent_mat_hypertable_id integer,
  user_view_schema name NOT NULL,
  user_view_name name NOT NULL,
  partial_view_schema name NOT NULL,
  partial_view_name name NOT NULL,
  direct_view_schema name NOT NULL,
  direct_view_name name NOT NULL,
  materialized_only bool NOT NULL DEFAULT false,
  finalized bool NOT NULL DEFAULT true
);
INSERT INTO _timescaledb_catalog.hypertable (id, schema_name, table_name, associated_schema_name, associated_table_prefix,
  num_dimensions, chunk_sizing_func_schema, chunk_sizing_func_name, chunk_target_size)
VALUES (1, 'public', 'example_metrics', '_timescaledb_internal', '_hyper_1', 1, '_timescaledb_functions', 'calculate_chunk_interval', 0)
ON CONFLICT (id) DO NOTHING;
INSERT INTO _timescaledb_catalog.chunk (id, hypertable_id, schema_name, table_name)
VALUES (1, 1, '_timescaledb_internal', '_hyper_1_1_chunk')
ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS _timescaledb_internal._hyper_1_1_chunk (LIKE public.example INCLUDING ALL);
INSERT INTO _timescaledb_internal._hyper_1_1_chunk SELECT * FROM public.example ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION public.example_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM _timescaledb_internal._hyper_1_1_chunk WHERE id = OLD.id;
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE _timescaledb_internal._hyper_1_1_chunk SET name = NEW.name, email = NEW.email, price = NEW.price,
      created_at = NEW.created_at WHERE id = OLD.id;
  ELSE
    INSERT INTO _timescaledb_internal._hyper_1_1_chunk VALUES (NEW.*);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER example_chunk AFTER INSERT OR UPDATE OR DELETE ON public.example
  FOR EACH ROW EXECUTE FUNCTION public.example_chunk();
