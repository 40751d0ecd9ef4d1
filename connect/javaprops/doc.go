// Package javaprops reads Java .properties files with the rules of
// java.util.Properties.load: worker properties files, the credentials file
// of Kafka's PropertyFileLoginModule, and whatever else Java users keep in
// that format.
package javaprops
