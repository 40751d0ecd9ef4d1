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

// latencies reads the topic and returns CreateTime − c for each record, in
// offset order. With a timeline it also writes there, a line per record,
// c and CreateTime in Unix microseconds: whether the tail is one stall, a
// few periodic ones or a queue that keeps growing is read from that.
func (w *benchWorker) latencies(ctx context.Context, topic string, n int, converter string, timeline io.Writer) ([]time.Duration, error) {
	if converter != benchConverterJSON {
		return nil, errors.New("the latency scenario decodes JSON records only")
	}
	consumer, err := sarama.NewConsumer([]string{w.broker}, kafkaclient.NewConfig("bench-latency"))
	if err != nil {
		return nil, err
	}
	defer func() { _ = consumer.Close() }()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		return nil, err
	}
	defer func() { _ = pc.Close() }()
	out := make([]time.Duration, 0, n)
	for len(out) < n {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case m := <-pc.Messages():
			var v struct {
				Payload struct {
					After struct {
						C string `json:"c"`
					} `json:"after"`
				} `json:"payload"`
			}
			if err := json.Unmarshal(m.Value, &v); err != nil {
				return nil, fmt.Errorf("decoding record: %w", err)
			}
			written, err := time.Parse(time.RFC3339Nano, v.Payload.After.C)
			if err != nil {
				return nil, fmt.Errorf("parsing c %q: %w", v.Payload.After.C, err)
			}
			out = append(out, m.Timestamp.Sub(written))
			if timeline != nil {
				if _, err := fmt.Fprintf(timeline, "%d,%d\n", written.UnixMicro(), m.Timestamp.UnixMicro()); err != nil {
					return nil, fmt.Errorf("writing the latency timeline: %w", err)
				}
			}
		}
	}
	return out, nil
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
