package embedded

import (
	"crypto/tls"
	"encoding/binary"
	"net"
	"sync"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// kfake answers a successful SaslHandshake with an empty list of enabled
// mechanisms (it fills the list only in its UNSUPPORTED_SASL_MECHANISM
// answer). A Kafka broker always lists them (SaslServerAuthenticator), and
// kafkajs refuses to go on when the list lacks its mechanism ("SASL
// SCRAM-SHA-512 mechanism is not supported by the server"). The broker's
// connections therefore pass through handshakeConn, which watches the
// request stream for SaslHandshake requests and fills the mechanisms into
// their answers; every other byte passes unchanged.

// saslListener accepts the broker's connections: over TLS when tlsCfg is
// set (TLS is ended here, below the rewriting, instead of by kfake), each
// wrapped in a handshakeConn.
type saslListener struct {
	net.Listener
	tls        *tls.Config
	mechanisms []string
}

func (l *saslListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.tls != nil {
		c = tls.Server(c, l.tls)
	}
	return &handshakeConn{Conn: c, mechanisms: l.mechanisms, pending: map[int32]int16{}}, nil
}

// requestHeaderLen is what handshakeConn reads of each request: its size,
// API key, version and correlation id.
const requestHeaderLen = 12

// handshakeConn is one client connection of the broker. kfake reads
// requests from it and writes one response frame per Write, answering a
// connection's requests one at a time, so a request's correlation id is
// always seen before its response is written.
type handshakeConn struct {
	net.Conn
	mechanisms []string

	// Read side (one goroutine): the current request's header bytes,
	// and the bytes of its body still to pass.
	hdr    [requestHeaderLen]byte
	have   int
	skip   int
	broken bool // a frame too short for a header: stop watching

	mu      sync.Mutex
	pending map[int32]int16 // SaslHandshake correlation id → version

	// Write side (one goroutine): bytes of a response frame not yet whole.
	out []byte
}

func (c *handshakeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.observe(p[:n])
	return n, err
}

// observe follows the request stream, noting SaslHandshake requests.
func (c *handshakeConn) observe(b []byte) {
	for len(b) > 0 && !c.broken {
		if c.skip > 0 {
			k := min(c.skip, len(b))
			c.skip -= k
			b = b[k:]
			continue
		}
		k := copy(c.hdr[c.have:], b)
		c.have += k
		b = b[k:]
		if c.have < requestHeaderLen {
			return
		}
		c.have = 0
		size := int64(int32(binary.BigEndian.Uint32(c.hdr[0:4])))
		if size < requestHeaderLen-4 {
			c.broken = true // kfake drops such a connection
			return
		}
		c.skip = int(size - (requestHeaderLen - 4))
		if int16(binary.BigEndian.Uint16(c.hdr[4:6])) == int16(kmsg.SASLHandshake) {
			c.mu.Lock()
			c.pending[int32(binary.BigEndian.Uint32(c.hdr[8:12]))] = int16(binary.BigEndian.Uint16(c.hdr[6:8]))
			c.mu.Unlock()
		}
	}
}

func (c *handshakeConn) Write(p []byte) (int, error) {
	c.out = append(c.out, p...)
	for len(c.out) >= 8 {
		end := 4 + int(binary.BigEndian.Uint32(c.out[0:4]))
		if end < 8 || len(c.out) < end {
			break
		}
		if _, err := c.Conn.Write(c.rewrite(c.out[:end])); err != nil {
			return 0, err
		}
		c.out = c.out[end:]
	}
	if len(c.out) == 0 {
		c.out = nil
	}
	return len(p), nil
}

// rewrite returns the response frame with the enabled mechanisms filled in
// when it answers a SaslHandshake that succeeded; any other frame as it is.
func (c *handshakeConn) rewrite(frame []byte) []byte {
	corr := int32(binary.BigEndian.Uint32(frame[4:8]))
	c.mu.Lock()
	version, ok := c.pending[corr]
	delete(c.pending, corr)
	c.mu.Unlock()
	if !ok {
		return frame
	}
	resp := kmsg.SASLHandshakeResponse{Version: version}
	if err := resp.ReadFrom(frame[8:]); err != nil || resp.ErrorCode != 0 || len(resp.SupportedMechanisms) > 0 {
		return frame
	}
	resp.SupportedMechanisms = c.mechanisms
	out := resp.AppendTo(append([]byte(nil), frame[:8]...))
	binary.BigEndian.PutUint32(out[0:4], uint32(len(out)-4))
	return out
}
