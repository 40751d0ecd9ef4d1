package tlsconfig

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
)

// pemPattern is the pattern of Kafka's PemParser (DefaultSslEngineFactory):
// looser than encoding/pem, it accepts a PEM entry on one line with spaces
// for line breaks, as inline values in a properties file often are, and
// skips encapsulated headers.
func pemPattern(name string) *regexp.Regexp {
	const beginOrEnd = `-+%s\s*.*%s[^-]*-+\s+`
	n := strings.ReplaceAll(name, " ", `\s+`)
	begin := strings.Replace(strings.Replace(beginOrEnd, "%s", "BEGIN", 1), "%s", n, 1)
	end := strings.Replace(strings.Replace(beginOrEnd, "%s", "END", 1), "%s", n, 1)
	return regexp.MustCompile(begin + `(?:\s*[^\r\n]*:[^\r\n]*[\r\n]+)*` + `([a-zA-Z0-9/+=\s]*)` + end)
}

var (
	certificatePattern = pemPattern("CERTIFICATE")
	privateKeyPattern  = pemPattern("PRIVATE KEY")
)

// pemEntries returns the DER bytes of the entries of text that pattern
// matches.
func pemEntries(pattern *regexp.Regexp, text string) ([][]byte, error) {
	var out [][]byte
	for _, m := range pattern.FindAllStringSubmatch(text+"\n", -1) {
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(m[1]), ""))
		if err != nil {
			return nil, errors.New("a PEM entry is not valid base64")
		}
		out = append(out, der)
	}
	return out, nil
}

// pemCertificates parses the X.509 certificates of PEM text (PemStore.certs).
func pemCertificates(text string) ([]*x509.Certificate, error) {
	entries, err := pemEntries(certificatePattern, text)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, errors.New("At least one certificate expected, but none found")
	}
	certs := make([]*x509.Certificate, 0, len(entries))
	for _, der := range entries {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	return certs, nil
}
