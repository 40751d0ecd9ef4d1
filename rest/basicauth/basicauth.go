package basicauth

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/tributary-cdc/tributary/connect/jaas"
	"github.com/tributary-cdc/tributary/connect/javaprops"
)

const (
	// ExtensionClass is the rest.extension.classes value that enables the
	// filter.
	ExtensionClass = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"
	// PropertyFileLoginModule is the login module the filter runs.
	PropertyFileLoginModule = "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule"
	// LoginContext is the JAAS entry the filter reads
	// (JaasBasicAuthFilter.CONNECT_LOGIN_MODULE).
	LoginContext = "KafkaConnect"
	// UnauthorizedMessage is the body of a 401 (JaasBasicAuthFilter.filter).
	UnauthorizedMessage = "User cannot access the resource."
)

// internalRequests are the requests JaasBasicAuthFilter lets through
// without credentials (INTERNAL_REQUEST_MATCHERS): workers send them to
// each other, signed under the sessioned protocol rather than
// authenticated.
var internalRequests = []struct {
	method string
	path   *regexp.Regexp
}{
	{http.MethodPost, regexp.MustCompile(`^/?connectors/([^/]+)/tasks/?$`)},
	{http.MethodPut, regexp.MustCompile(`^/?connectors/[^/]+/fence/?$`)},
}

// Filter authenticates requests as JaasBasicAuthFilter does.
type Filter struct {
	// users maps user names to passwords; empty permits every request.
	users map[string]string
	log   *slog.Logger
}

// Load builds the filter from the JAAS login configuration file at
// jaasPath: its KafkaConnect entry must hold exactly one
// PropertyFileLoginModule (Java login modules cannot be loaded here), whose
// file option names the credentials file. Errors name the file and entry,
// never a password.
func Load(jaasPath string, log *slog.Logger) (*Filter, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	text, err := os.ReadFile(jaasPath)
	if err != nil {
		return nil, fmt.Errorf("Failed to retrieve JAAS configuration: %w", err)
	}
	entries, err := jaas.ParseFile(string(text))
	if err != nil {
		return nil, fmt.Errorf("Failed to retrieve JAAS configuration from %s: %w", jaasPath, err)
	}
	modules, ok := entries[LoginContext]
	if !ok {
		return nil, fmt.Errorf("No LoginModules configured for %s in %s", LoginContext, jaasPath)
	}
	if len(modules) != 1 || modules[0].Class != PropertyFileLoginModule {
		classes := make([]string, len(modules))
		for i, m := range modules {
			classes[i] = m.Class
		}
		return nil, fmt.Errorf("the %s entry of %s has the login modules [%s]: only one, %s, is supported",
			LoginContext, jaasPath, strings.Join(classes, ", "), PropertyFileLoginModule)
	}
	file := modules[0].Options["file"]
	if strings.TrimSpace(file) == "" {
		return nil, errors.New("Property Credentials file must be specified")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("Error loading Property Credentials file: %w", err)
	}
	users, err := javaprops.Parse(data)
	if err != nil {
		// The parser's errors name a line, never its text.
		return nil, fmt.Errorf("Error loading Property Credentials file %s: %w", file, err)
	}
	if len(users) == 0 {
		log.Warn(fmt.Sprintf("Credential properties file '%s' is empty; all requests will be permitted", file))
	}
	return &Filter{users: users, log: log}, nil
}

// Wrap returns next behind the filter: a request without valid credentials
// gets 401 with Kafka's body.
func (f *Filter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if internal(r) || f.authenticated(r.Header.Get("Authorization")) {
			next.ServeHTTP(w, r)
			return
		}
		// Debug, as Kafka logs it, so that mistyped credentials do not
		// fill the log; the header itself is never logged.
		f.log.Debug("Request failed authentication", "method", r.Method, "path", r.URL.EscapedPath(), "remote", r.RemoteAddr)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(UnauthorizedMessage))
	})
}

// internal reports whether r is one of the requests the filter exempts.
func internal(r *http.Request) bool {
	for _, m := range internalRequests {
		if r.Method == m.method && m.path.MatchString(r.URL.Path) {
			return true
		}
	}
	return false
}

// authenticated checks an Authorization header as BasicAuthCredentials and
// PropertyFileLoginModule.login do: scheme "Basic" in any case, base64 of
// user:password split at the first colon, a user name that is not empty.
func (f *Filter) authenticated(header string) bool {
	if len(f.users) == 0 {
		return true
	}
	scheme, encoded, ok := strings.Cut(header, " ")
	if !ok || scheme == "" || !strings.EqualFold(scheme, "Basic") {
		return false
	}
	decoded, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		// Kafka's filter fails with a 500 here; a malformed header is
		// simply not a credential.
		return false
	}
	user, password, ok := strings.Cut(string(decoded), ":")
	if !ok || user == "" {
		return false
	}
	want, ok := f.users[user]
	return ok && subtle.ConstantTimeCompare([]byte(password), []byte(want)) == 1
}
