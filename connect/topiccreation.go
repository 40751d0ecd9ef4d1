package connect

import "github.com/tributary-cdc/tributary/configdef"

// ReplicationFactorValidator is Kafka Connect's TopicCreationConfig.
// REPLICATION_FACTOR_VALIDATOR, which checks the replication factor of the
// topics a source connector's topic creation groups create and of the
// worker's internal topics (DistributedConfig): positive, or -1 for the
// broker's default. A missing value (null) is left to the missing-value
// error.
var ReplicationFactorValidator = configdef.Func(
	"Positive number not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default",
	func(name string, v any) error {
		if n, ok := v.(int16); ok && n != -1 && n < 1 {
			return configdef.Invalid(name, v, "Replication factor must be positive and not larger than the number of brokers "+
				"in the Kafka cluster, or -1 to use the broker's default")
		}
		return nil
	})

// PartitionsValidator is TopicCreationConfig.PARTITIONS_VALIDATOR: a
// partition count, positive or -1 for the broker's default.
var PartitionsValidator = configdef.Func("Positive number, or -1 to use the broker's default",
	func(name string, v any) error {
		if n, ok := v.(int); ok && n != -1 && n < 1 {
			return configdef.Invalid(name, v, "Number of partitions must be positive, or -1 to use the broker's default")
		}
		return nil
	})
