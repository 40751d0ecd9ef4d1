package schemaregistry

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/linkedin/goavro/v2"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/avro"
	"github.com/tributary-cdc/tributary/schema/converters"
	"github.com/tributary-cdc/tributary/schema/registry"
)

// TestUseLatestVersion: with use.latest.version=true and
// auto.register.schemas=false the converter writes with the subject's
// latest schema and its id, registering nothing, even when the record's
// Connect schema is an older one.
func TestUseLatestVersion(t *testing.T) {
	_, c, url := startRegistryURL(t, kafkatest.NewCluster(t))
	id := schema.NewField("id", schema.Int32Schema)
	older := schema.StructOf("srv.public.t.Value", false, id)
	newer := schema.StructOf("srv.public.t.Value", false, id, schema.NewField("note", schema.OptionalStringSchema))
	const topic, subject = "srv.public.t", "srv.public.t-value"

	// Version 1 from the older schema, version 2 registered by someone else.
	auto, err := avro.New(nil, false, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auto.FromConnect(topic, older, &schema.Struct{Schema: older, Values: []any{int32(1)}}); err != nil {
		t.Fatal(err)
	}
	newerCodec, err := avro.NewCodec(newer, avro.DefaultSchemaOptions)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := c.Register(ctxT(t), subject, string(newerCodec.Text))
	if err != nil {
		t.Fatal(err)
	}

	fresh, err := registry.New(registry.Config{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	latest, err := avro.New(map[string]string{"use.latest.version": "true", "auto.register.schemas": "false"}, false, fresh)
	if err != nil {
		t.Fatal(err)
	}
	out, err := latest.FromConnect(topic, older, &schema.Struct{Schema: older, Values: []any{int32(7)}})
	if err != nil {
		t.Fatal(err)
	}
	gotID, body, err := avro.ParseHeader(out)
	if err != nil || gotID != id2 {
		t.Fatalf("schema id %d (%v), want the latest version's %d", gotID, err, id2)
	}
	codec, err := goavro.NewCodec(string(newerCodec.Text))
	if err != nil {
		t.Fatal(err)
	}
	native, rest, err := codec.NativeFromBinary(body)
	if err != nil || len(rest) != 0 {
		t.Fatalf("decoding with the latest schema: %v (%d bytes left)", err, len(rest))
	}
	if want := map[string]any{"id": int32(7), "note": nil}; !reflect.DeepEqual(native, want) {
		t.Errorf("decoded %v, want %v", native, want)
	}
	if vs, _ := c.Versions(ctxT(t), subject); !reflect.DeepEqual(vs, []int{1, 2}) {
		t.Errorf("versions = %v, want [1 2] (nothing registered)", vs)
	}

	// A subject with no versions is the registry's 40401.
	_, err = latest.FromConnect("other", older, &schema.Struct{Schema: older, Values: []any{int32(1)}})
	if !registry.IsCode(err, registry.CodeSubjectNotFound) {
		t.Errorf("use.latest.version on an unknown subject: err = %v, want error 40401", err)
	}
}

// authRegistry serves the embedded registry behind HTTP basic auth (as a
// Confluent registry with basic authentication does), counting the
// requests it refused.
func authRegistry(t *testing.T, user, pass string) (string, *atomic.Int64) {
	t.Helper()
	r, _ := startRegistry(t, kafkatest.NewCluster(t))
	var refused atomic.Int64
	inner := r.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if u, p, ok := req.BasicAuth(); !ok || u != user || p != pass {
			refused.Add(1)
			w.Header().Set("Content-Type", registry.ContentType)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error_code":401,"message":"Unauthorized"}`))
			return
		}
		inner.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &refused
}

// TestBasicAuth: basic.auth.credentials.source USER_INFO and URL send the
// credentials the registry requires; without them (or with wrong ones) the
// registry's 401 is the converter's error.
func TestBasicAuth(t *testing.T) {
	base, refused := authRegistry(t, "alice", "s3cret:x")
	withUser, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	withUser.User = url.UserPassword("alice", "s3cret:x")
	key := schema.StructOf("auth.public.t.Key", false, schema.NewField("id", schema.Int32Schema))
	cases := []struct {
		name  string
		props map[string]string
		ok    bool
	}{
		{"USER_INFO", map[string]string{"schema.registry.url": base, "basic.auth.credentials.source": "USER_INFO",
			"basic.auth.user.info": "alice:s3cret:x"}, true},
		{"URL", map[string]string{"schema.registry.url": withUser.String(), "basic.auth.credentials.source": "URL"}, true},
		{"URL by default", map[string]string{"schema.registry.url": withUser.String()}, true},
		{"wrong password", map[string]string{"schema.registry.url": base, "basic.auth.credentials.source": "USER_INFO",
			"basic.auth.user.info": "alice:guess"}, false},
		{"no credentials", map[string]string{"schema.registry.url": base}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := refused.Load()
			conv, err := (&converters.Factory{}).New(converters.AvroClass, tc.props, true)
			if err != nil {
				t.Fatal(err)
			}
			out, err := conv.FromConnect("auth.public.t", key, &schema.Struct{Schema: key, Values: []any{int32(1)}})
			if tc.ok {
				if err != nil {
					t.Fatalf("converting with credentials: %v", err)
				}
				if id, _, err := avro.ParseHeader(out); err != nil || id < 1 {
					t.Fatalf("header id %d, %v", id, err)
				}
				if n := refused.Load() - before; n != 0 {
					t.Errorf("registry refused %d requests", n)
				}
				return
			}
			var re *registry.Error
			if !errors.As(err, &re) || re.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "Unauthorized") {
				t.Fatalf("converting without valid credentials: err = %v, want the registry's 401", err)
			}
		})
	}
}
