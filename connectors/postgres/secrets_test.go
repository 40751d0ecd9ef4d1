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
	"strings"
	"testing"
	"time"
)

// The password and sslpassword reach the driver as fields, never inside the
// connection string, so neither a quote, a backslash, a space nor an '='
// in them can break the string or survive a redaction in an error.
func TestSecretsReachTheDriverAsFields(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile := selfSigned(t, key)
	for _, secret := range []string{`it's`, `back\slash`, `with space`, `a=b`, `x' sslmode='disable`, `\'`} {
		dir := t.TempDir()
		// The encrypted PEM form libpq and pgx read for an sslpassword.
		block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", keyDER, []byte(secret), x509.PEMCipherAES256) //nolint:staticcheck // the legacy encrypted PEM form is what sslpassword decrypts
		if err != nil {
			t.Fatal(err)
		}
		keyFile := filepath.Join(dir, "client.key")
		if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		props := baseProps(map[string]string{KeyPassword: secret, KeySSLPassword: secret,
			KeySSLMode: "require", KeySSLCert: certFile, KeySSLKey: keyFile})
		c, errs := ParseConfig(props)
		if len(errs) > 0 {
			t.Fatalf("password %q: %v", secret, errs)
		}
		if strings.Contains(c.connString(), secret) {
			t.Errorf("password %q is in the connection string %q", secret, c.connString())
		}
		for _, replication := range []bool{false, true} {
			pc, err := c.connConfig(replication)
			if err != nil {
				t.Fatalf("password %q: %v", secret, err)
			}
			if pc.Password != secret || pc.TLSConfig == nil || len(pc.TLSConfig.Certificates) != 1 || pc.Host != "localhost" {
				t.Errorf("password %q: config has password %q, host %q, TLS %v", secret, pc.Password, pc.Host, pc.TLSConfig)
			}
		}
		qc, err := c.pgxConfig()
		if err != nil || qc.Password != secret || qc.TLSConfig == nil || len(qc.TLSConfig.Certificates) != 1 {
			t.Errorf("password %q: query config %v, %v", secret, qc, err)
		}

		// A wrong sslpassword is an error naming the key, without the
		// password given.
		wrong := secret + `'wrong\`
		_, errs = ParseConfig(baseProps(map[string]string{KeySSLPassword: wrong,
			KeySSLMode: "require", KeySSLCert: certFile, KeySSLKey: keyFile}))
		if len(errs) != 1 || errs[0].Name != KeySSLKey {
			t.Fatalf("wrong sslpassword: errors %+v, want one naming %s", errs, KeySSLKey)
		}
		if strings.Contains(errs[0].Message, secret) || strings.Contains(errs[0].Message, "wrong") {
			t.Errorf("the error shows the sslpassword: %s", errs[0].Message)
		}
	}
}

// selfSigned writes a self-signed certificate of key and returns its file.
func selfSigned(t *testing.T, key *ecdsa.PrivateKey) string {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "client.crt")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
