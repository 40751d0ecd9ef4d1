package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
)

// waitTimeout bounds every wait on the database or the task.
const waitTimeout = 30 * time.Second

// offsetStore is an in-memory TaskContext: the committed offsets of one
// connector, stored as the runtime does (JSON round trip).
type offsetStore struct {
	mu      sync.Mutex
	offsets map[string]map[string]any
	// log, when set, is the task's logger.
	log *slog.Logger
}

func newOffsetStore() *offsetStore { return &offsetStore{offsets: map[string]map[string]any{}} }

func partitionKey(p map[string]any) string {
	b, _ := json.Marshal(p)
	return string(b)
}

func (s *offsetStore) Offset(_ context.Context, partition map[string]any) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.offsets[partitionKey(partition)]), nil
}

func (s *offsetStore) Logger() *slog.Logger {
	if s.log != nil {
		return s.log
	}
	return slog.New(slog.DiscardHandler)
}

// store writes an offset as the runtime would: through JSON, so numbers come
// back as float64.
func (s *offsetStore) store(t testing.TB, partition, offset map[string]any) {
	t.Helper()
	b, err := json.Marshal(offset)
	if err != nil {
		t.Fatalf("encoding offset: %v", err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatalf("decoding offset: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offsets[partitionKey(partition)] = decoded
}

// harness drives one task against a pgtest server.
type harness struct {
	t      *testing.T
	pg     *pgtest.Server
	config map[string]string
	store  *offsetStore
	task   *postgres.Task
	// rest holds polled records not yet handed to the test.
	rest []connect.SourceRecord
	// inFlight holds the polled records, offset-only ones included, that
	// no commit has covered yet, in poll order.
	inFlight []connect.SourceRecord
	// committed holds the offsets committed, in order, over every run.
	committed []map[string]any
	// newTask makes the task start runs; nil for the logical-replication
	// connector's.
	newTask func() *postgres.Task
}

func newHarness(t *testing.T, pg *pgtest.Server, extra map[string]string) *harness {
	config := map[string]string{
		"connector.class":   postgres.ConnectorClass,
		"topic.prefix":      "dbserver1",
		"database.hostname": pg.Host(),
		"database.port":     strconv.Itoa(pg.Port()),
		"database.user":     "postgres",
		"database.dbname":   "postgres",
		"plugin.name":       "pgoutput",
		// Status updates every 100 ms keep confirmation tests short.
		"status.update.interval.ms": "100",
		// A restarted task retries a slot still held by the old walsender.
		"slot.retry.delay.ms": "100",
		"slot.max.retries":    "50",
	}
	maps.Copy(config, extra)
	return &harness{t: t, pg: pg, config: config, store: newOffsetStore()}
}

// start starts a fresh task; it is stopped at the end of the test.
func (h *harness) start() {
	h.t.Helper()
	task := postgres.New().NewTask().(*postgres.Task)
	if h.newTask != nil {
		task = h.newTask()
	}
	ctx, cancel := context.WithTimeout(h.t.Context(), waitTimeout)
	defer cancel()
	if err := task.Start(ctx, h.store, h.config); err != nil {
		h.t.Fatalf("starting task: %v", err)
	}
	h.task = task
	h.rest = nil
	h.inFlight = nil
	h.t.Cleanup(func() { _ = task.Stop() })
}

func (h *harness) stop() {
	h.t.Helper()
	if err := h.task.Stop(); err != nil {
		h.t.Fatalf("stopping task: %v", err)
	}
}

// poll returns exactly n records, failing the test if they do not arrive in
// time or Poll fails.
func (h *harness) poll(n int) []connect.SourceRecord {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.t.Context(), waitTimeout)
	defer cancel()
	out := h.rest
	h.rest = nil
	for len(out) < n {
		recs, err := h.task.Poll(ctx)
		if err != nil {
			h.t.Fatalf("polling after %d of %d records: %v", len(out), n, err)
		}
		out = append(out, h.records(recs)...)
	}
	if len(out) != n {
		h.t.Fatalf("polled %d records, want %d:\n%s", len(out), n, describe(out))
	}
	return out
}

// pollUntil polls until a record satisfies done and returns every record
// polled, that one included.
func (h *harness) pollUntil(done func(connect.SourceRecord) bool) []connect.SourceRecord {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.t.Context(), waitTimeout)
	defer cancel()
	var out []connect.SourceRecord
	recs := h.rest
	h.rest = nil
	for {
		for i, r := range recs {
			out = append(out, r)
			if done(r) {
				h.rest = recs[i+1:]
				return out
			}
		}
		polled, err := h.task.Poll(ctx)
		if err != nil {
			h.t.Fatalf("polling after %d records: %v\n%s", len(out), err, describe(out))
		}
		recs = h.records(polled)
	}
}

// records hands the polled records that have a topic to the test. Like the
// runtime, it commits an offset-only record (a position marker, the end of
// an empty snapshot) once every record polled before it is committed.
func (h *harness) records(recs []connect.SourceRecord) []connect.SourceRecord {
	h.t.Helper()
	out := recs[:0:0]
	for _, r := range recs {
		h.inFlight = append(h.inFlight, r)
		if r.Topic != "" {
			out = append(out, r)
		}
	}
	h.commitOffsetOnly()
	return out
}

// commit makes r durable as the runtime would under connect.SourceTask's
// commit contract: r and every record polled before it are now in Kafka,
// and their offsets are committed in poll order, together with the
// offset-only records between them and up to the next record. Committing
// a record a commit has already covered is a test error.
func (h *harness) commit(r connect.SourceRecord) {
	h.t.Helper()
	i := slices.IndexFunc(h.inFlight, func(p connect.SourceRecord) bool { return sameRecord(p, r) })
	if i < 0 {
		h.t.Fatalf("committing a record that is not in flight (committed already, or polled before a committed one):\n%s",
			describe([]connect.SourceRecord{r}))
	}
	for _, p := range h.inFlight[:i] {
		if p.Topic == "" {
			h.commitOffset(p)
		}
	}
	h.commitOffset(r)
	h.inFlight = h.inFlight[i+1:]
	h.commitOffsetOnly()
}

// commitOffsetOnly commits the offset-only records no uncommitted record
// precedes.
func (h *harness) commitOffsetOnly() {
	h.t.Helper()
	for len(h.inFlight) > 0 && h.inFlight[0].Topic == "" {
		h.commitOffset(h.inFlight[0])
		h.inFlight = h.inFlight[1:]
	}
}

// commitOffset stores r's offset and tells the task.
func (h *harness) commitOffset(r connect.SourceRecord) {
	h.t.Helper()
	h.committed = append(h.committed, r.SourceOffset)
	h.store.store(h.t, r.SourcePartition, r.SourceOffset)
	if err := h.task.Commit(h.t.Context(), r.SourcePartition, r.SourceOffset); err != nil {
		h.t.Fatalf("committing: %v", err)
	}
}

// committedFlush is the highest LSN the offsets committed so far let the
// slot confirm (lsn_commit, else lsn_proc).
func (h *harness) committedFlush() uint64 {
	var top int64
	for _, o := range h.committed {
		lsn, ok := o["lsn_commit"].(int64)
		if !ok {
			lsn, _ = o["lsn_proc"].(int64)
		}
		top = max(top, lsn)
	}
	return uint64(top)
}

// sameRecord reports whether a and b are the same polled record: records
// share offset maps, keys and topics, but not all of them with the same
// value.
func sameRecord(a, b connect.SourceRecord) bool {
	return a.Topic == b.Topic && identical(a.SourceOffset, b.SourceOffset) && identical(a.Key, b.Key) && identical(a.Value, b.Value)
}

// identical compares pointers and maps by identity, anything else by value.
func identical(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if !va.IsValid() || !vb.IsValid() {
		return va.IsValid() == vb.IsValid()
	}
	if va.Type() != vb.Type() {
		return false
	}
	switch va.Kind() {
	case reflect.Pointer, reflect.Map:
		return va.UnsafePointer() == vb.UnsafePointer()
	}
	return reflect.DeepEqual(a, b)
}

// awaitConfirmedAtLeast waits until slot's confirmed_flush_lsn reaches
// want, polling meanwhile as the runtime does: position markers are
// committed as they come, other records kept for the test.
func (h *harness) awaitConfirmedAtLeast(slot string, want uint64) uint64 {
	h.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		if got := confirmedFlush(h.t, h.pg, slot); got >= want {
			return got
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("confirmed_flush_lsn of %s is %s, want >= %s", slot,
				pglogrepl.LSN(confirmedFlush(h.t, h.pg, slot)), pglogrepl.LSN(want))
		}
		h.pollBriefly()
	}
}

// pollBriefly polls once for a little while, as the runtime does between
// the test's checks: position markers are committed, other records kept
// for the test.
func (h *harness) pollBriefly() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.t.Context(), 20*time.Millisecond)
	defer cancel()
	recs, err := h.task.Poll(ctx)
	if err != nil && ctx.Err() == nil {
		h.t.Fatalf("polling: %v", err)
	}
	h.rest = append(h.rest, h.records(recs)...)
}

// confirmedFlush reads the slot's confirmed_flush_lsn.
func confirmedFlush(t *testing.T, pg *pgtest.Server, slot string) uint64 {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(t.Context(), "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1", slot).Scan(&s); err != nil {
		t.Fatalf("reading slot %s: %v", slot, err)
	}
	lsn, err := pglogrepl.ParseLSN(s)
	if err != nil {
		t.Fatalf("parsing %q: %v", s, err)
	}
	return uint64(lsn)
}

// waitConfirmed waits until the slot's confirmed_flush_lsn equals want.
func waitConfirmed(t *testing.T, pg *pgtest.Server, slot string, want uint64) {
	t.Helper()
	waitConfirmedFunc(t, pg, slot, "= "+pglogrepl.LSN(want).String(), func(got uint64) bool { return got == want })
}

// waitConfirmedAtLeast waits until the slot's confirmed_flush_lsn reaches
// want and returns it.
func waitConfirmedAtLeast(t *testing.T, pg *pgtest.Server, slot string, want uint64) uint64 {
	t.Helper()
	return waitConfirmedFunc(t, pg, slot, ">= "+pglogrepl.LSN(want).String(), func(got uint64) bool { return got >= want })
}

// waitConfirmedFunc waits until ok accepts the slot's confirmed_flush_lsn.
func waitConfirmedFunc(t *testing.T, pg *pgtest.Server, slot, want string, ok func(uint64) bool) uint64 {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		got := confirmedFlush(t, pg, slot)
		if ok(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("confirmed_flush_lsn of %s is %s, want %s", slot, pglogrepl.LSN(got), want)
		}
		<-tick.C
	}
}

// --- record accessors ---

func valueStruct(t testing.TB, r connect.SourceRecord) *schema.Struct {
	t.Helper()
	v, ok := r.Value.(*schema.Struct)
	if !ok {
		t.Fatalf("value of record on %s is %T, want *schema.Struct", r.Topic, r.Value)
	}
	return v
}

func op(t testing.TB, r connect.SourceRecord) string {
	t.Helper()
	if r.Value == nil {
		return "tombstone"
	}
	return valueStruct(t, r).Get("op").(string)
}

func sourceField(t testing.TB, r connect.SourceRecord, name string) any {
	t.Helper()
	return valueStruct(t, r).Get("source").(*schema.Struct).Get(name)
}

func after(t testing.TB, r connect.SourceRecord) *schema.Struct {
	t.Helper()
	a, _ := valueStruct(t, r).Get("after").(*schema.Struct)
	return a
}

func before(t testing.TB, r connect.SourceRecord) *schema.Struct {
	t.Helper()
	b, _ := valueStruct(t, r).Get("before").(*schema.Struct)
	return b
}

func keyOf(r connect.SourceRecord) any {
	if k, ok := r.Key.(*schema.Struct); ok {
		return k.Values
	}
	return r.Key
}

func offsetInt(t testing.TB, r connect.SourceRecord, key string) int64 {
	t.Helper()
	v, ok := r.SourceOffset[key].(int64)
	if !ok {
		t.Fatalf("offset %s is %T (%v), want int64", key, r.SourceOffset[key], r.SourceOffset[key])
	}
	return v
}

func describe(recs []connect.SourceRecord) string {
	s := ""
	for _, r := range recs {
		opName := "tombstone"
		var row any
		if v, ok := r.Value.(*schema.Struct); ok {
			opName = v.Get("op").(string)
			if a, ok := v.Get("after").(*schema.Struct); ok {
				row = a.Values
			} else if b, ok := v.Get("before").(*schema.Struct); ok {
				row = b.Values
			}
		}
		s += fmt.Sprintf("  %s %s key=%v row=%v offset=%v\n", r.Topic, opName, keyOf(r), row, r.SourceOffset)
	}
	return s
}
