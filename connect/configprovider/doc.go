// Package configprovider resolves ${provider:[path:]key} placeholders in
// connector configs with the providers a worker enables through
// config.providers, as Kafka's ConfigTransformer does: file (a properties
// file), dir (one file per key) and env (environment variables).
//
// Resolution happens only where a connector is validated or its tasks
// start; the raw configs, placeholders intact, are what the config topic
// stores and the REST API reports.
package configprovider
