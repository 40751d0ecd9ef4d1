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
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/tributary-cdc/tributary/internal/app"
	"github.com/tributary-cdc/tributary/internal/bench"
	"github.com/tributary-cdc/tributary/internal/profile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "bench" {
		err = bench.Main(ctx, os.Args[2:])
	} else {
		stopProfiles := profile.Start(os.Getenv(profile.Env))
		err = run(ctx, os.Args[1:])
		stopProfiles()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tributary:", err)
		os.Exit(1)
	}
}

// run starts a worker from the properties file in args, if any, and serves
// until ctx is cancelled.
func run(ctx context.Context, args []string) error {
	opts := app.Options{Environ: os.Environ()}
	switch len(args) {
	case 0:
	case 1:
		opts.ConfigPath = args[0]
	default:
		return errors.New("usage: tributary [worker.properties]")
	}
	a, err := app.New(ctx, opts)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}
