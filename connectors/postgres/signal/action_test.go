package signal

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Payloads from Debezium 3.5's own tests: AbstractSnapshotTest
// (sendAdHocSnapshotSignal…, sendExecuteSnapshotKafkaSignal),
// AbstractIncrementalSnapshotTest (stop, pause and resume signals),
// SignalProcessorTest and the PostgreSQL SignalsIT (log signals).
func TestParseDebeziumPayloads(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Signal
		want Action
	}{
		{"log", Signal{ID: "1", Type: "log", Data: `{"message": "Signal message at offset '{}'"}`},
			&Log{Message: "Signal message at offset '{}'"}},
		{"log processor", Signal{ID: "log1", Type: "log", Data: `{"message": "signallog {}"}`}, &Log{Message: "signallog {}"}},
		{"incremental", Signal{ID: "ad-hoc", Type: "execute-snapshot", Data: `{"type": "INCREMENTAL","data-collections": ["s1.a"]}`},
			&ExecuteSnapshot{DataCollections: []string{"s1.a"}, SnapshotType: SnapshotIncremental}},
		{"blocking", Signal{ID: "ad-hoc", Type: "execute-snapshot", Data: `{"type": "BLOCKING","data-collections": ["s1.a", "s1.b"]}`},
			&ExecuteSnapshot{DataCollections: []string{"s1.a", "s1.b"}, SnapshotType: SnapshotBlocking}},
		{"kafka signal", Signal{ID: "12345", Type: "execute-snapshot", Data: `{"data-collections": ["s1.a"], "type": "INCREMENTAL"}`},
			&ExecuteSnapshot{DataCollections: []string{"s1.a"}, SnapshotType: SnapshotIncremental}},
		{"default type, lower case", Signal{ID: "x", Type: "execute-snapshot", Data: `{"data-collections": [" public.t "], "type": "blocking"}`},
			&ExecuteSnapshot{DataCollections: []string{"public.t"}, SnapshotType: SnapshotBlocking}},
		{"conditions and surrogate key", Signal{ID: "ad-hoc", Type: "execute-snapshot",
			Data: `{"type": "INCREMENTAL","data-collections": ["s1.a"], "additional-conditions": [{"data-collection": "s1.a", "filter": "aa = 5"}], "surrogate-key": "aa"}`},
			&ExecuteSnapshot{DataCollections: []string{"s1.a"}, SnapshotType: SnapshotIncremental, SurrogateKey: "aa",
				AdditionalConditions: []AdditionalCondition{{DataCollection: "s1.a", Filter: "aa = 5"}}}},
		{"stop some", Signal{ID: "ad-hoc", Type: "stop-snapshot", Data: `{"type": "INCREMENTAL","data-collections": ["s1.a"]}`},
			&StopSnapshot{DataCollections: []string{"s1.a"}, SnapshotType: SnapshotIncremental}},
		{"stop all", Signal{ID: "ad-hoc", Type: "stop-snapshot", Data: `{"type": "INCREMENTAL"}`},
			&StopSnapshot{SnapshotType: SnapshotIncremental}},
		{"pause", Signal{ID: "test-pause", Type: "pause-snapshot", Data: ""}, &PauseSnapshot{}},
		{"resume", Signal{ID: "test-resume", Type: "resume-snapshot", Data: ""}, &ResumeSnapshot{}},
		{"window open", Signal{ID: "w-open", Type: "snapshot-window-open", Data: `{"openWindowTimestamp": "2024-01-01T00:00:00Z"}`}, &SnapshotWindowOpen{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.s)
			if err != nil {
				t.Fatal(err)
			}
			if es, ok := got.(*ExecuteSnapshot); ok {
				for i := range es.AdditionalConditions {
					es.AdditionalConditions[i].match = nil
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
			if got.Type() != tc.s.Type {
				t.Errorf("Type() %q, want %q", got.Type(), tc.s.Type)
			}
		})
	}
}

// Malformed signals are errors naming the signal, in Debezium's words
// where it has them (SignalProcessor, Log, ExecuteSnapshot,
// AbstractSnapshotSignal; SignalProcessorTest's invalid type and data).
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		s    Signal
		want string
	}{
		{Signal{ID: "log1", Type: "invalidType", Data: `{"message": "signallog {}"}`},
			"Signal 'log1' has been received but the type 'invalidType' is not recognized"},
		{Signal{ID: "log1", Type: "log", Data: `{"message: "signallog"}`},
			"Signal 'log1' has been received but the data '{\"message: \"signallog\"}' cannot be parsed"},
		{Signal{ID: "l", Type: "log", Data: `{}`}, "Logging signal 'l' has arrived but the requested field 'message' is missing from data"},
		{Signal{ID: "e", Type: "execute-snapshot", Data: `{"data-collections": []}`},
			"Execute snapshot signal 'e' has arrived but the requested field 'data-collections' is missing from data or is empty"},
		{Signal{ID: "e", Type: "execute-snapshot", Data: `{"data-collections": ["a.b"], "type": "full"}`},
			"Signal 'e': Detected an unexpected snapshot type 'full'. Signal will be skipped."},
		{Signal{ID: "e", Type: "execute-snapshot", Data: `{"data-collections": ["a.(b"]}`}, "Signal 'e': the 'data-collections' entry 'a.(b' is not a valid regular expression"},
		{Signal{ID: "e", Type: "execute-snapshot", Data: `{"data-collections": [1]}`}, "Signal 'e': the entries of 'data-collections' must be strings"},
		{Signal{ID: "e", Type: "execute-snapshot", Data: `{"data-collections": ["a.b"], "additional-conditions": [{"filter": "x"}]}`},
			"Signal 'e': an entry of 'additional-conditions' has no 'data-collection'"},
		{Signal{ID: "e", Type: "execute-snapshot", Data: `{"data-collections": ["a.b"], "additional-condition": "x > 1"}`},
			"Signal 'e': the field 'additional-condition' is no longer supported"},
		{Signal{ID: "s", Type: "schema-changes", Data: `{}`}, "type 'schema-changes' is not supported"},
		{Signal{ID: "p", Type: "pause-snapshot", Data: `[1]`}, "Signal 'p' has been received but the data '[1]' cannot be parsed"},
		{Signal{ID: "p", Type: "pause-snapshot", Data: `{} {}`}, "cannot be parsed"},
	} {
		_, err := Parse(tc.s)
		var se *Error
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%+v): %v, want an *Error containing %q", tc.s, err, tc.want)
			continue
		}
		if se.ID != tc.s.ID {
			t.Errorf("error ID %q, want %q", se.ID, tc.s.ID)
		}
	}
}

// Data collections are matched whole and case-sensitively against the
// known tables; a pattern matching none stands for itself; conditions
// match case-insensitively, the first one winning.
func TestExpandDataCollectionsAndFilters(t *testing.T) {
	tables := []string{"public.a", "public.ab", "inventory.a", "Public.A"}
	got := ExpandDataCollections([]string{"public.a.*", "inventory\\.a", "public.a", "none.x"}, tables)
	want := []string{"public.a", "public.ab", "inventory.a", "none.x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("expanded %q, want %q", got, want)
	}
	if got := ExpandDataCollections([]string{"public"}, tables); !reflect.DeepEqual(got, []string{"public"}) {
		t.Errorf("a partial match expanded to %q", got)
	}
	a, err := Parse(Signal{ID: "x", Type: TypeExecuteSnapshot, Data: `{"data-collections": ["public.*"], "additional-conditions": [
		{"data-collection": "PUBLIC\\.A", "filter": "id > 1"}, {"data-collection": "public\\..*", "filter": "id > 2"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	es := a.(*ExecuteSnapshot)
	for coll, want := range map[string]string{"public.a": "id > 1", "public.ab": "id > 2", "inventory.a": "", "public.a.b": "id > 2"} {
		if got := es.FilterFor(coll); got != want {
			t.Errorf("FilterFor(%s) = %q, want %q", coll, got, want)
		}
	}
}

func TestFormatLog(t *testing.T) {
	for msg, want := range map[string]string{
		"Signal message at offset '{}'": "Signal message at offset '{lsn=1}'",
		"no anchor":                     "no anchor",
		"two {} {}":                     "two {lsn=1} {}",
		`escaped \{} then {}`:           "escaped {} then {lsn=1}",
	} {
		if got := FormatLog(msg, "{lsn=1}"); got != want {
			t.Errorf("FormatLog(%q) = %q, want %q", msg, got, want)
		}
	}
}

// FuzzParse: no data makes Parse panic, and every refusal is an *Error
// naming the signal.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"message": "signallog {}"}`, `{"data-collections": ["s1.a"], "type": "INCREMENTAL"}`,
		`{"type": "BLOCKING","data-collections": ["s1.a"], "additional-conditions": [{"data-collection": "s1.a", "filter": "aa = 5"}], "surrogate-key": "aa"}`,
		`{"type": "INCREMENTAL"}`, ``, `null`, `[]`, `{"data-collections": [null]}`, `{"additional-conditions": [null]}`,
		`{"data-collections": ["(?<n>x)"]}`, `{"data-collections": ["[a&&b]"]}`,
	} {
		for _, typ := range []string{TypeLog, TypeExecuteSnapshot, TypeStopSnapshot, TypePauseSnapshot} {
			f.Add(typ, seed)
		}
	}
	f.Fuzz(func(t *testing.T, typ, data string) {
		a, err := Parse(Signal{ID: "fuzz", Type: typ, Data: data})
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.ID != "fuzz" {
				t.Fatalf("error %v is not an *Error naming the signal", err)
			}
			return
		}
		if a == nil || a.Type() != typ {
			t.Fatalf("action %#v for type %q", a, typ)
		}
		if es, ok := a.(*ExecuteSnapshot); ok {
			for _, c := range es.AdditionalConditions {
				c.Matches("public.t")
			}
		}
	})
}
