package postgres

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestTopicDelimiter: topic.delimiter joins the parts of every topic name,
// as Debezium's AbstractTopicNamingStrategy: data-change topics (and the
// schema names derived from them, checked in envelope), the heartbeat and
// transaction topics.
func TestTopicDelimiter(t *testing.T) {
	c, errs := ParseConfig(baseProps(map[string]string{KeyTopicDelimiter: "_", KeyTopicPrefix: "dbserver1"}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if c.TopicDelimiter != "_" || c.HeartbeatTopic != "__debezium-heartbeat_dbserver1" || c.TransactionTopic != "dbserver1_transaction" {
		t.Errorf("delimiter %q, heartbeat topic %q, transaction topic %q", c.TopicDelimiter, c.HeartbeatTopic, c.TransactionTopic)
	}
	c, errs = ParseConfig(baseProps(map[string]string{KeyTopicPrefix: "dbserver1"}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if c.TopicDelimiter != "." || c.HeartbeatTopic != "__debezium-heartbeat.dbserver1" || c.TransactionTopic != "dbserver1.transaction" {
		t.Errorf("default: delimiter %q, heartbeat topic %q, transaction topic %q", c.TopicDelimiter, c.HeartbeatTopic, c.TransactionTopic)
	}
	// topic.heartbeat.name overrides the whole heartbeat topic name.
	c, errs = ParseConfig(baseProps(map[string]string{KeyTopicDelimiter: "_", KeyHeartbeatTopicName: "shared-heartbeats"}))
	if len(errs) > 0 || c.HeartbeatTopic != "shared-heartbeats" {
		t.Errorf("topic.heartbeat.name: heartbeat topic %q, errors %v", c.HeartbeatTopic, errs)
	}
	_, errs = ParseConfig(baseProps(map[string]string{KeyHeartbeatTopicName: "heart beats"}))
	if len(errs) != 1 || errs[0].Name != KeyHeartbeatTopicName ||
		errs[0].Message != "Invalid value heart beats for configuration topic.heartbeat.name: heart beats has invalid format (only the underscore, hyphen, dot and alphanumeric characters are allowed)" {
		t.Errorf("invalid topic.heartbeat.name: %v", errs)
	}
}

func baseProps(extra map[string]string) map[string]string {
	p := map[string]string{"topic.prefix": "p", "database.hostname": "localhost"}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

// TestRuntimeConfigRejects checks that bad values are errors naming their
// property.
func TestRuntimeConfigRejects(t *testing.T) {
	for key, value := range map[string]string{
		KeySnapshotLocking:    "custom",
		KeySnapshotIsolation:  "snapshot",
		KeySnapshotLockTimout: "-1",
		KeySnapshotDelayMs:    "soon",
		KeyMaxQueueSizeBytes:  "-5",
		KeyPollIntervalMs:     "0",
		KeySkipUnchanged:      "maybe",
		KeyFailureHandling:    "retry",
		KeyTopicNaming:        "io.debezium.schema.DefaultUnicodeTopicNamingStrategy",
		KeySlotFailover:       "yes",
		KeyTCPKeepAlive:       "sometimes",
		KeySSLRootCert:        "/nonexistent/root.crt",
		"driver.sslkey":       "/nonexistent/client.key",
	} {
		_, errs := ParseConfig(baseProps(map[string]string{key: value}))
		if len(errs) != 1 || errs[0].Name != key && !(key == "driver.sslkey" && strings.Contains(errs[0].Message, key)) {
			t.Errorf("%s=%s: errors %+v, want one naming %s", key, value, errs, key)
		}
	}
}

func TestRuntimeConfigValues(t *testing.T) {
	c, errs := ParseConfig(baseProps(map[string]string{
		KeyInitialStatements:    " SET a = 1;SET b = 'x;;y';; ;SET c = 2;",
		KeySlotStreamParams:     "origin=any;broken;two_phase=false",
		KeyPollIntervalMs:       "9000",
		"driver.options":        "-c search_path=app",
		"driver.connectTimeout": "3",
		"database.loginTimeout": "5",
		KeyTopicNaming:          "io.debezium.schema.SchemaTopicNamingStrategy",
		KeyTCPKeepAlive:         "false",
	}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	wantStmts := []string{"SET a = 1", "SET b = 'x;y';", "SET c = 2"}
	if !slices.Equal(c.Conn.InitialStatements, wantStmts) {
		t.Errorf("initial statements %q, want %q", c.Conn.InitialStatements, wantStmts)
	}
	wantArgs := []string{`"origin" 'any'`, `"two_phase" 'false'`, "proto_version '1'", "publication_names 'dbz_publication'", "messages 'true'"}
	if args := c.pluginArgs(); !slices.Equal(args, wantArgs) {
		t.Errorf("plugin args %q, want %q", args, wantArgs)
	}
	if c.PollInterval != 5*time.Second {
		t.Errorf("poll interval %v, want the 5 s cap", c.PollInterval)
	}
	if len(c.Warnings) != 2 || !strings.Contains(c.Warnings[0]+c.Warnings[1], "broken") ||
		!strings.Contains(c.Warnings[0]+c.Warnings[1], "database.loginTimeout") {
		t.Errorf("warnings %q, want the broken stream param and database.loginTimeout", c.Warnings)
	}
	pc, err := c.connConfig(false)
	if err != nil {
		t.Fatal(err)
	}
	if pc.RuntimeParams["options"] != "-c search_path=app" || pc.ConnectTimeout != 3*time.Second || pc.AfterConnect == nil {
		t.Errorf("options %q, connect timeout %v, after connect set %v", pc.RuntimeParams["options"], pc.ConnectTimeout, pc.AfterConnect != nil)
	}
	rc, err := c.connConfig(true)
	if err != nil {
		t.Fatal(err)
	}
	if rc.AfterConnect != nil {
		t.Error("the replication connection runs the initial statements")
	}
}

// TestSSLFilesReachConnConfig writes a CA and a client certificate and key
// and checks that they end up in the TLS config of the connections, and
// that a file that is not a certificate is an error naming its property.
func TestSSLFilesReachConnConfig(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ca := write("root.crt", "CERTIFICATE", der)
	cert := write("client.crt", "CERTIFICATE", der)
	keyFile := write("client.key", "EC PRIVATE KEY", keyDER)

	c, errs := ParseConfig(baseProps(map[string]string{KeySSLMode: "verify-ca", KeySSLRootCert: ca, KeySSLCert: cert, KeySSLKey: keyFile}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, replication := range []bool{false, true} {
		pc, err := c.connConfig(replication)
		if err != nil {
			t.Fatal(err)
		}
		if pc.TLSConfig == nil || pc.TLSConfig.RootCAs == nil || len(pc.TLSConfig.Certificates) != 1 {
			t.Fatalf("replication=%v: TLS config %+v lacks the CA or the client certificate", replication, pc.TLSConfig)
		}
	}

	bad := filepath.Join(dir, "bad.crt")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs = ParseConfig(baseProps(map[string]string{KeySSLMode: "verify-ca", KeySSLRootCert: bad}))
	if len(errs) != 1 || errs[0].Name != KeySSLRootCert {
		t.Fatalf("errors %+v, want one naming %s", errs, KeySSLRootCert)
	}
}
