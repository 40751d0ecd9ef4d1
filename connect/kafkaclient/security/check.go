package security

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/IBM/sarama"
)

// Stage is the step of a broker connection that failed.
type Stage string

// The stages of a connection, in order.
const (
	StageConnect        Stage = "TCP connection"
	StageTLSHandshake   Stage = "TLS handshake"
	StageCertificate    Stage = "certificate verification"
	StageProtocol       Stage = "Kafka protocol"
	StageAuthentication Stage = "SASL authentication"
)

// BrokerError is a failed connection to one broker: which broker, with
// what security, at what stage, why, and which settings to look at.
type BrokerError struct {
	Broker   string // host:port
	Security string // security.protocol and sasl.mechanism
	Stage    Stage
	Hint     string
	Err      error
}

func (e *BrokerError) Error() string {
	s := fmt.Sprintf("connecting to broker %s (%s): %s failed: %v", e.Broker, e.Security, e.Stage, e.Err)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

func (e *BrokerError) Unwrap() error { return e.Err }

// defaultCheckTimeout bounds a broker's check when ctx has no deadline.
const defaultCheckTimeout = 30 * time.Second

// tlsHandshakeTimeout bounds the TLS handshake of a check: a broker answers
// it in milliseconds, a plaintext listener never does.
const tlsHandshakeTimeout = 10 * time.Second

// Check connects to the bootstrap brokers with cfg (to which c has been
// applied) until one accepts a TLS handshake, a Kafka request and SASL
// authentication as c configures them, and reports nil then. Otherwise
// it returns the *BrokerError of each broker, naming the stage that failed
// (TCP, TLS handshake, certificate, Kafka protocol, SASL authentication)
// and the settings to look at, instead of sarama's "client has run out of
// available brokers to talk to". A worker runs it before starting its
// clients.
func Check(ctx context.Context, cfg *sarama.Config, c *Config, brokers []string) error {
	var errs []error
	for _, addr := range brokers {
		err := checkBroker(ctx, cfg, c, strings.TrimSpace(addr))
		if err == nil {
			return nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 0 {
		return errors.New("no bootstrap server to check")
	}
	return errors.Join(errs...)
}

func checkBroker(ctx context.Context, cfg *sarama.Config, c *Config, addr string) error {
	timeout := defaultCheckTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(d), time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fail := func(stage Stage, hint string, err error) error {
		return &BrokerError{Broker: addr, Security: c.Describe(), Stage: stage, Hint: hint, Err: err}
	}

	// TCP, then the TLS handshake on its own, where certificate and
	// handshake failures are told apart.
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fail(StageConnect, "check bootstrap.servers and that the broker is reachable", err)
	}
	if c.TLS != nil {
		tc := tls.Client(conn, serverNameFor(c.TLS, addr))
		hctx, hcancel := context.WithTimeout(ctx, tlsHandshakeTimeout)
		err := tc.HandshakeContext(hctx)
		hcancel()
		_ = tc.Close()
		if err != nil {
			stage, hint := classifyTLS(err)
			return fail(stage, hint, err)
		}
	} else {
		_ = conn.Close()
	}

	// A Kafka request before authentication (ApiVersions is allowed then):
	// does the broker speak Kafka over this transport?
	plain := brokerConfig(cfg, timeout)
	plain.Net.SASL.Enable = false
	b, err := openBroker(addr, plain)
	if err == nil {
		_, err = b.ApiVersions(&sarama.ApiVersionsRequest{})
	}
	closeBroker(b)
	if err != nil {
		if isTLSAlert(err) {
			return fail(StageTLSHandshake, "the broker refused the client certificate: check ssl.keystore.* and that the broker trusts its CA", err)
		}
		if c.TLS == nil && speaksTLS(ctx, addr) {
			return fail(StageProtocol, "the broker's listener at this address uses TLS: set security.protocol to SSL or SASL_SSL", err)
		}
		return fail(StageProtocol, "the broker did not answer a Kafka request; check that security.protocol matches the listener", err)
	}

	// The client as configured: SASL, then a metadata request.
	full := brokerConfig(cfg, timeout)
	b, err = openBroker(addr, full)
	if err == nil {
		_, err = b.GetMetadata(&sarama.MetadataRequest{Version: 1, Topics: []string{}})
	}
	closeBroker(b)
	if err != nil {
		stage, hint := classifyAuth(err, c)
		return fail(stage, hint, err)
	}
	return nil
}

// brokerConfig copies cfg with network timeouts of at most d.
func brokerConfig(cfg *sarama.Config, d time.Duration) *sarama.Config {
	cp := *cfg
	cp.Net.DialTimeout = min(nonZero(cp.Net.DialTimeout, d), d)
	cp.Net.ReadTimeout = min(nonZero(cp.Net.ReadTimeout, d), d)
	cp.Net.WriteTimeout = min(nonZero(cp.Net.WriteTimeout, d), d)
	return &cp
}

func nonZero(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

// openBroker opens one connection and waits for it to be set up.
func openBroker(addr string, cfg *sarama.Config) (*sarama.Broker, error) {
	b := sarama.NewBroker(addr)
	if err := b.Open(cfg); err != nil {
		return b, err
	}
	if ok, err := b.Connected(); !ok {
		if err == nil {
			err = errors.New("the connection was closed")
		}
		return b, err
	}
	return b, nil
}

func closeBroker(b *sarama.Broker) {
	if b != nil {
		_ = b.Close()
	}
}

// serverNameFor sets the TLS server name to the broker's host, as sarama
// does.
func serverNameFor(cfg *tls.Config, addr string) *tls.Config {
	if cfg.ServerName != "" {
		return cfg
	}
	cp := cfg.Clone()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		cp.ServerName = host
	} else {
		cp.ServerName = addr
	}
	return cp
}

// classifyTLS tells a certificate problem from a handshake problem.
func classifyTLS(err error) (Stage, string) {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		header    tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &unknownCA):
		return StageCertificate, "the broker's certificate is not signed by a CA of the trust store (ssl.truststore.*)"
	case errors.As(err, &hostname):
		return StageCertificate, "the broker's certificate does not name the host dialled: fix the certificate or the bootstrap address, or set ssl.endpoint.identification.algorithm to empty to skip host name checks"
	case errors.As(err, &invalid):
		return StageCertificate, "the broker's certificate is expired, not yet valid or not for servers"
	case errors.As(err, &verify):
		return StageCertificate, "the broker's certificate could not be verified against the trust store (ssl.truststore.*)"
	case errors.As(err, &header):
		return StageTLSHandshake, "the broker did not answer TLS: if its listener is PLAINTEXT or SASL_PLAINTEXT, set security.protocol to match"
	case isTLSAlert(err):
		return StageTLSHandshake, "the broker refused the handshake: check ssl.keystore.* (client certificate), ssl.enabled.protocols and ssl.cipher.suites"
	case isClosed(err), errors.Is(err, context.DeadlineExceeded):
		return StageTLSHandshake, "the broker did not complete the TLS handshake: if its listener is PLAINTEXT or SASL_PLAINTEXT, set security.protocol to match"
	}
	return StageTLSHandshake, ""
}

// classifyAuth reads a failure after the transport worked: SASL, or the
// broker refusing a TLS client certificate (with TLS 1.3 the broker's
// verdict arrives after the client's handshake has finished).
func classifyAuth(err error, c *Config) (Stage, string) {
	switch {
	case errors.Is(err, errNoToken):
		return StageAuthentication, "no token could be obtained for " + c.Mechanism
	case errors.Is(err, sarama.ErrUnsupportedSASLMechanism):
		return StageAuthentication, "the broker does not enable " + saslWireMechanism(c.Mechanism) + " on this listener (sasl.mechanism)"
	case errors.Is(err, sarama.ErrSASLAuthenticationFailed):
		return StageAuthentication, "the broker refused the credentials of sasl.jaas.config"
	case isTLSAlert(err):
		return StageTLSHandshake, "the broker refused the client certificate: check ssl.keystore.* and that the broker trusts its CA"
	case c.Mechanism != "" && isClosed(err):
		return StageAuthentication, "the broker closed the connection during SASL authentication: it refused the credentials of sasl.jaas.config or the mechanism"
	case c.Mechanism != "":
		return StageAuthentication, ""
	}
	return StageProtocol, ""
}

func saslWireMechanism(m string) string {
	if m == MechanismAWSMSKIAM {
		return MechanismOAuthBearer + " (used for AWS_MSK_IAM)"
	}
	return m
}

// isTLSAlert reports a TLS alert sent by the broker.
func isTLSAlert(err error) bool {
	var alert tls.AlertError
	return errors.As(err, &alert) || strings.Contains(err.Error(), "remote error: tls:")
}

// isClosed reports a connection the peer closed or reset.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// speaksTLS reports whether addr completes a TLS handshake (whatever its
// certificate): a plaintext client talking to a TLS listener.
func speaksTLS(ctx context.Context, addr string) bool {
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	tc := tls.Client(conn, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // only probes whether the listener speaks TLS; no data is sent
	err = tc.HandshakeContext(ctx)
	_ = tc.Close()
	return err == nil
}
