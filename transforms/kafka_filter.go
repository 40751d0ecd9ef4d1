package transforms

import "github.com/tributary-cdc/tributary/connect"

// filter is Kafka's Filter (Filter.java): it drops every record. It has no
// properties and is meant to be applied under a predicate.
type filter struct{}

// NewFilter configures a Filter; like Kafka's, it ignores its properties.
func NewFilter(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return filter{}, nil
}

func (filter) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	return r, false, nil
}
