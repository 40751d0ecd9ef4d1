package app

import (
	"errors"
	"net"
	"os"
	"strconv"

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

// beyondLoopback reports whether a listener bound to addr is reachable
// from other machines: bound to every interface (0.0.0.0, ::) or to an
// address other than loopback.
func beyondLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return !ok || tcp.IP == nil || tcp.IP.IsUnspecified() || !tcp.IP.IsLoopback()
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
