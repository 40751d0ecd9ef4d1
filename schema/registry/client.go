package registry

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContentType is the media type of Schema Registry requests and responses.
const ContentType = "application/vnd.schemaregistry.v1+json"

// Error codes of the Confluent Schema Registry REST API (Errors.java).
const (
	CodeSubjectNotFound       = 40401
	CodeVersionNotFound       = 40402
	CodeSchemaNotFound        = 40403
	CodeSubjectLevelConfig    = 40408
	CodeIncompatibleSchema    = 409
	CodeInvalidSchema         = 42201
	CodeInvalidVersion        = 42202
	CodeInvalidCompatibility  = 42203
	CodeStoreError            = 50001
	CodeOperationTimeout      = 50002
	CodeRequestForwardingFail = 50003
)

// Error is an error answer of the registry: its HTTP status and the
// error_code and message of its body.
type Error struct {
	Status  int    // HTTP status
	Code    int    `json:"error_code"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("schema registry error %d (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// IsCode reports whether err is a registry Error with the given error_code.
func IsCode(err error, code int) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// Schema is a registered schema as GET /subjects/{s}/versions/{v} and
// POST /subjects/{s} return it.
type Schema struct {
	Subject    string `json:"subject"`
	Version    int    `json:"version"`
	ID         int    `json:"id"`
	SchemaType string `json:"schemaType,omitempty"`
	Schema     string `json:"schema"`
}

// Config configures a Client.
type Config struct {
	// URLs are the registry base URLs (schema.registry.url, comma
	// separated in properties). Requests go to the first that answers.
	URLs []string
	// UserInfo is "user:password" for HTTP basic authentication, or "".
	// Without it and without a bearer token, the user information of a
	// URL is sent.
	UserInfo string
	// BearerToken is sent as "Authorization: Bearer <token>" when set
	// (Confluent's STATIC_TOKEN bearer credentials).
	BearerToken string
	// Headers are sent with every request (Confluent Cloud's
	// target-sr-cluster and Confluent-Identity-Pool-Id).
	Headers map[string]string
	// TLS configures HTTPS connections; nil uses the system's roots.
	TLS *tls.Config
	// HTTPClient defaults to a client with a 30 s timeout and TLS.
	HTTPClient *http.Client
}

// Client talks to a Confluent-compatible schema registry. It caches what
// never changes: the id of a (subject, schema) pair and the schema of an
// id. It is safe for concurrent use.
type Client struct {
	urls     []string
	userInfo string
	bearer   string
	headers  map[string]string
	http     *http.Client

	mu    sync.RWMutex
	ids   map[subjectSchema]int
	byID  map[int]string
	calls int // HTTP requests made, for tests and metrics
}

type subjectSchema struct{ subject, schema string }

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("creating schema registry client: no URL")
	}
	urls := make([]string, 0, len(cfg.URLs))
	for _, u := range cfg.URLs {
		u = strings.TrimRight(strings.TrimSpace(u), "/")
		if _, err := url.Parse(u); err != nil || u == "" {
			if strings.Contains(u, "@") {
				u = "(with user information, not shown)"
			}
			return nil, fmt.Errorf("creating schema registry client: invalid URL %q", u)
		}
		urls = append(urls, u)
	}
	if cfg.UserInfo != "" && cfg.BearerToken != "" {
		return nil, errors.New("creating schema registry client: both basic and bearer credentials")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = cfg.TLS
		hc = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	}
	return &Client{urls: urls, userInfo: cfg.UserInfo, bearer: cfg.BearerToken, headers: cfg.Headers, http: hc,
		ids: map[subjectSchema]int{}, byID: map[int]string{}}, nil
}

// Calls returns the number of HTTP requests the client has made.
func (c *Client) Calls() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.calls
}

// Register registers an Avro schema under subject (POST
// /subjects/{subject}/versions) and returns its id. An identical schema
// already registered gets its existing id; a cached pair costs no request.
func (c *Client) Register(ctx context.Context, subject, schemaText string) (int, error) {
	if id, ok := c.cachedID(subject, schemaText); ok {
		return id, nil
	}
	var resp struct {
		ID int `json:"id"`
	}
	body := map[string]string{"schema": schemaText}
	if err := c.do(ctx, http.MethodPost, "/subjects/"+url.PathEscape(subject)+"/versions", body, &resp); err != nil {
		return 0, fmt.Errorf("registering schema under subject %q: %w", subject, err)
	}
	c.remember(subject, schemaText, resp.ID)
	return resp.ID, nil
}

// Lookup finds schemaText among the versions of subject (POST
// /subjects/{subject}) without registering it.
func (c *Client) Lookup(ctx context.Context, subject, schemaText string) (*Schema, error) {
	var resp Schema
	body := map[string]string{"schema": schemaText}
	if err := c.do(ctx, http.MethodPost, "/subjects/"+url.PathEscape(subject), body, &resp); err != nil {
		return nil, fmt.Errorf("looking up schema under subject %q: %w", subject, err)
	}
	c.remember(subject, schemaText, resp.ID)
	return &resp, nil
}

// LookupID is Lookup returning only the id, answered from the cache when
// the pair is known.
func (c *Client) LookupID(ctx context.Context, subject, schemaText string) (int, error) {
	if id, ok := c.cachedID(subject, schemaText); ok {
		return id, nil
	}
	s, err := c.Lookup(ctx, subject, schemaText)
	if err != nil {
		return 0, err
	}
	return s.ID, nil
}

// Latest returns the latest version of subject (GET
// /subjects/{subject}/versions/latest).
func (c *Client) Latest(ctx context.Context, subject string) (*Schema, error) {
	var resp Schema
	if err := c.do(ctx, http.MethodGet, "/subjects/"+url.PathEscape(subject)+"/versions/latest", nil, &resp); err != nil {
		return nil, fmt.Errorf("reading latest schema of subject %q: %w", subject, err)
	}
	c.remember(subject, resp.Schema, resp.ID)
	return &resp, nil
}

// SchemaByID returns the schema text of id (GET /schemas/ids/{id}).
func (c *Client) SchemaByID(ctx context.Context, id int) (string, error) {
	c.mu.RLock()
	s, ok := c.byID[id]
	c.mu.RUnlock()
	if ok {
		return s, nil
	}
	var resp struct {
		Schema string `json:"schema"`
	}
	if err := c.do(ctx, http.MethodGet, "/schemas/ids/"+strconv.Itoa(id), nil, &resp); err != nil {
		return "", fmt.Errorf("reading schema id %d: %w", id, err)
	}
	c.mu.Lock()
	c.byID[id] = resp.Schema
	c.mu.Unlock()
	return resp.Schema, nil
}

// Subjects lists the registered subjects (GET /subjects).
func (c *Client) Subjects(ctx context.Context) ([]string, error) {
	var out []string
	if err := c.do(ctx, http.MethodGet, "/subjects", nil, &out); err != nil {
		return nil, fmt.Errorf("listing subjects: %w", err)
	}
	return out, nil
}

// Versions lists the versions of subject (GET /subjects/{subject}/versions).
func (c *Client) Versions(ctx context.Context, subject string) ([]int, error) {
	var out []int
	if err := c.do(ctx, http.MethodGet, "/subjects/"+url.PathEscape(subject)+"/versions", nil, &out); err != nil {
		return nil, fmt.Errorf("listing versions of subject %q: %w", subject, err)
	}
	return out, nil
}

// SetCompatibility sets the compatibility level of subject, or the global
// level when subject is "" (PUT /config[/{subject}]).
func (c *Client) SetCompatibility(ctx context.Context, subject, level string) error {
	path := "/config"
	if subject != "" {
		path += "/" + url.PathEscape(subject)
	}
	var resp map[string]string
	if err := c.do(ctx, http.MethodPut, path, map[string]string{"compatibility": level}, &resp); err != nil {
		return fmt.Errorf("setting compatibility %s: %w", level, err)
	}
	return nil
}

func (c *Client) cachedID(subject, schemaText string) (int, bool) {
	c.mu.RLock()
	id, ok := c.ids[subjectSchema{subject, schemaText}]
	c.mu.RUnlock()
	return id, ok
}

func (c *Client) remember(subject, schemaText string, id int) {
	c.mu.Lock()
	c.ids[subjectSchema{subject, schemaText}] = id
	c.byID[id] = schemaText
	c.mu.Unlock()
}

// do sends one request to the first registry URL that answers and decodes
// a 2xx body into out; an error body becomes an *Error.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var payload []byte
	if in != nil {
		var err error
		if payload, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encoding request: %w", err)
		}
	}
	var lastErr error
	for _, base := range c.urls {
		err := c.doOne(ctx, base, method, path, payload, out)
		if err == nil {
			return nil
		}
		var re *Error
		if errors.As(err, &re) {
			return err // the registry answered
		}
		lastErr = err
	}
	return lastErr
}

func (c *Client) doOne(ctx context.Context, base, method, path string, payload []byte, out any) error {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Accept", ContentType+", application/json")
	if payload != nil {
		req.Header.Set("Content-Type", ContentType)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	// RestService.setAuthRequestHeaders: the user information as given,
	// base64 encoded.
	switch {
	case c.bearer != "":
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	case c.userInfo != "":
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.userInfo)))
	default:
		// A URL's user information, percent-decoded (Java sends it as
		// written; the two agree on every name and password without
		// escapes).
		if u, err := url.Parse(base); err == nil && u.User != nil {
			pass, _ := u.User.Password()
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
		}
	}
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("calling %s %s: %w", method, redact(base)+path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("reading response of %s %s: %w", method, redact(base)+path, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(data, e) != nil || e.Message == "" {
			e.Code = resp.StatusCode
			e.Message = strings.TrimSpace(string(data))
		}
		return e
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding response of %s %s: %w", method, redact(base)+path, err)
	}
	return nil
}

// redact hides the password of a URL's user information in messages.
func redact(base string) string {
	if u, err := url.Parse(base); err == nil && u.User != nil {
		return u.Redacted()
	}
	return base
}
