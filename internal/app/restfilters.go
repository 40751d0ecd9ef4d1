package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/tributary-cdc/tributary/connect/workerconfig"
	"github.com/tributary-cdc/tributary/internal/httpserve"
	"github.com/tributary-cdc/tributary/rest/basicauth"
)

// javaOptsJAAS is the JVM system property, set in KAFKA_OPTS, that names
// the Java worker's JAAS file.
const javaOptsJAAS = "-D" + workerconfig.PropJAASLoginConfig + "="

// restAuthentication returns the basic authentication filter when
// rest.extension.classes names Kafka's BasicAuthSecurityRestExtension, nil
// when it is empty, and an error for any other class: a Java class cannot
// be loaded, and skipping an authentication extension would serve everyone.
func restAuthentication(cfg *workerconfig.Config, environ []string, log *slog.Logger) (*basicauth.Filter, error) {
	for _, class := range cfg.RestExtensions {
		if class != basicauth.ExtensionClass {
			return nil, fmt.Errorf("loading worker config: Invalid value %s for configuration %s: Tributary runs one REST extension, %s; "+
				"a Java class cannot be loaded", class, workerconfig.PropRestExtensionClasses, basicauth.ExtensionClass)
		}
	}
	if len(cfg.RestExtensions) == 0 {
		return nil, nil
	}
	path, from := jaasFile(cfg, environ)
	if path == "" {
		return nil, fmt.Errorf("%s: Failed to retrieve JAAS configuration: set %s in the worker properties, "+
			"or %s<file> in KAFKA_OPTS", workerconfig.PropRestExtensionClasses, workerconfig.PropJAASLoginConfig, javaOptsJAAS)
	}
	f, err := basicauth.Load(path, log)
	if err != nil {
		return nil, fmt.Errorf("%s (JAAS file from %s): %w", workerconfig.PropRestExtensionClasses, from, err)
	}
	log.Info("REST requests are authenticated", "extension", basicauth.ExtensionClass, "jaas_file", path, "from", from)
	if cfg.ConnectProtocol != workerconfig.ConnectProtocolSessioned {
		log.Warn(unsignedInternalWarning, "connect.protocol", cfg.ConnectProtocol)
	}
	return f, nil
}

// unsignedInternalWarning: JaasBasicAuthFilter lets the requests workers
// send each other through without credentials, as Kafka Connect does; only
// the sessioned protocol signs them (KIP-507), so under the others anyone
// who reaches the listener can write a connector's task configurations.
const unsignedInternalWarning = "Internal requests (POST /connectors/{connector}/tasks, PUT /connectors/{connector}/fence) " +
	"pass basic authentication without credentials, as in Kafka Connect, and only connect.protocol=sessioned signs them: " +
	"under this protocol anyone who reaches the REST listener can write task configurations; use sessioned"

// restFilters wraps the REST handler as Kafka Connect's RestServer does:
// the response header rules (Jetty's HeaderFilter) and cross-origin access
// (CrossOriginFilter) outside, then the REST extension's authentication
// (auth, if not nil) in front of the resources.
func restFilters(cfg *workerconfig.Config, auth *basicauth.Filter, h http.Handler) http.Handler {
	if auth != nil {
		h = auth.Wrap(h)
	}
	h = httpserve.NewCrossOrigin(cfg.AllowOrigin, cfg.AllowMethods).Wrap(h)
	return httpserve.WithHeaders(cfg.ResponseHeaders, h)
}

// jaasFile is the JAAS file the worker reads: the worker property, else
// -Djava.security.auth.login.config=… (or ==…, which replaces the JVM's
// other login configurations) in KAFKA_OPTS, split on white space as the
// Kafka scripts pass it to the JVM. from names where it was found.
func jaasFile(cfg *workerconfig.Config, environ []string) (path, from string) {
	if cfg.JAASLoginConfig != "" {
		return cfg.JAASLoginConfig, workerconfig.PropJAASLoginConfig
	}
	for _, kv := range environ {
		opts, ok := strings.CutPrefix(kv, "KAFKA_OPTS=")
		if !ok {
			continue
		}
		for _, opt := range strings.Fields(opts) {
			if v, ok := strings.CutPrefix(opt, javaOptsJAAS); ok {
				path = strings.TrimPrefix(v, "=")
			}
		}
	}
	return path, "KAFKA_OPTS"
}
