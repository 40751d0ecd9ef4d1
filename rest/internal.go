package rest

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tributary-cdc/tributary/connect/interworker"
)

// putTaskConfigs serves POST /connectors/{c}/tasks
// (InternalClusterResource.putTaskConfigs): the body is the task configs,
// signed under the sessioned protocol.
func (h *handler) putTaskConfigs(w http.ResponseWriter, r *http.Request) {
	h.internalRequest(w, r, func(ir InternalRequests, r *http.Request, name string, body []byte, sig *interworker.Signature) error {
		var tasks []map[string]string
		if err := json.Unmarshal(body, &tasks); err != nil {
			return badRequest("Invalid task configs: %v", err)
		}
		ctx, cancel := h.ctx(r)
		defer cancel()
		return ir.PutTaskConfigs(ctx, name, tasks, sig)
	})
}

// fenceZombies serves PUT /connectors/{c}/fence
// (InternalClusterResource.fenceZombies).
func (h *handler) fenceZombies(w http.ResponseWriter, r *http.Request) {
	h.internalRequest(w, r, func(ir InternalRequests, r *http.Request, name string, _ []byte, sig *interworker.Signature) error {
		ctx, cancel := h.ctx(r)
		defer cancel()
		return ir.FenceZombies(ctx, name, sig)
	})
}

// internalRequest reads an internal request's body and signature, runs
// serve, and answers 204, or forwards the request where the herder says,
// or answers its error.
func (h *handler) internalRequest(w http.ResponseWriter, r *http.Request,
	serve func(InternalRequests, *http.Request, string, []byte, *interworker.Signature) error) {
	name := pathVar(r, "connector")
	ir, ok := h.herder.(InternalRequests)
	if !ok {
		h.fail(w, r, errNotImplemented, subject{})
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		h.fail(w, r, err, connectorSubject(name))
		return
	}
	// InternalRequestSignature.fromHeaders: an unknown algorithm or a
	// signature that is not base64 is a 400.
	sig, err := interworker.FromHeaders(r.Header, body)
	if err == nil {
		err = serve(ir, r, name, body, sig)
	}
	if err != nil {
		ctx, cancel := h.ctx(r)
		defer cancel()
		h.failOrForward(ctx, w, r, body, fmt.Errorf("internal request %s %s: %w", r.Method, r.URL.EscapedPath(), err), connectorSubject(name))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
