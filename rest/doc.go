// Package rest serves Kafka Connect's REST API (/, /health, /connectors,
// …/config incl. PATCH, …/status, …/tasks, restart, pause, resume, stop,
// …/offsets, …/topics, /connector-plugins with …/config and …/validate,
// /admin/loggers) on top of a Herder, with Kafka Connect's status codes, JSON
// shapes and error bodies. Endpoints beyond the connector lifecycle depend on
// optional interfaces (ConnectorStopper, ConfigPatcher, OffsetManager,
// TopicTracker, PluginConfigurer) and Config.Loggers; without them they
// answer 501. Config.Routes splits /admin off for admin.listeners: one
// handler for the listeners (RoutesPublic), one for the admin listeners
// (RoutesAdmin).
//
// GET /metrics, when the Herder is a MetricsSource, is client_golang's
// promhttp over a registry the handler owns: the herder's samples, turned
// into constant metrics at each scrape, and the Go runtime and process
// collectors; promhttp negotiates the format (Prometheus text, OpenMetrics)
// and the compression. Without a MetricsSource the route is unknown (404).
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
//   - a POST, PUT or PATCH naming a Content-Type other than application/json
//     is refused with 415 before its handler runs (requireJSON);
//   - 5xx responses are logged at Error, 4xx at Debug.
package rest
