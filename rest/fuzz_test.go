package rest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// fuzzSeeds are added to the checked-in corpus in testdata/fuzz.
var fuzzSeeds = []string{
	`{"name":"inventory","config":{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","topic.prefix":"dbserver1"},"initial_state":"RUNNING"}`,
	`{"connector.class":"C","tasks.max":1,"name":"a"}`,
	`{"name":"a","config":{"connector.class":"C","name":"b"}}`,
	`{"name":1e999,"config":{"a":-0.0e+1,"b":false}}`,
	`{"name":"\ud800","config":{"\u0000":"\u2028"}}`,
	`{"name":"a","config":{"connector.class":"C"},"initial_state":null}`,
	`[{}]`, `null`, `"x"`, `{`, ``, ` {} `, `{"config":{}}`, `{"name":"a","config":[]}`,
}

// checkReply asserts the invariants of a reply to a request body we do not
// control: never a 5xx, always JSON, and every error in the catalog's shape.
func checkReply(t *testing.T, rec *httptest.ResponseRecorder, body []byte) {
	t.Helper()
	if rec.Code >= http.StatusInternalServerError {
		t.Fatalf("body %q: status %d: %s", body, rec.Code, rec.Body.Bytes())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("body %q: Content-Type %q", body, ct)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("body %q: reply is not JSON: %q", body, rec.Body.Bytes())
	}
	if rec.Code >= http.StatusBadRequest {
		var e errorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.ErrorCode != rec.Code || e.Message == "" {
			t.Fatalf("body %q: error reply %d %q", body, rec.Code, rec.Body.Bytes())
		}
	}
}

// checkStatus asserts that a body that fails to decode gets 400 and one that
// decodes gets ok or the fake herder's 400 for a config without
// connector.class.
func checkStatus(t *testing.T, body []byte, decodeErr error, status, ok int) {
	t.Helper()
	switch {
	case len(body) > MaxBodyBytes:
		if status != http.StatusRequestEntityTooLarge {
			t.Fatalf("body of %d bytes replied %d", len(body), status)
		}
	case decodeErr != nil && status != http.StatusBadRequest:
		t.Fatalf("body %q failed to decode (%v) but replied %d", body, decodeErr, status)
	case decodeErr == nil && status != ok && status != http.StatusBadRequest:
		t.Fatalf("body %q decoded but replied %d", body, status)
	}
}

// FuzzCreateConnectorBody feeds arbitrary bodies to POST /connectors. A body
// that decodes yields a non-empty trimmed name and a config whose "name"
// equals it; the handler never panics and never answers 5xx.
func FuzzCreateConnectorBody(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeCreateRequest(body)
		if err == nil {
			if req.Name == "" || req.Config["name"] != req.Name {
				t.Fatalf("body %q decoded to name %q, config name %q", body, req.Name, req.Config["name"])
			}
		}
		h := NewHandler(Config{Herder: newFakeHerder()})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), "POST", "/connectors", bytes.NewReader(body)))
		checkReply(t, rec, body)
		checkStatus(t, body, err, rec.Code, http.StatusCreated)
	})
}

// FuzzPutConnectorConfigBody feeds arbitrary bodies to
// PUT /connectors/{c}/config with the same invariants.
func FuzzPutConnectorConfigBody(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		config, err := decodeConfig(body, "a")
		if err == nil && config["name"] != "a" {
			t.Fatalf("body %q decoded to config name %q", body, config["name"])
		}
		h := NewHandler(Config{Herder: newFakeHerder()})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), "PUT", "/connectors/a/config", bytes.NewReader(body)))
		checkReply(t, rec, body)
		checkStatus(t, body, err, rec.Code, http.StatusCreated)
	})
}

// FuzzAlterOffsetsBody feeds arbitrary bodies to PATCH
// /connectors/{c}/offsets of a stopped connector: a body that decodes has
// object (or null) partitions and offsets with exact integers, and the
// handler never panics and never answers 5xx.
func FuzzAlterOffsetsBody(f *testing.F) {
	for _, s := range []string{
		`{"offsets":[{"partition":{"server":"dbserver1"},"offset":{"lsn":12345678901234,"txId":7,"ts_usec":1714557600000000}}]}`,
		`{"offsets":[{"partition":{"server":"dbserver1"},"offset":null}]}`,
		`{"offsets":[]}`, `{"offsets":[{"partition":"x","offset":1}]}`, `{"offsets":[{"partition":{},"offset":{"a":1e400}}]}`,
		`{"offsets":[{"partition":{"a":[1,{"b":null}]},"offset":{"lsn":-0}}]}`, `{"offsets":null}`, `[]`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	create, err := os.ReadFile("testdata/create_request.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		offsets, decodeErr := decodeOffsets(body)
		for _, o := range offsets {
			for _, m := range []map[string]any{o.Partition, o.Offset} {
				if _, err := json.Marshal(m); err != nil {
					t.Fatalf("body %q decoded to a map that does not encode: %v", body, err)
				}
			}
		}
		h := NewHandler(Config{Herder: newFakeHerder()})
		for _, step := range []struct{ method, path, body string }{
			{"POST", "/connectors", string(create)}, {"PUT", "/connectors/inventory/stop", ""},
		} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), step.method, step.path, strings.NewReader(step.body)))
			if rec.Code >= 300 {
				t.Fatalf("%s %s = %d %s", step.method, step.path, rec.Code, rec.Body.Bytes())
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), "PATCH", "/connectors/inventory/offsets", bytes.NewReader(body)))
		checkReply(t, rec, body)
		if decodeErr != nil && len(body) <= MaxBodyBytes && rec.Code != http.StatusBadRequest {
			t.Fatalf("body %q failed to decode (%v) but replied %d", body, decodeErr, rec.Code)
		}
		if decodeErr == nil && rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("body %q decoded but replied %d", body, rec.Code)
		}
	})
}
