package embedded_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/embedded"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
	"github.com/tributary-cdc/tributary/internal/testutil"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

const (
	user     = "connect"
	password = `s3cr"et\pw`
)

// secured starts a broker with the SCRAM superuser and, with ca, TLS with a
// certificate ca issued for 127.0.0.1.
func secured(t *testing.T, ca *tlstest.CA) (*embedded.Broker, embedded.Options) {
	t.Helper()
	opts := embedded.Options{Listen: "127.0.0.1:0", DataDir: t.TempDir(), User: user, Password: password}
	if ca != nil {
		opts.TLS = tlstest.ServerConfig(ca.Issue(t, "broker", "127.0.0.1").TLS, nil)
	}
	b, err := embedded.StartWith(opts)
	if err != nil {
		t.Fatalf("StartWith: %v", err)
	}
	t.Cleanup(b.Close)
	return b, opts
}

// clientConfig is a sarama configuration with the security of props.
func clientConfig(t *testing.T, props map[string]string) *sarama.Config {
	t.Helper()
	sec, err := security.Parse(props, security.Options{})
	if err != nil {
		t.Fatalf("security.Parse: %v", err)
	}
	return kafkaclient.NewClientConfig("test", sec)
}

func TestAuthenticatedBroker(t *testing.T) {
	for _, tc := range []struct {
		name string
		tls  bool
	}{{"SASL_PLAINTEXT", false}, {"SASL_SSL", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var ca *tlstest.CA
			if tc.tls {
				ca = tlstest.NewCA(t, "test CA")
			}
			b, opts := secured(t, ca)
			props, err := opts.ClientProps()
			if err != nil {
				t.Fatal(err)
			}
			if got := props[security.SecurityProtocolConfig]; got != tc.name {
				t.Fatalf("security.protocol = %q, want %q", got, tc.name)
			}

			// A client with the broker's client properties creates, writes
			// and reads a topic.
			var got []string
			l, err := kafkalog.Open(t.Context(), kafkalog.Config{Brokers: []string{b.Addr()}, Topic: "authed", Partitions: 1,
				ClientConfig: func() *sarama.Config { return clientConfig(t, props) },
				OnRecord:     func(_, v []byte) { got = append(got, string(v)) }})
			if err != nil {
				t.Fatalf("authenticated client: %v", err)
			}
			if err := l.SendAndApply(t.Context(), []byte("k"), []byte("v")); err != nil {
				t.Fatalf("authenticated client: %v", err)
			}
			_ = l.Close()
			if len(got) != 1 || got[0] != "v" {
				t.Fatalf("read back %q, want [v]", got)
			}

			// Without SASL (over TLS when the broker speaks it) nothing but
			// ApiVersions and the handshake is answered.
			anon := map[string]string{}
			if tc.tls {
				for k, v := range props {
					if strings.HasPrefix(k, "ssl.") {
						anon[k] = v
					}
				}
				anon[security.SecurityProtocolConfig] = "SSL"
			}
			br := sarama.NewBroker(b.Addr())
			if err := br.Open(clientConfig(t, anon)); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = br.Close() }()
			if _, err := br.GetMetadata(&sarama.MetadataRequest{Version: 1}); err == nil {
				t.Fatal("metadata answered to a client that did not authenticate")
			}

			// A wrong password is refused.
			wrong := map[string]string{}
			for k, v := range props {
				wrong[k] = v
			}
			wrong[security.SaslJaasConfig] = strings.Replace(props[security.SaslJaasConfig], "s3cr", "guess", 1)
			if err := security.Check(t.Context(), clientConfig(t, wrong), mustParse(t, wrong), []string{b.Addr()}); err == nil {
				t.Fatal("a wrong password authenticated")
			}

			// librdkafka and kafkajs authenticate: the broker advertises
			// SaslHandshake v0.
			kcat(t, b.Addr(), ca, password, true)
			kcat(t, b.Addr(), ca, "guess", false)
			kafkajs(t, b.Addr(), ca, password, true)
			kafkajs(t, b.Addr(), ca, "guess", false)
		})
	}
}

func mustParse(t *testing.T, props map[string]string) *security.Config {
	t.Helper()
	sec, err := security.Parse(props, security.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

// kcat lists the broker's metadata with SCRAM-SHA-512 as user, over TLS
// trusting ca when it is set, and checks that it succeeds or fails as ok says.
func kcat(t *testing.T, addr string, ca *tlstest.CA, pass string, ok bool) {
	t.Helper()
	path, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatal("kcat is not installed (scripts/install-deps installs it)")
	}
	timeout := "10"
	if !ok {
		timeout = "3"
	}
	args := []string{"-b", addr, "-L", "-m", timeout, "-X", "sasl.mechanisms=SCRAM-SHA-512",
		"-X", "sasl.username=" + user, "-X", "sasl.password=" + pass}
	if ca != nil {
		args = append(args, "-X", "security.protocol=SASL_SSL", "-X", "ssl.ca.location="+tlstest.WriteFile(t, "ca.pem", ca.PEM))
	} else {
		args = append(args, "-X", "security.protocol=SASL_PLAINTEXT")
	}
	out, err := exec.CommandContext(t.Context(), path, args...).CombinedOutput()
	switch {
	case ok && err != nil:
		t.Fatalf("kcat -L: %v\n%s", err, out)
	case ok && !strings.Contains(string(out), "1 brokers:"):
		t.Fatalf("kcat -L listed no broker:\n%s", out)
	case !ok && err == nil:
		t.Fatalf("kcat -L with a wrong password succeeded:\n%s", out)
	}
}

// kafkajs lists the broker's topics with SCRAM-SHA-512 as user (over TLS
// trusting ca when it is set) and checks that it succeeds or fails as ok
// says.
func kafkajs(t *testing.T, addr string, ca *tlstest.CA, pass string, ok bool) {
	t.Helper()
	testutil.NeedsExternal(t)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is required for this test: %v", err)
	}
	modules, err := filepath.Abs("../../.cache/node/node_modules")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(modules, "kafkajs", "package.json")); err != nil {
		t.Fatalf("npm package kafkajs missing: run scripts/install-deps (%v)", err)
	}
	args := []string{"testdata/kafkajs_scram.js", addr, user, pass}
	if ca != nil {
		args = append(args, tlstest.WriteFile(t, "kafkajs-ca.pem", ca.PEM))
	}
	cmd := exec.CommandContext(t.Context(), node, args...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.CombinedOutput()
	switch {
	case ok && err != nil:
		t.Fatalf("kafkajs: %v\n%s", err, out)
	case ok && !strings.Contains(string(out), `"ok":true`):
		t.Fatalf("kafkajs listed no topics:\n%s", out)
	case !ok && err == nil:
		t.Fatalf("kafkajs with a wrong password succeeded:\n%s", out)
	}
}

func TestNonLoopbackNeedsAuthentication(t *testing.T) {
	_, err := embedded.StartWith(embedded.Options{Listen: "0.0.0.0:0", DataDir: t.TempDir()})
	if !errors.Is(err, embedded.ErrUnauthenticated) {
		t.Fatalf("StartWith on 0.0.0.0 without a user: %v, want ErrUnauthenticated", err)
	}
	b, err := embedded.StartWith(embedded.Options{Listen: "0.0.0.0:0", DataDir: t.TempDir(), User: user, Password: password})
	if err != nil {
		t.Fatalf("StartWith on 0.0.0.0 with a user: %v", err)
	}
	b.Close()
}
