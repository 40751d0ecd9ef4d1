package registry_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/schema/registry"
	"github.com/tributary-cdc/tributary/tlsconfig"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

// A client with Config.TLS reaches an HTTPS registry of a private CA and
// sends the bearer token and headers; one without fails on the certificate.
func TestTLSAndBearer(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("target-sr-cluster") != "lsrc-1" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error_code":401,"message":"Unauthorized"}`))
			return
		}
		w.Write([]byte(`["a"]`))
	}))
	srv.TLS = tlstest.ServerConfig(tlstest.FixtureBroker(t), nil)
	srv.StartTLS()
	defer srv.Close()
	cfg, err := tlsconfig.Load(map[string]string{"ssl.truststore.type": "PEM", "ssl.truststore.location": tlstest.Fixture("ca.pem")}, "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := registry.New(registry.Config{URLs: []string{srv.URL}, BearerToken: "tok", Headers: map[string]string{"target-sr-cluster": "lsrc-1"}, TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Subjects(context.Background()); err != nil || len(got) != 1 {
		t.Fatalf("Subjects: %v, %v", got, err)
	}
	plain, _ := registry.New(registry.Config{URLs: []string{srv.URL}, BearerToken: "tok"})
	if _, err := plain.Subjects(context.Background()); err == nil || !strings.Contains(err.Error(), "unknown authority") {
		t.Fatalf("without the CA: %v", err)
	}
	if _, err := registry.New(registry.Config{URLs: []string{srv.URL}, BearerToken: "tok", UserInfo: "u:p"}); err == nil {
		t.Fatal("basic and bearer credentials together were accepted")
	}
}

// The password of a URL never shows in an error.
func TestURLPasswordNotInErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c, err := registry.New(registry.Config{URLs: []string{"http://user:url-secret@" + addr}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Subjects(context.Background())
	if err == nil || strings.Contains(err.Error(), "url-secret") {
		t.Fatalf("got %v", err)
	}
}
