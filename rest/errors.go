package rest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/interworker"
)

// This file is the error catalog: every error reply goes through fail, and
// classify is the only place that turns an error into a status and message.
// Messages follow Kafka Connect (ConnectExceptionMapper, ConnectorsResource,
// AbstractHerder, DistributedHerder).

// errorBody is Kafka Connect's ErrorMessage entity.
type errorBody struct {
	ErrorCode int    `json:"error_code"`
	Message   string `json:"message"`
}

// requestError is a problem this package found with the request itself; it
// carries its own status.
type requestError struct {
	status  int
	message string
}

func (e *requestError) Error() string { return e.message }

func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

// statusError is an error of the herder that carries the status of its
// reply and whose message is the reply's, such as a refused internal
// request.
type statusError interface {
	error
	HTTPStatus() int
}

// Replies of the router itself, worded as Jersey's.
var (
	errRouteNotFound    = &requestError{status: http.StatusNotFound, message: "HTTP 404 Not Found"}
	errMethodNotAllowed = &requestError{status: http.StatusMethodNotAllowed, message: "HTTP 405 Method Not Allowed"}
	errNotImplemented   = &requestError{status: http.StatusNotImplemented, message: "HTTP 501 Not Implemented"}
)

// subjectKind says which of Kafka Connect's not-found messages applies.
type subjectKind int

const (
	subjectNone       subjectKind = iota
	subjectConnector              // "Connector <c> not found"
	subjectTaskStatus             // "No status found for task <c>-<n>" (AbstractHerder.taskStatus)
	subjectTask                   // "Unknown task: <c>-<n>" (DistributedHerder.restartTask)
	subjectPlugin                 // "Unknown plugin <p>." (AbstractHerder.connectorPluginConfig)
)

// subject names what a request was about, so that classify can phrase the
// message for ErrNotFound and ErrAlreadyExists.
type subject struct {
	kind      subjectKind
	connector string
	task      int
}

func connectorSubject(name string) subject { return subject{kind: subjectConnector, connector: name} }

func taskSubject(kind subjectKind, id connect.TaskID) subject {
	return subject{kind: kind, connector: id.Connector, task: id.Task}
}

// taskName is ConnectorTaskId.toString: "<connector>-<task>".
func taskName(connector string, task int) string {
	return connector + "-" + strconv.Itoa(task)
}

// classify maps err to the HTTP status and message of Kafka Connect's reply.
func classify(err error, s subject) (int, string) {
	var re *requestError
	var ve *connect.ValidationError
	var bre *connect.BadRequestError
	var ibre *interworker.BadRequestError
	var se statusError
	switch {
	case errors.As(err, &re):
		return re.status, re.message
	case errors.As(err, &ibre):
		return http.StatusBadRequest, ibre.Message
	case errors.As(err, &se):
		return se.HTTPStatus(), se.Error()
	case errors.As(err, &bre):
		return http.StatusBadRequest, bre.Message
	case errors.As(err, &ve):
		return http.StatusBadRequest, ve.Error()
	case errors.Is(err, connect.ErrNotFound):
		return http.StatusNotFound, notFoundMessage(err, s)
	case errors.Is(err, connect.ErrAlreadyExists):
		if s.connector == "" {
			return http.StatusConflict, err.Error()
		}
		return http.StatusConflict, "Connector " + s.connector + " already exists"
	case errors.Is(err, connect.ErrBadRequest):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusInternalServerError, "Request timed out"
	case errors.Is(err, context.Canceled):
		return http.StatusInternalServerError, "Request interrupted"
	default:
		return http.StatusInternalServerError, err.Error()
	}
}

func notFoundMessage(err error, s subject) string {
	switch s.kind {
	case subjectConnector:
		return "Connector " + s.connector + " not found"
	case subjectTaskStatus:
		return "No status found for task " + taskName(s.connector, s.task)
	case subjectTask:
		return "Unknown task: " + taskName(s.connector, s.task)
	case subjectPlugin:
		return "Unknown plugin " + s.connector + "."
	default:
		return err.Error()
	}
}

// fail writes the error reply for err and logs it: 5xx at Error (except a
// request its client abandoned), everything else at Debug.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error, s subject) {
	status, msg := classify(err, s)
	attrs := []any{
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", status),
		slog.String("error", err.Error()),
	}
	if status >= http.StatusInternalServerError && r.Context().Err() == nil {
		h.log.Error("serving REST request", attrs...)
	} else {
		h.log.Debug("serving REST request", attrs...)
	}
	writeJSON(w, status, errorBody{ErrorCode: status, Message: msg})
}
