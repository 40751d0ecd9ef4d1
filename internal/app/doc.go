// Package app wires one Tributary worker together: it loads the worker
// properties, starts the embedded broker and schema registry when no
// bootstrap.servers is set, opens the Kafka clients and the config, offset
// and status stores, builds the plugin list once, and connects the herder,
// its group membership and the REST API.
//
// The herder, the group and the config store refer to each other: the group
// hands the herder its assignments (membership.Handler), the herder asks the
// group to rejoin when the leader's work changes (herder.Config.Group), and
// the config store tells the herder about records other workers wrote
// (storage.ConfigListener). New builds the group, then the herder holding
// it, then makes the herder the store's listener; Run starts the REST
// servers, closes the cycle with group.Start(herder), and shuts down in the
// order its comment gives. Tests and tools start a worker in-process with New and Run and
// read its addresses from RESTAddrs, Brokers and RegistryURL.
//
// Security: each Kafka client takes Kafka Connect's view of the worker's
// properties (package security): the group membership, the internal topics'
// clients and the cluster id look-up the top level (InternalProps), the
// admin client (topic creation and look-ups, fencing) the top level and
// admin.* (AdminProps), task producers producer.* and the connector's
// producer.override.* under connector.client.config.override.policy; the
// settings go through the worker's config providers first. With
// bootstrap.servers, New checks the brokers with the internal clients'
// settings (security.Check) before it opens anything, so a TLS or SASL
// failure stops the worker naming the broker, mechanism and stage; without
// it, a client security setting stops the worker: the embedded broker's
// security comes from embedded.kafka.sasl.* (SCRAM-SHA-512) and
// embedded.kafka.ssl.* (its key store), and every client of the worker
// (internal, admin, task producers, the registry's store) uses the
// credentials and pinned certificate that reach it. An embedded listener
// beyond loopback without a SASL user stops the worker.
package app
