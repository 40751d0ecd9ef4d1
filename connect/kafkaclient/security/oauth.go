package security

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/jaas"
	"github.com/tributary-cdc/tributary/tlsconfig"
)

// OAuth options of the OAuthBearerLoginModule line (OAuthBearerLoginCallbackHandler).
const (
	clientIDOption      = "clientId"
	clientSecretOption  = "clientSecret"
	scopeOption         = "scope"
	extensionOptionPfx  = "extension_"
	defaultTokenTimeout = 30 * time.Second
)

// fetchFunc obtains a token and the times it is valid from and until.
type fetchFunc func(ctx context.Context) (token string, start, expire time.Time, err error)

// refreshingProvider is sarama's AccessTokenProvider for token logins: it
// keeps the token until its refresh time, computed as Kafka's
// ExpiringCredentialRefreshingLogin computes it, and fetches a new one on
// the first connection after that. While a refresh fails, a token that has
// not expired is still used. It starts no goroutine.
type refreshingProvider struct {
	source     string
	fetch      fetchFunc
	refresh    refreshSettings
	extensions map[string]string
	timeout    time.Duration
	now        func() time.Time

	mu        sync.Mutex
	token     string
	expire    time.Time
	refreshAt time.Time
}

func (p *refreshingProvider) Token() (*sarama.AccessToken, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.token != "" && now.Before(p.refreshAt) {
		return &sarama.AccessToken{Token: p.token, Extensions: p.extensions}, nil
	}
	ctx, cancel := tokenContext(p.timeout)
	defer cancel()
	token, start, expire, err := p.fetch(ctx)
	if err != nil {
		if p.token != "" && now.Before(p.expire) {
			return &sarama.AccessToken{Token: p.token, Extensions: p.extensions}, nil
		}
		return nil, &TokenError{Source: p.source, Err: err}
	}
	p.token, p.expire = token, expire
	p.refreshAt = refreshTime(now, start, expire, p.refresh, rand.Float64())
	return &sarama.AccessToken{Token: token, Extensions: p.extensions}, nil
}

// refreshTime is ExpiringCredentialRefreshingLogin.refreshMs: the window
// factor (plus jitter) of the token's lifetime, kept out of the buffer
// before expiry and after the minimum period from now.
func refreshTime(now, start, expire time.Time, s refreshSettings, rnd float64) time.Time {
	if !now.Before(expire) {
		return now
	}
	if start.IsZero() {
		start = now
	}
	pct := s.windowFactor + s.windowJitter*rnd
	if now.Add(s.minPeriod + s.buffer).After(expire) {
		return now.Add(time.Duration(float64(expire.Sub(now)) * pct))
	}
	proposed := start.Add(time.Duration(float64(expire.Sub(start)) * pct))
	if end := expire.Add(-s.buffer); proposed.After(end) {
		return end
	}
	if earliest := now.Add(s.minPeriod); proposed.Before(earliest) {
		return earliest
	}
	return proposed
}

// newOAuthProvider is OAuthBearerLoginCallbackHandler (KIP-768): a token
// from sasl.oauthbearer.token.endpoint.url, by the client credentials grant
// for an http(s) URL or read from the file of a file: URL, checked as
// LoginAccessTokenValidator checks it.
func newOAuthProvider(p props, m jaas.LoginModule, opts Options, unused map[string]string) (*refreshingProvider, error) {
	raw := p.str(SaslOAuthBearerTokenEndpointURLConfig, "")
	if raw == "" {
		return nil, fail(p, SaslOAuthBearerTokenEndpointURLConfig, "OAuthBearerLoginCallbackHandler needs the token endpoint URL", nil)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") {
		return nil, fail(p, SaslOAuthBearerTokenEndpointURLConfig, "an http, https or file URL is expected", nil)
	}
	refresh, err := parseRefresh(p)
	if err != nil {
		return nil, err
	}
	scopeClaim := p.str(SaslOAuthBearerScopeClaimNameConfig, "scope")
	subClaim := p.str(SaslOAuthBearerSubClaimNameConfig, "sub")
	exts, err := extensions(p, m)
	if err != nil {
		return nil, err
	}
	for k := range m.Options {
		if k != clientIDOption && k != clientSecretOption && k != scopeOption &&
			!strings.HasPrefix(k, extensionOptionPfx) && !strings.HasPrefix(k, "ssl.") {
			unused[SaslJaasConfig+" option "+k] = m.Class + " does not read it"
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	prov := &refreshingProvider{source: redactURL(u), refresh: refresh, extensions: exts, timeout: defaultTokenTimeout, now: now}

	if u.Scheme == "file" {
		path := u.Path
		prov.fetch = func(context.Context) (string, time.Time, time.Time, error) {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", time.Time{}, time.Time{}, err
			}
			tok := strings.TrimSpace(string(b))
			start, expire, err := validateJWT(tok, scopeClaim, subClaim, now())
			return tok, start, expire, err
		}
		return prov, nil
	}

	id := strings.TrimSpace(m.Options[clientIDOption])
	secret := strings.TrimSpace(m.Options[clientSecretOption])
	if id == "" {
		return nil, fail(p, SaslJaasConfig, "The OAuth configuration option clientId value must be non-null", nil)
	}
	if secret == "" {
		return nil, fail(p, SaslJaasConfig, "The OAuth configuration option clientSecret value must be non-null", nil)
	}
	urlencode := false
	if p.set(SaslOAuthBearerHeaderURLEncodeConfig) {
		if urlencode, err = strconv.ParseBool(strings.TrimSpace(p[SaslOAuthBearerHeaderURLEncodeConfig])); err != nil {
			return nil, fail(p, SaslOAuthBearerHeaderURLEncodeConfig, "Expected value to be either true or false", nil)
		}
	}
	connect, err := intIn(p, SaslLoginConnectTimeoutMsConfig, 0, 0, 1<<31-1)
	if err != nil {
		return nil, err
	}
	read, err := intIn(p, SaslLoginReadTimeoutMsConfig, 0, 0, 1<<31-1)
	if err != nil {
		return nil, err
	}
	backoff, err := intIn(p, SaslLoginRetryBackoffMsConfig, 100, 0, 1<<62)
	if err != nil {
		return nil, err
	}
	backoffMax, err := intIn(p, SaslLoginRetryBackoffMaxMsConfig, 10000, 0, 1<<62)
	if err != nil {
		return nil, err
	}
	// The token endpoint's TLS settings are ssl.* options of the JAAS line
	// (JaasOptionsUtils.createSSLSocketFactory), not the client's own.
	tlsCfg, err := tlsconfig.Load(m.Options, "")
	if err != nil {
		var ce *tlsconfig.ConfigError
		if errors.As(err, &ce) {
			return nil, fail(p, SaslJaasConfig, "option "+ce.Name+": "+ce.Reason, ce.Err)
		}
		return nil, fail(p, SaslJaasConfig, "token endpoint TLS options", err)
	}
	cc := &clientCredentials{
		url: u.String(), clientID: id, secret: secret, scope: strings.TrimSpace(m.Options[scopeOption]), urlencode: urlencode,
		http:    httpClientFor(tlsCfg, time.Duration(connect)*time.Millisecond, time.Duration(read)*time.Millisecond),
		backoff: time.Duration(backoff) * time.Millisecond, backoffMax: time.Duration(backoffMax) * time.Millisecond,
	}
	prov.timeout = cc.backoffMax + defaultTokenTimeout
	prov.fetch = func(ctx context.Context) (string, time.Time, time.Time, error) {
		tok, err := cc.retrieve(ctx)
		if err != nil {
			return "", time.Time{}, time.Time{}, err
		}
		start, expire, err := validateJWT(tok, scopeClaim, subClaim, now())
		return tok, start, expire, err
	}
	return prov, nil
}

// redactURL drops the user information and query of a URL shown in errors.
func redactURL(u *url.URL) string {
	v := *u
	v.User, v.RawQuery = nil, ""
	return v.String()
}

var (
	extensionKey   = regexp.MustCompile(`^[A-Za-z]+$`)
	extensionValue = regexp.MustCompile(`^[\x21-\x7E \t\r\n]+$`)
)

// extensions are the SASL extensions of the JAAS line's extension_<key>
// options, checked as OAuthBearerClientInitialResponse.validateExtensions.
func extensions(p props, m jaas.LoginModule) (map[string]string, error) {
	var out map[string]string
	for k, v := range m.Options {
		key, ok := strings.CutPrefix(k, extensionOptionPfx)
		if !ok {
			continue
		}
		if key == "auth" {
			return nil, fail(p, SaslJaasConfig, "Extension name auth is a reserved name", nil)
		}
		if !extensionKey.MatchString(key) {
			return nil, fail(p, SaslJaasConfig, "Extension name "+key+" is invalid", nil)
		}
		if !extensionValue.MatchString(v) {
			return nil, fail(p, SaslJaasConfig, "Extension value for key "+key+" is invalid", nil)
		}
		if out == nil {
			out = map[string]string{}
		}
		out[key] = v
	}
	return out, nil
}

// clientCredentials is HttpAccessTokenRetriever: the OAuth client
// credentials grant with the credentials in a Basic authorization header.
type clientCredentials struct {
	url, clientID, secret, scope string
	urlencode                    bool
	http                         *http.Client
	backoff, backoffMax          time.Duration
}

// HTTP statuses after which the request is not retried
// (HttpAccessTokenRetriever.UNRETRYABLE_HTTP_CODES).
var unretryable = map[int]bool{400: true, 401: true, 402: true, 403: true, 404: true, 405: true, 406: true, 407: true,
	409: true, 410: true, 411: true, 412: true, 413: true, 414: true, 415: true, 501: true, 505: true}

type unretryableError struct{ error }

// retrieve posts the grant, retrying as Kafka's Retry does: waits doubling
// from sasl.login.retry.backoff.ms for at most sasl.login.retry.backoff.max.ms
// in all.
func (c *clientCredentials) retrieve(ctx context.Context) (string, error) {
	end := time.Now().Add(c.backoffMax)
	var lastErr error
	for attempt := 1; ; attempt++ {
		body, err := c.post(ctx)
		if err == nil {
			return accessToken(body)
		}
		var ue unretryableError
		if errors.As(err, &ue) || ctx.Err() != nil {
			return "", err
		}
		lastErr = err
		wait := min(c.backoff<<(attempt-1), time.Until(end))
		if wait <= 0 || c.backoff<<(attempt-1) <= 0 {
			return "", lastErr
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return "", lastErr
		case <-timer.C:
		}
	}
}

func (c *clientCredentials) post(ctx context.Context) ([]byte, error) {
	id, secret := c.clientID, c.secret
	if c.urlencode {
		id, secret = javaURLEncode(id), javaURLEncode(secret)
	}
	form := "grant_type=client_credentials"
	if c.scope != "" {
		form += "&scope=" + javaURLEncode(c.scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, strings.NewReader(form))
	if err != nil {
		return nil, unretryableError{err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+secret)))
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated {
		if len(body) == 0 {
			return nil, fmt.Errorf("The token endpoint response was unexpectedly empty despite response code %d", resp.StatusCode)
		}
		return body, nil
	}
	err = fmt.Errorf("The response code %d and error response %s was encountered reading the token endpoint response", resp.StatusCode, oauthErrorText(body))
	if unretryable[resp.StatusCode] {
		return nil, unretryableError{err}
	}
	return nil, err
}

// oauthErrorText is the error and its description of an OAuth error
// response (RFC 6749 5.2), which carries nothing secret.
func oauthErrorText(body []byte) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return fmt.Sprintf("{%s - %s}", e.Error, e.Description)
	}
	return "{}"
}

// accessToken reads access_token from a token endpoint response.
func accessToken(body []byte) (string, error) {
	var r struct {
		AccessToken *string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", errors.New("the token endpoint response is not JSON")
	}
	if r.AccessToken == nil || strings.TrimSpace(*r.AccessToken) == "" {
		return "", errors.New("The token endpoint response did not contain an access_token value")
	}
	return strings.TrimSpace(*r.AccessToken), nil
}

// javaURLEncode is java.net.URLEncoder.encode with UTF-8: letters, digits
// and ".-*_" stay, a space becomes '+', every other byte %XX.
func javaURLEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// validateJWT checks a token as LoginAccessTokenValidator does: a JWT whose
// payload has a numeric exp, a subject in subClaim, an optional numeric
// iat and a scope claim that is a string or a list. Its errors name claims,
// never the token.
func validateJWT(token, scopeClaim, subClaim string, now time.Time) (start, expire time.Time, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return start, expire, errors.New("Malformed JWT provided; expected three sections (header, payload, and signature)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return start, expire, errors.New("the JWT payload is not base64url")
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return start, expire, errors.New("the JWT payload is not a JSON object")
	}
	switch v := claims[scopeClaim].(type) {
	case nil, string:
	case []any:
		for _, s := range v {
			if _, ok := s.(string); !ok {
				return start, expire, fmt.Errorf("%s value must be a list of strings", scopeClaim)
			}
		}
	default:
		return start, expire, fmt.Errorf("%s value must be a string or a list", scopeClaim)
	}
	exp, ok := claims["exp"].(float64)
	if !ok {
		return start, expire, errors.New("exp value must be non-null")
	}
	if exp < 0 {
		return start, expire, errors.New("exp value must be non-negative")
	}
	if sub, ok := claims[subClaim].(string); !ok || strings.TrimSpace(sub) == "" {
		return start, expire, fmt.Errorf("%s value must be non-null", subClaim)
	}
	if iat, ok := claims["iat"].(float64); ok {
		if iat < 0 {
			return start, expire, errors.New("iat value must be null or non-negative")
		}
		start = time.UnixMilli(int64(iat * 1000))
	} else {
		start = now
	}
	return start, time.UnixMilli(int64(exp * 1000)), nil
}
