package interworker_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"testing"

	"github.com/tributary-cdc/tributary/connect/interworker"
)

// The signature headers come from whoever reaches the REST API: reading
// them never panics, and either fails with a 400's message, finds no
// signature, or finds one that only the right key validates.
func FuzzFromHeaders(f *testing.F) {
	f.Add("HmacSHA256", "AAAA", []byte(`[]`))
	f.Add("hmacsha512", "ab-d", []byte(`[{"a":"b"}]`))
	f.Add("", "", []byte(nil))
	key := []byte("0123456789abcdef0123456789abcdef")
	f.Fuzz(func(t *testing.T, alg, sig string, body []byte) {
		h := http.Header{}
		h.Set(interworker.SignatureAlgorithmHeader, alg)
		h.Set(interworker.SignatureHeader, sig)
		s, err := interworker.FromHeaders(h, body)
		var bad *interworker.BadRequestError
		switch {
		case err != nil:
			if !errors.As(err, &bad) || bad.Message == "" {
				t.Fatalf("error %v is not a 400", err)
			}
		case s != nil:
			want, _ := interworker.Sign(key, alg, body)
			got, _ := base64.StdEncoding.DecodeString(sig)
			if s.Valid(key) != (base64.StdEncoding.EncodeToString(got) == want) {
				t.Fatalf("Valid = %v for %q, the signature is %q", s.Valid(key), sig, want)
			}
		}
	})
}
