package interworker

import (
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // HmacMD5 is one of the JVM's MAC algorithms; Kafka Connect accepts it when configured
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // HmacSHA1 likewise
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strings"
)

// Headers of a signed request (InternalRequestSignature.SIGNATURE_HEADER and
// SIGNATURE_ALGORITHM_HEADER).
const (
	SignatureHeader          = "X-Connect-Authorization"
	SignatureAlgorithmHeader = "X-Connect-Request-Signature-Algorithm"
)

// DefaultAlgorithm is DistributedConfig's default key generation,
// signature and verification algorithm.
const DefaultAlgorithm = "HmacSHA256"

// algorithm is one MAC algorithm: its JVM name, its hash, and the key size
// in bytes its javax.crypto.KeyGenerator produces when not initialised
// with a size (SunJCE's HmacSHA1/HmacMD5 key generators: 64 bytes; the
// SHA-2 ones: the digest size).
type algorithm struct {
	name    string
	hash    func() hash.Hash
	keySize int
}

var algorithms = []algorithm{
	{"HmacMD5", md5.New, 64},
	{"HmacSHA1", sha1.New, 64},
	{"HmacSHA224", sha256.New224, 28},
	{"HmacSHA256", sha256.New, 32},
	{"HmacSHA384", sha512.New384, 48},
	{"HmacSHA512", sha512.New, 64},
	{"HmacSHA512/224", sha512.New512_224, 28},
	{"HmacSHA512/256", sha512.New512_256, 32},
}

// MACAlgorithms are the MAC (and key generation) algorithms supported, by
// JVM name.
func MACAlgorithms() []string {
	out := make([]string, len(algorithms))
	for i, a := range algorithms {
		out[i] = a.name
	}
	return out
}

func lookup(name string) (algorithm, bool) {
	for _, a := range algorithms {
		if strings.EqualFold(a.name, name) {
			return a, true
		}
	}
	return algorithm{}, false
}

// Supported reports whether name is a supported MAC algorithm.
func Supported(name string) bool {
	_, ok := lookup(name)
	return ok
}

// Key is a session key: its bytes, the name of the algorithm it was
// generated for (SecretKey.getAlgorithm) and its creation time in epoch
// milliseconds (Kafka Connect's SessionKey).
type Key struct {
	Key       []byte
	Algorithm string
	Created   int64
}

// GenerateKey generates a key for algorithm as a KeyGenerator does, of
// bits bits (rounded up to whole bytes) when bits is set
// (inter.worker.key.size), else the algorithm's default size.
func GenerateKey(alg string, bits *int, now int64) (Key, error) {
	a, ok := lookup(alg)
	if !ok {
		return Key{}, fmt.Errorf("Algorithm %s not available", alg) //nolint:staticcheck // the JVM's NoSuchAlgorithmException message
	}
	n := a.keySize
	if bits != nil {
		if err := CheckKeySize(*bits); err != nil {
			return Key{}, err
		}
		n = (*bits + 7) / 8
	}
	k := make([]byte, n)
	if _, err := rand.Read(k); err != nil {
		return Key{}, fmt.Errorf("generating a session key: %w", err)
	}
	return Key{Key: k, Algorithm: alg, Created: now}, nil
}

// CheckKeySize checks a key size in bits as SunJCE's Hmac key generators
// do (KeyGeneratorCore.implInit).
func CheckKeySize(bits int) error {
	if bits < 40 {
		return errors.New("Key length must be at least 40 bits") //nolint:staticcheck // the JVM's message
	}
	return nil
}

// DefaultKeySize is the size in bytes of the keys GenerateKey makes for alg
// when no size is configured.
func DefaultKeySize(alg string) int {
	a, _ := lookup(alg)
	return a.keySize
}

// Sign returns the MAC of body under key with algorithm alg, base64
// encoded as X-Connect-Authorization carries it.
func Sign(key []byte, alg string, body []byte) (string, error) {
	a, ok := lookup(alg)
	if !ok {
		return "", fmt.Errorf("Algorithm %s not available", alg) //nolint:staticcheck // the JVM's message
	}
	return base64.StdEncoding.EncodeToString(mac(a, key, body)), nil
}

func mac(a algorithm, key, body []byte) []byte {
	m := hmac.New(a.hash, key)
	m.Write(body)
	return m.Sum(nil)
}

// AddToRequest signs body with key and alg and sets the two headers on req
// (InternalRequestSignature.addToRequest).
func AddToRequest(req *http.Request, key []byte, alg string, body []byte) error {
	sig, err := Sign(key, alg, body)
	if err != nil {
		return err
	}
	req.Header.Set(SignatureHeader, sig)
	req.Header.Set(SignatureAlgorithmHeader, alg)
	return nil
}

// Signature is the signature a request carries
// (InternalRequestSignature).
type Signature struct {
	body      []byte
	algorithm algorithm
	// Algorithm is the algorithm as the request names it.
	Algorithm string
	signature []byte
}

// BadRequestError is a signature header that cannot be read: Kafka Connect
// answers 400 with its message.
type BadRequestError struct{ Message string }

func (e *BadRequestError) Error() string { return e.Message }

// FromHeaders reads the signature of a request with body body; nil when
// either header is missing (InternalRequestSignature.fromHeaders). An
// unknown algorithm or a signature that is not base64 is a
// *BadRequestError.
func FromHeaders(h http.Header, body []byte) (*Signature, error) {
	alg, encoded := h.Values(SignatureAlgorithmHeader), h.Values(SignatureHeader)
	if len(alg) == 0 || len(encoded) == 0 {
		return nil, nil
	}
	a, ok := lookup(alg[0])
	if !ok {
		// Mac.getInstance's NoSuchAlgorithmException.
		return nil, &BadRequestError{Message: "Algorithm " + alg[0] + " not available"}
	}
	sig, err := base64.StdEncoding.DecodeString(encoded[0])
	if err != nil {
		var ce base64.CorruptInputError
		if errors.As(err, &ce) && int(ce) < len(encoded[0]) {
			// java.util.Base64.Decoder's message.
			return nil, &BadRequestError{Message: fmt.Sprintf("Illegal base64 character %x", encoded[0][ce])}
		}
		return nil, &BadRequestError{Message: err.Error()}
	}
	return &Signature{body: body, algorithm: a, Algorithm: alg[0], signature: sig}, nil
}

// Valid reports whether the signature is the body's MAC under key
// (InternalRequestSignature.isValid), compared in constant time.
func (s *Signature) Valid(key []byte) bool {
	return hmac.Equal(mac(s.algorithm, key, s.body), s.signature)
}
