package herder

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect/interworker"
)

// This file is what makes the leader the only writer of connector configs
// and task configs, and the sessioned protocol's session key and signed
// requests (KIP-507), as Kafka Connect 3.9's DistributedHerder does
// (connect/runtime/src/main/java/org/apache/kafka/connect/runtime/
// distributed/DistributedHerder.java).

// InterWorkerConfig are the inter.worker.* settings.
type InterWorkerConfig struct {
	// KeyAlgorithm and KeySize (bits, nil for the algorithm's default)
	// describe the session keys the leader generates; KeyTTL is how long
	// one is used before the leader distributes the next (0: forever).
	KeyAlgorithm string
	KeySize      *int
	KeyTTL       time.Duration
	// SignatureAlgorithm signs this worker's requests; a request is
	// accepted only if signed with one of VerificationAlgorithms.
	SignatureAlgorithm     string
	VerificationAlgorithms []string
}

// sessionedVersion is the first protocol version whose internal requests
// are signed (DistributedHerder.internalRequestValidationEnabled:
// CONNECT_PROTOCOL_V2, the sessioned protocol).
const sessionedVersion = 2

// NotLeaderError answers a request only the leader serves, as Kafka
// Connect's NotLeaderException does: URL is the leader's REST URL, empty
// while unknown (the request then fails with 409).
type NotLeaderError struct {
	Message string
	URL     string
}

func (e *NotLeaderError) Error() string { return e.Message }

// ForwardURL is the REST URL of the leader, to forward the request to.
func (e *NotLeaderError) ForwardURL() string { return e.URL }

// RequestError is a refused internal request with the HTTP status Kafka
// Connect answers it with.
type RequestError struct {
	Status  int
	Message string
}

func (e *RequestError) Error() string { return e.Message }

// HTTPStatus is the status of the reply.
func (e *RequestError) HTTPStatus() int { return e.Status }

// notLeaderLocked refuses a write on a worker that knows another worker
// leads its group, naming the leader. A worker with no group, or before
// its first assignment, writes itself.
func (h *Herder) notLeaderLocked(message string) error {
	if h.cfg.Group == nil || h.ownedConnectors == nil || h.leader {
		return nil
	}
	return &NotLeaderError{Message: message, URL: h.leaderURL}
}

// notLeader is notLeaderLocked for callers without the lock.
func (h *Herder) notLeader(message string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.notLeaderLocked(message)
}

// checkSignatureLocked checks the signature of an internal request as
// DistributedHerder.requestNotSignedProperly does when the group runs the
// sessioned protocol; under eager and compatible any request passes.
func (h *Herder) checkSignatureLocked(sig *interworker.Signature) error {
	if h.protocolVersion < sessionedVersion {
		return nil
	}
	key, haveKey := h.cfg.Configs.SessionKey()
	switch {
	case sig == nil:
		return &RequestError{Status: http.StatusBadRequest, Message: "Internal request missing required signature"}
	case !slices.Contains(h.cfg.InterWorker.VerificationAlgorithms, sig.Algorithm):
		return &RequestError{Status: http.StatusBadRequest, Message: fmt.Sprintf(
			"This worker does not support the '%s' key signing algorithm used by other workers. "+
				"This worker is currently configured to use: [%s]. "+
				"Check that all workers' configuration files permit the same set of signature algorithms, "+
				"and correct any misconfigured worker and restart it.",
			sig.Algorithm, strings.Join(h.cfg.InterWorker.VerificationAlgorithms, ", "))}
	case !haveKey:
		return &RequestError{Status: http.StatusServiceUnavailable,
			Message: "This worker is still starting up and has not been able to read a session key from the config topic yet"}
	case !sig.Valid(key.Key):
		return &RequestError{Status: http.StatusForbidden, Message: "Internal request contained invalid signature."}
	}
	return nil
}

// PutTaskConfigs writes task configs another worker generated for a
// connector it runs (POST /connectors/{c}/tasks,
// DistributedHerder.putTaskConfigs): only the leader writes them.
func (h *Herder) PutTaskConfigs(ctx context.Context, name string, tasks []map[string]string, sig *interworker.Signature) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.checkSignatureLocked(sig); err != nil {
		return err
	}
	if h.cfg.Group != nil && !h.leader {
		return &NotLeaderError{Message: "Only the leader may write task configurations.", URL: h.leaderURL}
	}
	if _, err := h.state(name); err != nil {
		return err
	}
	if err := h.cfg.Configs.PutTaskConfigs(ctx, name, tasks); err != nil {
		return fmt.Errorf("writing task configs: %w", err)
	}
	return nil
}

// FenceZombies fences the transactional producers of the connector's
// removed tasks (PUT /connectors/{c}/fence,
// DistributedHerder.fenceZombieSourceTasks): only the leader does.
func (h *Herder) FenceZombies(ctx context.Context, name string, sig *interworker.Signature) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.checkSignatureLocked(sig); err != nil {
		return err
	}
	if h.cfg.Group != nil && !h.leader {
		return &NotLeaderError{Message: "Only the leader may perform zombie fencing.", URL: h.leaderURL}
	}
	st, err := h.state(name)
	if err != nil {
		return err
	}
	h.fenceZombiesLocked(ctx, map[string]int{name: len(st.Tasks)})
	return nil
}

// writeTaskConfigsLocked writes the task configs of a connector this
// worker runs: itself on the leader, else through the leader, signed
// under the sessioned protocol (DistributedHerder.
// publishConnectorTaskConfigs). The request is sent from a goroutine, so
// that a slow leader does not hold up this worker, and is tried again
// after a backoff until it succeeds or the connector changes.
func (h *Herder) writeTaskConfigsLocked(ctx context.Context, name string, tasks []map[string]string) (forwarded bool, _ error) {
	if h.notLeaderLocked("") == nil {
		if err := h.cfg.Configs.PutTaskConfigs(ctx, name, tasks); err != nil {
			return false, fmt.Errorf("writing task configs: %w", err)
		}
		return false, nil
	}
	if h.forwarding[name] {
		return true, nil
	}
	body, err := json.Marshal(tasks)
	if err != nil {
		return false, fmt.Errorf("encoding task configs: %w", err)
	}
	h.forwarding[name] = true
	leader, version := h.leaderURL, h.protocolVersion
	h.forwards.Add(1)
	go func() {
		defer h.forwards.Done()
		err := h.postTaskConfigs(leader, name, body, version)
		h.mu.Lock()
		delete(h.forwarding, name)
		failures := h.forwardFailures[name]
		if err == nil {
			delete(h.forwardFailures, name)
		} else {
			h.forwardFailures[name] = failures + 1
		}
		h.mu.Unlock()
		if err == nil {
			return
		}
		delay := reconfigureBackoff(failures)
		h.log.Error("request to leader to reconfigure connector tasks failed", "connector", name, "leader_url", leader,
			"error", err, "retry_in", delay)
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-h.baseCtx.Done():
		case <-t.C:
			h.ConfigChanged(name)
		}
	}()
	return true, nil
}

// reconfigureBackoff is the wait before the next attempt after failures
// failed ones in a row: DistributedHerder's exponential backoff from
// RECONFIGURE_CONNECTOR_TASKS_BACKOFF_INITIAL_MS (250 ms), doubling up to
// RECONFIGURE_CONNECTOR_TASKS_BACKOFF_MAX_MS (60 s).
func reconfigureBackoff(failures int) time.Duration {
	const initial, maxDelay = 250 * time.Millisecond, 60 * time.Second
	d := initial
	for range failures {
		if d >= maxDelay {
			break
		}
		d *= 2
	}
	return min(d, maxDelay)
}

// postTaskConfigs sends POST <leader>/connectors/<name>/tasks.
func (h *Herder) postTaskConfigs(leader, name string, body []byte, version int16) error {
	if leader == "" {
		return fmt.Errorf("the URL of the leader's REST interface is empty")
	}
	ctx, cancel := context.WithTimeout(h.baseCtx, 90*time.Second)
	defer cancel()
	target := strings.TrimSuffix(leader, "/") + "/connectors/" + url.PathEscape(name) + "/tasks"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if version >= sessionedVersion {
		key, ok := h.cfg.Configs.SessionKey()
		if !ok {
			return fmt.Errorf("no session key to sign the request with yet")
		}
		if err := interworker.AddToRequest(req, key.Key, h.cfg.InterWorker.SignatureAlgorithm, body); err != nil {
			return err
		}
	}
	client := h.cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %d: %s", target, resp.StatusCode, bytes.TrimSpace(reply))
	}
	return nil
}

// rotateKeys distributes session keys while this worker leads a group
// running the sessioned protocol: at once when there is none, when the
// current one expires, or when it does not match the inter.worker.key.*
// settings (DistributedHerder.checkForKeyRotation). It runs until Stop.
func (h *Herder) rotateKeys() {
	defer close(h.keysDone)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := h.rotateKeyIfDue()
		timer.Reset(wait)
		select {
		case <-h.baseCtx.Done():
			return
		case <-h.keyWake:
		case <-timer.C:
		}
	}
}

// rotateKeyIfDue writes a new session key if one is due and returns how
// long to wait before the next check.
func (h *Herder) rotateKeyIfDue() time.Duration {
	const idle = time.Hour
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || !h.leader || h.protocolVersion < sessionedVersion {
		return idle
	}
	iw := h.cfg.InterWorker
	now := time.Now()
	key, ok := h.cfg.Configs.SessionKey()
	size := interworker.DefaultKeySize(iw.KeyAlgorithm)
	if iw.KeySize != nil {
		size = (*iw.KeySize + 7) / 8
	}
	expires := time.UnixMilli(key.Created).Add(iw.KeyTTL)
	if ok && key.Algorithm == iw.KeyAlgorithm && len(key.Key) == size && (iw.KeyTTL <= 0 || now.Before(expires)) {
		if iw.KeyTTL <= 0 {
			return idle
		}
		return min(time.Until(expires), idle)
	}
	k, err := interworker.GenerateKey(iw.KeyAlgorithm, iw.KeySize, now.UnixMilli())
	if err == nil {
		// Bounded as KafkaConfigBackingStore.putSessionKey's write is
		// (READ_WRITE_TOTAL_TIMEOUT_MS): the herder's lock is held.
		ctx, cancel := context.WithTimeout(h.baseCtx, 30*time.Second)
		err = h.cfg.Configs.PutSessionKey(ctx, k)
		cancel()
	}
	if err != nil {
		h.log.Warn("distributing a new session key failed, trying again", "error", err)
		return time.Second
	}
	h.log.Info("distributed a new session key", "algorithm", k.Algorithm)
	if iw.KeyTTL <= 0 {
		return idle
	}
	return min(iw.KeyTTL, idle)
}
