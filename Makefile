GO      ?= go
BINARY  ?= tributary
# Bounds for the whole suite; CI allows 90 minutes, the suite takes a few.
TEST_TIMEOUT ?= 20m
# golangci-lint, installed by scripts/install-deps at this version.
GOLANGCI_LINT ?= $(CURDIR)/.cache/bin/golangci-lint

.PHONY: all build test test-allocs test-short deps vet lint bench bench-trigger faults budget-scale fuzz-short clean

all: build

build:
	$(GO) build -o $(BINARY) .

deps:
	scripts/install-deps

vet:
	$(GO) vet ./...

# errcheck, staticcheck, revive and depguard, which holds the layering
# rules (.golangci.yml).
lint: deps
	$(GOLANGCI_LINT) run ./...

# The test command: installs missing system packages and tools, lints,
# then runs every test (unit, integration against a private PostgreSQL and
# an in-process broker, and the end-to-end tests of the built binary checked
# with kcat, kafkajs and other clients we did not write).
test: deps vet lint
	$(GO) test -race -shuffle=on -timeout $(TEST_TIMEOUT) ./...
	$(GO) test -count=1 -run 'Allocs$$' -timeout 5m ./...

# Allocation ceilings of the per-event paths (testing.AllocsPerRun), also
# run by make test without the race detector.
test-allocs:
	$(GO) test -count=1 -run 'Allocs$$' -v -timeout 5m ./... | grep -E '^(=== RUN|--- |ok|FAIL)'

# What needs no PostgreSQL, kcat, node or built binary: a quick loop.
test-short:
	$(GO) test -short -timeout 5m ./...

# End-to-end benchmarks against references measured in the same run
# (pg_recvlogical, the walsender's own limit, the produce ceiling of the
# same bytes with sarama and kgo, COPY), each the median of interleaved runs,
# with the broker embedded and in its own process; rewrites the results
# section of BENCHMARKS.md with the targets table. `make test` runs a tiny
# version of the same command (TestBenchCommandSmall).
BENCH_FLAGS ?=
bench: deps build
	./$(BINARY) bench -out BENCHMARKS.md $(BENCH_FLAGS)

# The scale scenario: 50 connectors on 3 workers (broker in its own process),
# eager against sessioned; rewrites the scale section of BENCHMARKS.md.
# `make test` runs 2 connectors on 2 workers (TestScaleScenarioSmall).
.PHONY: bench-scale
SCALE_FLAGS ?=
bench-scale: deps build
	./$(BINARY) bench -scenarios scale -out BENCHMARKS.md $(SCALE_FLAGS)

# The trigger connector's write overhead (pgbench TPS without and with the
# capture triggers) and capture rate; rewrites its section of BENCHMARKS.md.
# `make test` runs a 2-second version (TestTriggerBench).
TRIGGER_BENCH_SECONDS ?= 30
.PHONY: bench-trigger
bench-trigger: deps
	TRIGGER_BENCH_SECONDS=$(TRIGGER_BENCH_SECONDS) TRIGGER_BENCH_OUT=$(CURDIR)/BENCHMARKS.md $(GO) test -count=1 -timeout 30m -run '^TestTriggerBench$$' -v ./connectors/pgtrigger/

# Fault-injection loops with the delivery validator; rewrites the results
# table of RELIABILITY.md. `make test` runs each scenario once.
FAULT_LOOPS ?= 10
faults: deps
	FAULT_LOOPS=$(FAULT_LOOPS) FAULT_REPORT=$(CURDIR)/RELIABILITY.md $(GO) test -count=1 -timeout 60m -run '^TestFault' -v ./e2e/ | grep -v ' time='

# The worker memory budget at the issue's size: 40 tasks × 5,000 rows under a
# 256 MiB memory limit, the broker in its own process; reports the peak
# resident memory and the throughput. `make test` runs 10 tasks × 2,000 rows.
budget-scale: deps
	MEMORY_BUDGET_SCALE=1 $(GO) test -count=1 -timeout 30m -run '^TestEndToEndMemoryBudget$$' -v ./e2e/ | grep -v ' time='

# A short run of every fuzz target beyond its checked-in corpus.
FUZZTIME ?= 20s
fuzz-short:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -f $(BINARY)
