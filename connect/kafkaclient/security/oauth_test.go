package security_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
)

// testJWT is an unsigned JWT with the claims a Kafka client checks.
func testJWT(t *testing.T, lifetime time.Duration) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	now := time.Now()
	return enc(map[string]any{"alg": "RS256", "typ": "JWT"}) + "." +
		enc(map[string]any{"sub": "tributary", "iat": now.Unix(), "exp": now.Add(lifetime).Unix(), "scope": "kafka.write"}) +
		".c2lnbmF0dXJl"
}

func writeToken(t *testing.T, token string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token.jwt")
	if err := os.WriteFile(p, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// bearerBroker is a TLS kfake broker that speaks SASL/OAUTHBEARER through
// control functions: it accepts the handshake for OAUTHBEARER and an
// authentication whose initial response carries `auth=Bearer <want>`, and
// records every initial response it sees.
type bearerBroker struct {
	brokers []string
	mu      sync.Mutex
	seen    []string
	accept  atomic.Value // func(token string) bool
}

// want makes the broker accept exactly token.
func (b *bearerBroker) want(token string) {
	b.accept.Store(func(t string) bool { return t == token })
}

func newBearerBroker(t *testing.T) *bearerBroker {
	t.Helper()
	b := &bearerBroker{}
	b.want("")
	cluster := kafkaclusterTLS(t)
	cluster.ControlKey(int16(kmsg.SASLHandshake), func(r kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		req := r.(*kmsg.SASLHandshakeRequest)
		resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
		resp.SupportedMechanisms = []string{"OAUTHBEARER"}
		if req.Mechanism != "OAUTHBEARER" {
			resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		}
		return resp, nil, true
	})
	cluster.ControlKey(int16(kmsg.SASLAuthenticate), func(r kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		req := r.(*kmsg.SASLAuthenticateRequest)
		resp := req.ResponseKind().(*kmsg.SASLAuthenticateResponse)
		msg := string(req.SASLAuthBytes)
		b.mu.Lock()
		b.seen = append(b.seen, msg)
		b.mu.Unlock()
		token, ok := bearerToken(msg)
		if !ok || !b.accept.Load().(func(string) bool)(token) {
			resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
			m := "Authentication failed: Invalid JWT"
			resp.ErrorMessage = &m
		}
		return resp, nil, true
	})
	b.brokers = cluster.ListenAddrs()
	return b
}

// bearerToken is the token of an OAUTHBEARER initial client response
// (RFC 7628: "n,," then \x01-separated key=value pairs).
func bearerToken(msg string) (string, bool) {
	for _, kv := range strings.Split(msg, "\x01") {
		if tok, ok := strings.CutPrefix(kv, "auth=Bearer "); ok {
			return tok, true
		}
	}
	return "", false
}

func (b *bearerBroker) initialResponses() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.seen...)
}

func kafkaclusterTLS(t *testing.T) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.DefaultNumPartitions(1), kfake.SeedTopics(1, topic),
		kfake.TLS(tlsServerConfig(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// tokenEndpoint serves the client credentials grant: it checks the Basic
// credentials, the grant type and the scope, and answers with token.
type tokenEndpoint struct {
	*httptest.Server
	calls    atomic.Int32
	status   atomic.Int32
	failNext atomic.Int32 // answer this many requests with 503
}

func newTokenEndpoint(t *testing.T, token string) *tokenEndpoint {
	t.Helper()
	e := &tokenEndpoint{}
	e.status.Store(http.StatusOK)
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.calls.Add(1)
		if e.failNext.Add(-1) >= 0 {
			http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		user, pass, ok := r.BasicAuth()
		switch {
		case r.Method != http.MethodPost || form.Get("grant_type") != "client_credentials" || form.Get("scope") != "kafka.write":
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		case !ok || user != "client-id" || pass != "client-secret" || e.status.Load() != http.StatusOK:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(int(e.status.Load()))
			w.Write([]byte(`{"error":"invalid_client","error_description":"Client authentication failed"}`))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token":"` + token + `","token_type":"Bearer","expires_in":3600}`))
		}
	}))
	t.Cleanup(e.Close)
	return e
}

func oauthProps(endpoint string) map[string]string {
	return with(trustJKS(), "security.protocol", "SASL_SSL", "sasl.mechanism", "OAUTHBEARER",
		"sasl.login.callback.handler.class", security.OAuthBearerLoginCallbackHandler,
		"sasl.oauthbearer.token.endpoint.url", endpoint,
		"sasl.jaas.config", security.OAuthBearerLoginModule+
			` required clientId="client-id" clientSecret="client-secret" scope="kafka.write" extension_logicalCluster="lkc-1";`)
}

func TestOAuthBearerClientCredentials(t *testing.T) {
	token := testJWT(t, time.Hour)
	endpoint := newTokenEndpoint(t, token)
	broker := newBearerBroker(t)
	broker.want(token)

	roundTrip(t, oauthProps(endpoint.URL+"/oauth2/token"), broker.brokers)

	seen := broker.initialResponses()
	if len(seen) < 2 {
		t.Fatalf("the broker saw %d authentications, want the check's and the client's", len(seen))
	}
	for _, m := range seen {
		if !strings.HasPrefix(m, "n,,\x01") || !strings.Contains(m, "\x01auth=Bearer "+token+"\x01") ||
			!strings.Contains(m, "\x01logicalCluster=lkc-1") {
			t.Fatalf("initial response %q lacks the token or the extension", m)
		}
	}
	// One token serves every connection until its refresh time.
	if n := endpoint.calls.Load(); n != 1 {
		t.Fatalf("the token endpoint was called %d times, want 1", n)
	}
	// The older class name of the handler works the same.
	props := oauthProps(endpoint.URL + "/oauth2/token")
	props["sasl.login.callback.handler.class"] = security.OAuthBearerLoginCallbackHandlerSecured
	roundTrip(t, props, broker.brokers)
}

func TestOAuthBearerTokenFile(t *testing.T) {
	token := testJWT(t, time.Hour)
	broker := newBearerBroker(t)
	broker.want(token)
	props := oauthProps("file://" + writeToken(t, token))
	props["sasl.jaas.config"] = security.OAuthBearerLoginModule + " required;"
	roundTrip(t, props, broker.brokers)
}

func TestOAuthBearerFailures(t *testing.T) {
	token := testJWT(t, time.Hour)
	t.Run("token endpoint refuses the client", func(t *testing.T) {
		endpoint := newTokenEndpoint(t, token)
		endpoint.status.Store(http.StatusUnauthorized)
		broker := newBearerBroker(t)
		be := checkFails(t, oauthProps(endpoint.URL), broker.brokers, security.StageAuthentication, "client-secret", token)
		var te *security.TokenError
		if !errors.As(be, &te) || !strings.Contains(be.Error(), "401") {
			t.Fatalf("want a TokenError with the endpoint's status, got %v", be)
		}
		if n := endpoint.calls.Load(); n != 1 {
			t.Fatalf("a 401 was retried: %d calls", n)
		}
		if len(broker.initialResponses()) != 0 {
			t.Fatal("the client authenticated without a token")
		}
	})
	t.Run("the endpoint's token is not a JWT", func(t *testing.T) {
		endpoint := newTokenEndpoint(t, "opaque-token-value")
		checkFails(t, oauthProps(endpoint.URL), newBearerBroker(t).brokers, security.StageAuthentication, "client-secret", "opaque-token-value")
	})
	t.Run("broker refuses the token", func(t *testing.T) {
		endpoint := newTokenEndpoint(t, token)
		broker := newBearerBroker(t)
		broker.want("another-token")
		be := checkFails(t, oauthProps(endpoint.URL), broker.brokers, security.StageAuthentication, "client-secret", token)
		if !errors.Is(be, sarama.ErrSASLAuthenticationFailed) {
			t.Fatalf("want SASL_AUTHENTICATION_FAILED, got %v", be.Err)
		}
	})
}

// awsEnv gives the AWS SDK static credentials and nothing else to read.
func awsEnv(t *testing.T, region string) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTRIBUTARYTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "msk-secret-access-key")
	t.Setenv("AWS_REGION", region)
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
}

func mskProps() map[string]string {
	return with(trustJKS(), "security.protocol", "SASL_SSL", "sasl.mechanism", "AWS_MSK_IAM",
		"sasl.jaas.config", security.IAMLoginModule+" required;",
		"sasl.client.callback.handler.class", security.IAMClientCallbackHandler)
}

// verifyMSKToken checks an MSK IAM token: AWS's SigV4-presigned
// kafka-cluster:Connect request for the region, signed by awsEnv's static
// credentials within the last minute, its signature recomputed here.
func verifyMSKToken(token, region string) error {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return fmt.Errorf("the token is not base64url: %w", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return err
	}
	q := u.Query()
	date, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return err
	}
	checks := map[string]bool{
		"host":       u.Scheme == "https" && u.Host == "kafka."+region+".amazonaws.com",
		"action":     q.Get("Action") == "kafka-cluster:Connect",
		"algorithm":  q.Get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256",
		"credential": q.Get("X-Amz-Credential") == "AKIDTRIBUTARYTEST/"+date.Format("20060102")+"/"+region+"/kafka-cluster/aws4_request",
		"expiry":     q.Get("X-Amz-Expires") == "900",
		"user agent": strings.HasPrefix(q.Get("User-Agent"), "aws-msk-iam-sasl-signer-go/"),
		"fresh":      time.Since(date) < time.Minute && time.Since(date) > -time.Minute,
	}
	for what, ok := range checks {
		if !ok {
			return fmt.Errorf("token %s: wrong %s", u, what)
		}
	}
	// Sign the same request at the token's time: same signature.
	req, err := http.NewRequest(http.MethodGet, (&url.URL{Scheme: "https", Host: u.Host, Path: "/",
		RawQuery: url.Values{"Action": {"kafka-cluster:Connect"}, "X-Amz-Expires": {"900"}}.Encode()}).String(), nil)
	if err != nil {
		return err
	}
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: "AKIDTRIBUTARYTEST", SecretAccessKey: "msk-secret-access-key"}, req,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "kafka-cluster", region, date)
	if err != nil {
		return err
	}
	want, _ := url.Parse(signed)
	if got := q.Get("X-Amz-Signature"); got == "" || got != want.Query().Get("X-Amz-Signature") {
		return fmt.Errorf("signature %q, recomputed %q", got, want.Query().Get("X-Amz-Signature"))
	}
	return nil
}

// The MSK IAM token is AWS's SigV4-presigned kafka-cluster:Connect
// request; its signature is recomputed from the static credentials.
func TestMSKIAMToken(t *testing.T) {
	awsEnv(t, "eu-west-1")
	// The region comes from the broker host names when they name one.
	servers := []string{"b-1.demo.abc123.c2.kafka.eu-central-1.amazonaws.com:9098"}
	cfg, _ := clientConfig(t, mskProps(), servers)
	if cfg.Net.SASL.Mechanism != sarama.SASLTypeOAuth {
		t.Fatalf("mechanism %s, want OAUTHBEARER", cfg.Net.SASL.Mechanism)
	}
	tok, err := cfg.Net.SASL.TokenProvider.Token()
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyMSKToken(tok.Token, "eu-central-1"); err != nil {
		t.Fatal(err)
	}
	if raw, _ := base64.RawURLEncoding.DecodeString(tok.Token); strings.Contains(string(raw), "msk-secret-access-key") {
		t.Fatal("the token carries the secret key")
	}
	again, err := cfg.Net.SASL.TokenProvider.Token()
	if err != nil || again.Token != tok.Token {
		t.Fatalf("the token was not kept until its refresh time: %v", err)
	}
}

// AWS_MSK_IAM reaches the broker as SASL/OAUTHBEARER with the signer's
// token; the OAUTHBEARER form of Java's library works the same.
func TestMSKIAMAtTheBroker(t *testing.T) {
	awsEnv(t, "eu-west-1") // 127.0.0.1 names no region: AWS_REGION's is used
	broker := newBearerBroker(t)
	for name, props := range map[string]map[string]string{
		"AWS_MSK_IAM": mskProps(),
		"OAUTHBEARER with IAMOAuthBearerLoginCallbackHandler": with(mskProps(), "sasl.mechanism", "OAUTHBEARER",
			"sasl.jaas.config", security.OAuthBearerLoginModule+" required;", "sasl.client.callback.handler.class", "",
			"sasl.login.callback.handler.class", security.IAMOAuthBearerLoginCallbackHandler),
	} {
		t.Run(name, func(t *testing.T) {
			broker.accept.Store(func(token string) bool { return verifyMSKToken(token, "eu-west-1") == nil })
			before := len(broker.initialResponses())
			roundTrip(t, props, broker.brokers)
			if len(broker.initialResponses()) == before {
				t.Fatal("the broker saw no authentication")
			}
		})
	}
}

func TestMSKIAMWithoutRegion(t *testing.T) {
	awsEnv(t, "")
	_, err := security.Parse(mskProps(), security.Options{Bootstrap: []string{"127.0.0.1:9098"}})
	if err == nil || !strings.Contains(err.Error(), "sasl.jaas.config") || !strings.Contains(err.Error(), "AWS region") {
		t.Fatalf("got %v, want an error saying the region is unknown", err)
	}
}

// A token is kept until its refresh time and fetched again after it; the
// endpoint's transient failures are retried.
func TestOAuthBearerRefreshAndRetry(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	token := testJWT(t, time.Hour)
	endpoint := newTokenEndpoint(t, token)
	props := oauthProps(endpoint.URL)
	props["sasl.login.retry.backoff.ms"] = "10"
	sec, err := security.Parse(props, security.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	cfg := sarama.NewConfig()
	sec.Apply(cfg)
	get := func() {
		t.Helper()
		tok, err := cfg.Net.SASL.TokenProvider.Token()
		if err != nil || tok.Token != token || tok.Extensions["logicalCluster"] != "lkc-1" {
			t.Fatalf("Token: %v, %v", tok, err)
		}
	}
	get()
	advance(30 * time.Minute)
	get()
	if n := endpoint.calls.Load(); n != 1 {
		t.Fatalf("%d calls before the refresh time, want 1", n)
	}
	// Past 85% of the hour (window factor and the largest jitter), with
	// the endpoint failing twice with a retriable status first.
	advance(25 * time.Minute)
	endpoint.failNext.Store(2)
	get()
	if n := endpoint.calls.Load(); n != 4 {
		t.Fatalf("%d calls, want 4: the first, two retried failures, the refresh", n)
	}
}
