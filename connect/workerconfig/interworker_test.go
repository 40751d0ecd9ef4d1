package workerconfig_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/workerconfig"
)

// The inter.worker.* settings are read and checked as Kafka's
// DistributedConfig does (connect/runtime/src/main/java/org/apache/kafka/
// connect/runtime/distributed/DistributedConfig.java at 3.9: its
// validators, validateInterWorkerKeyConfigs and their messages).
func TestInterWorkerSettings(t *testing.T) {
	cfg, _, err := workerconfig.Load(writeFile(t, "bootstrap.servers=k:9092\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	iw := cfg.InterWorker
	if iw.KeyAlgorithm != "HmacSHA256" || iw.SignatureAlgorithm != "HmacSHA256" || iw.KeySize != nil ||
		iw.KeyTTL != time.Hour || len(iw.VerificationAlgorithms) != 1 || iw.VerificationAlgorithms[0] != "HmacSHA256" {
		t.Fatalf("defaults = %+v", iw)
	}

	cfg, _, err = workerconfig.Load(writeFile(t, "bootstrap.servers=k:9092\n"+
		"inter.worker.key.generation.algorithm=HmacSHA512\ninter.worker.key.size=128\ninter.worker.key.ttl.ms=60000\n"+
		"inter.worker.signature.algorithm=HmacSHA384\ninter.worker.verification.algorithms=HmacSHA256, HmacSHA384\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	iw = cfg.InterWorker
	if iw.KeyAlgorithm != "HmacSHA512" || iw.KeySize == nil || *iw.KeySize != 128 || iw.KeyTTL != time.Minute ||
		iw.SignatureAlgorithm != "HmacSHA384" || strings.Join(iw.VerificationAlgorithms, ",") != "HmacSHA256,HmacSHA384" {
		t.Fatalf("settings = %+v", iw)
	}

	supported := "the algorithm is not supported by this JVM; the supported algorithms are: [HmacMD5, HmacSHA1, HmacSHA224, " +
		"HmacSHA256, HmacSHA384, HmacSHA512, HmacSHA512/224, HmacSHA512/256]"
	for _, c := range []struct{ props, want string }{
		{"inter.worker.key.generation.algorithm=AES",
			"Invalid value AES for configuration inter.worker.key.generation.algorithm: " + supported},
		{"inter.worker.signature.algorithm=HmacFoo\ninter.worker.verification.algorithms=HmacFoo",
			"Invalid value HmacFoo for configuration inter.worker.signature.algorithm: " + supported},
		{"inter.worker.verification.algorithms=HmacSHA256,Nope",
			"Invalid value Nope for configuration inter.worker.verification.algorithms: " + supported},
		{"inter.worker.verification.algorithms=",
			"Invalid value [] for configuration inter.worker.verification.algorithms: At least one signature verification algorithm must be provided"},
		{"inter.worker.signature.algorithm=HmacSHA512",
			"Invalid value HmacSHA512 for configuration inter.worker.signature.algorithm: Signature algorithm must be present in inter.worker.verification.algorithms list"},
		{"inter.worker.key.size=16",
			"Unable to create key generator with algorithm HmacSHA256 and key size 16: Key length must be at least 40 bits"},
		{"inter.worker.key.ttl.ms=-1",
			"Invalid value -1 for configuration inter.worker.key.ttl.ms: Value must be at least 0"},
	} {
		_, _, err := workerconfig.Load(writeFile(t, "bootstrap.servers=k:9092\n"+c.props+"\n"), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.props, err, c.want)
		}
	}
}
