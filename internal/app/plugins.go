package app

import (
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/herder"
	"github.com/tributary-cdc/tributary/connect/worker"
	"github.com/tributary-cdc/tributary/connectors/pgnotify"
	"github.com/tributary-cdc/tributary/connectors/pgtrigger"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/timescaledb"
	"github.com/tributary-cdc/tributary/rest"
	"github.com/tributary-cdc/tributary/schema/converters"
	"github.com/tributary-cdc/tributary/transforms"
)

// plugins is everything a worker can instantiate by class name: the place
// to add a connector, a transformation, a predicate or (in
// schema/converters) a converter. It is built once per worker.
type plugins struct {
	connectors      []func() connect.Connector
	transformations []connect.TransformationPlugin
	predicates      []connect.PredicatePlugin
	// infos is GET /connector-plugins?connectorsOnly=false.
	infos []rest.PluginInfo
}

func newPlugins() *plugins {
	p := &plugins{
		connectors: []func() connect.Connector{
			func() connect.Connector { return postgres.New() },
			func() connect.Connector { return pgnotify.New() },
			func() connect.Connector { return pgtrigger.New() },
		},
		transformations: append(transforms.Plugins(), timescaledb.Plugin()),
		predicates:      transforms.PredicatePlugins(),
	}
	for _, newConnector := range p.connectors {
		c := newConnector()
		p.infos = append(p.infos, rest.PluginInfo{Class: c.Class(), Type: c.Type(), Version: c.Version()})
	}
	for _, c := range converters.Classes {
		p.infos = append(p.infos, rest.PluginInfo{Class: c, Type: rest.PluginConverter, Version: Version})
	}
	for _, t := range p.transformations {
		p.infos = append(p.infos, rest.PluginInfo{Class: t.Class, Type: rest.PluginTransformation, Version: Version})
	}
	for _, pr := range p.predicates {
		p.infos = append(p.infos, rest.PluginInfo{Class: pr.Class, Type: rest.PluginPredicate, Version: Version})
	}
	return p
}

// newConverterFunc adapts the converter factory to the herder.
func newConverterFunc(f *converters.Factory) herder.ConverterFactory {
	return func(class string, props map[string]string, isKey bool) (worker.Converter, error) {
		return f.New(class, props, isKey)
	}
}

// restHerder adapts the herder's plugin and server descriptions to the REST
// layer's types.
type restHerder struct {
	*herder.Herder
	plugins *plugins
}

func (h restHerder) ServerInfo() rest.ServerInfo {
	si := h.Herder.ServerInfo()
	return rest.ServerInfo{Version: si.Version, Commit: si.Commit, KafkaClusterID: si.KafkaClusterID}
}

func (h restHerder) Plugins() []rest.PluginInfo { return h.plugins.infos }
