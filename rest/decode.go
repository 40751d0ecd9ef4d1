package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
)

// MaxBodyBytes caps the size of a request body; larger bodies get 413.
const MaxBodyBytes = 1 << 20

// createRequest is Kafka Connect's CreateConnectorRequest, decoded.
type createRequest struct {
	Name   string
	Config map[string]string
	// InitialState is "" when absent, else connect.StateRunning,
	// connect.StatePaused or connect.StateStopped.
	InitialState string
}

// readBody reads the whole request body, at most MaxBodyBytes of it.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &requestError{
			status:  http.StatusRequestEntityTooLarge,
			message: fmt.Sprintf("Request body exceeds %d bytes", MaxBodyBytes),
		}
	case err != nil:
		return nil, badRequest("Reading request body: %v", err)
	}
	return body, nil
}

// decodeCreateRequest decodes the body of POST /connectors. Like Kafka
// Connect it trims the name, fills config.name from it and rejects a config
// whose name differs.
func decodeCreateRequest(body []byte) (createRequest, error) {
	var raw struct {
		Name         json.RawMessage `json:"name"`
		Config       json.RawMessage `json:"config"`
		InitialState json.RawMessage `json:"initial_state"`
	}
	if err := decodeObject(body, &raw); err != nil {
		return createRequest{}, err
	}
	var req createRequest
	if !isNull(raw.Name) {
		name, ok := scalarText(raw.Name)
		if !ok {
			return createRequest{}, badRequest(`Connector "name" must be a string`)
		}
		req.Name = strings.TrimSpace(name)
	}
	if req.Name == "" {
		return createRequest{}, &connect.ValidationError{Errors: []connect.ConfigError{{
			Name:    "name",
			Message: `Missing required configuration "name" which has no default value.`,
		}}}
	}
	if isNull(raw.Config) {
		return createRequest{}, badRequest(`Request body has no connector "config" object`)
	}
	config, err := decodeConfigValue(raw.Config)
	if err != nil {
		return createRequest{}, err
	}
	if err := checkAndPutName(req.Name, config); err != nil {
		return createRequest{}, err
	}
	req.Config = config
	if !isNull(raw.InitialState) {
		s, ok := scalarText(raw.InitialState)
		switch st := strings.ToUpper(s); {
		case ok && (st == connect.StateRunning || st == connect.StatePaused || st == connect.StateStopped):
			req.InitialState = st
		default:
			return createRequest{}, badRequest(`Invalid "initial_state" %s: must be one of RUNNING, PAUSED, STOPPED`, raw.InitialState)
		}
	}
	return req, nil
}

// decodeConfig decodes the body of PUT /connectors/{c}/config and fills or
// checks its name against the connector name of the URL.
func decodeConfig(body []byte, name string) (map[string]string, error) {
	var raw json.RawMessage
	if err := decodeObject(body, &raw); err != nil {
		return nil, err
	}
	config, err := decodeConfigValue(raw)
	if err != nil {
		return nil, err
	}
	if err := checkAndPutName(name, config); err != nil {
		return nil, err
	}
	return config, nil
}

// decodeObject unmarshals a body that must be one JSON object.
func decodeObject(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return badRequest("Request body is empty; expected a JSON object")
	}
	if !json.Valid(trimmed) {
		var se *json.SyntaxError
		if err := json.Unmarshal(trimmed, new(json.RawMessage)); errors.As(err, &se) {
			return badRequest("Malformed JSON in request body at offset %d: %s", se.Offset, se.Error())
		}
		return badRequest("Malformed JSON in request body")
	}
	if trimmed[0] != '{' {
		return badRequest("Request body must be a JSON object")
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return badRequest("Decoding request body: %v", err)
	}
	return nil
}

// decodeConfigValue decodes a connector config. As Jackson does for Kafka
// Connect's Map<String, String>, numbers and booleans are accepted and kept
// as their JSON text ("tasks.max": 1 is "1"); null, objects and arrays are
// rejected.
func decodeConfigValue(raw json.RawMessage) (map[string]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, badRequest("Connector config must be a JSON object of strings")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, badRequest("Decoding connector config: %v", err)
	}
	config := make(map[string]string, len(fields)+1)
	for k, v := range fields {
		s, ok := scalarText(v)
		if !ok {
			return nil, badRequest("Connector config value of %q must be a string, not %s", k, jsonKind(v))
		}
		config[k] = s
	}
	return config, nil
}

// checkAndPutName is ConnectorsResource.checkAndPutConnectorConfigName.
func checkAndPutName(name string, config map[string]string) error {
	included, ok := config["name"]
	if !ok {
		config["name"] = name
		return nil
	}
	if included != name {
		return badRequest("Connector name configuration (%s) doesn't match connector name in the URL (%s)", included, name)
	}
	return nil
}

// scalarText returns the string a JSON string, number or boolean stands
// for; ok is false for null, objects and arrays.
func scalarText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case c == 't' || c == 'f' || c == '-' || (c >= '0' && c <= '9'):
		return string(raw), true
	default:
		return "", false
	}
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "empty"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 'n':
		return "null"
	default:
		return "a scalar"
	}
}
