// Package docs renders the README's property tables from the ConfigDefs
// that parse and validate the properties (the worker's, the producer
// settings a worker sets with producer.*, the framework's connector keys,
// the PostgreSQL connector's and the trigger connector's, the transformations' and predicates', the
// converters'), so that the documentation cannot drift from the code.
//
// The tables sit in README.md between <!-- BEGIN configdef NAME --> and
// <!-- END configdef NAME --> markers. TestREADMETables fails when one
// differs from its ConfigDef; `go generate ./internal/docs` rewrites them.
// TestSecurityExamplesLoad loads each worker.properties example of the
// README's "Security" section as the worker and its clients would.
// TestDockerfileExposesWhatListens loads the worker configuration the
// Dockerfile's ENV gives and checks that EXPOSE names exactly the ports
// that listen beyond the container's loopback.
package docs

//go:generate go test -run TestREADMETables -update .
