package schemaregistry

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tributary-cdc/tributary/internal/httpserve"
)

// errUnauthorized is the reply to a write without the registry's
// credentials, in the registry's error format.
var errUnauthorized = &apiError{http.StatusUnauthorized, http.StatusUnauthorized, "Unauthorized"}

// writer guards a handler that changes the registry: when the registry has
// write credentials, the request must carry them (HTTP basic).
func (r *Registry) writer(h http.HandlerFunc) http.HandlerFunc {
	if r.writeUser == "" {
		return h
	}
	return func(w http.ResponseWriter, req *http.Request) {
		user, password, ok := req.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(r.writeUser)) != 1 ||
			subtle.ConstantTimeCompare([]byte(password), []byte(r.writePassword)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="SchemaRegistry"`)
			respond(w, nil, errUnauthorized)
			return
		}
		h(w, req)
	}
}

// contentType is the registry's media type.
const contentType = "application/vnd.schemaregistry.v1+json"

// Handler serves the Confluent Schema Registry REST API subset Tributary
// implements.
func (r *Registry) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]any{}) })
	mux.HandleFunc("GET /subjects", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, r.subjectList()) })
	mux.HandleFunc("GET /schemas/types", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, []string{"AVRO"}) })
	mux.HandleFunc("GET /subjects/{subject}/versions", func(w http.ResponseWriter, req *http.Request) {
		vs, err := r.versionList(req.PathValue("subject"))
		respond(w, vs, err)
	})
	mux.HandleFunc("POST /subjects/{subject}/versions", r.writer(func(w http.ResponseWriter, req *http.Request) {
		text, err := readSchema(w, req)
		if err != nil {
			respond(w, nil, err)
			return
		}
		id, err := r.Register(req.Context(), req.PathValue("subject"), text)
		respond(w, map[string]int{"id": id}, err)
	}))
	mux.HandleFunc("POST /subjects/{subject}", func(w http.ResponseWriter, req *http.Request) {
		text, err := readSchema(w, req)
		if err != nil {
			respond(w, nil, err)
			return
		}
		subject := req.PathValue("subject")
		v, err := r.lookup(subject, text)
		if err != nil {
			respond(w, nil, err)
			return
		}
		respond(w, schemaResponse(subject, v), nil)
	})
	mux.HandleFunc("GET /subjects/{subject}/versions/{version}", func(w http.ResponseWriter, req *http.Request) {
		subject := req.PathValue("subject")
		v, err := r.versionFromPath(subject, req.PathValue("version"))
		if err != nil {
			respond(w, nil, err)
			return
		}
		respond(w, schemaResponse(subject, v), nil)
	})
	mux.HandleFunc("GET /subjects/{subject}/versions/{version}/schema", func(w http.ResponseWriter, req *http.Request) {
		v, err := r.versionFromPath(req.PathValue("subject"), req.PathValue("version"))
		if err != nil {
			respond(w, nil, err)
			return
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = io.WriteString(w, v.Schema)
	})
	mux.HandleFunc("GET /schemas/ids/{id}", func(w http.ResponseWriter, req *http.Request) {
		id, err := strconv.Atoi(req.PathValue("id"))
		if err != nil {
			respond(w, nil, &apiError{404, 40403, "Schema " + req.PathValue("id") + " not found"})
			return
		}
		text, err := r.schemaByID(id)
		respond(w, map[string]string{"schema": text}, err)
	})
	mux.HandleFunc("GET /schemas/ids/{id}/schema", func(w http.ResponseWriter, req *http.Request) {
		id, _ := strconv.Atoi(req.PathValue("id"))
		text, err := r.schemaByID(id)
		if err != nil {
			respond(w, nil, err)
			return
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = io.WriteString(w, text)
	})
	mux.HandleFunc("GET /config", func(w http.ResponseWriter, _ *http.Request) {
		r.mu.RLock()
		level := r.levelLocked("")
		r.mu.RUnlock()
		writeJSON(w, 200, map[string]string{"compatibilityLevel": level})
	})
	mux.HandleFunc("GET /config/{subject}", func(w http.ResponseWriter, req *http.Request) {
		subject := req.PathValue("subject")
		r.mu.RLock()
		level, ok := r.subjectCompat[subject]
		if !ok && req.URL.Query().Get("defaultToGlobal") == "true" {
			level, ok = r.levelLocked(""), true
		}
		r.mu.RUnlock()
		if !ok {
			respond(w, nil, &apiError{404, 40408, fmt.Sprintf("Subject '%s' does not have subject-level compatibility configured", subject)})
			return
		}
		writeJSON(w, 200, map[string]string{"compatibilityLevel": level})
	})
	putConfig := func(w http.ResponseWriter, req *http.Request) {
		var body struct {
			Compatibility string `json:"compatibility"`
		}
		if err := decodeBody(w, req, maxConfigBody, &body); err != nil {
			respond(w, nil, err)
			return
		}
		level := strings.ToUpper(body.Compatibility)
		err := r.SetCompatibility(req.Context(), req.PathValue("subject"), level)
		respond(w, map[string]string{"compatibility": level}, err)
	}
	mux.HandleFunc("PUT /config", r.writer(putConfig))
	mux.HandleFunc("PUT /config/{subject}", r.writer(putConfig))
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions/{version}", func(w http.ResponseWriter, req *http.Request) {
		text, err := readSchema(w, req)
		if err != nil {
			respond(w, nil, err)
			return
		}
		n, err := parseVersion(req.PathValue("version"))
		if err != nil {
			respond(w, nil, err)
			return
		}
		msgs, err := r.compatibleWith(req.PathValue("subject"), n, text)
		if err != nil {
			respond(w, nil, err)
			return
		}
		out := map[string]any{"is_compatible": len(msgs) == 0}
		if req.URL.Query().Get("verbose") == "true" {
			out["messages"] = msgs
		}
		respond(w, out, nil)
	})
	return mux
}

func schemaResponse(subject string, v *version) map[string]any {
	return map[string]any{"subject": subject, "version": v.Version, "id": v.ID, "schema": v.Schema}
}

func (r *Registry) versionFromPath(subject, raw string) (*version, error) {
	n, err := parseVersion(raw)
	if err != nil {
		return nil, err
	}
	return r.versionOf(subject, n)
}

// parseVersion reads a version path segment: a positive number, "latest"
// or -1 (both the latest).
func parseVersion(raw string) (int, error) {
	if raw == "latest" || raw == "-1" {
		return -1, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, &apiError{422, 42202, "The specified version '" + raw + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""}
	}
	return n, nil
}

// Request body caps: a schema may be large, a config body is one field.
const (
	maxSchemaBody = 16 << 20
	maxConfigBody = 1 << 20
)

// decodeBody decodes a JSON body of at most limit bytes into v: 413 when
// larger (the connection is closed after the reply), else 422 as the
// registry answers an unreadable body.
func decodeBody(w http.ResponseWriter, req *http.Request, limit int64, v any) error {
	err := json.NewDecoder(http.MaxBytesReader(w, req.Body, limit)).Decode(v)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &apiError{http.StatusRequestEntityTooLarge, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body exceeds %d bytes", limit)}
	case err != nil:
		return &apiError{422, 422, "Unrecognized request body: " + err.Error()}
	}
	return nil
}

// readSchema reads {"schema": "...", "schemaType": "AVRO"} from a request.
func readSchema(w http.ResponseWriter, req *http.Request) (string, error) {
	var body struct {
		Schema     string `json:"schema"`
		SchemaType string `json:"schemaType"`
	}
	if err := decodeBody(w, req, maxSchemaBody, &body); err != nil {
		return "", err
	}
	if body.SchemaType != "" && !strings.EqualFold(body.SchemaType, "AVRO") {
		return "", &apiError{422, 42201, "Invalid schema type " + body.SchemaType + ": only AVRO is supported"}
	}
	if body.Schema == "" {
		return "", &apiError{422, 42201, "Empty schema"}
	}
	return body.Schema, nil
}

func respond(w http.ResponseWriter, v any, err error) {
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{500, 50001, err.Error()}
		}
		writeJSON(w, ae.status, map[string]any{"error_code": ae.code, "message": ae.msg})
		return
	}
	writeJSON(w, 200, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// httpServer is one listener serving the registry.
type httpServer struct {
	srv  *http.Server
	done sync.WaitGroup
}

func (s *httpServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	s.done.Wait()
}

// Listen serves the registry on an http:// listener URL (host:port, port 0
// for a free one) until Close, and returns the URL clients should use.
func (r *Registry) Listen(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return "", fmt.Errorf("invalid schema registry listener %q: only http://host:port is supported", rawURL)
	}
	l, err := net.Listen("tcp", u.Host)
	if err != nil {
		return "", fmt.Errorf("listening on %s: %w", rawURL, err)
	}
	limits := httpserve.Defaults(0)
	hs := &httpServer{srv: limits.Server(r.Handler())}
	hs.done.Go(func() {
		if err := hs.srv.Serve(limits.Listener(l)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.logger.Error("schema registry listener failed", "addr", l.Addr().String(), "err", err)
		}
	})
	r.serveMu.Lock()
	r.servers = append(r.servers, hs)
	r.serveMu.Unlock()
	host, port, _ := net.SplitHostPort(l.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	addr := "http://" + net.JoinHostPort(host, port)
	r.logger.Info("schema registry listening", "url", addr)
	return addr, nil
}
