// Package httpserve bounds the HTTP servers the worker runs: the REST API
// (internal/app) and the embedded schema registry
// (connect/schemaregistry).
//
// Invariants:
//   - every server built by Limits.Server has read-header, read, write and
//     idle timeouts and a header size cap, so that a slow or idle client
//     cannot hold a connection indefinitely;
//   - every listener wrapped by Limits.Listener accepts at most MaxConns
//     connections at once; further clients wait in the kernel's backlog
//     until a connection closes, so the number of connection goroutines
//     stays bounded.
//
// It also has the filters Kafka Connect installs in Jetty around its REST
// API: cross-origin access (CrossOrigin, Jetty's CrossOriginFilter) and
// response header rules (WithHeaders, Jetty's HeaderFilter).
//
// Request body size is each handler's concern (http.MaxBytesReader).
package httpserve
