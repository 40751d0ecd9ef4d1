package docs

import (
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect/workerconfig"
)

// dockerfile reads the final stage of the Dockerfile: its ENV variables
// (NAME=value pairs, lines joined at a trailing backslash), its EXPOSE
// ports and its ENTRYPOINT line.
func dockerfile(t *testing.T) (env []string, exposed []string, entrypoint string) {
	t.Helper()
	raw, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.ReplaceAll(string(raw), "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM": // a new stage: only the last one is the image
			env, exposed, entrypoint = nil, nil, ""
		case "ENV":
			for _, kv := range fields[1:] {
				if !strings.Contains(kv, "=") || strings.ContainsAny(kv, `"'$`) {
					t.Fatalf("ENV %q: only unquoted NAME=value pairs are read here", kv)
				}
				env = append(env, kv)
			}
		case "EXPOSE":
			for _, p := range fields[1:] {
				port, proto, _ := strings.Cut(p, "/")
				if proto != "" && proto != "tcp" {
					t.Fatalf("EXPOSE %s: the worker listens on TCP only", p)
				}
				exposed = append(exposed, port)
			}
		case "ENTRYPOINT", "CMD":
			entrypoint += line + "\n"
		}
	}
	return env, exposed, entrypoint
}

// reachable returns the port of a host:port that is reachable from outside
// the container (bound to every interface or to a non-loopback address),
// or "" for a loopback one.
func reachable(t *testing.T, hostPort string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		t.Fatalf("listener %q: %v", hostPort, err)
	}
	if host == "localhost" {
		return ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return ""
	}
	return port
}

// The image sets every listener itself and EXPOSEs exactly the ports that
// listen beyond the container's loopback: the worker's configuration, as
// Load reads it from the image's environment, decides which those are.
func TestDockerfileExposesWhatListens(t *testing.T) {
	env, exposed, entrypoint := dockerfile(t)
	if entrypoint != `ENTRYPOINT ["/usr/local/bin/tributary"]`+"\n" {
		t.Fatalf("entrypoint/cmd %q: this test reads the worker's configuration from the environment only", entrypoint)
	}
	for _, name := range []string{"CONNECT_LISTENERS", "CONNECT_EMBEDDED_KAFKA_LISTENERS", "CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS"} {
		if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, name+"=") }) {
			t.Errorf("the Dockerfile does not set %s: the image's listeners must not depend on defaults", name)
		}
	}
	// The image's environment with no properties file (its ENTRYPOINT) and
	// with the properties file it ships: the environment wins over both.
	for _, path := range []string{"", "../../configs/worker.properties"} {
		cfg, _, err := workerconfig.Load(path, env)
		if err != nil {
			t.Fatal(err)
		}
		var listening []string
		for _, l := range cfg.Listeners {
			u, err := url.Parse(l)
			if err != nil {
				t.Fatal(err)
			}
			if p := reachable(t, u.Host); p != "" {
				listening = append(listening, p)
			}
		}
		if len(cfg.BootstrapServers) == 0 { // the embedded broker and registry run
			if p := reachable(t, cfg.EmbeddedKafkaListeners); p != "" {
				listening = append(listening, p)
			}
			u, err := url.Parse(cfg.EmbeddedRegistryListeners)
			if err != nil {
				t.Fatal(err)
			}
			if p := reachable(t, u.Host); p != "" {
				listening = append(listening, p)
			}
		}
		slices.Sort(listening)
		got := slices.Sorted(slices.Values(exposed))
		if !slices.Equal(got, listening) {
			t.Errorf("properties %q: EXPOSE %v, but the ports listening beyond loopback are %v", path, got, listening)
		}
	}
}
