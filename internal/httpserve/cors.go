package httpserve

import (
	"net/http"
	"regexp"
	"strings"
)

// Defaults of Jetty 9.4's CrossOriginFilter, which Kafka Connect's
// RestServer installs when access.control.allow.origin is set.
const (
	corsDefaultMethods = "GET,POST,HEAD"
	corsDefaultHeaders = "X-Requested-With,Content-Type,Accept,Origin"
	corsMaxAge         = "1800"
)

// CrossOrigin answers cross-origin requests as Kafka Connect configures
// Jetty's CrossOriginFilter: allowedOrigins is access.control.allow.origin
// (a comma-separated list; "*" is any origin, and "*" inside an entry any
// text), allowedMethods access.control.allow.methods (GET,POST,HEAD when
// blank). A request from an allowed origin gets Access-Control-Allow-Origin
// with its origin and Access-Control-Allow-Credentials: true; a preflight
// (OPTIONS with Access-Control-Request-Method) for an allowed method and
// headers is answered here with the allowed methods and headers. Requests
// from other origins are served without those headers, which is what
// keeps a browser from reading the reply.
type CrossOrigin struct {
	anyOrigin bool
	origins   []*regexp.Regexp
	methods   []string
	headers   []string
}

// NewCrossOrigin returns the filter for the two settings, or nil when
// allowedOrigins is blank (no filter, as in Kafka Connect).
func NewCrossOrigin(allowedOrigins, allowedMethods string) *CrossOrigin {
	if strings.TrimSpace(allowedOrigins) == "" {
		return nil
	}
	c := &CrossOrigin{methods: splitList(corsDefaultMethods), headers: splitList(corsDefaultHeaders)}
	if strings.TrimSpace(allowedMethods) != "" {
		c.methods = splitList(allowedMethods)
	}
	for _, o := range splitList(allowedOrigins) {
		if o == "*" {
			c.anyOrigin = true
			continue
		}
		parts := strings.Split(o, "*")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		c.origins = append(c.origins, regexp.MustCompile("^"+strings.Join(parts, ".*")+"$"))
	}
	return c
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Wrap returns next behind the filter; a nil filter returns next.
func (c *CrossOrigin) Wrap(next http.Handler) http.Handler {
	if c == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !c.originAllowed(origin) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		requested := r.Header.Get("Access-Control-Request-Method")
		if r.Method != http.MethodOptions || requested == "" {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			next.ServeHTTP(w, r)
			return
		}
		// A preflight: answered here, before authentication, since a
		// browser sends it without credentials.
		if c.methodAllowed(requested) && c.headersAllowed(r.Header.Get("Access-Control-Request-Headers")) {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Max-Age", corsMaxAge)
			h.Set("Access-Control-Allow-Methods", strings.Join(c.methods, ","))
			h.Set("Access-Control-Allow-Headers", strings.Join(c.headers, ","))
		}
		w.WriteHeader(http.StatusOK)
	})
}

func (c *CrossOrigin) originAllowed(header string) bool {
	// The Origin header may list several origins separated by spaces.
	for _, o := range strings.Fields(header) {
		if c.anyOrigin {
			return true
		}
		for _, re := range c.origins {
			if re.MatchString(o) {
				return true
			}
		}
	}
	return false
}

func (c *CrossOrigin) methodAllowed(m string) bool {
	for _, allowed := range c.methods {
		if allowed == strings.TrimSpace(m) {
			return true
		}
	}
	return false
}

func (c *CrossOrigin) headersAllowed(requested string) bool {
	for _, h := range splitList(requested) {
		ok := false
		for _, allowed := range c.headers {
			if strings.EqualFold(allowed, h) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
