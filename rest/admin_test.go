package rest

import (
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/health", "").check(t, 200, "@health.json")
	e.do("POST", "/health", "").check(t, 405, "@error_method_not_allowed.json")
}

func TestStopConnector(t *testing.T) {
	e := newEnv(t)
	e.create()
	e.do("PUT", "/connectors/inventory/stop", "").checkEmpty(t, 204)
	e.do("GET", "/connectors/inventory/status", "").check(t, 200,
		`{"name":"inventory","connector":{"state":"STOPPED","worker_id":"10.0.0.5:8083"},"tasks":[],"type":"source"}`)
	e.do("GET", "/connectors/inventory/tasks", "").check(t, 200, `[]`)
	e.do("PUT", "/connectors/nope/stop", "").check(t, 404, errBody(404, "Connector nope not found"))
	plain := newEnv(t, func(c *Config) { c.Herder = plainHerder{c.Herder} })
	plain.do("PUT", "/connectors/inventory/stop", "").check(t, 501, errBody(501, "HTTP 501 Not Implemented"))
}

func TestPatchConnectorConfig(t *testing.T) {
	e := newEnv(t)
	e.create()
	e.do("PATCH", "/connectors/inventory/config", `{"topic.prefix":null,"tasks.max":2,"snapshot.mode":"no_data"}`).check(t, 200,
		`{"name":"inventory","config":{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","name":"inventory","tasks.max":"2","snapshot.mode":"no_data"},"tasks":[{"connector":"inventory","task":0}],"type":"source"}`)
	e.do("GET", "/connectors/inventory/config", "").check(t, 200,
		`{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","name":"inventory","tasks.max":"2","snapshot.mode":"no_data"}`)
	e.do("PATCH", "/connectors/inventory/config", `{"name":"other"}`).
		check(t, 400, errBody(400, "Connector name configuration (other) doesn't match connector name in the URL (inventory)"))
	e.do("PATCH", "/connectors/inventory/config", `{"connector.class":null}`).check(t, 400, "@error_invalid_config.json")
	e.do("PATCH", "/connectors/inventory/config", `{"a":{"b":1}}`).
		check(t, 400, errBody(400, `Connector config value of "a" must be a string, not an object`))
	e.do("PATCH", "/connectors/inventory/config", `{"a":`).status400(t)
	e.do("PATCH", "/connectors/nope/config", `{"a":"b"}`).check(t, 404, errBody(404, "Connector nope not found"))
}

func (r reply) status400(t *testing.T) {
	t.Helper()
	if r.status != 400 {
		t.Fatalf("status = %d, want 400; body %s", r.status, r.body)
	}
}

func TestOffsets(t *testing.T) {
	e := newEnv(t)
	e.create()
	e.do("GET", "/connectors/inventory/offsets", "").check(t, 200, `{"offsets":[]}`)
	patch := string(golden(t, "offsets_inventory.json"))
	e.do("PATCH", "/connectors/inventory/offsets", patch).check(t, 400, "@error_offsets_not_stopped.json")
	e.do("DELETE", "/connectors/inventory/offsets", "").check(t, 400, "@error_offsets_not_stopped.json")
	e.do("PUT", "/connectors/inventory/stop", "").checkEmpty(t, 204)
	e.do("PATCH", "/connectors/inventory/offsets", `{"offsets":[]}`).
		check(t, 400, errBody(400, "Partitions / offsets need to be provided for an alter offsets request"))
	e.do("PATCH", "/connectors/inventory/offsets", `{}`).
		check(t, 400, errBody(400, "Partitions / offsets need to be provided for an alter offsets request"))
	e.do("PATCH", "/connectors/inventory/offsets", `{"offsets":[{"partition":"x","offset":null}]}`).
		check(t, 400, errBody(400, "The partition of a source connector offset must be a JSON object"))
	e.do("PATCH", "/connectors/inventory/offsets", patch).check(t, 200, "@offsets_altered.json")
	// Large integers survive exactly.
	r := e.do("GET", "/connectors/inventory/offsets", "")
	r.check(t, 200, "@offsets_inventory.json")
	if want := `"ts_usec":1714557600123456`; !strings.Contains(string(r.body), want) {
		t.Errorf("offsets %s lack %s", r.body, want)
	}
	e.do("DELETE", "/connectors/inventory/offsets", "").check(t, 200, "@offsets_reset.json")
	e.do("GET", "/connectors/inventory/offsets", "").check(t, 200, `{"offsets":[]}`)
	e.do("GET", "/connectors/nope/offsets", "").check(t, 404, errBody(404, "Connector nope not found"))
	e.do("DELETE", "/connectors/nope/offsets", "").check(t, 404, errBody(404, "Connector nope not found"))
}

func TestTopics(t *testing.T) {
	e := newEnv(t)
	e.create()
	e.do("GET", "/connectors/inventory/topics", "").check(t, 200, `{"inventory":{"topics":[]}}`)
	e.herder.setTopics("inventory", "dbserver1.public.customers", "dbserver1.public.orders")
	e.do("GET", "/connectors/inventory/topics", "").check(t, 200,
		`{"inventory":{"topics":["dbserver1.public.customers","dbserver1.public.orders"]}}`)
	e.do("PUT", "/connectors/inventory/topics/reset", "").checkEmpty(t, 202)
	e.do("GET", "/connectors/inventory/topics", "").check(t, 200, `{"inventory":{"topics":[]}}`)
	e.do("GET", "/connectors/nope/topics", "").check(t, 404, errBody(404, "Connector nope not found"))
	e.do("PUT", "/connectors/nope/topics/reset", "").check(t, 404, errBody(404, "Connector nope not found"))
}

func TestPluginConfigAndValidate(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/connector-plugins/PostgresConnector/config", "").check(t, 200,
		`[{"name":"topic.prefix","type":"STRING","required":true,"default_value":null,"importance":"HIGH","documentation":"Topic prefix","group":"Connector","order":1,"width":"MEDIUM","display_name":"Topic prefix","dependents":[]}]`)
	e.do("GET", "/connector-plugins/Nope/config", "").check(t, 404, errBody(404, "Unknown plugin Nope."))
	e.do("PUT", "/connector-plugins/PostgresConnector/config/validate", `{"connector.class":"io.debezium.connector.postgresql.PostgresConnector"}`).check(t, 200,
		`{"name":"io.debezium.connector.postgresql.PostgresConnector","error_count":1,"groups":["Connector"],"configs":[{"definition":{"name":"topic.prefix","type":"STRING","required":true,"default_value":null,"importance":"HIGH","documentation":"Topic prefix","group":"Connector","order":1,"width":"MEDIUM","display_name":"Topic prefix","dependents":[]},"value":{"name":"topic.prefix","value":null,"recommended_values":[],"errors":["Missing required configuration \"topic.prefix\" which has no default value."],"visible":true}}]}`)
	e.do("PUT", "/connector-plugins/Postgres/config/validate", `{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","topic.prefix":"p"}`).status200(t)
	e.do("PUT", "/connector-plugins/MySqlConnector/config/validate", `{"connector.class":"io.debezium.connector.postgresql.PostgresConnector"}`).
		check(t, 400, errBody(400, "Included connector type io.debezium.connector.postgresql.PostgresConnector does not match request type MySqlConnector"))
	e.do("PUT", "/connector-plugins/PostgresConnector/config/validate", `[1]`).check(t, 400, errBody(400, "Request body must be a JSON object"))
}

func (r reply) status200(t *testing.T) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
	}
}

func TestLoggers(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Loggers = newFakeLoggers() })
	e.do("GET", "/admin/loggers", "").check(t, 200,
		`{"root":{"level":"INFO","last_modified":null},"herder":{"level":"INFO","last_modified":null}}`)
	e.do("GET", "/admin/loggers/root", "").check(t, 200, `{"level":"INFO","last_modified":null}`)
	e.do("GET", "/admin/loggers/nope", "").check(t, 404, errBody(404, "Logger nope not found."))
	e.do("PUT", "/admin/loggers/herder", `{"level":"debug"}`).check(t, 200, `["herder"]`)
	e.do("GET", "/admin/loggers/herder", "").check(t, 200, `{"level":"DEBUG","last_modified":1714557600000}`)
	e.do("PUT", "/admin/loggers/herder", `{}`).check(t, 400, errBody(400, "Desired 'level' parameter was not specified in request."))
	e.do("PUT", "/admin/loggers/herder", `{"level":"LOUD"}`).check(t, 404, errBody(404, "invalid log level 'LOUD'."))
	e.do("PUT", "/admin/loggers/herder?scope=cluster", `{"level":"INFO"}`).check(t, 501, errBody(501, "HTTP 501 Not Implemented"))
	e.do("PUT", "/admin/loggers/herder?scope=galaxy", `{"level":"INFO"}`).check(t, 200, `["herder"]`)

	without := newEnv(t)
	without.do("GET", "/admin/loggers", "").check(t, 501, errBody(501, "HTTP 501 Not Implemented"))
}

// With admin.listeners set, the listeners answer /admin as an unknown
// route and the admin listeners serve /admin alone (Kafka Connect's
// RestServer.initializeResources).
func TestRoutesSplitForAdminListeners(t *testing.T) {
	public := newEnv(t, func(c *Config) { c.Loggers = newFakeLoggers(); c.Routes = RoutesPublic })
	public.do("GET", "/admin/loggers", "").check(t, 404, "@error_route_not_found.json")
	public.do("PUT", "/admin/loggers/herder", `{"level":"debug"}`).check(t, 404, "@error_route_not_found.json")
	public.do("GET", "/health", "").check(t, 200, "@health.json")

	admin := newEnv(t, func(c *Config) { c.Loggers = newFakeLoggers(); c.Routes = RoutesAdmin })
	admin.do("GET", "/admin/loggers/root", "").check(t, 200, `{"level":"INFO","last_modified":null}`)
	admin.do("PUT", "/admin/loggers/herder", `{"level":"debug"}`).check(t, 200, `["herder"]`)
	admin.do("GET", "/connectors", "").check(t, 404, "@error_route_not_found.json")
	admin.do("GET", "/", "").check(t, 404, "@error_route_not_found.json")
}
