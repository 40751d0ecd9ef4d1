// Package javaregex compiles the java.util.regex patterns that connector
// configs carry (Kafka's RegexRouter and TopicNameMatches, topic creation
// groups, Debezium's outbox router) with Go's RE2 engine, refusing the
// constructs RE2 lacks or reads differently from Java instead of letting
// them match something else.
package javaregex
