package tlsconfig

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
)

// An openssl-form PKCS12 trust store (`openssl pkcs12 -export -nokeys`)
// holds certificate bags without the trusted-certificate attribute Java
// writes (2.16.840.1.113894.746875.1.1). go-pkcs12 reads only the Java form;
// opensslTrustStore reads the certificates of the other one. It runs only
// after go-pkcs12's DecodeTrustStore has verified the store's MAC with the
// password and decrypted every bag, so it needs no integrity check of its
// own. OpenSSL 3 encrypts the bags with PBES2 (PBKDF2 and AES-CBC), the one
// scheme read here; the legacy RC2 and 3DES schemes of OpenSSL 1 are not.

var (
	oidData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidCertBag        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Cert       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256     = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512     = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	errLegacyPKCS12   = errors.New("the certificates are encrypted with a legacy PKCS12 scheme; re-export the trust store with OpenSSL 3, keytool, or use ssl.truststore.type=PEM")
	errMalformedStore = errors.New("malformed PKCS12 trust store")
)

type p12PFX struct {
	Version  int
	AuthSafe p12ContentInfo
	MacData  asn1.RawValue `asn1:"optional"`
}

type p12ContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type p12EncryptedData struct {
	Version int
	Info    struct {
		ContentType asn1.ObjectIdentifier
		Algorithm   pkix.AlgorithmIdentifier
		Encrypted   []byte `asn1:"tag:0,optional"`
	}
}

type p12SafeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue `asn1:"tag:0,explicit"`
	Attributes asn1.RawValue `asn1:"set,optional"`
}

type p12CertBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

func unmarshalAll(der []byte, out any) error {
	rest, err := asn1.Unmarshal(der, out)
	if err != nil {
		return errMalformedStore
	}
	if len(rest) != 0 {
		return errMalformedStore
	}
	return nil
}

// opensslTrustStore returns the certificates of the certificate bags of a
// PKCS12 file, with or without attributes.
func opensslTrustStore(data []byte, password string) ([]*x509.Certificate, error) {
	var pfx p12PFX
	if err := unmarshalAll(data, &pfx); err != nil || !pfx.AuthSafe.ContentType.Equal(oidData) {
		return nil, errMalformedStore
	}
	var authSafeData []byte
	if err := unmarshalAll(pfx.AuthSafe.Content.Bytes, &authSafeData); err != nil {
		return nil, err
	}
	var safes []p12ContentInfo
	if err := unmarshalAll(authSafeData, &safes); err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for _, ci := range safes {
		var contents []byte
		switch {
		case ci.ContentType.Equal(oidData):
			if err := unmarshalAll(ci.Content.Bytes, &contents); err != nil {
				return nil, err
			}
		case ci.ContentType.Equal(oidEncryptedData):
			var ed p12EncryptedData
			if err := unmarshalAll(ci.Content.Bytes, &ed); err != nil {
				return nil, err
			}
			var err error
			if contents, err = pbes2Decrypt(ed.Info.Algorithm, ed.Info.Encrypted, password); err != nil {
				return nil, err
			}
		default:
			return nil, errMalformedStore
		}
		var bags []p12SafeBag
		if err := unmarshalAll(contents, &bags); err != nil {
			return nil, err
		}
		for _, bag := range bags {
			if !bag.ID.Equal(oidCertBag) {
				return nil, errors.New("a trust store holds only certificates, this one holds a key")
			}
			var cb p12CertBag
			if err := unmarshalAll(bag.Value.Bytes, &cb); err != nil || !cb.ID.Equal(oidX509Cert) {
				return nil, errMalformedStore
			}
			c, err := x509.ParseCertificate(cb.Data)
			if err != nil {
				return nil, err
			}
			certs = append(certs, c)
		}
	}
	return certs, nil
}

// pbes2Decrypt decrypts PBES2 content (RFC 8018) with PBKDF2 and AES-CBC.
// PKCS12 gives PBES2 the password's UTF-8 bytes.
func pbes2Decrypt(alg pkix.AlgorithmIdentifier, encrypted []byte, password string) ([]byte, error) {
	if !alg.Algorithm.Equal(oidPBES2) {
		return nil, errLegacyPKCS12
	}
	var params pbes2Params
	if err := unmarshalAll(alg.Parameters.FullBytes, &params); err != nil {
		return nil, err
	}
	if !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("unsupported key derivation %v", params.KDF.Algorithm)
	}
	var kdf pbkdf2Params
	if err := unmarshalAll(params.KDF.Parameters.FullBytes, &kdf); err != nil {
		return nil, err
	}
	var prf func() hash.Hash
	switch p := kdf.PRF.Algorithm; {
	case len(p) == 0 || p.Equal(oidHMACSHA1):
		prf = sha1.New
	case p.Equal(oidHMACSHA256):
		prf = sha256.New
	case p.Equal(oidHMACSHA512):
		prf = sha512.New
	default:
		return nil, fmt.Errorf("unsupported PBKDF2 function %v", p)
	}
	var keyLen int
	switch s := params.Scheme.Algorithm; {
	case s.Equal(oidAES128CBC):
		keyLen = 16
	case s.Equal(oidAES192CBC):
		keyLen = 24
	case s.Equal(oidAES256CBC):
		keyLen = 32
	default:
		return nil, fmt.Errorf("unsupported cipher %v", s)
	}
	var iv []byte
	if err := unmarshalAll(params.Scheme.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, errMalformedStore
	}
	key, err := pbkdf2.Key(prf, password, kdf.Salt, kdf.Iterations, keyLen)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if len(encrypted) == 0 || len(encrypted)%aes.BlockSize != 0 {
		return nil, errMalformedStore
	}
	out := make([]byte, len(encrypted))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, encrypted)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, errMalformedStore
	}
	return out[:len(out)-pad], nil
}
