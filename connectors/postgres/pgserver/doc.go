// Package pgserver starts private, throwaway PostgreSQL clusters: for tests
// (through package pgtest) and for the benchmark command.
//
// Each Server is one postmaster on a free local port with wal_level=logical,
// fsync off. Binaries come from $PG_BIN, `pg_config --bindir`, the newest
// /usr/lib/postgresql/*/bin, or PATH, in that order. When running as root,
// initdb and postgres run as the `postgres` OS user, because PostgreSQL
// refuses to run as root.
//
// Clusters live under $PGTEST_TMPDIR, else /dev/shm, else os.TempDir(). The
// slow initdb runs once per set of binaries: its result is kept there as a
// template (tributary-pgtest-<uid>_<bindir>) that later clusters copy.
//
// Authentication is trust; the superuser is `postgres`.
package pgserver
