package rest

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect/loglevel"
)

// TestLoggerNamesBounded: /admin/loggers refuses control characters, long
// names and new names beyond the registry's cap with 400, and many distinct
// names do not grow the registry past its cap.
func TestLoggerNamesBounded(t *testing.T) {
	reg := loglevel.NewRegistry(slog.LevelInfo)
	e := newEnv(t, func(c *Config) { c.Loggers = reg })
	put := func(name string) reply {
		return e.do("PUT", "/admin/loggers/"+url.PathEscape(name), `{"level":"DEBUG"}`)
	}
	put("io\ndebezium").check(t, http.StatusBadRequest,
		`{"error_code":400,"message":"Logger name may not contain control sequences but had the following ASCII chars: 10"}`)
	put(strings.Repeat("a", loglevel.MaxNameLen+1)).check(t, http.StatusBadRequest,
		`{"error_code":400,"message":"Logger name is 257 bytes long; at most 256 are allowed"}`)
	if r := e.do("PUT", "/admin/loggers/io%09x?scope=cluster", `{"level":"DEBUG"}`); r.status != http.StatusBadRequest {
		t.Errorf("cluster scope with a tab: %d %s", r.status, r.body)
	}

	refused := 0
	for i := range loglevel.MaxLoggers + 50 {
		r := put("io.debezium.n" + strconv.Itoa(i))
		switch r.status {
		case http.StatusOK:
		case http.StatusBadRequest:
			refused++
			if !strings.Contains(string(r.body), "the most allowed") {
				t.Fatalf("refusal %d: %s", i, r.body)
			}
		default:
			t.Fatalf("PUT %d: %d %s", i, r.status, r.body)
		}
	}
	if refused != 50 {
		t.Errorf("%d of %d new names refused, want 50", refused, loglevel.MaxLoggers+50)
	}
	if n := len(reg.Names()); n != loglevel.MaxLoggers+1 {
		t.Errorf("registry keeps %d names, want the cap %d plus root", n, loglevel.MaxLoggers)
	}
}
