package interworker_test

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"

	"github.com/tributary-cdc/tributary/connect/interworker"
)

// RFC 4231 test case 2: the MAC javax.crypto.Mac("HmacSHA256") computes,
// so a signature made here verifies on a Kafka Connect worker and back.
func TestSignMatchesHMACStandard(t *testing.T) {
	sig, err := interworker.Sign([]byte("Jefe"), "HmacSHA256", []byte("what do ya want for nothing?"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(sig)
	if got := hex.EncodeToString(raw); got != "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" {
		t.Fatalf("HmacSHA256 = %s", got)
	}
}

func TestSignatureFromHeaders(t *testing.T) {
	key, err := interworker.GenerateKey("HmacSHA256", nil, 1)
	if err != nil || len(key.Key) != 32 {
		t.Fatalf("GenerateKey = %d bytes, %v", len(key.Key), err)
	}
	body := []byte(`[{"k":"v"}]`)
	req, _ := http.NewRequest(http.MethodPost, "http://w/connectors/c/tasks", nil)
	if err := interworker.AddToRequest(req, key.Key, "HmacSHA256", body); err != nil {
		t.Fatal(err)
	}
	sig, err := interworker.FromHeaders(req.Header, body)
	if err != nil || sig == nil || sig.Algorithm != "HmacSHA256" || !sig.Valid(key.Key) {
		t.Fatalf("FromHeaders = %+v, %v", sig, err)
	}
	if other, _ := interworker.GenerateKey("HmacSHA256", nil, 1); sig.Valid(other.Key) {
		t.Fatal("valid under another key")
	}
	if tampered, _ := interworker.FromHeaders(req.Header, []byte(`[]`)); tampered.Valid(key.Key) {
		t.Fatal("valid for another body")
	}

	// One header missing: no signature (InternalRequestSignature.fromHeaders returns null).
	h := http.Header{}
	h.Set(interworker.SignatureHeader, "abc")
	if sig, err := interworker.FromHeaders(h, body); sig != nil || err != nil {
		t.Fatalf("without algorithm = %v, %v", sig, err)
	}
	for _, c := range []struct{ alg, sig, want string }{
		{"HmacFoo", "abcd", "Algorithm HmacFoo not available"},
		{"HmacSHA256", "ab-d", "Illegal base64 character 2d"},
	} {
		h := http.Header{}
		h.Set(interworker.SignatureHeader, c.sig)
		h.Set(interworker.SignatureAlgorithmHeader, c.alg)
		var bad *interworker.BadRequestError
		if _, err := interworker.FromHeaders(h, body); !errors.As(err, &bad) || bad.Message != c.want {
			t.Errorf("%s %s: %v, want %q", c.alg, c.sig, err, c.want)
		}
	}

	sized, err := interworker.GenerateKey("HmacSHA512", new(int(44)), 1)
	if err != nil || len(sized.Key) != 6 || sized.Algorithm != "HmacSHA512" {
		t.Fatalf("44-bit key = %d bytes, %v", len(sized.Key), err)
	}
}
