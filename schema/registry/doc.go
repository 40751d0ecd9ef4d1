// Package registry is a client of the Confluent Schema Registry REST API:
// register a schema under a subject, look a schema up, read a schema by id
// and the latest version of a subject, and set compatibility levels.
//
// Answers that cannot change (the id of a subject and schema text, the text
// of an id) are cached, so a converter asks the registry once per schema.
// Error answers become *Error values carrying the registry's HTTP status,
// error_code and message.
//
// Requests authenticate with HTTP basic credentials (basic.auth.user.info
// or a URL's user information) or a static bearer token, and go over TLS
// with the configuration the caller built from schema.registry.ssl.*
// (package tlsconfig). No error shows a URL's password.
package registry
