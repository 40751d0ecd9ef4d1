// Command tributary is a Kafka Connect worker with a Debezium-compatible
// PostgreSQL source connector built in.
//
// Usage:
//
//	tributary [worker.properties]
//	tributary bench [flags]     measure throughput, latency and memory
//
// With no bootstrap.servers configured it also runs an embedded
// Kafka-protocol broker, so a bare `tributary` is a complete system.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "bench" {
		err = benchMain(ctx, os.Args[2:])
	} else {
		stopProfiles := startProfiles(os.Getenv(profileEnv))
		err = run(ctx, os.Args[1:], os.Environ())
		stopProfiles()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tributary:", err)
		os.Exit(1)
	}
}
