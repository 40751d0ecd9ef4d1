package herder

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/worker"
)

// Connector properties of exactly-once source support (KIP-618,
// SourceConnectorConfig).
const (
	propExactlyOnceSupport  = "exactly.once.support"
	propTransactionBoundary = "transaction.boundary"
	propBoundaryInterval    = "transaction.boundary.interval.ms"
)

// checkExactlyOnce validates the exactly-once keys of a connector config
// with Kafka Connect's messages (ConfigDef validators, then
// DistributedHerder.validateSourceConnectorExactlyOnceSupport and
// validateSourceConnectorTransactionBoundary).
func (h *Herder) checkExactlyOnce(config map[string]string, newConnector func() connect.Connector) []connect.ConfigError {
	v, errs := frameworkErrors(config, func(name string) bool {
		return name == propExactlyOnceSupport || name == propTransactionBoundary || name == propBoundaryInterval
	})
	bad := map[string]bool{}
	for _, e := range errs {
		bad[e.Name] = true
	}
	if !bad[propExactlyOnceSupport] && strings.EqualFold(v.String(propExactlyOnceSupport), "required") {
		if !h.cfg.ExactlyOnce {
			errs = append(errs, connect.ConfigError{Name: propExactlyOnceSupport, Message: "This worker does not have exactly-once source support enabled."})
		}
		if newConnector != nil {
			eos, ok := newConnector().(connect.ExactlyOnceConnector)
			switch {
			case !ok:
				errs = append(errs, connect.ConfigError{Name: propExactlyOnceSupport, Message: "The connector does not implement the API required for preflight validation of exactly-once " +
					"source support. Please consult the documentation for the connector to determine whether it supports exactly-once " +
					"semantics, and then consider reconfiguring the connector to use the value \"requested\" for this property " +
					"(which will disable this preflight check and allow the connector to be created)."})
			case eos.ExactlyOnceSupport(config) != connect.ExactlyOnceSupported:
				errs = append(errs, connect.ConfigError{Name: propExactlyOnceSupport, Message: "The connector does not support exactly-once semantics with the provided configuration."})
			}
		}
	}
	if !bad[propTransactionBoundary] && strings.EqualFold(v.String(propTransactionBoundary), "connector") {
		// No connector of Tributary defines its own transactions: Debezium's
		// PostgresConnector keeps SourceConnector's default
		// canDefineTransactionBoundaries, UNSUPPORTED.
		errs = append(errs, connect.ConfigError{Name: propTransactionBoundary, Message: "The connector does not support connector-defined transaction boundaries with the given configuration. " +
			"Please reconfigure it to use a different transaction boundary definition."})
	}
	return errs
}

// transactionBoundary reads a validated connector config's boundary; the
// interval defaults to offset.flush.interval.ms, as in Kafka Connect.
func (h *Herder) transactionBoundary(config map[string]string) (worker.TransactionBoundary, time.Duration) {
	interval := h.cfg.FlushInterval
	if v, ok := config[propBoundaryInterval]; ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n >= 0 {
			interval = time.Duration(n) * time.Millisecond
		}
	}
	if strings.EqualFold(strings.TrimSpace(config[propTransactionBoundary]), "interval") {
		return worker.BoundaryInterval, interval
	}
	return worker.BoundaryPoll, interval
}

// runExactlyOnce builds the task's transactional pipeline. Initialising the
// producer fences any zombie of the same task before the task starts.
func (h *Herder) newExactlyOnceRunner(id connect.TaskID, connConfig map[string]string, cfg worker.SourceTaskConfig, s kafkaclient.ProducerSettings) (*worker.ExactlyOnceRunner, error) {
	offsets, ok := h.cfg.Offsets.(worker.TransactionalOffsetStore)
	if !ok {
		return nil, fmt.Errorf("exactly-once source support: the offset store cannot take transactional writes")
	}
	producer, err := h.cfg.NewTransactionalProducer(kafkaclient.TransactionalID(h.cfg.GroupID, id.Connector, id.Task), s)
	if err != nil {
		return nil, fmt.Errorf("creating the transactional producer: %w", err)
	}
	boundary, interval := h.transactionBoundary(connConfig)
	return worker.NewExactlyOnceRunner(worker.ExactlyOnceConfig{
		ID:               id,
		Task:             cfg.Task,
		Config:           cfg.Config,
		Transforms:       cfg.Transforms,
		KeyConverter:     cfg.KeyConverter,
		ValueConverter:   cfg.ValueConverter,
		Producer:         producer,
		Offsets:          offsets,
		Topics:           cfg.Topics,
		Boundary:         boundary,
		BoundaryInterval: interval,
		Budget:           cfg.Budget,
		Errors:           cfg.Errors,
		ErrorMetrics:     cfg.ErrorMetrics,
		Logger:           cfg.Logger,
	}), nil
}

// taskCountStore is the part of the config store that keeps the leader's
// fencing records (tasks-fencing-<name>).
type taskCountStore interface {
	TaskCountRecord(connector string) (int, bool)
	PutTaskCountRecord(ctx context.Context, connector string, n int) error
}

// fenceZombiesLocked runs on the leader before the tasks of a new
// generation start: for every connector whose task count differs from its
// last tasks-fencing record it fences the transactional ids of the tasks
// that no longer exist, then records the new count. Ids that the new
// generation reuses need no fencing from here: each new task's producer
// fences its own predecessor when it initialises, and fencing those ids
// from the leader could race with (and fence) the new task itself.
func (h *Herder) fenceZombiesLocked(ctx context.Context, work map[string]int) {
	if !h.cfg.ExactlyOnce || work == nil {
		return
	}
	store, ok := h.cfg.Configs.(taskCountStore)
	if !ok {
		return
	}
	for name, n := range work {
		prev, known := store.TaskCountRecord(name)
		if known && prev == n {
			continue
		}
		var ids []string
		for t := n; t < prev; t++ {
			ids = append(ids, kafkaclient.TransactionalID(h.cfg.GroupID, name, t))
		}
		if len(ids) > 0 && h.cfg.FenceProducers != nil {
			if err := h.cfg.FenceProducers(ids); err != nil {
				// Unfenced zombies of removed tasks could still commit; the
				// record is not written, so the next rebalance tries again.
				h.log.Error("fencing the producers of removed tasks", "connector", name, "transactional_ids", ids, "error", err)
				continue
			}
		}
		if err := store.PutTaskCountRecord(ctx, name, n); err != nil {
			h.log.Error("writing the task count record", "connector", name, "error", err)
		}
	}
}
