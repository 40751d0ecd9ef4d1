package e2e

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ricardo-ch/go-kafka-connect/v3/lib/connectors"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// TestThirdPartyRESTClient drives the built binary's REST API with a
// third-party Kafka Connect client through a connector's whole lifecycle.
// The database user reaches the connector through the env config provider.
func TestThirdPartyRESTClient(t *testing.T) {
	pg := pgtest.Start(t)
	var body struct {
		Name   string            `json:"name"`
		Config map[string]string `json:"config"`
	}
	if err := json.Unmarshal(inventoryConfig(t, pg, nil), &body); err != nil {
		t.Fatal(err)
	}
	user := body.Config["database.user"]
	body.Config["database.user"] = "${env:TRIBUTARY_TEST_PG_USER}"
	w := startWorker(t, workerEnv{
		dataDir: t.TempDir(),
		extraEnv: []string{
			"CONNECT_CONFIG_PROVIDERS=env",
			"CONNECT_CONFIG_PROVIDERS_ENV_CLASS=org.apache.kafka.common.config.provider.EnvVarConfigProvider",
			"TRIBUTARY_TEST_PG_USER=" + user,
		},
	})
	t.Cleanup(w.stop)
	c := connectors.NewClient(w.rest)
	name := body.Name
	config := map[string]any{}
	for k, v := range body.Config {
		config[k] = v
	}
	req := connectors.ConnectorRequest{Name: name}

	created, err := c.CreateConnector(connectors.CreateConnectorRequest{ConnectorRequest: req, Config: config}, false)
	if err != nil || created.Code != http.StatusCreated || created.Name != name {
		t.Fatalf("CreateConnector = %+v, %v", created, err)
	}
	state := func(want string) {
		t.Helper()
		waitFor(t, 30*time.Second, "connector "+want, func() bool {
			st, err := c.GetConnectorStatus(req)
			if err != nil {
				t.Fatalf("GetConnectorStatus: %v", err)
			}
			return st.Code == http.StatusOK && st.ConnectorStatus["state"] == want &&
				len(st.TasksStatus) == 1 && st.TasksStatus[0].State == want
		})
	}
	state("RUNNING")

	all, err := c.GetAll()
	if err != nil || len(all.Connectors) != 1 || all.Connectors[0] != name {
		t.Fatalf("GetAll = %+v, %v", all, err)
	}
	// The config is reported raw, the placeholder intact.
	cfg, err := c.GetConnectorConfig(req)
	if err != nil || cfg.Config["database.user"] != "${env:TRIBUTARY_TEST_PG_USER}" {
		t.Fatalf("GetConnectorConfig = %+v, %v", cfg, err)
	}

	if r, err := c.PauseConnector(req, false); err != nil || r.Code != http.StatusAccepted {
		t.Fatalf("PauseConnector = %+v, %v", r, err)
	}
	state("PAUSED")
	if r, err := c.ResumeConnector(req, false); err != nil || r.Code != http.StatusAccepted {
		t.Fatalf("ResumeConnector = %+v, %v", r, err)
	}
	state("RUNNING")
	if r, err := c.RestartConnector(req); err != nil || r.Code != http.StatusNoContent {
		t.Fatalf("RestartConnector = %+v, %v", r, err)
	}
	state("RUNNING")
	if r, err := c.RestartTask(connectors.TaskRequest{Connector: name, TaskID: 0}); err != nil || r.Code != http.StatusNoContent {
		t.Fatalf("RestartTask = %+v, %v", r, err)
	}
	state("RUNNING")

	config["snapshot.mode"] = "no_data"
	updated, err := c.UpdateConnector(connectors.CreateConnectorRequest{ConnectorRequest: req, Config: config}, false)
	if err != nil || updated.Code != http.StatusOK || updated.Config["snapshot.mode"] != "no_data" {
		t.Fatalf("UpdateConnector = %+v, %v", updated, err)
	}
	upToDate, err := c.IsUpToDate(name, config)
	if err != nil || !upToDate {
		t.Fatalf("IsUpToDate = %v, %v", upToDate, err)
	}
	state("RUNNING")
	tasks, err := c.GetAllTasks(req)
	if err != nil || len(tasks.Tasks) != 1 || tasks.Tasks[0].Config["database.user"] != "${env:TRIBUTARY_TEST_PG_USER}" {
		t.Fatalf("GetAllTasks = %+v, %v", tasks, err)
	}

	if r, err := c.DeleteConnector(req, false); err != nil || r.Code != http.StatusNoContent {
		t.Fatalf("DeleteConnector = %+v, %v", r, err)
	}
	missing, err := c.GetConnector(req)
	if err == nil && missing.Code != http.StatusNotFound {
		t.Fatalf("GetConnector after delete = %+v", missing)
	}
	if all, err := c.GetAll(); err != nil || len(all.Connectors) != 0 {
		t.Fatalf("GetAll after delete = %+v, %v", all, err)
	}
}
