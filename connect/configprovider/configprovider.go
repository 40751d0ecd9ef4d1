package configprovider

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Provider classes, as Kafka names them.
const (
	FileClass = "org.apache.kafka.common.config.provider.FileConfigProvider"
	DirClass  = "org.apache.kafka.common.config.provider.DirectoryConfigProvider"
	EnvClass  = "org.apache.kafka.common.config.provider.EnvVarConfigProvider"
)

// placeholder is ConfigTransformer.DEFAULT_PATTERN: ${provider:[path:]key}.
var placeholder = regexp.MustCompile(`\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}`)

// provider looks up one key under a path.
type provider interface {
	get(path, key string) (string, bool, error)
}

// Transformer resolves placeholders with the enabled providers.
type Transformer struct {
	providers map[string]provider
	// unrestricted names the providers that read any file or variable
	// the worker can (Unrestricted).
	unrestricted []string
}

// Unrestricted lists the providers without a restriction: file and dir
// without allowed.paths (FileConfigProvider, DirectoryConfigProvider) and env
// without allowlist.pattern (EnvVarConfigProvider). Any connector config
// can then read whatever the worker can, and show it through its topic or
// errors; the worker warns about each at start.
func (t *Transformer) Unrestricted() []string { return t.unrestricted }

// New builds a Transformer from worker properties: config.providers lists
// provider names, config.providers.<name>.class picks the implementation and
// config.providers.<name>.param.<k> configures it (allowed.paths for file and
// dir, allowlist.pattern for env). lookupEnv reads the environment.
func New(props map[string]string, lookupEnv func(string) (string, bool)) (*Transformer, error) {
	t := &Transformer{providers: map[string]provider{}}
	for name := range strings.SplitSeq(props["config.providers"], ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		prefix := "config.providers." + name + "."
		class := strings.TrimSpace(props[prefix+"class"])
		param := func(k string) string { return strings.TrimSpace(props[prefix+"param."+k]) }
		var allowed []string
		for p := range strings.SplitSeq(param("allowed.paths"), ",") {
			if p = strings.TrimSpace(p); p != "" {
				allowed = append(allowed, filepath.Clean(p))
			}
		}
		switch class {
		case FileClass, DirClass:
			if class == FileClass {
				t.providers[name] = fileProvider{allowed: allowed}
			} else {
				t.providers[name] = dirProvider{allowed: allowed}
			}
			if len(allowed) == 0 {
				t.unrestricted = append(t.unrestricted, name)
			}
		case EnvClass:
			ep := envProvider{lookup: lookupEnv}
			if pat := param("allowlist.pattern"); pat == "" {
				t.unrestricted = append(t.unrestricted, name)
			} else {
				re, err := regexp.Compile("^(?:" + pat + ")$")
				if err != nil {
					return nil, fmt.Errorf("invalid value %s for configuration %sparam.allowlist.pattern: %w", pat, prefix, err)
				}
				ep.allow = re
			}
			t.providers[name] = ep
		case "":
			return nil, fmt.Errorf("missing required configuration %sclass for config provider %s", prefix, name)
		default:
			return nil, fmt.Errorf("invalid value %s for configuration %sclass: class could not be found", class, prefix)
		}
	}
	return t, nil
}

// Error is a placeholder a provider could not resolve: a configuration
// error of the property holding it.
type Error struct {
	Property    string
	Placeholder string
	Err         error
}

func (e *Error) Error() string {
	return fmt.Sprintf("Invalid value %s for configuration %s: %v", e.Placeholder, e.Property, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Transform returns config with every resolvable placeholder replaced. As in
// Kafka, a placeholder naming an unknown provider or a missing key is left
// as it is; a provider that cannot read its source is an error (*Error for
// each property, joined).
func (t *Transformer) Transform(config map[string]string) (map[string]string, error) {
	if t == nil || len(t.providers) == 0 {
		return config, nil
	}
	out := make(map[string]string, len(config))
	var errs []error
	for k, v := range config {
		out[k] = placeholder.ReplaceAllStringFunc(v, func(m string) string {
			sub := placeholder.FindStringSubmatch(m)
			p, ok := t.providers[sub[1]]
			if !ok {
				return m
			}
			val, found, err := p.get(sub[3], sub[4])
			if err != nil {
				errs = append(errs, &Error{Property: k, Placeholder: m, Err: err})
				return m
			}
			if !found {
				return m
			}
			return val
		})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// checkAllowed enforces allowed.paths: path must lie under one of them.
func checkAllowed(allowed []string, path string) error {
	if len(allowed) == 0 {
		return nil
	}
	clean := filepath.Clean(path)
	for _, a := range allowed {
		if clean == a || strings.HasPrefix(clean, a+string(filepath.Separator)) {
			return nil
		}
	}
	return fmt.Errorf("path %s is not allowed to be accessed", path)
}

type fileProvider struct{ allowed []string }

func (p fileProvider) get(path, key string) (string, bool, error) {
	if path == "" {
		return "", false, nil
	}
	if err := checkAllowed(p.allowed, path); err != nil {
		return "", false, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false, fmt.Errorf("reading properties file: %w", err)
	}
	v, ok := parseProperties(b)[key]
	return v, ok, nil
}

// parseProperties reads the common subset of Java's properties format:
// key=value or key: value lines, # and ! comments, trailing-backslash line
// continuation.
func parseProperties(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	var pending string
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), " \t\f")
		if pending == "" && (line == "" || line[0] == '#' || line[0] == '!') {
			continue
		}
		if strings.HasSuffix(line, `\`) && !strings.HasSuffix(line, `\\`) {
			pending += line[:len(line)-1]
			continue
		}
		line, pending = pending+line, ""
		i := strings.IndexAny(line, "=:")
		if i < 0 {
			out[strings.TrimSpace(line)] = ""
			continue
		}
		out[strings.TrimSpace(line[:i])] = strings.TrimLeft(line[i+1:], " \t\f")
	}
	return out
}

type dirProvider struct{ allowed []string }

func (p dirProvider) get(path, key string) (string, bool, error) {
	if path == "" || key == "" || strings.ContainsAny(key, `/\`) || key == ".." {
		return "", false, nil
	}
	if err := checkAllowed(p.allowed, path); err != nil {
		return "", false, err
	}
	b, err := os.ReadFile(filepath.Join(path, key))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("reading secret file: %w", err)
	}
	return string(b), true, nil
}

type envProvider struct {
	lookup func(string) (string, bool)
	allow  *regexp.Regexp
}

func (p envProvider) get(path, key string) (string, bool, error) {
	if p.allow != nil && !p.allow.MatchString(key) {
		return "", false, nil
	}
	v, ok := p.lookup(key)
	return v, ok, nil
}

// EnvLookup returns a lookup over environ, a list of KEY=value entries as
// os.Environ returns it.
func EnvLookup(environ []string) func(string) (string, bool) {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}
