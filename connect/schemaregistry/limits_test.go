package schemaregistry

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

// TestHTTPLimits: the registry's server is bounded (timeouts, header and
// body caps) and stays usable after refusing oversized requests.
func TestHTTPLimits(t *testing.T) {
	r, c, url := startRegistryURL(t, kafkatest.NewCluster(t))
	r.serveMu.Lock()
	srv := r.servers[0].srv
	r.serveMu.Unlock()
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Errorf("registry server not bounded: read header %v, read %v, write %v, idle %v, header bytes %d",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	send := func(method, path string, body io.Reader, header string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctxT(t), method, url+path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		if header != "" {
			req.Header.Set("X-Big", header)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	big := `{"schema":"` + strings.Repeat("a", maxSchemaBody) + `"}`
	if code, body := send("POST", "/subjects/big-value/versions", strings.NewReader(big), ""); code != http.StatusRequestEntityTooLarge ||
		!strings.Contains(body, `"error_code":413`) {
		t.Errorf("oversized schema: %d %s, want 413", code, body)
	}
	bigConfig := `{"compatibility":"` + strings.Repeat("a", maxConfigBody) + `"}`
	if code, body := send("PUT", "/config", strings.NewReader(bigConfig), ""); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized config: %d %s, want 413", code, body)
	}
	if code, _ := send("GET", "/subjects", nil, strings.Repeat("a", 64<<10)); code != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("64 KiB header: %d, want 431", code)
	}
	if id, err := c.Register(ctxT(t), "orders-value", ordersV1); err != nil || id != 1 {
		t.Errorf("Register after refusals = %d, %v", id, err)
	}
}
