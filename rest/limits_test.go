package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/internal/httpserve"
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

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"name\":\"slow\",\"config\":{\"a\":\""); err != nil {
		t.Fatal(err)
	}
	trickleDone := make(chan struct{})
	go func() {
		defer close(trickleDone)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range tick.C {
			if _, err := conn.Write([]byte("x")); err != nil {
				return
			}
		}
	}()

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
