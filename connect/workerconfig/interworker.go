package workerconfig

import (
	"fmt"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect/interworker"
)

// InterWorker are the inter.worker.* settings (DistributedConfig): how the
// leader generates the session key and how workers sign and verify the
// requests they send each other under connect.protocol=sessioned.
type InterWorker struct {
	// KeyAlgorithm is inter.worker.key.generation.algorithm.
	KeyAlgorithm string
	// KeySize is inter.worker.key.size in bits, nil for the algorithm's
	// default.
	KeySize *int
	// KeyTTL is inter.worker.key.ttl.ms: the leader distributes a new key
	// once the current one is this old.
	KeyTTL time.Duration
	// SignatureAlgorithm is inter.worker.signature.algorithm.
	SignatureAlgorithm string
	// VerificationAlgorithms is inter.worker.verification.algorithms.
	VerificationAlgorithms []string
}

const (
	interWorkerNote = " Tributary: used under connect.protocol=sessioned, as in Kafka Connect."
	algorithmsNote  = " Tributary supports HmacMD5, HmacSHA1, HmacSHA224, HmacSHA256, HmacSHA384, HmacSHA512, HmacSHA512/224 and HmacSHA512/256."
)

// macValidator accepts the MAC algorithms Tributary supports, as
// DistributedConfig's validateKeyAlgorithm and validateSignatureAlgorithm
// accept the ones of the JVM.
func macValidator(desc string) configdef.Validator {
	return configdef.Func(desc, func(name string, v any) error {
		if s, _ := v.(string); !interworker.Supported(s) {
			return unsupportedAlgorithm(name, v)
		}
		return nil
	})
}

// unsupportedAlgorithm is DistributedConfig.unsupportedAlgorithmException.
func unsupportedAlgorithm(name string, value any) error {
	return configdef.Invalid(name, value, "the algorithm is not supported by this JVM; the supported algorithms are: ["+
		strings.Join(interworker.MACAlgorithms(), ", ")+"]")
}

// interWorker reads the inter.worker.* settings and checks them together as
// DistributedConfig.validateInterWorkerKeyConfigs does.
func interWorker(v *configdef.Values) (InterWorker, error) {
	iw := InterWorker{
		KeyAlgorithm:           v.String(PropInterWorkerKeyAlgorithm),
		KeyTTL:                 time.Duration(v.Int(PropInterWorkerKeyTTL)) * time.Millisecond,
		SignatureAlgorithm:     v.String(PropInterWorkerSignature),
		VerificationAlgorithms: v.List(PropInterWorkerVerification),
	}
	if n, ok := v.Get(PropInterWorkerKeySize).(int); ok {
		iw.KeySize = &n
		// getInternalRequestKeyGenerator: KeyGenerator.init(size).
		if err := interworker.CheckKeySize(n); err != nil {
			return iw, &configdef.Exception{Message: fmt.Sprintf("Unable to create key generator with algorithm %s and key size %d: %s",
				iw.KeyAlgorithm, n, err)}
		}
	}
	// ensureVerificationAlgorithmsIncludeSignatureAlgorithm: List.contains,
	// case-sensitive.
	found := false
	for _, a := range iw.VerificationAlgorithms {
		found = found || a == iw.SignatureAlgorithm
	}
	if !found {
		return iw, configdef.Invalid(PropInterWorkerSignature, iw.SignatureAlgorithm,
			"Signature algorithm must be present in "+PropInterWorkerVerification+" list")
	}
	return iw, nil
}
