package kafkaclient

import (
	"fmt"

	"github.com/IBM/sarama"
)

// PartitionChooser is implemented by a producer message's Metadata when the
// record names its partition (a ProducerRecord with a partition, e.g. one
// a transformation routed): the partitioner then uses it, as Java's
// producer does, and hashes the key otherwise.
type PartitionChooser interface {
	ChosenPartition() (partition int32, ok bool)
}

// newPartitioner is murmur2 key hashing, as Java's default partitioner,
// unless the message chose its partition.
func newPartitioner(topic string) sarama.Partitioner {
	return chosenPartitioner{hash: sarama.NewMurmur2Partitioner(topic)}
}

type chosenPartitioner struct{ hash sarama.Partitioner }

func (p chosenPartitioner) Partition(msg *sarama.ProducerMessage, numPartitions int32) (int32, error) {
	if c, ok := msg.Metadata.(PartitionChooser); ok {
		if part, ok := c.ChosenPartition(); ok {
			if part < 0 || part >= numPartitions {
				// KafkaProducer.partition's message.
				return 0, fmt.Errorf("Invalid partition given with record: %d is not in the range [0...%d).", part, numPartitions)
			}
			return part, nil
		}
	}
	return p.hash.Partition(msg, numPartitions)
}

func (p chosenPartitioner) RequiresConsistency() bool { return p.hash.RequiresConsistency() }

// MessageRequiresConsistency keeps sarama's choice for hashed messages
// (consistency only for those with a key) and requires it for chosen
// partitions.
func (p chosenPartitioner) MessageRequiresConsistency(msg *sarama.ProducerMessage) bool {
	if c, ok := msg.Metadata.(PartitionChooser); ok {
		if _, ok := c.ChosenPartition(); ok {
			return true
		}
	}
	if d, ok := p.hash.(sarama.DynamicConsistencyPartitioner); ok {
		return d.MessageRequiresConsistency(msg)
	}
	return p.hash.RequiresConsistency()
}
