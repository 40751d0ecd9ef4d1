package rest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/internal/httpserve"
	"github.com/tributary-cdc/tributary/internal/testutil"
)

// TestSlowCreateIsCutOff serves the REST handler with the worker's limits
// (shortened): a POST /connectors whose body trickles in loses its
// connection at the read timeout and creates nothing, while GET requests
// are answered meanwhile.
func TestSlowCreateIsCutOff(t *testing.T) {
	herder := newFakeHerder()
	limits := httpserve.Defaults(DefaultRequestTimeout)
	limits.ReadTimeout = 500 * time.Millisecond
	srv := limits.Server(NewHandler(Config{Herder: herder}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(limits.Listener(ln)) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	addr := ln.Addr().String()

	conn, trickleDone := testutil.TrickleBody(t, addr, "POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Content-Length: 100000\r\n\r\n{\"name\":\"slow\",\"config\":{\"a\":\"")

	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + addr + "/connectors")
	if err != nil {
		t.Fatalf("GET while a body trickles: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET while a body trickles: %d", resp.StatusCode)
	}

	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, conn); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("slow body still connected after 10s")
	}
	_ = conn.Close()
	<-trickleDone
	if _, err := herder.ConnectorInfo(t.Context(), "slow"); err == nil {
		t.Error("a cut-off request created its connector")
	}
}
