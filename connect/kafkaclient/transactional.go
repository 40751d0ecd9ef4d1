package kafkaclient

import (
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
)

// TransactionalID is the transactional.id of a source task's producer when
// exactly-once source support is enabled, exactly as Kafka Connect's
// Worker.taskTransactionalId builds it: <group.id>-<connector>-<task>. A
// Java worker and Tributary therefore fence each other's zombies.
func TransactionalID(groupID, connector string, task int) string {
	return fmt.Sprintf("%s-%s-%d", groupID, connector, task)
}

// NewTransactionalProducerConfig is NewProducerConfig for a transactional
// producer with the given transactional.id. Successes are not returned: a
// committed transaction is the acknowledgement of every record in it.
func NewTransactionalProducerConfig(clientID, transactionalID string, s ProducerSettings) *sarama.Config {
	cfg := NewProducerConfig(clientID, s)
	cfg.Producer.Transaction.ID = transactionalID
	cfg.Producer.Return.Successes = false
	return cfg
}

// NewTransactionalProducer creates a source task's transactional producer.
// Creating it initialises its transactional id with the transaction
// coordinator (InitProducerId), which bumps the producer epoch: any older
// producer with the same id — a zombie of the same task — is fenced from
// then on and its open transaction is aborted. Failing to reach any broker
// is a retriable error.
func NewTransactionalProducer(brokers []string, clientID, transactionalID string, s ProducerSettings) (sarama.AsyncProducer, error) {
	p, err := sarama.NewAsyncProducer(brokers, NewTransactionalProducerConfig(clientID, transactionalID, s))
	if err != nil {
		err = fmt.Errorf("initialising the transactional producer %q: %w", transactionalID, err)
		if IsRetriable(err) {
			return nil, connect.Retriable(err)
		}
		return nil, err
	}
	return p, nil
}

// IsFenced reports whether err means a newer producer with the same
// transactional id exists, so this one may never write again.
func IsFenced(err error) bool {
	return errors.Is(err, sarama.ErrProducerFenced) || errors.Is(err, sarama.ErrInvalidProducerEpoch)
}

// FenceTransactionalIDs fences every producer using one of ids, as Kafka's
// Admin.fenceProducers does: for each id it asks the transaction
// coordinator to initialise the id again, which bumps its epoch and aborts
// its open transaction.
func FenceTransactionalIDs(client sarama.Client, ids []string) error {
	for _, id := range ids {
		coordinator, err := client.TransactionCoordinator(id)
		if err != nil {
			return fmt.Errorf("fencing %q: finding its transaction coordinator: %w", id, err)
		}
		req := &sarama.InitProducerIDRequest{
			TransactionalID:    &id,
			TransactionTimeout: time.Minute,
			ProducerID:         -1,
			ProducerEpoch:      -1,
		}
		if client.Config().Version.IsAtLeast(sarama.V2_7_0_0) {
			req.Version = 4
		} else if client.Config().Version.IsAtLeast(sarama.V2_5_0_0) {
			req.Version = 3
		}
		// While the coordinator aborts the open transaction it answers
		// CONCURRENT_TRANSACTIONS; the Java admin client retries, so do we.
		for attempt := 0; ; attempt++ {
			resp, err := coordinator.InitProducerID(req)
			if err != nil {
				return fmt.Errorf("fencing %q: %w", id, err)
			}
			if errors.Is(resp.Err, sarama.ErrNoError) {
				break
			}
			if attempt >= fenceRetries || !errors.Is(resp.Err, sarama.ErrConcurrentTransactions) &&
				!errors.Is(resp.Err, sarama.ErrOffsetsLoadInProgress) {
				return fmt.Errorf("fencing %q: %w", id, resp.Err)
			}
			time.Sleep(fenceBackoff)
		}
	}
	return nil
}

const (
	fenceRetries = 50
	fenceBackoff = 100 * time.Millisecond
)
