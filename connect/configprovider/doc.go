// Package configprovider resolves ${provider:[path:]key} placeholders in
// connector configs with the providers a worker enables through
// config.providers, as Kafka's ConfigTransformer does: file (a properties
// file), dir (one file per key) and env (environment variables).
//
// Resolution happens only where a connector is validated or its tasks
// start; the raw configs, placeholders intact, are what the config topic
// stores and the REST API reports.
//
// A placeholder a provider cannot resolve is an *Error naming its property
// (the herder answers 400). Unrestricted lists the providers that may read
// any file or variable the worker can; the worker warns about them at start.
package configprovider
