package httpserve

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var served = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Served", "yes")
	_, _ = w.Write([]byte("ok"))
})

// TestParseHeaderRules checks the cases of Kafka's RestServerConfigTest
// (testValidHttpResponseHeaderConfig, testInvalidHttpResponseHeaderConfig)
// with the validator's messages.
func TestParseHeaderRules(t *testing.T) {
	rules, err := ParseHeaderRules(`"add Cache-Control: no-cache, no-store, must-revalidate", set X-XSS-Protection: 1, ` +
		`set Strict-Transport-Security: max-age=31536000, setDate Expires: 31536000000, addDate Last-Modified: 0`)
	if err != nil {
		t.Fatal(err)
	}
	want := []HeaderRule{{"add", "Cache-Control", "no-cache, no-store, must-revalidate"}, {"set", "X-XSS-Protection", "1"},
		{"set", "Strict-Transport-Security", "max-age=31536000"}, {"setDate", "Expires", "31536000000"}, {"addDate", "Last-Modified", "0"}}
	if len(rules) != len(want) {
		t.Fatalf("rules %+v, want %+v", rules, want)
	}
	for i := range want {
		if rules[i] != want[i] {
			t.Errorf("rule %d = %+v, want %+v", i, rules[i], want[i])
		}
	}
	if rules, err := ParseHeaderRules("  "); err != nil || rules != nil {
		t.Errorf("blank: %v %v", rules, err)
	}
	for _, c := range []struct{ config, want string }{
		{"set", "Invalid format of header config 'set'. Expected: '[action] [header name]:[header value]'"},
		{"badaction X-Foo: bar", "Invalid header config action: 'badaction'. Expected one of [set, add, setDate, addDate]"},
		{"set X-Foo bar", "Invalid format of header name and header value pair 'X-Foo bar'. Expected: '[header name]:[header value]'"},
		{"set X-Foo: a:b", "Invalid format of header name and header value pair"},
		{"set X Foo: bar", "Invalid header name 'X Foo'. The '[header name]' cannot contain whitespace"},
		{"set :bar", "Invalid header name ''"},
		{"setDate Expires: soon", "number of milliseconds"},
		{"set X-A: 1,,set X-B: 2", "Invalid format of header config ''"},
	} {
		_, err := ParseHeaderRules(c.config)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.config, err, c.want)
		}
	}
}

func TestWithHeaders(t *testing.T) {
	rules, err := ParseHeaderRules("set X-Frame-Options: DENY, add Cache-Control: no-cache, add Cache-Control: no-store, set X-Served: overridden, setDate Expires: 60000")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	before := time.Now().Add(59 * time.Second)
	WithHeaders(rules, served).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	h := rec.Header()
	if h.Get("X-Frame-Options") != "DENY" || strings.Join(h.Values("Cache-Control"), ",") != "no-cache,no-store" {
		t.Errorf("headers %v", h)
	}
	if h.Get("X-Served") != "yes" {
		t.Errorf("the handler's own header was not kept last: %q", h.Get("X-Served"))
	}
	exp, err := http.ParseTime(h.Get("Expires"))
	if err != nil || exp.Before(before.Truncate(time.Second)) || exp.After(time.Now().Add(61*time.Second)) {
		t.Errorf("Expires %q (%v), want a minute from now", h.Get("Expires"), err)
	}
}

func TestCrossOrigin(t *testing.T) {
	if NewCrossOrigin(" ", "PUT") != nil {
		t.Fatal("a blank access.control.allow.origin installs a filter")
	}
	h := NewCrossOrigin("https://ui.example.com, https://*.internal.example", "").Wrap(served)
	do := func(method, origin, reqMethod, reqHeaders string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/connectors", nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if reqMethod != "" {
			r.Header.Set("Access-Control-Request-Method", reqMethod)
		}
		if reqHeaders != "" {
			r.Header.Set("Access-Control-Request-Headers", reqHeaders)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	if rec := do(http.MethodGet, "https://ui.example.com", "", ""); rec.Header().Get("Access-Control-Allow-Origin") != "https://ui.example.com" ||
		rec.Header().Get("Access-Control-Allow-Credentials") != "true" || rec.Body.String() != "ok" {
		t.Errorf("allowed origin: %v %q", rec.Header(), rec.Body)
	}
	if rec := do(http.MethodGet, "https://a.internal.example", "", ""); rec.Header().Get("Access-Control-Allow-Origin") != "https://a.internal.example" {
		t.Errorf("wildcard origin: %v", rec.Header())
	}
	if rec := do(http.MethodGet, "https://evil.example", "", ""); rec.Header().Get("Access-Control-Allow-Origin") != "" || rec.Body.String() != "ok" {
		t.Errorf("other origin: %v %q", rec.Header(), rec.Body)
	}
	if rec := do(http.MethodGet, "", "", ""); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no origin: %v", rec.Header())
	}
	pre := do(http.MethodOptions, "https://ui.example.com", "POST", "content-type")
	if pre.Code != http.StatusOK || pre.Header().Get("Access-Control-Allow-Methods") != "GET,POST,HEAD" ||
		pre.Header().Get("Access-Control-Max-Age") != "1800" || pre.Body.String() != "" {
		t.Errorf("preflight: %d %v %q", pre.Code, pre.Header(), pre.Body)
	}
	if pre := do(http.MethodOptions, "https://ui.example.com", "DELETE", ""); pre.Header().Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("preflight for a method not allowed: %v", pre.Header())
	}
	if pre := do(http.MethodOptions, "https://ui.example.com", "POST", "X-Custom"); pre.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight with a header not allowed: %v", pre.Header())
	}
	put := NewCrossOrigin("*", "GET, PUT").Wrap(served)
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodOptions, "/", nil)
	r.Header.Set("Origin", "https://any.example")
	r.Header.Set("Access-Control-Request-Method", "PUT")
	put.ServeHTTP(rec, r)
	if rec.Header().Get("Access-Control-Allow-Methods") != "GET,PUT" {
		t.Errorf("access.control.allow.methods: %v", rec.Header())
	}
}
