package rest

import (
	"mime"
	"net/http"
)

// errUnsupportedMediaType is Jersey's reply when a request's Content-Type
// does not match the resource's @Consumes(MediaType.APPLICATION_JSON),
// mapped by ConnectExceptionMapper to Kafka Connect's ErrorMessage.
var errUnsupportedMediaType = &requestError{status: http.StatusUnsupportedMediaType, message: "HTTP 415 Unsupported Media Type"}

// requireJSON refuses, with 415, a POST, PUT or PATCH that names a
// Content-Type other than application/json (any parameters, such as
// charset, allowed). Kafka Connect's resources all consume JSON; a request
// without a Content-Type (curl -X POST …/restart) passes, as it does in
// Jersey. This also keeps an HTML form or a "simple" cross-origin request
// (text/plain, form-urlencoded, multipart) from acting on the worker.
// It runs after routing, so unknown paths and methods keep their 404/405.
func (h *handler) requireJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch:
			if ct := r.Header.Values("Content-Type"); len(ct) > 0 && !isJSON(ct) {
				h.fail(w, r, errUnsupportedMediaType, subject{})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// isJSON reports whether the Content-Type header values name
// application/json.
func isJSON(values []string) bool {
	if len(values) != 1 {
		return false
	}
	mt, _, err := mime.ParseMediaType(values[0])
	return err == nil && mt == "application/json"
}
