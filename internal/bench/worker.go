package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/internal/profile"
)

// benchWorker is a tributary worker process started for one scenario.
type benchWorker struct {
	cmd      *exec.Cmd
	rest     string
	broker   string
	registry string
	done     chan error
	log      bytes.Buffer
	spec     workerSpec
}

// workerSpec is how a worker process is started: its data directory,
// profile prefix, extra environment and, to restart one on the same
// listeners, its REST, broker and registry ports.
type workerSpec struct {
	dir           string
	profilePrefix string
	env           []string
	ports         []int
}

func startBenchWorker(ctx context.Context, dir, profilePrefix string, extraEnv ...string) (*benchWorker, error) {
	return startWorkerSpec(ctx, workerSpec{dir: dir, profilePrefix: profilePrefix, env: extraEnv})
}

// startWorkerSpec starts a worker process and waits for its REST API.
func startWorkerSpec(ctx context.Context, spec workerSpec) (*benchWorker, error) {
	dir, profilePrefix, extraEnv := spec.dir, spec.profilePrefix, spec.env
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	ports := spec.ports
	if ports == nil {
		if ports, err = freePorts(3); err != nil {
			return nil, err
		}
		spec.ports = ports
	}
	w := &benchWorker{
		spec:     spec,
		rest:     fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		broker:   fmt.Sprintf("127.0.0.1:%d", ports[1]),
		registry: fmt.Sprintf("http://127.0.0.1:%d", ports[2]),
		done:     make(chan error, 1),
	}
	w.cmd = exec.Command(exe)
	w.cmd.Env = append(os.Environ(),
		"CONNECT_LISTENERS="+w.rest,
		"CONNECT_EMBEDDED_KAFKA_LISTENERS="+w.broker,
		"CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS="+w.registry,
		"CONNECT_EMBEDDED_DATA_DIR="+filepath.Join(dir, "data"),
		"CONNECT_OFFSET_FLUSH_INTERVAL_MS=1000",
		profile.Env+"="+profilePrefix,
	)
	w.cmd.Env = append(w.cmd.Env, extraEnv...)
	w.cmd.Stdout, w.cmd.Stderr = io.Discard, &w.log
	if err := w.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting worker: %w", err)
	}
	go func() { w.done <- w.cmd.Wait() }()
	if err := poll(ctx, time.Minute, "the worker's REST API", func() (bool, error) {
		select {
		case err := <-w.done:
			return false, fmt.Errorf("worker exited: %v\n%s", err, w.log.String())
		default:
		}
		resp, err := http.Get(w.rest + "/")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	}); err != nil {
		w.stop()
		return nil, err
	}
	return w, nil
}

func (w *benchWorker) stop() {
	// The worker's exit status is of no interest once the scenario has
	// its numbers; an error from Signal means it has exited already.
	_ = w.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-w.done:
		_ = err
	case <-time.After(30 * time.Second):
		_ = w.cmd.Process.Kill()
		err := <-w.done
		_ = err
	}
}

func (w *benchWorker) createConnector(ctx context.Context, config map[string]string) error {
	body, err := json.Marshal(map[string]any{"name": "bench", "config": config})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.rest+"/connectors", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("creating connector: %s: %s", resp.Status, msg)
	}
	return nil
}

func (w *benchWorker) waitRunning(ctx context.Context) error {
	return poll(ctx, time.Minute, "the connector to run", func() (bool, error) {
		resp, err := http.Get(w.rest + "/connectors/bench/status")
		if err != nil {
			return false, nil
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if bytes.Contains(body, []byte(`"FAILED"`)) {
			return false, fmt.Errorf("connector failed: %s", body)
		}
		return bytes.Count(body, []byte(`"RUNNING"`)) == 2, nil
	})
}

// waitRecords waits until the broker holds n records in topic; the
// broker may still be starting.
func (w *benchWorker) waitRecords(ctx context.Context, topic string, n int) error {
	var client sarama.Client
	defer func() {
		if client != nil {
			_ = client.Close()
		}
	}()
	return poll(ctx, 30*time.Minute, fmt.Sprintf("%d records in %s", n, topic), func() (bool, error) {
		if err := w.failed(); err != nil {
			return false, err
		}
		if client == nil {
			c, err := sarama.NewClient([]string{w.broker}, kafkaclient.NewConfig("bench"))
			if err != nil {
				return false, nil
			}
			client = c
		}
		if err := client.RefreshMetadata(topic); err != nil {
			return false, nil
		}
		parts, err := client.Partitions(topic)
		if err != nil {
			return false, nil
		}
		total := int64(0)
		for _, p := range parts {
			off, err := client.GetOffset(topic, p, sarama.OffsetNewest)
			if err != nil {
				return false, nil
			}
			total += off
		}
		return total >= int64(n), nil
	})
}

// failed reports a FAILED task or a worker that exited.
func (w *benchWorker) failed() error {
	select {
	case err := <-w.done:
		w.done <- err
		return fmt.Errorf("worker exited: %v\n%s", err, w.log.String())
	default:
	}
	resp, err := http.Get(w.rest + "/connectors/bench/status")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if bytes.Contains(body, []byte(`"FAILED"`)) {
		return fmt.Errorf("connector failed: %s", body)
	}
	return nil
}

// latencySample is one record of the latency load: the row's
// clock_timestamp(), the record's CreateTime and when a consumer received it.
type latencySample struct {
	written, created, received time.Time
}

// latencyConsumer reads a topic while the latency load is written and
// times each record as it arrives. A record reaches a consumer only once
// the broker has appended it, which is when it acknowledges it to the
// producer (acks=all on one broker), so arrival minus the row's time bounds
// commit-to-acknowledged from above; the CreateTime only says when the
// worker handed the record to its producer.
type latencyConsumer struct {
	consumer sarama.Consumer
	pc       sarama.PartitionConsumer
	cancel   context.CancelFunc
	skip     int           // records before the measured ones
	ready    chan struct{} // closed once skip records have arrived
	done     chan struct{}
	closed   sync.Once
	samples  []latencySample
	err      error
}

// consumeLatencies starts reading partition 0 of topic at its end and
// collects skip records and then the n it measures. The first records
// show that the consumer is fetching: records written before its first
// fetch would be timed from when it started, not from when they arrived.
func (w *benchWorker) consumeLatencies(ctx context.Context, topic string, skip, n int) (*latencyConsumer, error) {
	consumer, err := sarama.NewConsumer([]string{w.broker}, kafkaclient.NewConfig("bench-latency"))
	if err != nil {
		return nil, err
	}
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetNewest)
	if err != nil {
		_ = consumer.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &latencyConsumer{consumer: consumer, pc: pc, cancel: cancel, skip: skip,
		ready: make(chan struct{}), done: make(chan struct{}), samples: make([]latencySample, 0, skip+n)}
	go func() {
		defer close(c.done)
		for len(c.samples) < skip+n {
			if len(c.samples) == skip {
				close(c.ready)
			}
			select {
			case <-ctx.Done():
				c.err = ctx.Err()
				return
			case m := <-pc.Messages():
				received := time.Now()
				written, err := rowTime(m.Value)
				if err != nil {
					c.err = err
					return
				}
				c.samples = append(c.samples, latencySample{written: written, created: m.Timestamp, received: received})
			}
		}
	}()
	return c, nil
}

// fetching returns once the first skip records have arrived.
func (c *latencyConsumer) fetching(ctx context.Context) error {
	select {
	case <-c.ready:
		return nil
	case <-c.done:
		if c.err != nil {
			return c.err
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait returns the measured samples once all have arrived (or ctx ends).
func (c *latencyConsumer) wait(ctx context.Context) ([]latencySample, error) {
	select {
	case <-c.done:
	case <-ctx.Done():
		c.close()
		return nil, fmt.Errorf("%d of %d records arrived: %w", len(c.samples), cap(c.samples), ctx.Err())
	}
	c.close()
	if c.err != nil {
		return nil, c.err
	}
	return c.samples[c.skip:], nil
}

// close stops the consumer; it may be called more than once.
func (c *latencyConsumer) close() {
	c.closed.Do(func() {
		c.cancel()
		<-c.done
		_ = c.pc.Close()
		_ = c.consumer.Close()
	})
}

// rowTime is the latency table's column c (the row's clock_timestamp()) in
// a JSON record's payload.after, found without decoding the ≈ 3 KB record:
// decoding each would slow the consumer down and so add to what it times.
func rowTime(value []byte) (time.Time, error) {
	after := bytes.Index(value, []byte(`"after":{`))
	if after < 0 {
		return time.Time{}, errors.New("record without payload.after")
	}
	rest := value[after:]
	i := bytes.Index(rest, []byte(`"c":"`))
	if i < 0 {
		return time.Time{}, errors.New("record without payload.after.c")
	}
	rest = rest[i+len(`"c":"`):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return time.Time{}, errors.New("unterminated payload.after.c")
	}
	t, err := time.Parse(time.RFC3339Nano, string(rest[:j]))
	if err != nil {
		return time.Time{}, fmt.Errorf("parsing payload.after.c: %w", err)
	}
	return t, nil
}

// peakRSS is the worker process's peak resident set (VmHWM) in MB.
func (w *benchWorker) peakRSS() (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, err
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, errors.New("VmHWM not found")
}

// cpuSeconds is the worker process's user and system CPU time so far
// (/proc/<pid>/stat utime and stime, in USER_HZ ticks of 1/100 s).
func (w *benchWorker) cpuSeconds() (float64, error) {
	return procCPUSeconds(w.cmd.Process.Pid)
}

func procCPUSeconds(pid int) (float64, error) {
	st, err := procStat(pid)
	if err != nil {
		return 0, err
	}
	return ticks(st.utime + st.stime).Seconds(), nil
}

func poll(ctx context.Context, timeout time.Duration, what string, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
}

func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times (100 on
// every Linux architecture Go supports).
const clockTicks = 100

type stat struct {
	ppid                         int
	utime, stime, cutime, cstime int64
}

// procStat reads /proc/<pid>/stat.
func procStat(pid int) (stat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return stat{}, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return stat{}, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return stat{}, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	// f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14–17.
	var s stat
	s.ppid, _ = strconv.Atoi(f[1])
	for j, p := range []*int64{&s.utime, &s.stime, &s.cutime, &s.cstime} {
		*p, _ = strconv.ParseInt(f[11+j], 10, 64)
	}
	return s, nil
}

func ticks(n int64) time.Duration { return time.Duration(n) * time.Second / clockTicks }
