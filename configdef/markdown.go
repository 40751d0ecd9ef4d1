package configdef

import (
	"strings"
)

// Markdown renders the keys as Kafka's ConfigDef.toHtmlTable does, as a
// Markdown table: Name, Description, Type, Default, Valid Values and
// Importance, in Sorted order, internal keys left out. A required key has
// an empty default, a null one "null" and an empty string `""`.
func (d *Def) Markdown() string {
	var b strings.Builder
	b.WriteString("| Name | Description | Type | Default | Valid Values | Importance |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, k := range d.Sorted() {
		if k.Internal {
			continue
		}
		def := ""
		switch {
		case k.Required():
		case k.Default == nil:
			def = "null"
		default:
			if def = *ToString(k.Default); def == "" {
				def = `""`
			}
		}
		valid := ""
		if k.Validator != nil {
			valid = k.Validator.String()
		}
		cells := []string{"`" + k.Name + "`", k.Documentation, strings.ToLower(string(k.Type)), def, valid,
			strings.ToLower(string(k.Importance))}
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + cell(c) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// htmlInDocs turns the HTML of Kafka's documentation strings into
// Markdown: <code>x</code> becomes `x`, line and paragraph breaks spaces.
var htmlInDocs = strings.NewReplacer("<code>", "`", "</code>", "`", "<br/>", " ", "<p/>", " ", "<p>", " ")

// cell makes s safe in a Markdown table cell: one line, pipes escaped,
// other angle brackets shown as text.
func cell(s string) string {
	s = htmlInDocs.Replace(s)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
	return s
}
