package workerconfig

import (
	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/internal/httpserve"
)

// Names of the REST API's filters: cross-origin access, response headers,
// REST extensions and the JAAS file of the basic authentication extension.
const (
	PropAccessControlAllowOrigin  = "access.control.allow.origin"
	PropAccessControlAllowMethods = "access.control.allow.methods"
	PropResponseHTTPHeaders       = "response.http.headers.config"
	PropRestExtensionClasses      = "rest.extension.classes"
	// PropJAASLoginConfig is Tributary's name for the JVM system property
	// the Java worker reads its JAAS file from; KAFKA_OPTS's
	// -Djava.security.auth.login.config is read too.
	PropJAASLoginConfig = "java.security.auth.login.config"
	basicAuthExtension  = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"
)

// RestServerConfig's documentation of the keys below, word for word.
const (
	allowOriginDoc = "Value to set the Access-Control-Allow-Origin header to for REST API requests." +
		"To enable cross origin access, set this to the domain of the application that should be permitted" +
		" to access the API, or '*' to allow access from any domain. The default value only allows access" +
		" from the domain of the REST API."
	allowMethodsDoc = "Sets the methods supported for cross origin requests by setting the Access-Control-Allow-Methods header. " +
		"The default value of the Access-Control-Allow-Methods header allows cross origin requests for GET, POST and HEAD."
	responseHeadersDoc = "Rules for REST API HTTP response headers"
	restExtensionsDoc  = "Comma-separated names of <code>ConnectRestExtension</code> classes, loaded and called " +
		"in the order specified. Implementing the interface  " +
		"<code>ConnectRestExtension</code> allows you to inject into Connect's REST API user defined resources like filters. " +
		"Typically used to add custom capability like logging, security, etc. "
)

var responseHeadersValidator = configdef.Func("Comma-separated header rules, where each header rule is of the form "+
	"'[action] [header name]:[header value]' and optionally surrounded by double quotes "+
	"if any part of a header rule contains a comma", func(name string, v any) error {
	s, _ := v.(string)
	if _, err := httpserve.ParseHeaderRules(s); err != nil {
		return &configdef.Exception{Message: err.Error()}
	}
	return nil
})

// restFilterKeys are RestServerConfig's filter settings and the location of
// the basic authentication extension's JAAS file.
var restFilterKeys = []configdef.Key{
	{Name: PropAccessControlAllowOrigin, Type: configdef.TypeString, Default: "", Importance: configdef.ImportanceLow,
		Documentation: allowOriginDoc},
	{Name: PropAccessControlAllowMethods, Type: configdef.TypeString, Default: "", Importance: configdef.ImportanceLow,
		Documentation: allowMethodsDoc},
	{Name: PropResponseHTTPHeaders, Type: configdef.TypeString, Default: "", Validator: responseHeadersValidator,
		Importance: configdef.ImportanceLow, Documentation: responseHeadersDoc},
	{Name: PropRestExtensionClasses, Type: configdef.TypeList, Default: []string{},
		Importance: configdef.ImportanceLow, Documentation: restExtensionsDoc +
			" Tributary: " + basicAuthExtension + " only (HTTP basic authentication from a JAAS file); any other class stops the worker."},
	{Name: PropJAASLoginConfig, Type: configdef.TypeString, Default: nil, Importance: configdef.ImportanceMedium,
		Group: GroupTributary, Order: 11, Width: configdef.WidthLong, DisplayName: "JAAS login configuration file",
		Documentation: "The JAAS file of " + basicAuthExtension + ": its KafkaConnect entry names " +
			"org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule and the credentials file. When unset, the worker reads " +
			"-Djava.security.auth.login.config from the KAFKA_OPTS variable, where the Java worker finds it."},
}
