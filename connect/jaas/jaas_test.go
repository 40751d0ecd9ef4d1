package jaas_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect/jaas"
)

func TestParseJAAS(t *testing.T) {
	cases := []struct {
		text  string
		class string
		flag  string
		opts  map[string]string
	}{
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";`,
			"org.apache.kafka.common.security.plain.PlainLoginModule", "required", map[string]string{"username": "alice", "password": "alice-secret"}},
		// Confluent Cloud's form: single quotes, extra spaces, line breaks.
		{"org.apache.kafka.common.security.plain.PlainLoginModule   REQUIRED\n  username='KEY'\n  password='p=a;s\"s';",
			"org.apache.kafka.common.security.plain.PlainLoginModule", "required", map[string]string{"username": "KEY", "password": `p=a;s"s`}},
		{`org.apache.kafka.common.security.scram.ScramLoginModule required username=bare_word-1.x password="a\"b\\c\td\101";`,
			"org.apache.kafka.common.security.scram.ScramLoginModule", "required", map[string]string{"username": "bare_word-1.x", "password": "a\"b\\c\td\101"}},
		{`/* comment */ org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule optional // rest of line
		  clientId="id" $weird_key="v";`,
			"org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule", "optional", map[string]string{"clientId": "id", "$weird_key": "v"}},
		{`software.amazon.msk.auth.iam.IAMLoginModule required;`, "software.amazon.msk.auth.iam.IAMLoginModule", "required", map[string]string{}},
		{`x.Y sufficient empty="" unicode="pässwörd☃";`, "x.Y", "sufficient", map[string]string{"empty": "", "unicode": "pässwörd☃"}},
	}
	for _, c := range cases {
		mods, err := jaas.Parse(c.text)
		if err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		if len(mods) != 1 || mods[0].Class != c.class || mods[0].Flag != c.flag || !maps.Equal(mods[0].Options, c.opts) {
			t.Errorf("%q: got %+v", c.text, mods)
		}
	}
	two, err := jaas.Parse(`a.B required; c.D requisite k="v";`)
	if err != nil || len(two) != 2 || two[1].Class != "c.D" || two[1].Options["k"] != "v" {
		t.Errorf("two modules: %+v, %v", two, err)
	}
}

func TestParseJAASErrors(t *testing.T) {
	for text, want := range map[string]string{
		``:                        "Login module not specified",
		`   /* only a comment */`: "Login module not specified",
		`a.B`:                     "control flag not specified",
		`a.B mandatory;`:          "Invalid login module control flag 'mandatory'",
		`a.B required username="u" password="hidden-secret"`:  "not terminated by semi-colon",
		`a.B required username="u" password=;`:                "Value not specified for key 'password'",
		`a.B required username="u" password=12345;`:           "Value not specified for key 'password'",
		`a.B required username="u" password "hidden-secret";`: "Value not specified for key 'password'",
	} {
		_, err := jaas.Parse(text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", text, err, want)
			continue
		}
		if strings.Contains(err.Error(), "hidden-secret") {
			t.Errorf("%q: the error shows a value: %v", text, err)
		}
	}
}
