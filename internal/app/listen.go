package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/workerconfig"
)

// kafkaClusterID asks a broker for the cluster id reported by GET /.
func kafkaClusterID(client sarama.Client) (string, error) {
	for _, b := range client.Brokers() {
		if err := b.Open(client.Config()); err != nil && !errors.Is(err, sarama.ErrAlreadyConnected) {
			continue
		}
		resp, err := b.GetMetadata(&sarama.MetadataRequest{Version: 2})
		if err != nil {
			continue
		}
		if resp.ClusterID != nil {
			return *resp.ClusterID, nil
		}
	}
	return "", errors.New("reading the Kafka cluster id: no broker answered")
}

// listenAll opens a TCP listener for every http:// URL in listeners.
func listenAll(urls []string) ([]net.Listener, error) {
	var out []net.Listener
	closeAll := func() {
		for _, l := range out {
			_ = l.Close()
		}
	}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "http" {
			closeAll()
			return nil, fmt.Errorf("invalid value %s for configuration listeners: only http:// listeners are supported", raw)
		}
		l, err := net.Listen("tcp", u.Host)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("listening on %s: %w", raw, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// beyondLoopback reports whether a listener bound to addr is reachable
// from other machines: bound to every interface (0.0.0.0, ::) or to an
// address other than loopback.
func beyondLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return !ok || tcp.IP == nil || tcp.IP.IsUnspecified() || !tcp.IP.IsLoopback()
}

// warnExposedListeners logs a WARN for every REST listener reachable beyond
// loopback without authentication: whoever reaches it can create a
// connector whose config runs SQL on the source database
// (database.initial.statements) as the connector's user. With basic
// authentication, an http:// listener beyond loopback is warned about too:
// it carries the credentials in clear text.
func warnExposedListeners(log *slog.Logger, urls []string, listeners []net.Listener, authenticated bool) {
	for i, l := range listeners {
		if !beyondLoopback(l.Addr()) {
			continue
		}
		switch {
		case !authenticated:
			log.Warn("the REST API is reachable beyond loopback without authentication: anyone who reaches it can create "+
				"connectors that run SQL as the connector's user; set rest.extension.classes to the basic authentication "+
				"extension, or set listeners to a loopback address or keep the port firewalled",
				"property", workerconfig.PropListeners, "listener", urls[i], "address", l.Addr().String())
		case strings.HasPrefix(strings.ToLower(urls[i]), "http://"):
			log.Warn("the REST API is reachable beyond loopback over http://: basic authentication credentials cross the network "+
				"in clear text; use an https:// listener", "property", workerconfig.PropListeners, "listener", urls[i],
				"address", l.Addr().String())
		}
	}
}

// advertisedWorkerID is the host:port other workers and status records use:
// rest.advertised.host.name/port when set, else the machine's host name and
// the first listener's port.
func advertisedWorkerID(cfg *workerconfig.Config, l net.Listener) string {
	host := cfg.AdvertisedHostName
	if host == "" {
		if lh, _, err := net.SplitHostPort(l.Addr().String()); err == nil && lh != "" && !net.ParseIP(lh).IsUnspecified() {
			host = lh
		} else if hn, err := os.Hostname(); err == nil {
			host = hn
		}
	}
	port := cfg.AdvertisedPort
	if port == 0 {
		port = l.Addr().(*net.TCPAddr).Port
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}
