package herder

import (
	"net/url"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
)

// hidden is how Kafka's ConfigDef prints a PASSWORD value (Password.toString).
const hidden = "[hidden]"

// secretNames are the name parts of properties that hold credentials. A
// property of a known PASSWORD type is hidden by its definition already;
// these cover values shown without one (a property no declaration knows, a
// config echoed in a message).
var secretNames = []string{"password", "user.info", "jaas.config", "token", "secret", "credentials"}

// looksSecret reports whether a property's name says it holds a credential.
func looksSecret(name string) bool {
	n := strings.ToLower(name)
	for _, s := range secretNames {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// redactValue is the value of a property as shown in messages and in the
// validate output: [hidden] for a credential, and each URL of a
// comma-separated list without the password of its user information
// (url.URL.Redacted).
func redactValue(name, v string) string {
	if looksSecret(name) && v != "" {
		return hidden
	}
	if !strings.Contains(v, "@") {
		return v
	}
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = redactURL(p)
	}
	return strings.Join(parts, ",")
}

// redactURL hides the password of a URL's user information; a value that
// has user information but does not parse is hidden whole.
func redactURL(s string) string {
	t := strings.TrimSpace(s)
	if !strings.Contains(t, "://") || !strings.Contains(t, "@") {
		return s
	}
	u, err := url.Parse(t)
	if err != nil {
		return hidden
	}
	if u.User == nil {
		return s
	}
	return strings.Replace(s, t, u.Redacted(), 1)
}

// redactInfos applies redactValue to every value of a validate answer.
func redactInfos(out *connect.ConfigInfos) {
	for i := range out.Configs {
		v := out.Configs[i].Value.Value
		if v == nil || *v == hidden {
			continue
		}
		r := redactValue(out.Configs[i].Value.Name, *v)
		out.Configs[i].Value.Value = &r
	}
}
