package bench

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// recvlogical drains slot up to endpos with pg_recvlogical into /dev/null.
func (b *bench) recvlogical(ctx context.Context, slot, publication, endpos string) (time.Duration, error) {
	start := time.Now()
	cmd := exec.CommandContext(ctx, filepath.Join(b.pg.BinDir(), "pg_recvlogical"),
		"-h", b.pg.Host(), "-p", strconv.Itoa(b.pg.Port()), "-U", "postgres", "-d", "postgres",
		"--slot", slot, "--start", "--endpos", endpos, "--no-loop", "-f", "/dev/null",
		"-o", "proto_version=1", "-o", "publication_names="+publication)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("running pg_recvlogical: %w\n%s", err, out)
	}
	return time.Since(start), nil
}
