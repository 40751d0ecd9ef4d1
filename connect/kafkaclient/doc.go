// Package kafkaclient owns how Tributary talks to Kafka through sarama: the
// one client configuration every runtime component starts from (protocol
// version, idempotent producer, Java-compatible murmur2 key partitioning),
// the producer settings a worker (`producer.*`) or connector
// (`producer.override.*`) may tune (ProducerDef: the keys of Kafka's
// ProducerConfig that Tributary honours, parsed with configdef), the
// transactional producers and fencing
// of exactly-once source support, the idempotent topic creation the
// internal topics and the topic.creation.* settings rely on, and the topic
// look-ups (TopicExists without creating, LookUpTopic as a producer, which
// lets the broker create the topic).
//
// Security: every client's configuration comes from one function per kind
// of client, with the security of its Kafka Connect view (package
// security): NewClientConfig for the worker's internal and admin clients,
// NewProducerConfig and NewTransactionalProducerConfig for source task
// producers, whose ProducerSettings carry the security ProducerSecurity
// parsed from producer.* and producer.override.* under the override policy.
//
// It holds no state; callers own the clients they build from NewConfig.
package kafkaclient
