package embedded

import (
	"bytes"
	"encoding/binary"
	"net"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// recordingConn is the network side of a handshakeConn: it serves the
// request bytes to Read and keeps what is written.
type recordingConn struct {
	net.Conn
	in      []byte
	chunk   int
	written bytes.Buffer
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n := copy(p[:min(len(p), c.chunk)], c.in)
	c.in = c.in[n:]
	return n, nil
}

func (c *recordingConn) Write(p []byte) (int, error) { return c.written.Write(p) }

func requestFrame(key kmsg.Key, version int16, corr int32, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	b = binary.BigEndian.AppendUint16(b, uint16(key))
	b = binary.BigEndian.AppendUint16(b, uint16(version))
	b = binary.BigEndian.AppendUint32(b, uint32(corr))
	return append(b, body...)
}

func responseFrame(corr int32, resp kmsg.Response) []byte {
	b := resp.AppendTo(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 0), uint32(corr)))
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// TestHandshakeAnswersListMechanisms: whatever the sizes of the reads and
// writes, a successful SaslHandshake's answer lists the broker's mechanism,
// and every other answer (an ApiVersions, a failed handshake) passes
// byte for byte.
func TestHandshakeAnswersListMechanisms(t *testing.T) {
	requests := append(append(append(requestFrame(kmsg.ApiVersions, 3, 1, []byte("client-body")),
		requestFrame(kmsg.SASLHandshake, 1, 2, []byte("\x00\x0dSCRAM-SHA-512"))...),
		requestFrame(kmsg.SASLHandshake, 0, 3, []byte("\x00\x05PLAIN"))...),
		requestFrame(kmsg.Metadata, 1, 4, nil)...)
	apiVersions := responseFrame(1, &kmsg.ApiVersionsResponse{Version: 3})
	ok := responseFrame(2, &kmsg.SASLHandshakeResponse{Version: 1})
	refused := responseFrame(3, &kmsg.SASLHandshakeResponse{Version: 0, ErrorCode: 33, SupportedMechanisms: []string{"PLAIN"}})
	metadata := responseFrame(4, &kmsg.MetadataResponse{Version: 1})
	wantOK := responseFrame(2, &kmsg.SASLHandshakeResponse{Version: 1, SupportedMechanisms: []string{"SCRAM-SHA-512"}})
	want := bytes.Join([][]byte{apiVersions, wantOK, refused, metadata}, nil)
	responses := bytes.Join([][]byte{apiVersions, ok, refused, metadata}, nil)

	for _, chunk := range []int{1, 3, 7, 12, 1 << 20} {
		rc := &recordingConn{in: append([]byte(nil), requests...), chunk: chunk}
		c := &handshakeConn{Conn: rc, mechanisms: []string{"SCRAM-SHA-512"}, pending: map[int32]int16{}}
		buf := make([]byte, 64)
		var read []byte
		for len(rc.in) > 0 {
			n, _ := c.Read(buf)
			read = append(read, buf[:n]...)
		}
		if !bytes.Equal(read, requests) {
			t.Fatalf("chunk %d: the requests were changed", chunk)
		}
		for rest := responses; len(rest) > 0; {
			k := min(chunk, len(rest))
			if n, err := c.Write(rest[:k]); err != nil || n != k {
				t.Fatalf("chunk %d: Write = %d, %v", chunk, n, err)
			}
			rest = rest[k:]
		}
		if got := rc.written.Bytes(); !bytes.Equal(got, want) {
			t.Errorf("chunk %d: wrote\n%x\nwant\n%x", chunk, got, want)
		}
	}
}

// FuzzHandshakeConn: any request and response bytes pass without a panic,
// and when no SaslHandshake request was seen the answers pass unchanged.
func FuzzHandshakeConn(f *testing.F) {
	f.Add(requestFrame(kmsg.SASLHandshake, 1, 7, []byte("\x00\x01X")), responseFrame(7, &kmsg.SASLHandshakeResponse{Version: 1}), 5)
	f.Add(requestFrame(kmsg.ApiVersions, 0, 1, nil), responseFrame(1, &kmsg.ApiVersionsResponse{}), 1)
	f.Add([]byte("\x00\x00\x00\x02ab"), []byte("\xff\xff\xff\xff"), 2)
	f.Fuzz(func(t *testing.T, requests, responses []byte, chunk int) {
		if chunk <= 0 {
			chunk = 1
		}
		rc := &recordingConn{in: append([]byte(nil), requests...), chunk: chunk}
		c := &handshakeConn{Conn: rc, mechanisms: []string{"SCRAM-SHA-512"}, pending: map[int32]int16{}}
		buf := make([]byte, 32)
		for len(rc.in) > 0 {
			_, _ = c.Read(buf)
		}
		c.mu.Lock()
		seen := len(c.pending)
		c.mu.Unlock()
		if _, err := c.Write(responses); err != nil {
			t.Fatal(err)
		}
		if seen == 0 && !bytes.HasPrefix(responses, rc.written.Bytes()) {
			t.Fatalf("answers changed without a handshake: %x → %x", responses, rc.written.Bytes())
		}
	})
}
