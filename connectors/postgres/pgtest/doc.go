// Package pgtest starts private, throwaway PostgreSQL clusters for tests:
// package pgserver's clusters, owned by the test that started them
// (t.Cleanup stops each and removes its files) and failing the test on
// error.
package pgtest
