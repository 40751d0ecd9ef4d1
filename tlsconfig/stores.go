package tlsconfig

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
	"github.com/youmark/pkcs8"
	"software.sslmate.com/src/go-pkcs12"
)

// Java's message for a store whose integrity check fails (JavaKeyStore,
// PKCS12KeyStore).
const errWrongPassword = "Keystore was tampered with, or password was incorrect"

// storeType returns the upper-cased store type of a *.type property.
func (r reader) storeType(name string) (string, error) {
	t := strings.ToUpper(r.str(name, TypeJKS))
	switch t {
	case TypeJKS, TypePKCS12, TypePEM:
		return t, nil
	}
	return "", r.fail(name, "supported store types are JKS, PKCS12 and PEM", nil)
}

// trustStore returns the trusted certificates (DefaultSslEngineFactory
// createTruststore), or nil for the system's roots.
func (r reader) trustStore() (*x509.CertPool, error) {
	typ, err := r.storeType(TruststoreTypeConfig)
	if err != nil {
		return nil, err
	}
	loc := r.str(TruststoreLocationConfig, "")
	pass, hasPass := r.secret(TruststorePasswordConfig)
	inline, hasInline := r.secret(TruststoreCertificatesConfig)
	var certs []*x509.Certificate
	switch {
	case hasInline:
		switch {
		case typ != TypePEM:
			return nil, r.fail(TruststoreCertificatesConfig, "SSL trust store certs can be specified only for PEM, but trust store type is "+typ+".", nil)
		case loc != "":
			return nil, r.fail(TruststoreCertificatesConfig, "Both SSL trust store location and separate trust certificates are specified.", nil)
		case hasPass:
			return nil, r.fail(TruststorePasswordConfig, "SSL trust store password cannot be specified for PEM format.", nil)
		}
		if certs, err = pemCertificates(inline); err != nil {
			return nil, r.fail(TruststoreCertificatesConfig, "Invalid PEM truststore configs", err)
		}
	case loc == "" && hasPass:
		return nil, r.fail(TruststorePasswordConfig, "SSL trust store is not specified, but trust store password is specified.", nil)
	case loc == "":
		return nil, nil
	case typ == TypePEM:
		if hasPass {
			return nil, r.fail(TruststorePasswordConfig, "SSL trust store password cannot be specified for PEM format.", nil)
		}
		data, err := os.ReadFile(loc)
		if err != nil {
			return nil, r.fail(TruststoreLocationConfig, "Failed to load PEM SSL keystore "+loc, err)
		}
		if certs, err = pemCertificates(string(data)); err != nil {
			return nil, r.fail(TruststoreLocationConfig, "Failed to load PEM SSL keystore "+loc, err)
		}
	default:
		if certs, err = r.readTrustStore(loc, typ, pass, hasPass); err != nil {
			return nil, err
		}
	}
	if len(certs) == 0 {
		return nil, r.fail(TruststoreLocationConfig, "the trust store holds no certificate", nil)
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// Store file formats, told apart by their first bytes as Java's dual-format
// JKS and PKCS12 key stores do (keystore.type.compat).
const (
	formatJKS = iota
	formatPKCS12
)

// readStore reads a JKS or PKCS12 store file and tells its format.
func (r reader) readStore(locName, typeName, loc, typ string) ([]byte, int, error) {
	data, err := os.ReadFile(loc)
	if err != nil {
		return nil, 0, r.fail(locName, "Failed to load SSL keystore "+loc+" of type "+typ, err)
	}
	switch {
	case len(data) >= 4 && binary.BigEndian.Uint32(data) == 0xFEEDFEED:
		return data, formatJKS, nil
	case len(data) >= 4 && binary.BigEndian.Uint32(data) == 0xCECECECE:
		return nil, 0, r.fail(locName, loc+" is a JCEKS store, which is not supported; convert it to PKCS12 with keytool -importkeystore", nil)
	case bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN")):
		return nil, 0, r.fail(typeName, loc+" is a PEM file; set "+r.prefix+typeName+"=PEM", nil)
	case len(data) > 0 && data[0] == 0x30: // a DER SEQUENCE
		return data, formatPKCS12, nil
	}
	return nil, 0, r.fail(locName, "Failed to load SSL keystore "+loc+" of type "+typ+": neither a JKS nor a PKCS12 file", nil)
}

// readTrustStore reads the certificates of a JKS or PKCS12 trust store: the
// trusted certificate entries and, as Java's PKIX trust manager does, the
// certificates of key entries.
func (r reader) readTrustStore(loc, typ, pass string, hasPass bool) ([]*x509.Certificate, error) {
	data, format, err := r.readStore(TruststoreLocationConfig, TruststoreTypeConfig, loc, typ)
	if err != nil {
		return nil, err
	}
	if format == formatJKS {
		if !hasPass {
			return nil, r.fail(TruststorePasswordConfig, "a JKS trust store is read with its password; set it", nil)
		}
		ks, err := r.loadJKS(data, pass, TruststoreLocationConfig, TruststorePasswordConfig, loc)
		if err != nil {
			return nil, err
		}
		var certs []*x509.Certificate
		for _, alias := range ks.Aliases() {
			var der []byte
			if e, err := ks.GetTrustedCertificateEntry(alias); err == nil {
				der = e.Certificate.Content
			} else if chain, err := ks.GetPrivateKeyEntryCertificateChain(alias); err == nil && len(chain) > 0 {
				der = chain[0].Content
			}
			if der == nil {
				continue
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, r.fail(TruststoreLocationConfig, "Failed to load SSL keystore "+loc+" of type "+typ+": entry "+alias, err)
			}
			certs = append(certs, c)
		}
		return certs, nil
	}
	certs, err := pkcs12.DecodeTrustStore(data, pass)
	if err == nil {
		return certs, nil
	}
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, r.fail(TruststorePasswordConfig, errWrongPassword, nil)
	}
	// Not a Java-form trust store. go-pkcs12 has verified the MAC and
	// decrypted the bags before looking at their attributes, so what
	// failed is the form: an openssl-form trust store (certificates without
	// Java's trusted-certificate attribute) or a store holding a key.
	if strings.Contains(err.Error(), "not marked as trusted") {
		certs, err := opensslTrustStore(data, pass)
		if err != nil {
			return nil, r.fail(TruststoreLocationConfig, "Failed to load SSL keystore "+loc+" of type "+typ, err)
		}
		return certs, nil
	}
	if _, leaf, cas, cerr := pkcs12.DecodeChain(data, pass); cerr == nil {
		return append([]*x509.Certificate{leaf}, cas...), nil
	}
	return nil, r.fail(TruststoreLocationConfig, "Failed to load SSL keystore "+loc+" of type "+typ, err)
}

// loadJKS reads a JKS store, checking its integrity with pass.
func (r reader) loadJKS(data []byte, pass, locName, passName, loc string) (keystore.KeyStore, error) {
	pw, err := latin1(pass)
	if err != nil {
		return keystore.KeyStore{}, r.fail(passName, "JKS passwords with characters beyond Latin-1 are not supported", nil)
	}
	ks := keystore.New(keystore.WithOrderedAliases())
	if err := ks.Load(bytes.NewReader(data), pw); err != nil {
		if strings.Contains(err.Error(), "invalid digest") {
			return keystore.KeyStore{}, r.fail(passName, errWrongPassword, nil)
		}
		return keystore.KeyStore{}, r.fail(locName, "Failed to load SSL keystore "+loc+" of type JKS", err)
	}
	return ks, nil
}

// latin1 encodes a password as keystore-go expects it: one byte per
// character, which it widens to Java's UTF-16 chars.
func latin1(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for _, c := range s {
		if c > 0xFF {
			return nil, errors.New("character beyond Latin-1")
		}
		out = append(out, byte(c))
	}
	return out, nil
}

// keyStore returns the client certificates (DefaultSslEngineFactory
// createKeystore), or nil when no key store is set.
func (r reader) keyStore() ([]tls.Certificate, error) {
	typ, err := r.storeType(KeystoreTypeConfig)
	if err != nil {
		return nil, err
	}
	loc := r.str(KeystoreLocationConfig, "")
	pass, hasPass := r.secret(KeystorePasswordConfig)
	keyPass, hasKeyPass := r.secret(KeyPasswordConfig)
	keyPEM, hasKey := r.secret(KeystoreKeyConfig)
	chainPEM, hasChain := r.secret(KeystoreCertificateChainConfig)
	switch {
	case hasKey:
		switch {
		case typ != TypePEM:
			return nil, r.fail(KeystoreKeyConfig, "SSL private key can be specified only for PEM, but key store type is "+typ+".", nil)
		case !hasChain:
			return nil, r.fail(KeystoreCertificateChainConfig, "SSL private key is specified, but certificate chain is not specified.", nil)
		case loc != "":
			return nil, r.fail(KeystoreKeyConfig, "Both SSL key store location and separate private key are specified.", nil)
		case hasPass:
			return nil, r.fail(KeystorePasswordConfig, "SSL key store password cannot be specified with PEM format, only key password may be specified.", nil)
		}
		cert, err := pemKeyPair(chainPEM, keyPEM, keyPass, hasKeyPass)
		if err != nil {
			return nil, r.fail(KeystoreKeyConfig, "Invalid PEM keystore configs", err)
		}
		return []tls.Certificate{cert}, nil
	case hasChain:
		return nil, r.fail(KeystoreCertificateChainConfig, "SSL certificate chain is specified, but private key is not specified", nil)
	case typ == TypePEM && loc != "":
		if hasPass {
			return nil, r.fail(KeystorePasswordConfig, "SSL key store password cannot be specified with PEM format, only key password may be specified", nil)
		}
		data, err := os.ReadFile(loc)
		if err != nil {
			return nil, r.fail(KeystoreLocationConfig, "Failed to load PEM SSL keystore "+loc, err)
		}
		cert, err := pemKeyPair(string(data), string(data), keyPass, hasKeyPass)
		if err != nil {
			return nil, r.fail(KeystoreLocationConfig, "Failed to load PEM SSL keystore "+loc, err)
		}
		return []tls.Certificate{cert}, nil
	case loc == "" && hasPass:
		return nil, r.fail(KeystorePasswordConfig, "SSL key store is not specified, but key store password is specified.", nil)
	case loc != "" && !hasPass:
		return nil, r.fail(KeystorePasswordConfig, "SSL key store is specified, but key store password is not specified.", nil)
	case loc == "":
		return nil, nil
	}
	if !hasKeyPass {
		keyPass = pass
	}
	data, format, err := r.readStore(KeystoreLocationConfig, KeystoreTypeConfig, loc, typ)
	if err != nil {
		return nil, err
	}
	if format == formatJKS {
		return r.jksKeyPairs(data, loc, pass, keyPass)
	}
	if keyPass != pass {
		return nil, r.fail(KeyPasswordConfig, "a PKCS12 key store's key is read with the store password; the key password must be the same", nil)
	}
	key, leaf, cas, err := pkcs12.DecodeChain(data, pass)
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption) {
			return nil, r.fail(KeystorePasswordConfig, errWrongPassword, nil)
		}
		return nil, r.fail(KeystoreLocationConfig, "Failed to load SSL keystore "+loc+" of type "+typ, err)
	}
	chain := [][]byte{leaf.Raw}
	for _, c := range cas {
		if !slicesContainsBytes(chain, c.Raw) {
			chain = append(chain, c.Raw)
		}
	}
	cert, err := keyPair(chain, key)
	if err != nil {
		return nil, r.fail(KeystoreLocationConfig, "Failed to load SSL keystore "+loc+" of type "+typ, err)
	}
	return []tls.Certificate{cert}, nil
}

func slicesContainsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

// jksKeyPairs reads every key entry of a JKS key store, in alias order.
func (r reader) jksKeyPairs(data []byte, loc, pass, keyPass string) ([]tls.Certificate, error) {
	ks, err := r.loadJKS(data, pass, KeystoreLocationConfig, KeystorePasswordConfig, loc)
	if err != nil {
		return nil, err
	}
	kp, err := latin1(keyPass)
	if err != nil {
		return nil, r.fail(KeyPasswordConfig, "JKS passwords with characters beyond Latin-1 are not supported", nil)
	}
	var out []tls.Certificate
	for _, alias := range ks.Aliases() {
		if !ks.IsPrivateKeyEntry(alias) {
			continue
		}
		e, err := ks.GetPrivateKeyEntry(alias, kp)
		if err != nil {
			name := KeyPasswordConfig
			if _, set := r.secret(KeyPasswordConfig); !set {
				name = KeystorePasswordConfig
			}
			return nil, r.fail(name, "Cannot recover key "+alias+": the key password is incorrect", nil)
		}
		key, err := x509.ParsePKCS8PrivateKey(e.PrivateKey)
		if err != nil {
			return nil, r.fail(KeystoreLocationConfig, "Failed to load SSL keystore "+loc+" of type JKS: key "+alias, err)
		}
		var chain [][]byte
		for _, c := range e.CertificateChain {
			chain = append(chain, c.Content)
		}
		cert, err := keyPair(chain, key)
		if err != nil {
			return nil, r.fail(KeystoreLocationConfig, "Failed to load SSL keystore "+loc+" of type JKS: key "+alias, err)
		}
		out = append(out, cert)
	}
	if len(out) == 0 {
		return nil, r.fail(KeystoreLocationConfig, "the key store "+loc+" holds no private key entry", nil)
	}
	return out, nil
}

// pemKeyPair builds a key pair from PEM text (PemStore): the certificates
// of chainPEM and the one PKCS#8 key of keyPEM, encrypted exactly when a
// key password is given.
func pemKeyPair(chainPEM, keyPEM, keyPass string, hasKeyPass bool) (tls.Certificate, error) {
	certs, err := pemCertificates(chainPEM)
	if err != nil {
		return tls.Certificate{}, err
	}
	keys, err := pemEntries(privateKeyPattern, keyPEM)
	if err != nil {
		return tls.Certificate{}, err
	}
	switch len(keys) {
	case 0:
		return tls.Certificate{}, errors.New("Private key not provided")
	case 1:
	default:
		return tls.Certificate{}, fmt.Errorf("Expected one private key, but found %d", len(keys))
	}
	var key any
	if hasKeyPass {
		key, err = pkcs8.ParsePKCS8PrivateKey(keys[0], []byte(keyPass))
		if err != nil {
			return tls.Certificate{}, errors.New("Private key could not be decrypted with the key password (an encrypted PKCS#8 key is expected)")
		}
	} else if key, err = x509.ParsePKCS8PrivateKey(keys[0]); err != nil {
		return tls.Certificate{}, errors.New("Private key could not be loaded (an unencrypted PKCS#8 key is expected; an encrypted one needs the key password)")
	}
	chain := make([][]byte, len(certs))
	for i, c := range certs {
		chain[i] = c.Raw
	}
	return keyPair(chain, key)
}

// keyPair checks that key belongs to the first certificate of chain.
func keyPair(chain [][]byte, key any) (tls.Certificate, error) {
	if len(chain) == 0 {
		return tls.Certificate{}, errors.New("the key has no certificate")
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return tls.Certificate{}, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return tls.Certificate{}, fmt.Errorf("unsupported private key type %T", key)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return tls.Certificate{}, errors.New("the private key does not match the certificate " + leaf.Subject.String())
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf}, nil
}
