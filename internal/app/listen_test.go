package app

import (
	"net"
	"strings"
	"testing"
)

const exposedWarning = "anyone who reaches it can create connectors that run SQL as the connector's user"

func TestBeyondLoopback(t *testing.T) {
	for _, c := range []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", false}, {"127.0.0.2", false}, {"::1", false},
		{"0.0.0.0", true}, {"::", true}, {"10.0.0.1", true}, {"192.168.1.5", true}, {"2001:db8::1", true},
	} {
		if got := beyondLoopback(&net.TCPAddr{IP: net.ParseIP(c.ip), Port: 8083}); got != c.want {
			t.Errorf("beyondLoopback(%s) = %v, want %v", c.ip, got, c.want)
		}
	}
}

// A worker started with no properties file, no bootstrap.servers and no
// listeners serves REST on 127.0.0.1:8083 and warns about nothing. When
// another process holds 8083 the worker cannot start, and its error names
// the loopback listener it tried: the default is asserted either way
// (workerconfig's TestDefaultListener covers the choice itself).
func TestLaptopDefaultListensOnLoopback(t *testing.T) {
	var logs strings.Builder
	env := []string{
		"CONNECT_EMBEDDED_KAFKA_LISTENERS=127.0.0.1:0",
		"CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS=http://127.0.0.1:0",
		"CONNECT_EMBEDDED_DATA_DIR=" + t.TempDir(),
		"GOMEMLIMIT=off",
	}
	a, err := New(t.Context(), Options{Environ: env, LogOutput: &lockedWriter{w: &logs}})
	if err != nil {
		if !strings.Contains(err.Error(), "listening on http://127.0.0.1:8083") {
			t.Fatalf("New = %v, want success or an error naming http://127.0.0.1:8083 (port taken)", err)
		}
		return
	}
	defer a.Close()
	if got := a.RESTAddrs(); len(got) != 1 || got[0] != "127.0.0.1:8083" {
		t.Errorf("REST listens on %v, want [127.0.0.1:8083]", got)
	}
	if strings.Contains(logs.String(), exposedWarning) {
		t.Errorf("loopback listener warned about:\n%s", logs.String())
	}
}

// A REST listener on every interface is warned about at start, naming
// listeners; one on loopback is not.
func TestExposedListenerIsWarnedAbout(t *testing.T) {
	for _, c := range []struct {
		listener string
		warn     bool
	}{
		{"http://:0", true},
		{"http://0.0.0.0:0", true},
		{"http://127.0.0.1:0", false},
	} {
		var logs strings.Builder
		a, err := New(t.Context(), Options{Environ: workerEnv(t, "CONNECT_LISTENERS="+c.listener), LogOutput: &lockedWriter{w: &logs}})
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		var warning string
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, exposedWarning) {
				warning = line
			}
		}
		switch {
		case c.warn && (!strings.Contains(warning, "level=WARN") || !strings.Contains(warning, "property=listeners") ||
			!strings.Contains(warning, "listener="+c.listener)):
			t.Errorf("listeners=%s: no WARN naming listeners in:\n%s", c.listener, logs.String())
		case !c.warn && warning != "":
			t.Errorf("listeners=%s: unexpected warning %s", c.listener, warning)
		}
	}
}
