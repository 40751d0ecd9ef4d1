// Package configdef is Kafka's org.apache.kafka.common.config.ConfigDef in
// Go: one declaration per component ([]Key, made a Def with Define) from
// which come parsing into typed values, validation for the REST API
// (ConfigValue, Infos), the "unknown property" warnings and the Markdown
// property tables of the README.
//
// A Key has Kafka's fields: name, Type (BOOLEAN, STRING, INT, SHORT, LONG,
// DOUBLE, LIST, CLASS, PASSWORD), default (nil is a null default, NoDefault
// makes the key required), Validator, importance, documentation, group,
// order in group, width, display name, dependents and Recommender. Every
// message is Kafka's (ConfigException: "Invalid value V for configuration
// NAME: REASON"; "Missing required configuration \"NAME\" which has no
// default value."), with values printed as Java prints them (null, [a, b],
// [hidden]).
//
// Parse differs from ConfigDef.parse in one respect: it does not stop at the
// first problem but returns all of them, in declaration order, with the
// default standing in for a value that did not parse. Validate is
// ConfigDef.validateAll, Kafka's rules included: a validator also runs on a
// value that failed to parse (as null). Each key is validated once, where
// Kafka visits a key that is the dependent of two others twice and repeats
// its errors.
//
// CLASS values are class names: Go has no class loader, so a key whose
// classes are known checks them with a Validator that words its refusal as
// ConfigDef.parseType does ("Class X could not be found.").
//
// Layering: the package imports only the standard library, so that every
// layer can declare its configuration with it: schema (converters), connect
// (the SPI, whose ConfigError, ConfigKey and ConfigInfos are this package's
// types), transforms, connectors and the runtime. It lives at the top of the
// module rather than under schema because it is no part of the data model;
// .golangci.yml keeps it free of the module's other packages.
package configdef
