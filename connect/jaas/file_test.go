package jaas_test

import (
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect/jaas"
)

// TestParseFile reads the login configuration files Kafka Connect's
// BasicAuthSecurityRestExtension documents (its class comment) and the
// JVM's ConfigFile accepts: several entries, several modules, comments.
func TestParseFile(t *testing.T) {
	text := `/* Kafka Connect's REST basic authentication */
KafkaConnect {
     org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
     file="/mnt/secret/credentials.properties";
};
// a client entry the worker does not use
KafkaClient {
  org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password='p;w"d';
  com.example.Other optional debug=true;
};
"Quoted-Name" { a.B sufficient; };
`
	got, err := jaas.ParseFile(text)
	if err != nil {
		t.Fatal(err)
	}
	kc := got["KafkaConnect"]
	if len(kc) != 1 || kc[0].Class != "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule" ||
		kc[0].Flag != "required" || kc[0].Options["file"] != "/mnt/secret/credentials.properties" {
		t.Errorf("KafkaConnect = %+v", kc)
	}
	cl := got["KafkaClient"]
	if len(cl) != 2 || cl[0].Options["password"] != `p;w"d` || cl[1].Class != "com.example.Other" || cl[1].Options["debug"] != "true" {
		t.Errorf("KafkaClient = %+v", cl)
	}
	if q := got["Quoted-Name"]; len(q) != 1 || q[0].Flag != "sufficient" {
		t.Errorf("Quoted-Name = %+v", q)
	}
	if len(got) != 3 {
		t.Errorf("%d entries, want 3: %v", len(got), got)
	}
}

func TestParseFileErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{`KafkaConnect a.B required; };`, "expected [{]"},
		{`KafkaConnect { a.B required;`, "expected [}]"},
		{`KafkaConnect { a.B required; }`, "expected [;]"},
		{`KafkaConnect { a.B required file="x" }; `, "Value not specified"},
		{`KafkaConnect { a.B required file="x"`, "not terminated by semi-colon"},
		{`KafkaConnect { a.B mandatory; };`, "Invalid login module control flag"},
		{`A { a.B required; }; A { c.D required; };`, "Can not specify multiple entries for A"},
		{`KafkaConnect { a.B required file="${user.home}/x"; };`, "option file"},
		{`{ a.B required; };`, "expected a login configuration name"},
		{`KafkaConnect { a.B required password="hunter2" x; };`, "Value not specified for key 'x'"},
	} {
		_, err := jaas.ParseFile(c.text)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseFile(%q) = %v, want an error containing %q", c.text, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseFile(%q): the error shows an option value: %v", c.text, err)
		}
	}
}

// FuzzParseFile: any text parses or fails cleanly, never panics, and an
// error never quotes an option value.
func FuzzParseFile(f *testing.F) {
	for _, s := range []string{
		"KafkaConnect { a.B required file=\"/x\"; };",
		"A{a.B required;};B{c.D optional k=v k2='v2';};",
		"/* c */ A { a.B required; }; // end",
		"A { a.B required k=\"unterminated",
		"A { -1 required; };",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		entries, err := jaas.ParseFile(text)
		if err != nil {
			return
		}
		for name, mods := range entries {
			if name == "" || len(mods) == 0 && strings.TrimSpace(text) == "" {
				t.Fatalf("entry %q from %q", name, text)
			}
		}
	})
}
