package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgserver"
)

// The scale scenario runs N connectors, each on its own table, on a cluster
// of workers whose broker is a separate tributary process, once per
// connect.protocol, and measures what a connector change costs the others.

const (
	scaleBegin = "<!-- scale results begin -->"
	scaleEnd   = "<!-- scale results end -->"
)

type scaleOptions struct {
	connectors int
	workers    int
	burstRows  int
	budget     int64
	protocols  string
	maxDelay   time.Duration
	session    time.Duration
	deletions  int
	probeRate  int
}

// scaleFlags declares the scale scenario's flags on fs.
func scaleFlags(fs *flag.FlagSet) *scaleOptions {
	o := &scaleOptions{}
	fs.IntVar(&o.connectors, "connectors", 50, "scale: connectors created, each on its own table")
	fs.IntVar(&o.workers, "scale-workers", 3, "scale: workers in the cluster")
	fs.IntVar(&o.burstRows, "scale-burst-rows", 5000, "scale: rows inserted into every table at once in the burst")
	fs.Int64Var(&o.budget, "scale-budget", 256<<20, "scale: each worker's memory.budget.bytes")
	fs.StringVar(&o.protocols, "scale-protocols", "eager,sessioned", "scale: comma-separated connect.protocol values, each run on a fresh cluster")
	fs.DurationVar(&o.maxDelay, "scale-max-delay", 5*time.Second, "scale: scheduled.rebalance.max.delay.ms")
	fs.DurationVar(&o.session, "scale-session-timeout", 6*time.Second, "scale: session.timeout.ms (a third of it is the heartbeat interval)")
	fs.IntVar(&o.deletions, "scale-deletions", 10, "scale: connectors deleted one after another at the end")
	fs.IntVar(&o.probeRate, "scale-probe-rate", 50, "scale: rows per second written to the unrelated connector's table")
	return o
}

// scaleResult is one protocol's figures.
type scaleResult struct {
	Protocol            string
	Connectors, Workers int
	CreateAll           time.Duration
	CreateRestarts      int // task restarts while the connectors were created
	DeleteRestarts      int
	Deletions           int
	CreateGap, DelGap   time.Duration // the probe's largest commit-to-delivery latency in each window
	CreateGapN, DelGapN int           // probe records in each window
	KillTasks           int           // tasks the killed worker ran
	KillRecovery        time.Duration
	BurstRows           int
	BurstTime           time.Duration
	BurstRSSMB          []float64 // per worker, peak over the burst
	WorkerCPUCreate     time.Duration
	PGCPUCreate         time.Duration
	WorkerCPUDelete     time.Duration
	PGCPUDelete         time.Duration
}

// runScale runs the scale scenario once per protocol against its own
// PostgreSQL (with replication slots and WAL senders for every connector)
// and rewrites the scale section of out when set.
func runScale(ctx context.Context, o *scaleOptions, out string) error {
	if o.connectors < 1 || o.workers < 2 || o.deletions < 0 || o.deletions > o.connectors || o.probeRate < 1 {
		return errors.New("scale: need -connectors ≥ 1, -scale-workers ≥ 2, 0 ≤ -scale-deletions ≤ -connectors, -scale-probe-rate ≥ 1")
	}
	if o.session < 6*time.Second {
		// The broker's group.min.session.timeout.ms.
		return errors.New("scale: -scale-session-timeout must be at least 6s")
	}
	slots := o.connectors + 20
	pg, err := pgserver.Launch(
		"max_replication_slots="+strconv.Itoa(slots), "max_wal_senders="+strconv.Itoa(slots),
		"max_connections="+strconv.Itoa(3*o.connectors+50))
	if err != nil {
		return fmt.Errorf("starting PostgreSQL: %w", err)
	}
	defer pg.Close()
	b := &bench{pg: pg}
	defer b.cleanup()
	var results []scaleResult
	for _, proto := range strings.Split(o.protocols, ",") {
		proto = strings.TrimSpace(proto)
		r, err := b.scale(ctx, o, proto)
		if err != nil {
			return fmt.Errorf("scale scenario, connect.protocol=%s: %w", proto, err)
		}
		fmt.Fprintln(os.Stderr, r.line())
		results = append(results, r)
	}
	report := scaleReport(o, pg, results)
	fmt.Println(report)
	if out != "" {
		return writeSection(out, scaleBegin, scaleEnd, "\n## Scale (`tributary bench -scenarios scale`)\n\n", report)
	}
	return nil
}

// scaleCluster is one protocol's broker host and workers.
type scaleCluster struct {
	b       *bench
	o       *scaleOptions
	proto   string
	host    *benchWorker
	workers []*benchWorker
	alive   []bool
	env     []string
	watcher *statusWatcher
}

func (b *bench) scale(ctx context.Context, o *scaleOptions, proto string) (res scaleResult, err error) {
	res = scaleResult{Protocol: proto, Connectors: o.connectors, Workers: o.workers, BurstRows: o.burstRows}
	c := &scaleCluster{b: b, o: o, proto: proto}
	defer c.stop()
	if c.host, err = startBenchWorker(ctx, b.tempDir(), "",
		"CONNECT_GROUP_ID=broker-host", "CONNECT_CONFIG_STORAGE_TOPIC=broker-host-configs",
		"CONNECT_OFFSET_STORAGE_TOPIC=broker-host-offsets", "CONNECT_STATUS_STORAGE_TOPIC=broker-host-status"); err != nil {
		return res, fmt.Errorf("starting the broker host: %w", err)
	}
	c.env = []string{
		"CONNECT_BOOTSTRAP_SERVERS=" + c.host.broker,
		"CONNECT_GROUP_ID=scale-" + proto,
		"CONNECT_CONFIG_STORAGE_TOPIC=scale-" + proto + "-configs",
		"CONNECT_OFFSET_STORAGE_TOPIC=scale-" + proto + "-offsets",
		"CONNECT_STATUS_STORAGE_TOPIC=" + c.statusTopic(),
		"CONNECT_CONNECT_PROTOCOL=" + proto,
		"CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS=" + strconv.FormatInt(o.maxDelay.Milliseconds(), 10),
		"CONNECT_SESSION_TIMEOUT_MS=" + strconv.FormatInt(o.session.Milliseconds(), 10),
		"CONNECT_HEARTBEAT_INTERVAL_MS=" + strconv.FormatInt(max(1, o.session.Milliseconds()/3), 10),
		"CONNECT_MEMORY_BUDGET_BYTES=" + strconv.FormatInt(o.budget, 10),
	}
	for range o.workers {
		w, err := startBenchWorker(ctx, b.tempDir(), "", c.env...)
		if err != nil {
			return res, err
		}
		w.broker = c.host.broker
		c.workers = append(c.workers, w)
		c.alive = append(c.alive, true)
	}
	if c.watcher, err = c.watchStatuses(); err != nil {
		return res, err
	}
	prefix := "scale_" + proto[:1] + "_"
	tables := make([]string, o.connectors)
	for i := range tables {
		tables[i] = prefix + strconv.Itoa(i)
	}
	probe := prefix + "probe"
	for _, t := range append([]string{probe}, tables...) {
		if err := b.exec(ctx,
			fmt.Sprintf(`CREATE TABLE %s (id bigint PRIMARY KEY, a int, b text, c timestamptz, d numeric(12,2))`, t),
			fmt.Sprintf(`CREATE PUBLICATION %s_pub FOR TABLE %s`, t, t),
			// The slot exists before any row is written (snapshot.mode=no_data).
			fmt.Sprintf(`SELECT pg_create_logical_replication_slot('%s_trib', 'pgoutput')`, t)); err != nil {
			return res, err
		}
	}
	defer func() {
		c.stop()
		dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = b.exec(dctx, fmt.Sprintf(
			`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '%s%%'`,
			strings.ReplaceAll(prefix, "_", `\_`)))
	}()

	// The unrelated connector and its steady writer.
	if err := c.create(ctx, "probe", b.connectorConfig(probe, benchConverterJSON, "no_data")); err != nil {
		return res, err
	}
	if err := c.waitAllRunning(ctx, 1); err != nil {
		return res, err
	}
	writer, err := b.startProbeWriter(ctx, probe, o.probeRate)
	if err != nil {
		return res, err
	}
	defer func() { _, _ = writer.stop() }()
	if err := writer.waitRows(ctx, 1); err != nil {
		return res, err
	}
	pgPID, err := b.postmasterPID(ctx)
	if err != nil {
		return res, err
	}

	fmt.Fprintf(os.Stderr, "scale %s: creating %d connectors\n", proto, o.connectors)
	// Creation, one connector after another, each running before the next.
	created := time.Now()
	wcpu0, pcpu0 := c.workerCPU(), processTreeCPU(pgPID)
	for i, t := range tables {
		name := "c" + strconv.Itoa(i)
		if err := c.create(ctx, name, b.connectorConfig(t, benchConverterJSON, "no_data")); err != nil {
			return res, err
		}
		if err := c.waitTaskRunning(ctx, name); err != nil {
			return res, err
		}
	}
	if err := c.waitAllRunning(ctx, o.connectors+1); err != nil {
		return res, err
	}
	res.CreateAll = time.Since(created)
	if err := c.waitStatusQuiet(ctx); err != nil {
		return res, err
	}
	res.WorkerCPUCreate, res.PGCPUCreate = c.workerCPU()-wcpu0, processTreeCPU(pgPID)-pcpu0
	createdEnd := time.Now()
	res.CreateRestarts = c.restarts(created, createdEnd)

	fmt.Fprintf(os.Stderr, "scale %s: burst\n", proto)
	// Burst: rows into every table at once; peaks measured from here.
	for _, w := range c.workers {
		_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", w.cmd.Process.Pid), []byte("5"), 0)
	}
	burst := time.Now()
	if err := b.burst(ctx, tables, o.burstRows); err != nil {
		return res, err
	}
	for _, t := range tables {
		if err := c.workers[0].waitRecords(ctx, "bench.public."+t, o.burstRows); err != nil {
			return res, err
		}
	}
	res.BurstTime = time.Since(burst)
	for _, w := range c.workers {
		rss, err := w.peakRSS()
		if err != nil {
			return res, err
		}
		res.BurstRSSMB = append(res.BurstRSSMB, rss)
	}

	fmt.Fprintf(os.Stderr, "scale %s: kill -9\n", proto)
	// kill -9 of the worker running the most tasks (not the first, whose
	// REST API the scenario uses).
	if res.KillTasks, res.KillRecovery, err = c.killOne(ctx, tables); err != nil {
		return res, err
	}

	fmt.Fprintf(os.Stderr, "scale %s: deleting %d connectors\n", proto, o.deletions)
	// Deletion of some of the connectors, one after another.
	deleted := time.Now()
	wcpu0, pcpu0 = c.workerCPU(), processTreeCPU(pgPID)
	for i := range o.deletions {
		if err := c.delete(ctx, "c"+strconv.Itoa(i)); err != nil {
			return res, err
		}
	}
	if err := c.waitAllRunning(ctx, o.connectors+1-o.deletions); err != nil {
		return res, err
	}
	if err := c.waitStatusQuiet(ctx); err != nil {
		return res, err
	}
	res.WorkerCPUDelete, res.PGCPUDelete = c.workerCPU()-wcpu0, processTreeCPU(pgPID)-pcpu0
	deletedEnd := time.Now()
	res.Deletions = o.deletions
	res.DeleteRestarts = c.restarts(deleted, deletedEnd)
	fmt.Fprintf(os.Stderr, "scale %s: reading the probe topic\n", proto)
	// The probe's records committed up to the end of the deletions.
	n, err := writer.stop()
	if err != nil {
		return res, err
	}
	if err := c.workers[0].waitRecords(ctx, "bench.public."+probe, n); err != nil {
		return res, err
	}
	lat, err := probeLatencies(ctx, c.host.broker, "bench.public."+probe, n)
	if err != nil {
		return res, err
	}
	res.CreateGap, res.CreateGapN = maxLatency(lat, created, createdEnd)
	res.DelGap, res.DelGapN = maxLatency(lat, deleted, deletedEnd)
	return res, nil
}

func (c *scaleCluster) statusTopic() string { return "scale-" + c.proto + "-status" }

func (c *scaleCluster) stop() {
	if c.watcher != nil {
		c.watcher.close()
		c.watcher = nil
	}
	for i, w := range c.workers {
		if c.alive[i] {
			w.stop()
			c.alive[i] = false
		}
	}
	if c.host != nil {
		c.host.stop()
		c.host = nil
	}
}

// rest is a live worker's REST URL (the first worker is never killed).
func (c *scaleCluster) rest() string { return c.workers[0].rest }

// request sends a REST request, retrying while a rebalance answers 409 or
// the worker is briefly unavailable, until want or another status.
func (c *scaleCluster) request(ctx context.Context, method, path string, body any, want int) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	return poll(ctx, 5*time.Minute, method+" "+path, func() (bool, error) {
		req, err := http.NewRequestWithContext(ctx, method, c.rest()+path, bytes.NewReader(payload))
		if err != nil {
			return false, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, nil
		}
		defer resp.Body.Close()
		msg, _ := io.ReadAll(resp.Body)
		switch {
		case resp.StatusCode == want:
			return true, nil
		case resp.StatusCode == http.StatusConflict || resp.StatusCode >= 500:
			return false, nil
		default:
			return false, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, msg)
		}
	})
}

func (c *scaleCluster) create(ctx context.Context, name string, config map[string]string) error {
	return c.request(ctx, http.MethodPost, "/connectors", map[string]any{"name": name, "config": config}, http.StatusCreated)
}

func (c *scaleCluster) delete(ctx context.Context, name string) error {
	return c.request(ctx, http.MethodDelete, "/connectors/"+name, nil, http.StatusNoContent)
}

type scaleStatus struct {
	Connector struct {
		State string `json:"state"`
	} `json:"connector"`
	Tasks []struct {
		State    string `json:"state"`
		WorkerID string `json:"worker_id"`
		Trace    string `json:"trace"`
	} `json:"tasks"`
}

func (c *scaleCluster) statuses() (map[string]scaleStatus, error) {
	resp, err := http.Get(c.rest() + "/connectors?expand=status")
	if err != nil {
		return nil, nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil
	}
	var all map[string]struct {
		Status scaleStatus `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		return nil, fmt.Errorf("decoding statuses: %w", err)
	}
	out := make(map[string]scaleStatus, len(all))
	for name, s := range all {
		for _, t := range s.Status.Tasks {
			if t.State == "FAILED" {
				return nil, fmt.Errorf("task of %s failed: %s", name, t.Trace)
			}
		}
		out[name] = s.Status
	}
	return out, nil
}

func (c *scaleCluster) waitTaskRunning(ctx context.Context, name string) error {
	return poll(ctx, 5*time.Minute, name+" running", func() (bool, error) {
		if err := c.workersAlive(); err != nil {
			return false, err
		}
		all, err := c.statuses()
		if err != nil || all == nil {
			return false, err
		}
		s, ok := all[name]
		return ok && len(s.Tasks) > 0 && s.Tasks[0].State == "RUNNING", nil
	})
}

// waitAllRunning waits until n connectors and every task run.
func (c *scaleCluster) waitAllRunning(ctx context.Context, n int) error {
	var last map[string]scaleStatus
	err := poll(ctx, 10*time.Minute, fmt.Sprintf("%d connectors running", n), func() (bool, error) {
		if err := c.workersAlive(); err != nil {
			return false, err
		}
		all, err := c.statuses()
		if all != nil {
			last = all
		}
		if err != nil || len(all) != n {
			return false, err
		}
		for _, s := range all {
			if s.Connector.State != "RUNNING" || len(s.Tasks) == 0 {
				return false, nil
			}
			for _, t := range s.Tasks {
				if t.State != "RUNNING" {
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("%w (last statuses: %+v)\nfirst worker's log ends:\n%s", err, last, logTail(c.workers[0]))
	}
	return nil
}

func (c *scaleCluster) workersAlive() error {
	for i, w := range c.workers {
		if !c.alive[i] {
			continue
		}
		select {
		case err := <-w.done:
			w.done <- err
			return fmt.Errorf("worker %d exited: %v\n%s", i, err, w.log.String())
		default:
		}
	}
	return nil
}

// taskStatus is one task status record of the status topic.
type taskStatus struct {
	key   string
	state string
	at    time.Time
}

// statusWatcher consumes the cluster's status topic as it is written:
// the embedded broker compacts it every 30 s, which would leave only each
// task's last status to a reader that came later.
type statusWatcher struct {
	client   sarama.Client
	consumer sarama.Consumer
	parts    []sarama.PartitionConsumer
	wg       sync.WaitGroup
	mu       sync.Mutex
	recs     []taskStatus
}

func (c *scaleCluster) watchStatuses() (*statusWatcher, error) {
	client, err := sarama.NewClient([]string{c.host.broker}, kafkaclient.NewConfig("bench-scale"))
	if err != nil {
		return nil, err
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	sw := &statusWatcher{client: client, consumer: consumer}
	parts, err := client.Partitions(c.statusTopic())
	if err != nil {
		sw.close()
		return nil, err
	}
	for _, p := range parts {
		pc, err := consumer.ConsumePartition(c.statusTopic(), p, sarama.OffsetOldest)
		if err != nil {
			sw.close()
			return nil, err
		}
		sw.parts = append(sw.parts, pc)
		// Each partition's goroutine ends when close closes its consumer.
		sw.wg.Go(func() {
			for m := range pc.Messages() {
				key := string(m.Key)
				if !strings.HasPrefix(key, "status-task-") || m.Value == nil {
					continue
				}
				var v struct {
					State string `json:"state"`
				}
				if json.Unmarshal(m.Value, &v) == nil {
					sw.mu.Lock()
					sw.recs = append(sw.recs, taskStatus{key: key, state: v.State, at: m.Timestamp})
					sw.mu.Unlock()
				}
			}
		})
	}
	return sw, nil
}

func (sw *statusWatcher) records() []taskStatus {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return slices.Clone(sw.recs)
}

func (sw *statusWatcher) close() {
	for _, pc := range sw.parts {
		pc.AsyncClose()
	}
	sw.wg.Wait()
	_ = sw.consumer.Close()
	_ = sw.client.Close()
}

// restarts counts the task starts (RUNNING status records) between from
// and to of tasks that had started before: each is a stop and a start.
func (c *scaleCluster) restarts(from, to time.Time) int {
	recs := c.watcher.records()
	slices.SortStableFunc(recs, func(a, b taskStatus) int { return a.at.Compare(b.at) })
	started := map[string]bool{}
	n := 0
	for _, r := range recs {
		if r.state != "RUNNING" {
			continue
		}
		if started[r.key] && !r.at.Before(from) && !r.at.After(to) {
			n++
		}
		started[r.key] = true
	}
	return n
}

// waitStatusQuiet waits until the status topic has taken no record for
// two seconds: the last rebalance's task starts are then all written.
func (c *scaleCluster) waitStatusQuiet(ctx context.Context) error {
	client, err := sarama.NewClient([]string{c.host.broker}, kafkaclient.NewConfig("bench-scale"))
	if err != nil {
		return err
	}
	defer func() { _ = client.Close() }()
	last, changed := int64(-1), time.Now()
	return poll(ctx, 5*time.Minute, "the status topic to settle", func() (bool, error) {
		parts, err := client.Partitions(c.statusTopic())
		if err != nil {
			return false, nil
		}
		total := int64(0)
		for _, p := range parts {
			off, err := client.GetOffset(c.statusTopic(), p, sarama.OffsetNewest)
			if err != nil {
				return false, nil
			}
			total += off
		}
		if total != last {
			last, changed = total, time.Now()
		}
		return time.Since(changed) >= 2*time.Second, nil
	})
}

// killOne kills (SIGKILL) the worker other than the first that runs the
// most tasks, commits a row into each of its tables and returns how many
// tasks it ran and how long until every one of those rows was delivered.
func (c *scaleCluster) killOne(ctx context.Context, tables []string) (int, time.Duration, error) {
	all, err := c.statuses()
	if err != nil || all == nil {
		return 0, 0, fmt.Errorf("reading statuses: %v", err)
	}
	perWorker := map[string][]string{}
	for name, s := range all {
		if !strings.HasPrefix(name, "c") {
			continue
		}
		for _, t := range s.Tasks {
			perWorker[t.WorkerID] = append(perWorker[t.WorkerID], name)
		}
	}
	victim := 1
	for i := 2; i < len(c.workers); i++ {
		if len(perWorker[workerID(c.workers[i])]) > len(perWorker[workerID(c.workers[victim])]) {
			victim = i
		}
	}
	names := perWorker[workerID(c.workers[victim])]
	client, err := sarama.NewClient([]string{c.host.broker}, kafkaclient.NewConfig("bench-scale"))
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = client.Close() }()
	ends := map[string]int64{}
	for _, name := range names {
		i, _ := strconv.Atoi(strings.TrimPrefix(name, "c"))
		topic := "bench.public." + tables[i]
		if ends[topic], err = topicEnd(client, topic); err != nil {
			return 0, 0, err
		}
	}
	w := c.workers[victim]
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return 0, 0, err
	}
	killed := time.Now()
	// The exit status goes back for stop and workersAlive, which skip a
	// worker no longer alive.
	exit := <-w.done
	w.done <- exit
	c.alive[victim] = false
	for topic := range ends {
		table := strings.TrimPrefix(topic, "bench.public.")
		if err := c.b.exec(ctx, fmt.Sprintf(`INSERT INTO %s VALUES (-1, 0, 'after kill', now(), 0)`, table)); err != nil {
			return 0, 0, err
		}
	}
	err = poll(ctx, 10*time.Minute, "the killed worker's tasks to deliver", func() (bool, error) {
		if err := c.workersAlive(); err != nil {
			return false, err
		}
		for topic, end := range ends {
			n, err := topicEnd(client, topic)
			if err != nil || n <= end {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return 0, 0, err
	}
	return len(names), time.Since(killed), nil
}

func workerID(w *benchWorker) string { return strings.TrimPrefix(w.rest, "http://") }

func topicEnd(client sarama.Client, topic string) (int64, error) {
	if err := client.RefreshMetadata(topic); err != nil {
		return 0, err
	}
	parts, err := client.Partitions(topic)
	if err != nil {
		return 0, err
	}
	total := int64(0)
	for _, p := range parts {
		off, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			return 0, err
		}
		total += off
	}
	return total, nil
}

// burst inserts rows rows into every table at once, four tables at a time.
func (b *bench) burst(ctx context.Context, tables []string, rows int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan string)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for t := range next {
				if err := b.exec(ctx, fmt.Sprintf(
					`INSERT INTO %s SELECT g, g %% 1000, 'row ' || g, now(), g / 100.0 FROM generate_series(1, %d) g`, t, rows)); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		})
	}
	func() {
		defer close(next)
		for _, t := range tables {
			select {
			case next <- t:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	select {
	case err := <-errs:
		return fmt.Errorf("burst: %w", err)
	default:
		return ctx.Err()
	}
}

// probeWriter inserts rows into the unrelated connector's table at a
// steady rate, each with its commit-time clock in column c.
type probeWriter struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	rows   int
	err    error
}

func (b *bench) startProbeWriter(ctx context.Context, table string, rate int) (*probeWriter, error) {
	conn, err := pgx.Connect(ctx, b.pg.DSN("postgres"))
	if err != nil {
		return nil, err
	}
	// Commits reach the walsender at once, as with PostgreSQL's default.
	if _, err := conn.Exec(ctx, "SET synchronous_commit = on"); err != nil {
		_ = conn.Close(context.Background())
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &probeWriter{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer func() { _ = conn.Close(context.Background()) }()
		t := time.NewTicker(time.Second / time.Duration(rate))
		defer t.Stop()
		for id := 1; ; id++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			_, err := conn.Exec(ctx, fmt.Sprintf(`INSERT INTO %s VALUES (%d, 1, 'probe', clock_timestamp(), 1.5)`, table, id))
			p.mu.Lock()
			if err != nil {
				if ctx.Err() == nil {
					p.err = err
				}
				p.mu.Unlock()
				return
			}
			p.rows = id
			p.mu.Unlock()
		}
	}()
	return p, nil
}

func (p *probeWriter) waitRows(ctx context.Context, n int) error {
	return poll(ctx, time.Minute, "the probe writer", func() (bool, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.rows >= n, p.err
	})
}

// stop stops the writer and returns the rows it committed.
func (p *probeWriter) stop() (int, error) {
	p.cancel()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rows, p.err
}

// probeRecord is one delivered probe row: its commit clock and the
// earliest CreateTime among its deliveries.
type probeRecord struct{ committed, delivered time.Time }

func probeLatencies(ctx context.Context, broker, topic string, n int) ([]probeRecord, error) {
	consumer, err := sarama.NewConsumer([]string{broker}, kafkaclient.NewConfig("bench-scale"))
	if err != nil {
		return nil, err
	}
	defer func() { _ = consumer.Close() }()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		return nil, err
	}
	defer func() { _ = pc.Close() }()
	byID := map[int64]probeRecord{}
	for len(byID) < n {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Minute):
			return nil, fmt.Errorf("reading %s: %d of %d rows after a minute without records", topic, len(byID), n)
		case m := <-pc.Messages():
			var v struct {
				Payload struct {
					After struct {
						ID int64  `json:"id"`
						C  string `json:"c"`
					} `json:"after"`
				} `json:"payload"`
			}
			if err := json.Unmarshal(m.Value, &v); err != nil {
				return nil, fmt.Errorf("decoding record: %w", err)
			}
			c, err := time.Parse(time.RFC3339Nano, v.Payload.After.C)
			if err != nil {
				return nil, fmt.Errorf("parsing c %q: %w", v.Payload.After.C, err)
			}
			if r, ok := byID[v.Payload.After.ID]; !ok || m.Timestamp.Before(r.delivered) {
				byID[v.Payload.After.ID] = probeRecord{committed: c, delivered: m.Timestamp}
			}
		}
	}
	out := make([]probeRecord, 0, len(byID))
	for _, r := range byID {
		out = append(out, r)
	}
	return out, nil
}

// maxLatency is the largest commit-to-delivery time of the records
// committed between from and to, and how many there were.
func maxLatency(recs []probeRecord, from, to time.Time) (time.Duration, int) {
	var worst time.Duration
	n := 0
	for _, r := range recs {
		if r.committed.Before(from) || r.committed.After(to) {
			continue
		}
		n++
		worst = max(worst, r.delivered.Sub(r.committed))
	}
	return worst, n
}

// postmasterPID is the parent of this session's backend.
func (b *bench) postmasterPID(ctx context.Context) (int, error) {
	conn, err := pgx.Connect(ctx, b.pg.DSN("postgres"))
	if err != nil {
		return 0, err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var backend int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return 0, err
	}
	st, err := procStat(backend)
	if err != nil {
		return 0, err
	}
	return st.ppid, nil
}

// processTreeCPU is the CPU time of pid and its children, live and exited:
// PostgreSQL's postmaster reaps its backends, so their time moves into its
// cutime and cstime when they exit.
func processTreeCPU(pid int) time.Duration {
	root, err := procStat(pid)
	if err != nil {
		return 0
	}
	total := root.utime + root.stime + root.cutime + root.cstime
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil || child == pid {
			continue
		}
		if st, err := procStat(child); err == nil && st.ppid == pid {
			total += st.utime + st.stime
		}
	}
	return ticks(total)
}

// workerCPU is the CPU time of the live workers.
func (c *scaleCluster) workerCPU() time.Duration {
	var total int64
	for i, w := range c.workers {
		if !c.alive[i] {
			continue
		}
		if st, err := procStat(w.cmd.Process.Pid); err == nil {
			total += st.utime + st.stime
		}
	}
	return ticks(total)
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + " ms" }

func perChange(d time.Duration, n int) string {
	if n == 0 {
		return "–"
	}
	return ms(d / time.Duration(n))
}

func (r scaleResult) line() string {
	return fmt.Sprintf("scale %s: %d connectors created in %.1f s; %.1f task restarts per creation, %.1f per deletion; "+
		"probe's largest commit-to-delivery %s (creations), %s (deletions); kill -9 of a worker with %d tasks: delivering again after %.1f s; "+
		"burst of %d rows × %d tables in %.1f s, peak RSS per worker %v MB; CPU per creation: workers %s, PostgreSQL %s; per deletion: workers %s, PostgreSQL %s",
		r.Protocol, r.Connectors, r.CreateAll.Seconds(), float64(r.CreateRestarts)/float64(r.Connectors), r.deleteRestartsPer(),
		ms(r.CreateGap), ms(r.DelGap), r.KillTasks, r.KillRecovery.Seconds(),
		r.BurstRows, r.Connectors, r.BurstTime.Seconds(), r.rss(),
		perChange(r.WorkerCPUCreate, r.Connectors), perChange(r.PGCPUCreate, r.Connectors),
		perChange(r.WorkerCPUDelete, r.Deletions), perChange(r.PGCPUDelete, r.Deletions))
}

func (r scaleResult) deleteRestartsPer() float64 {
	if r.Deletions == 0 {
		return 0
	}
	return float64(r.DeleteRestarts) / float64(r.Deletions)
}

func (r scaleResult) rss() string {
	parts := make([]string, len(r.BurstRSSMB))
	for i, v := range r.BurstRSSMB {
		parts[i] = strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strings.Join(parts, " / ")
}

func scaleReport(o *scaleOptions, pg *pgserver.Server, results []scaleResult) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s\n", machine(pg))
	fmt.Fprintf(&s, "Command: `tributary bench -scenarios scale -connectors %d -scale-workers %d -scale-burst-rows %d "+
		"-scale-budget %d -scale-protocols %s -scale-max-delay %s -scale-session-timeout %s -scale-deletions %d -scale-probe-rate %d`.\n\n",
		o.connectors, o.workers, o.burstRows, o.budget, o.protocols, o.maxDelay, o.session, o.deletions, o.probeRate)
	fmt.Fprintf(&s, "%d workers and a broker in its own process; memory.budget.bytes=%d (%.0f MiB) per worker, "+
		"scheduled.rebalance.max.delay.ms=%d, session.timeout.ms=%d. Each connector is created once the previous one runs.\n\n",
		o.workers, o.budget, float64(o.budget)/(1<<20), o.maxDelay.Milliseconds(), o.session.Milliseconds())
	s.WriteString("| connect.protocol |")
	for _, r := range results {
		fmt.Fprintf(&s, " %s |", r.Protocol)
	}
	s.WriteString("\n|---|")
	for range results {
		s.WriteString("---|")
	}
	s.WriteString("\n")
	row := func(name string, f func(r scaleResult) string) {
		fmt.Fprintf(&s, "| %s |", name)
		for _, r := range results {
			fmt.Fprintf(&s, " %s |", f(r))
		}
		s.WriteString("\n")
	}
	row(fmt.Sprintf("time to create %d connectors", o.connectors), func(r scaleResult) string {
		return fmt.Sprintf("%.1f s", r.CreateAll.Seconds())
	})
	row("task restarts per connector created", func(r scaleResult) string {
		return fmt.Sprintf("%.1f (%d in all)", float64(r.CreateRestarts)/float64(r.Connectors), r.CreateRestarts)
	})
	row("task restarts per connector deleted", func(r scaleResult) string {
		return fmt.Sprintf("%.1f (%d in %d deletions)", r.deleteRestartsPer(), r.DeleteRestarts, r.Deletions)
	})
	row("unrelated connector's largest commit-to-delivery while connectors are created", func(r scaleResult) string {
		return fmt.Sprintf("%s (%d rows)", ms(r.CreateGap), r.CreateGapN)
	})
	row("… while connectors are deleted", func(r scaleResult) string {
		return fmt.Sprintf("%s (%d rows)", ms(r.DelGap), r.DelGapN)
	})
	row("`kill -9` of a worker: until its tasks deliver again", func(r scaleResult) string {
		return fmt.Sprintf("%.1f s (%d tasks)", r.KillRecovery.Seconds(), r.KillTasks)
	})
	row(fmt.Sprintf("burst: %d rows into each table at once", o.burstRows), func(r scaleResult) string {
		return fmt.Sprintf("%.1f s (%.0f rows/s)", r.BurstTime.Seconds(), float64(r.BurstRows*r.Connectors)/r.BurstTime.Seconds())
	})
	row("peak RSS per worker during the burst (VmHWM)", func(r scaleResult) string { return r.rss() + " MB" })
	row("CPU per connector created: workers / PostgreSQL", func(r scaleResult) string {
		return perChange(r.WorkerCPUCreate, r.Connectors) + " / " + perChange(r.PGCPUCreate, r.Connectors)
	})
	row("CPU per connector deleted: workers / PostgreSQL", func(r scaleResult) string {
		return perChange(r.WorkerCPUDelete, r.Deletions) + " / " + perChange(r.PGCPUDelete, r.Deletions)
	})
	s.WriteString("\nRestarts are task starts recorded in the status topic (RUNNING) of tasks that had run before. " +
		"CPU is user + system time from /proc/<pid>/stat over each phase, divided by its connector changes: the sum over " +
		"the workers, and PostgreSQL's postmaster with its live and exited backends; it includes the unrelated " +
		"connector's steady load. The peak RSS is reset (clear_refs) before the burst. Deletions follow one another " +
		"without waiting for the rebalances, which then overlap.\n")
	return s.String()
}

// machine describes where and when the figures were measured.
func machine(pg *pgserver.Server) string {
	host, cpu := hostAndCPU()
	return fmt.Sprintf("Measured %s on %s (%d CPUs, %s), PostgreSQL from %s.",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), cpu, filepath.Clean(pg.BinDir()))
}

// logTail is the end of a worker's log.
func logTail(w *benchWorker) string {
	b := w.log.Bytes()
	return string(b[max(0, len(b)-4000):])
}
