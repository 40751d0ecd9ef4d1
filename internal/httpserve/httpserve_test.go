package httpserve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/internal/testutil"
)

// testLimits are short enough for a test to see them act.
func testLimits() Limits {
	return Limits{
		ReadHeaderTimeout: 300 * time.Millisecond,
		ReadTimeout:       500 * time.Millisecond,
		WriteTimeout:      2 * time.Second,
		IdleTimeout:       300 * time.Millisecond,
		MaxHeaderBytes:    8 << 10,
		MaxConns:          4,
	}
}

// echoLen answers with the length of the body it read, or 400.
var echoLen = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "%d", len(b))
})

// serve runs a bounded server on a loopback port until the test ends.
func serve(t *testing.T, l Limits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := l.Server(echoLen)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l.Listener(ln)) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// get sends one request on a new connection and returns the reply body.
func get(t *testing.T, addr, body string) (int, string) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := client.Post("http://"+addr+"/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading reply: %v", err)
	}
	return resp.StatusCode, string(b)
}

// waitGoroutines polls until at most max goroutines run, or fails.
func waitGoroutines(t *testing.T, limit int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > limit {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, want at most %d", runtime.NumGoroutine(), limit)
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond) // polling interval
	}
}

// TestSlowBodyIsCutOff: a client that sends its headers and then trickles
// its body loses its connection at the read timeout, while the server keeps
// answering others.
func TestSlowBodyIsCutOff(t *testing.T) {
	addr := serve(t, testLimits())
	start := time.Now()
	conn, trickleDone := testutil.TrickleBody(t, addr,
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")

	// Others are served while the slow client trickles.
	if code, body := get(t, addr, `{"a":1}`); code != http.StatusOK || body != "7" {
		t.Errorf("concurrent request: %d %q", code, body)
	}

	// The server ends the slow request: a 400 and/or the connection closed,
	// long before the 1 MB body could arrive (20 s at this pace).
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("slow body still connected after %v", time.Since(start))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("slow body cut off after %v, want about the read timeout", d)
	}
	_ = conn.Close()
	<-trickleDone
}

// TestConnectionCap: idle connections beyond MaxConns wait rather than
// take goroutines; the header timeout frees their slots, so a client still
// gets its answer and the goroutine count returns to where it was.
func TestConnectionCap(t *testing.T) {
	l := testLimits()
	addr := serve(t, l)
	if code, _ := get(t, addr, ""); code != http.StatusOK {
		t.Fatalf("warm-up request: %d", code)
	}
	base := runtime.NumGoroutine()

	const idle = 40
	conns := make([]net.Conn, 0, idle)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range idle {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	// At most MaxConns connection goroutines exist, whatever the number of
	// clients (plus a few of the runtime's and the dialler's).
	if n := runtime.NumGoroutine(); n > base+l.MaxConns+4 {
		t.Errorf("%d goroutines with %d idle clients, base %d, cap %d", n, idle, base, l.MaxConns)
	}

	// A real request is answered once the idle ones time out.
	if code, body := get(t, addr, `{}`); code != http.StatusOK || body != "2" {
		t.Errorf("request behind idle connections: %d %q", code, body)
	}

	// Every idle connection is closed by the server.
	for i, c := range conns {
		if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		_, err := bufio.NewReader(c).ReadByte()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("idle connection %d still open after 10s", i)
		}
		if !errors.Is(err, io.EOF) && !isReset(err) {
			t.Errorf("idle connection %d: %v", i, err)
		}
	}
	waitGoroutines(t, base+2)
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

// TestHeaderCap: headers beyond MaxHeaderBytes are refused with 431.
func TestHeaderCap(t *testing.T) {
	addr := serve(t, testLimits())
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Big", strings.Repeat("a", 64<<10))
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("64 KiB header: %d, want 431", resp.StatusCode)
	}
}

func TestDefaultsOutlastTheHandler(t *testing.T) {
	d := Defaults(90 * time.Second)
	if d.WriteTimeout <= 90*time.Second || d.ReadTimeout <= 0 || d.IdleTimeout <= 0 || d.ReadHeaderTimeout <= 0 || d.MaxConns <= 0 || d.MaxHeaderBytes <= 0 {
		t.Errorf("defaults leave something unbounded or too short: %+v", d)
	}
	srv := d.Server(echoLen)
	if srv.ReadTimeout != d.ReadTimeout || srv.WriteTimeout != d.WriteTimeout || srv.IdleTimeout != d.IdleTimeout ||
		srv.ReadHeaderTimeout != d.ReadHeaderTimeout || srv.MaxHeaderBytes != d.MaxHeaderBytes {
		t.Errorf("server does not carry the limits: %+v", srv)
	}
}
