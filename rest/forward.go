package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/tributary-cdc/tributary/connect/interworker"
)

// errConflict is Kafka Connect's reply when a request cannot be served or
// forwarded because the cluster is changing.
var errConflict = &requestError{status: http.StatusConflict,
	message: "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"}

// maxForwardedReply bounds the body of a forwarded request's reply.
const maxForwardedReply = 16 << 20

// forwardTo returns the URL err asks to forward to, if any.
func forwardTo(err error) (string, bool) {
	var f forwardable
	if !errors.As(err, &f) {
		return "", false
	}
	return f.ForwardURL(), true
}

// failOrForward forwards the request to the worker err names (the leader
// for a config write on a follower, as HerderRequestHandler.
// completeOrForwardRequest forwards on a NotLeaderException), else
// answers err.
func (h *handler) failOrForward(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte, err error, s subject) {
	if url, ok := forwardTo(err); ok {
		h.forward(ctx, w, r, url, body)
		return
	}
	h.fail(w, r, err, s)
}

// forward sends the request to the worker at base with forward=false and the
// caller's Authorization header, as Kafka Connect's HerderRequestHandler
// does, and relays its reply. A request
// that was itself forwarded (forward=false) is not forwarded again.
func (h *handler) forward(ctx context.Context, w http.ResponseWriter, r *http.Request, base string, body []byte) {
	if base == "" || !boolParam(r, "forward", true) {
		h.fail(w, r, errConflict, subject{})
		return
	}
	q := r.URL.Query()
	q.Set("forward", "false")
	target := strings.TrimSuffix(base, "/") + r.URL.EscapedPath() + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, r.Method, target, bytes.NewReader(body))
	if err != nil {
		h.fail(w, r, fmt.Errorf("forwarding to %s: %w", base, err), subject{})
		return
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	// The caller's credentials go with the request, as RestClient's
	// addHeadersToRequest copies Authorization: the worker that serves it
	// authenticates the caller, not this worker.
	if auth := r.Header.Get("Authorization"); auth != "" {
		req.Header.Set("Authorization", auth)
	}
	// A signed internal request keeps its signature: the body is the same.
	for _, k := range []string{interworker.SignatureHeader, interworker.SignatureAlgorithmHeader} {
		if v := r.Header.Get(k); v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.fail(w, r, fmt.Errorf("forwarding to %s: %w", base, err), subject{})
		return
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxForwardedReply))
	if err != nil {
		h.fail(w, r, fmt.Errorf("reading the reply of %s: %w", base, err), subject{})
		return
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		w.Header().Set("Location", loc)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(reply)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(reply)
}
