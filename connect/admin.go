package connect

import "github.com/tributary-cdc/tributary/configdef"

// Types of the administrative API: config definitions and validation
// results (/connector-plugins), connector offsets (KIP-875) and request
// errors that carry Kafka Connect's exact message.

// BadRequestError is a request the runtime refuses with 400 and exactly
// Message as the reply's text. errors.Is(err, ErrBadRequest) holds.
type BadRequestError struct {
	Message string
}

func (e *BadRequestError) Error() string { return e.Message }

// Is makes a *BadRequestError match ErrBadRequest.
func (e *BadRequestError) Is(target error) bool { return target == ErrBadRequest }

// Config types, importances and widths as Kafka's ConfigDef names them.
const (
	TypeString   = "STRING"
	TypeInt      = "INT"
	TypeLong     = "LONG"
	TypeBoolean  = "BOOLEAN"
	TypeList     = "LIST"
	TypeClass    = "CLASS"
	TypePassword = "PASSWORD"

	ImportanceHigh   = "HIGH"
	ImportanceMedium = "MEDIUM"
	ImportanceLow    = "LOW"

	WidthNone   = "NONE"
	WidthShort  = "SHORT"
	WidthMedium = "MEDIUM"
	WidthLong   = "LONG"
)

// ConfigKey describes one connector property: Kafka Connect's
// ConfigKeyInfo, as configdef renders a Key.
type ConfigKey = configdef.KeyInfo

// ConfigDefiner is implemented by connectors that declare their
// properties (Connector.config()): GET /connector-plugins/{plugin}/config
// lists them and PUT …/config/validate reports them, after the framework's.
type ConfigDefiner interface {
	ConfigDef() *configdef.Def
}

// ConfigValueInfo is the "value" half of one ConfigInfos entry (Kafka
// Connect's ConfigValueInfo). Value is nil when the property is null;
// passwords are reported as "[hidden]".
type ConfigValueInfo = configdef.ValueInfo

// ConfigInfo is one entry of ConfigInfos.configs.
type ConfigInfo struct {
	Definition ConfigKey       `json:"definition"`
	Value      ConfigValueInfo `json:"value"`
}

// ConfigInfos is the body of PUT /connector-plugins/{plugin}/config/validate.
type ConfigInfos struct {
	Name       string       `json:"name"`
	ErrorCount int          `json:"error_count"`
	Groups     []string     `json:"groups"`
	Configs    []ConfigInfo `json:"configs"`
}

// ConnectorOffset is one source partition and its offset; a nil Offset in
// an alter request resets the partition.
type ConnectorOffset struct {
	Partition map[string]any `json:"partition"`
	Offset    map[string]any `json:"offset"`
}

// ConnectorOffsets is the body of GET /connectors/{c}/offsets and of PATCH.
type ConnectorOffsets struct {
	Offsets []ConnectorOffset `json:"offsets"`
}
