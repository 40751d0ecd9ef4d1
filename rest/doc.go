// Package rest serves Kafka Connect's REST API (/connectors, …/config,
// …/status, …/tasks, restart, pause and resume, /connector-plugins) on top of
// a Herder, with Kafka Connect's status codes, JSON shapes and error bodies.
//
// It owns HTTP concerns only: routing, request decoding and validation of the
// request's shape, response encoding and the single error catalog (errors.go)
// that maps runtime errors to {"error_code":N,"message":"..."} bodies. All
// runtime behaviour is behind the Herder interface defined here; the package
// never imports the worker, herder or storage packages.
//
// Invariants:
//   - every error response is written by one function (handler.fail) and has
//     error_code equal to the HTTP status;
//   - the request's context, bounded by Config.RequestTimeout, is passed to
//     every Herder call;
//   - request bodies are capped at MaxBodyBytes;
//   - 5xx responses are logged at Error, 4xx at Debug.
package rest
