package configprovider

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestTransform(t *testing.T) {
	dir := t.TempDir()
	props := filepath.Join(dir, "db.properties")
	if err := os.WriteFile(props, []byte("# comment\nuser = alice\npassword=s3cr:et\nlong=a\\\n  b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secrets := filepath.Join(dir, "secrets")
	if err := os.Mkdir(secrets, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(secrets, "token"), []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tr, err := New(map[string]string{
		"config.providers":            "file, dir,env",
		"config.providers.file.class": FileClass,
		"config.providers.dir.class":  DirClass,
		"config.providers.env.class":  EnvClass,
	}, env(map[string]string{"PG_PASSWORD": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]string{
		"database.password": "${env:PG_PASSWORD}",
		"database.user":     "${file:" + props + ":user}",
		"file.colon":        "${file:" + props + ":password}",
		"continued":         "${file:" + props + ":long}",
		"token":             "x-${dir:" + secrets + ":token}-y",
		"missing.env":       "${env:NOPE}",
		"missing.key":       "${file:" + props + ":nope}",
		"unknown.provider":  "${vault:secret/db:pw}",
		"plain":             "dbserver1",
	}
	raw := map[string]string{}
	for k, v := range in {
		raw[k] = v
	}
	got, err := tr.Transform(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"database.password": "pw",
		"database.user":     "alice",
		"file.colon":        "s3cr:et",
		"continued":         "ab",
		"token":             "x-tok\n-y",
		"missing.env":       "${env:NOPE}",
		"missing.key":       "${file:" + props + ":nope}",
		"unknown.provider":  "${vault:secret/db:pw}",
		"plain":             "dbserver1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Transform =\n%v\nwant\n%v", got, want)
	}
	if !reflect.DeepEqual(in, raw) {
		t.Errorf("Transform changed its input: %v", in)
	}
	if _, err := tr.Transform(map[string]string{"x": "${file:" + filepath.Join(dir, "absent") + ":k}"}); err == nil {
		t.Error("an unreadable properties file resolved without error")
	}
}

func TestTransformWithoutProviders(t *testing.T) {
	tr, err := New(map[string]string{}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]string{"database.password": "${env:PG_PASSWORD}"}
	got, err := tr.Transform(in)
	if err != nil || got["database.password"] != "${env:PG_PASSWORD}" {
		t.Errorf("Transform = %v, %v; want the placeholder kept", got, err)
	}
}

func TestAllowedPathsAndAllowlist(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "k"), []byte("v"), 0o600); err != nil {
		t.Fatal(err)
	}
	tr, err := New(map[string]string{
		"config.providers":                             "dir,env",
		"config.providers.dir.class":                   DirClass,
		"config.providers.dir.param.allowed.paths":     "/nonexistent/allowed",
		"config.providers.env.class":                   EnvClass,
		"config.providers.env.param.allowlist.pattern": "PG_.*",
	}, env(map[string]string{"PG_USER": "u", "HOME": "/root"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Transform(map[string]string{"x": "${dir:" + dir + ":k}"}); err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Errorf("dir outside allowed.paths: err = %v", err)
	}
	got, err := tr.Transform(map[string]string{"u": "${env:PG_USER}", "h": "${env:HOME}"})
	if err != nil || got["u"] != "u" || got["h"] != "${env:HOME}" {
		t.Errorf("allowlist: %v, %v", got, err)
	}
}

func TestNewRejectsUnknownClass(t *testing.T) {
	for _, props := range []map[string]string{
		{"config.providers": "vault", "config.providers.vault.class": "com.example.VaultConfigProvider"},
		{"config.providers": "file"},
	} {
		if _, err := New(props, env(nil)); err == nil {
			t.Errorf("New(%v) succeeded", props)
		}
	}
}

// A placeholder a provider cannot resolve is an *Error naming its property.
func TestFailureNamesTheProperty(t *testing.T) {
	tr, err := New(map[string]string{
		"config.providers":                          "file",
		"config.providers.file.class":               FileClass,
		"config.providers.file.param.allowed.paths": "/nonexistent/allowed",
	}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Transform(map[string]string{"database.password": "${file:/etc/hostname:pw}"})
	var pe *Error
	if !errors.As(err, &pe) || pe.Property != "database.password" || !strings.Contains(err.Error(), "configuration database.password") {
		t.Fatalf("err = %v, want an *Error naming database.password", err)
	}
	if len(tr.Unrestricted()) != 0 {
		t.Errorf("Unrestricted = %v with allowed.paths set", tr.Unrestricted())
	}
}

// file and dir without allowed.paths and env without allowlist.pattern are
// reported as unrestricted.
func TestUnrestricted(t *testing.T) {
	tr, err := New(map[string]string{
		"config.providers":                              "file,dir,env,env2",
		"config.providers.file.class":                   FileClass,
		"config.providers.dir.class":                    DirClass,
		"config.providers.env.class":                    EnvClass,
		"config.providers.env2.class":                   EnvClass,
		"config.providers.env2.param.allowlist.pattern": "PG_.*",
	}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tr.Unrestricted(), ","); got != "file,dir,env" {
		t.Errorf("Unrestricted = %s, want file,dir,env", got)
	}
}
