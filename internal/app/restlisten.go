package app

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/tributary-cdc/tributary/connect/workerconfig"
	"github.com/tributary-cdc/tributary/rest"
	"github.com/tributary-cdc/tributary/tlsconfig"
)

// restListener is one REST listener: a URL of listeners or admin.listeners,
// its socket, and its TLS configuration (nil for http://).
type restListener struct {
	url   string
	ln    net.Listener
	tls   *tls.Config
	admin bool
}

func (l restListener) scheme() string {
	if l.tls != nil {
		return "https"
	}
	return "http"
}

// sslPrefix is the prefix the ssl.* settings of an https listener are read
// under, as Kafka's AbstractConfig.valuesWithPrefixAllOrNothing picks it
// (SSLUtils.createServerSideSslContextFactory and
// createClientSideSslContextFactory): prefix when any property starts with
// it, else the top level, never a mix of the two.
func sslPrefix(props map[string]string, prefix string) string {
	for k := range props {
		if strings.HasPrefix(k, prefix) {
			return prefix
		}
	}
	return ""
}

// describeSSLSource says where an https listener reads its ssl.* settings.
func describeSSLSource(props map[string]string, prefix string) string {
	if sslPrefix(props, prefix) != "" {
		return prefix + "ssl.*"
	}
	return "ssl.* (no " + prefix + "* property is set)"
}

// openRESTListeners opens the listeners and the admin listeners (Kafka
// Connect's RestServer.createConnectors). An https listener reads
// listeners.https.ssl.* (admin.listeners.https.ssl.* for an admin listener)
// when any property has that prefix, else the top-level ssl.*: the
// settings the Kafka clients read too. props are the worker's properties
// with config providers applied.
func openRESTListeners(cfg *workerconfig.Config, props map[string]string) (_ []restListener, err error) {
	var out []restListener
	defer func() {
		if err != nil {
			for _, l := range out {
				_ = l.ln.Close()
			}
		}
	}()
	open := func(urls []string, prop, prefix string, admin bool) error {
		var serverTLS *tls.Config
		for _, raw := range urls {
			u, err := url.Parse(raw)
			if err != nil {
				return fmt.Errorf("invalid value %s for configuration %s: %w", raw, prop, err)
			}
			l := restListener{url: raw, admin: admin}
			switch strings.ToLower(u.Scheme) {
			case "http":
			case "https":
				if serverTLS == nil {
					if serverTLS, err = tlsconfig.LoadServer(props, sslPrefix(props, prefix)); err != nil {
						return fmt.Errorf("configuring the https listener %s of %s, which reads %s: %w",
							raw, prop, describeSSLSource(props, prefix), err)
					}
				}
				l.tls = serverTLS
			default:
				return fmt.Errorf("invalid value %s for configuration %s: the protocol must be http or https", raw, prop)
			}
			if l.ln, err = net.Listen("tcp", u.Host); err != nil {
				return fmt.Errorf("listening on %s (%s): %w", raw, prop, err)
			}
			out = append(out, l)
		}
		return nil
	}
	if err := open(cfg.Listeners, workerconfig.PropListeners, workerconfig.PropListenersHTTPSPrefix, false); err != nil {
		return nil, err
	}
	if err := open(cfg.AdminListeners, workerconfig.PropAdminListeners, workerconfig.PropAdminListenersHTTPSPrefix, true); err != nil {
		return nil, err
	}
	return out, nil
}

// advertisedScheme is the scheme other workers reach this one with
// (RestServer.determineAdvertisedProtocol): rest.advertised.listener when
// set, else http when any listener is http://, else https.
func advertisedScheme(cfg *workerconfig.Config) string {
	if cfg.AdvertisedListener != "" {
		return cfg.AdvertisedListener
	}
	for _, l := range cfg.Listeners {
		if strings.HasPrefix(strings.ToLower(l), "http://") {
			return "http"
		}
	}
	return "https"
}

// advertisedListener is the listener whose address is advertised
// (RestServer.advertisedUrl, findConnector): the first of the advertised
// scheme, else the first listener.
func advertisedListener(listeners []restListener, scheme string) net.Listener {
	for _, l := range listeners {
		if !l.admin && l.scheme() == scheme {
			return l.ln
		}
	}
	return listeners[0].ln
}

// restClient is the client that forwards requests to other workers. Over
// https it reads listeners.https.ssl.* (else the top-level ssl.*) as Kafka
// Connect's RestClient does (SSLUtils.createClientSideSslContextFactory):
// the trust store verifies the other workers' certificates (the key store
// stands in for a missing one, as in Jetty), and the key store is the
// client certificate their ssl.client.auth may ask for. Nil over http: the
// rest package's default client.
func restClient(props map[string]string, scheme string) (*http.Client, error) {
	if scheme != "https" {
		return nil, nil
	}
	prefix := workerconfig.PropListenersHTTPSPrefix
	cfg, err := tlsconfig.LoadHTTPSClient(props, sslPrefix(props, prefix))
	if err != nil {
		return nil, fmt.Errorf("configuring the client that forwards requests to other workers' https listeners, which reads %s: %w",
			describeSSLSource(props, prefix), err)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = cfg
	return &http.Client{Transport: t}, nil
}

// restRoutes are the routes of the listeners and of the admin listeners
// (RestServer.initializeResources): with admin.listeners unset the
// listeners serve /admin; set, they answer 404 there, and the admin
// listeners (if any) serve /admin alone.
func restRoutes(cfg *workerconfig.Config) rest.Routes {
	if cfg.AdminListeners == nil {
		return rest.RoutesAll
	}
	return rest.RoutesPublic
}

// warnUnusedHTTPSSettings warns about listeners.https.* and
// admin.listeners.https.* settings that no listener reads.
func warnUnusedHTTPSSettings(log *slog.Logger, cfg *workerconfig.Config, listeners []restListener, scheme string) {
	var mainHTTPS, adminHTTPS bool
	for _, l := range listeners {
		if l.tls != nil {
			mainHTTPS = mainHTTPS || !l.admin
			adminHTTPS = adminHTTPS || l.admin
		}
	}
	for k := range cfg.Props {
		switch {
		case strings.HasPrefix(k, workerconfig.PropAdminListenersHTTPSPrefix):
			if !adminHTTPS {
				log.Warn("the configuration has no effect", "property", k, "reason", "no admin listener is https://")
			}
		case strings.HasPrefix(k, workerconfig.PropListenersHTTPSPrefix):
			if !mainHTTPS && scheme != "https" {
				log.Warn("the configuration has no effect", "property", k,
					"reason", "no listener is https:// and requests are not forwarded over https")
			}
		}
	}
}

// warnExposedListeners logs a WARN for every REST listener reachable beyond
// loopback that authenticates nobody: whoever reaches it can create a
// connector whose config runs SQL on the source database
// (database.initial.statements) as the connector's user. A listener that
// requires client certificates authenticates by itself; with basic
// authentication (authenticated), an http:// listener is warned about
// instead for carrying the credentials in clear text. Admin listeners
// serve only /admin/loggers and are not warned about.
func warnExposedListeners(log *slog.Logger, listeners []restListener, authenticated bool) {
	for _, l := range listeners {
		if l.admin || (l.tls != nil && l.tls.ClientAuth == tls.RequireAndVerifyClientCert) || !beyondLoopback(l.ln.Addr()) {
			continue
		}
		switch {
		case !authenticated:
			log.Warn("the REST API is reachable beyond loopback without authentication: anyone who reaches it can create "+
				"connectors that run SQL as the connector's user; set listeners to a loopback address, keep the port firewalled, "+
				"require client certificates (https:// with ssl.client.auth=required) or basic authentication (rest.extension.classes)",
				"property", workerconfig.PropListeners, "listener", l.url, "address", l.ln.Addr().String())
		case l.tls == nil:
			log.Warn("the REST API is reachable beyond loopback over http://: basic authentication credentials cross the network "+
				"in clear text; use an https:// listener", "property", workerconfig.PropListeners, "listener", l.url,
				"address", l.ln.Addr().String())
		}
	}
}
