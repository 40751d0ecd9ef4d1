// Package registry is a client of the Confluent Schema Registry REST API:
// register a schema under a subject, look a schema up, read a schema by id
// and the latest version of a subject, and set compatibility levels.
//
// Answers that cannot change (the id of a subject and schema text, the text
// of an id) are cached, so a converter asks the registry once per schema.
// Error answers become *Error values carrying the registry's HTTP status,
// error_code and message.
package registry
