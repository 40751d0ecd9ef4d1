package embedded

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
)

// saslMechanism is the one mechanism the broker's superuser has.
const saslMechanism = security.MechanismScramSHA512

// ClientProps are the client security properties, as a Kafka client reads
// them, that reach a broker started with o: the superuser's SCRAM-SHA-512
// login and, with TLS, a trust store holding exactly the broker's own
// certificate (pinned, so host names are not checked). Without User and
// TLS they are empty (PLAINTEXT).
func (o Options) ClientProps() (map[string]string, error) {
	p := map[string]string{}
	switch {
	case o.User != "" && o.TLS != nil:
		p[security.SecurityProtocolConfig] = "SASL_SSL"
	case o.User != "":
		p[security.SecurityProtocolConfig] = "SASL_PLAINTEXT"
	case o.TLS != nil:
		p[security.SecurityProtocolConfig] = "SSL"
	default:
		return p, nil
	}
	if o.User != "" {
		p[security.SaslMechanismConfig] = saslMechanism
		p[security.SaslJaasConfig] = fmt.Sprintf("%s required username=\"%s\" password=\"%s\";",
			security.ScramLoginModule, jaasEscape(o.User), jaasEscape(o.Password))
	}
	if o.TLS != nil {
		if len(o.TLS.Certificates) == 0 || len(o.TLS.Certificates[0].Certificate) == 0 {
			return nil, errors.New("the TLS configuration has no certificate")
		}
		p["ssl.truststore.type"] = "PEM"
		p["ssl.truststore.certificates"] = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: o.TLS.Certificates[0].Certificate[0]}))
		p["ssl.endpoint.identification.algorithm"] = ""
	}
	return p, nil
}

// jaasEscape quotes s for a double-quoted JAAS option value.
func jaasEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// apiVersions answers ApiVersions with kfake's own answer, except that
// SaslHandshake is advertised from version 0 as a Kafka broker advertises
// it (SaslHandshakeRequest v0–1). kfake registers the handshake at v1 only,
// and librdkafka (kcat) and kafkajs then find no SASL support; the
// handshake itself is still answered at v1, which both then use.
type apiVersions struct {
	resp atomic.Pointer[kmsg.ApiVersionsResponse] // kfake's answer, nil until loaded
}

// advertiseHandshakeV0 installs the ApiVersions control on c. Until load
// has run, kfake answers alone.
func advertiseHandshakeV0(c *kfake.Cluster) *apiVersions {
	a := &apiVersions{}
	c.ControlKey(int16(kmsg.ApiVersions), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		resp := a.answer(req.(*kmsg.ApiVersionsRequest))
		return resp, nil, resp != nil
	})
	return a
}

// answer is the response to req, or nil for kfake to answer: before load,
// and for what kfake checks per request (a version above its own, a
// malformed client software name, a v5 request naming a cluster or node).
func (a *apiVersions) answer(req *kmsg.ApiVersionsRequest) kmsg.Response {
	base := a.resp.Load()
	if base == nil || req.Version > base.Version {
		return nil
	}
	if req.Version >= 3 && (!softwareName(req.ClientSoftwareName) || !softwareName(req.ClientSoftwareVersion)) {
		return nil
	}
	if req.Version >= 5 && (req.ClusterID != nil || req.NodeID != -1) {
		return nil
	}
	resp := req.ResponseKind().(*kmsg.ApiVersionsResponse)
	resp.Version = req.Version
	resp.ApiKeys = append([]kmsg.ApiVersionsResponseApiKey(nil), base.ApiKeys...)
	resp.SupportedFeatures = base.SupportedFeatures
	resp.FinalizedFeatures = base.FinalizedFeatures
	resp.FinalizedFeaturesEpoch = base.FinalizedFeaturesEpoch
	for i := range resp.ApiKeys {
		if resp.ApiKeys[i].ApiKey == int16(kmsg.SASLHandshake) {
			resp.ApiKeys[i].MinVersion = 0
		}
	}
	return resp
}

// softwareName is the check a broker makes of ClientSoftwareName and
// ClientSoftwareVersion: [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?.
func softwareName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || i == len(s)-1 || r != '-' && r != '.') {
			return false
		}
	}
	return true
}

// load asks the broker at addr for kfake's own ApiVersions answer (at the
// highest version both sides speak), which answer then adjusts. The
// request needs no authentication.
func (a *apiVersions) load(addr string, tlsCfg *tls.Config) error {
	opts := []kgo.Opt{kgo.SeedBrokers(addr), kgo.RequestRetries(0)}
	if tlsCfg != nil {
		opts = append(opts, kgo.DialTLSConfig(tlsCfg.Clone()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("reading the broker's API versions: %w", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err != nil {
		return fmt.Errorf("reading the broker's API versions: %w", err)
	}
	a.resp.Store(resp)
	return nil
}
