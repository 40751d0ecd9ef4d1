package docs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/workerconfig"
	"github.com/tributary-cdc/tributary/connectors/pgnotify"
	"github.com/tributary-cdc/tributary/connectors/pgtrigger"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/timescaledb"
	"github.com/tributary-cdc/tributary/schema/converters"
	"github.com/tributary-cdc/tributary/transforms"
)

// Tables returns the Markdown of every generated section, by marker name.
func Tables() map[string]string {
	return map[string]string{
		"worker":     workerconfig.Def.Markdown(),
		"producer":   kafkaclient.PrefixedProducerDef(kafkaclient.WorkerProducerPrefix).Markdown(),
		"connector":  connect.SourceConnectorConfigDef.Markdown(),
		"postgres":   postgres.New().ConfigDef().Markdown(),
		"pgnotify":   pgnotify.New().ConfigDef().Markdown(),
		"pgtrigger":  pgtrigger.New().ConfigDef().Markdown(),
		"transforms": pluginTables(),
		"converters": converterTables(),
	}
}

// classDef is one table and the classes it describes.
type classDef struct {
	classes []string
	def     *configdef.Def
}

// group lists each Def once, with every class that declares it.
func group(out []classDef, class string, def *configdef.Def) []classDef {
	if i := slices.IndexFunc(out, func(c classDef) bool { return c.def == def }); i >= 0 {
		out[i].classes = append(out[i].classes, class)
		return out
	}
	return append(out, classDef{classes: []string{class}, def: def})
}

func render(b *strings.Builder, defs []classDef) {
	for _, d := range defs {
		names := make([]string, len(d.classes))
		for i, c := range d.classes {
			names[i] = "`" + c + "`"
		}
		fmt.Fprintf(b, "<details><summary>%s</summary>\n\n", strings.Join(names, ", "))
		if len(d.def.Keys()) == 0 {
			b.WriteString("No properties.\n")
		} else {
			b.WriteString(d.def.Markdown())
		}
		b.WriteString("\n</details>\n")
	}
}

func pluginTables() string {
	var defs []classDef
	for _, p := range append(transforms.Plugins(), timescaledb.Plugin()) {
		defs = group(defs, p.Class, p.Config)
	}
	for _, p := range transforms.PredicatePlugins() {
		defs = group(defs, p.Class, p.Config)
	}
	var b strings.Builder
	render(&b, defs)
	return b.String()
}

func converterTables() string {
	var defs []classDef
	for _, c := range converters.Classes {
		defs = group(defs, c, converters.ConfigDef(c))
	}
	var b strings.Builder
	render(&b, defs)
	return b.String()
}

// Render returns readme with every marked section replaced by its table.
// A marker without its section, or a section without its markers, is an
// error.
func Render(readme string) (string, error) {
	tables := Tables()
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		begin, end := "<!-- BEGIN configdef "+name+" -->\n", "<!-- END configdef "+name+" -->"
		i := strings.Index(readme, begin)
		j := strings.Index(readme, end)
		if i < 0 || j < i {
			return "", fmt.Errorf("README has no %q … %q section", strings.TrimSpace(begin), end)
		}
		readme = readme[:i+len(begin)] + tables[name] + readme[j:]
	}
	return readme, nil
}
