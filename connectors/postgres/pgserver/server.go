package pgserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/sys/unix"
)

// startTimeout bounds how long Launch waits for the postmaster to accept
// connections.
const startTimeout = 30 * time.Second

// Server is one running PostgreSQL cluster.
type Server struct {
	bin     string
	dir     string // root of the cluster's files, removed on cleanup
	dataDir string
	sockDir string
	logPath string
	cred    *syscall.Credential
	// settings are the -c arguments Launch was given, kept for Restart.
	settings []string

	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Launch initialises and starts a cluster in a new directory. Close stops it
// and removes its files. Each of settings is a name=value server setting
// passed on the command line after the defaults, which it overrides (as in
// "max_replication_slots=10").
func Launch(settings ...string) (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, fmt.Errorf("finding PostgreSQL binaries: %w", err)
	}
	// A short root keeps the unix socket path under its 107-byte limit.
	dir, err := os.MkdirTemp(baseDir(), "pgtest")
	if err != nil {
		return nil, fmt.Errorf("creating cluster dir: %w", err)
	}
	s := &Server{
		bin:     bin,
		dir:     dir,
		dataDir: filepath.Join(dir, "data"),
		sockDir: filepath.Join(dir, "sock"),
		logPath: filepath.Join(dir, "postgres.log"),
	}
	for _, kv := range settings {
		if !strings.Contains(kv, "=") {
			s.Close()
			return nil, fmt.Errorf("server setting %q is not name=value", kv)
		}
		s.settings = append(s.settings, "-c", kv)
	}
	for _, step := range []func() error{s.prepareDirs, s.initData, s.start} {
		if err := step(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close stops the server and removes its files.
func (s *Server) Close() {
	s.Stop()
	_ = os.RemoveAll(s.dir)
}

// Host is the address the server listens on.
func (s *Server) Host() string { return "127.0.0.1" }

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// BinDir is the directory of the PostgreSQL binaries the server runs.
func (s *Server) BinDir() string { return s.bin }

// DSN is a connection URL for database db as user postgres.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@%s:%d/%s?sslmode=disable", s.Host(), s.port, db)
}

// Exec runs each statement on database "postgres", stopping at the first
// error.
func (s *Server) Exec(ctx context.Context, sql ...string) error {
	conn, err := pgconn.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	for _, q := range sql {
		if _, err := conn.Exec(ctx, q).ReadAll(); err != nil {
			return fmt.Errorf("executing %q: %w", q, err)
		}
	}
	return nil
}

// Stop shuts the server down (fast shutdown) and waits for it to exit. The
// data directory is kept, so Restart can bring the cluster back.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.done:
		case <-time.After(startTimeout):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	s.cmd = nil
}

// Restart stops the server if it runs and starts it again on the same port
// with the same data.
func (s *Server) Restart() error {
	s.Stop()
	if err := s.start(); err != nil {
		return fmt.Errorf("restarting: %w", err)
	}
	return nil
}

func (s *Server) prepareDirs() error {
	if err := os.Mkdir(s.sockDir, 0o700); err != nil {
		return fmt.Errorf("creating socket dir: %w", err)
	}
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("looking up the postgres OS user: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return fmt.Errorf("parsing uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return fmt.Errorf("parsing gid %q: %w", u.Gid, err)
	}
	s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	for _, d := range []string{s.dir, s.sockDir} {
		if err := os.Chown(d, int(uid), int(gid)); err != nil {
			return fmt.Errorf("chowning %s: %w", d, err)
		}
	}
	return nil
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGQUIT, Credential: s.cred}
	return cmd
}

// initData fills the data directory from a cached, freshly initialised
// template (initdb is the slow part of starting a cluster).
func (s *Server) initData() error {
	tmpl, err := s.template()
	if err != nil {
		return err
	}
	if err := copyTree(tmpl, s.dataDir, s.cred); err != nil {
		return fmt.Errorf("copying the template cluster: %w", err)
	}
	return nil
}

// template returns the data directory of a template cluster for these
// binaries, running initdb once. The template lives under baseDir() and is
// shared by test processes of the same user; it is created under a unique
// name and renamed into place, so concurrent creators never see half of it.
func (s *Server) template() (string, error) {
	key := strings.NewReplacer("/", "_").Replace(s.bin)
	dir := filepath.Join(baseDir(), fmt.Sprintf("tributary-pgtest-%d%s", os.Geteuid(), key))
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		return dir, nil
	}
	build, err := os.MkdirTemp(baseDir(), "tributary-pgtest-build")
	if err != nil {
		return "", fmt.Errorf("creating template dir: %w", err)
	}
	defer func() { _ = os.RemoveAll(build) }()
	if s.cred != nil {
		if err := os.Chown(build, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return "", fmt.Errorf("chowning template dir: %w", err)
		}
	}
	data := filepath.Join(build, "data")
	cmd := s.command("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync", "--no-instructions")
	cmd.Dir = build
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("running initdb: %w\n%s", err, out)
	}
	if err := os.Rename(data, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "PG_VERSION")); statErr == nil {
			return dir, nil // another process won the race
		}
		return "", fmt.Errorf("installing the template cluster: %w", err)
	}
	return dir, nil
}

// copyTree copies a data directory, keeping modes, owned by cred's user
// when set.
func copyTree(src, dst string, cred *syscall.Credential) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, info.Mode().Perm()); err != nil {
				return err
			}
		case info.Mode().IsRegular():
			if err := copyFile(path, target, info.Mode().Perm()); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unexpected file %s in template", path)
		}
		if cred != nil {
			return os.Lchown(target, int(cred.Uid), int(cred.Gid))
		}
		return nil
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// start launches the postmaster and waits until it accepts connections. The
// first start picks a free port; a port taken in the meantime is retried.
func (s *Server) start() error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if s.port == 0 || attempt > 0 {
			if s.port, err = freePort(); err != nil {
				return err
			}
		}
		if err = s.launch(); err == nil {
			return nil
		}
	}
	return err
}

func (s *Server) launch() error {
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("opening log: %w", err)
	}
	defer logFile.Close()
	args := []string{"-D", s.dataDir, "-p", strconv.Itoa(s.port), "-k", s.sockDir,
		"-c", "listen_addresses=127.0.0.1", "-c", "wal_level=logical",
		"-c", "max_wal_senders=30", "-c", "max_replication_slots=30",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"}
	cmd := s.command("postgres", append(args, s.settings...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	s.cmd, s.done = cmd, done
	if err := s.waitReady(); err != nil {
		s.Stop()
		return fmt.Errorf("%w\n%s", err, s.logTail())
	}
	return nil
}

// waitReady polls until the server accepts a connection, the process exits,
// or the deadline passes.
func (s *Server) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, time.Second)
		conn, err := pgconn.Connect(attempt, s.DSN("postgres"))
		cancelAttempt()
		if err == nil {
			_ = conn.Close(context.Background())
			return nil
		}
		select {
		case <-s.done:
			return errors.New("postgres exited during startup")
		case <-ctx.Done():
			return fmt.Errorf("waiting for postgres to accept connections: %w", err)
		case <-tick.C:
		}
	}
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// baseDir is where clusters live: $PGTEST_TMPDIR, else /dev/shm when it is
// a writable directory (a tmpfs makes copying and fsync-free writes fast),
// else os.TempDir().
func baseDir() string {
	if d := os.Getenv("PGTEST_TMPDIR"); d != "" {
		return d
	}
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() && unix.Access("/dev/shm", unix.W_OK) == nil {
		return "/dev/shm"
	}
	return os.TempDir()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// binDir finds the directory holding initdb and postgres.
func binDir() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d, nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", fmt.Errorf("initdb not found: set PG_BIN: %w", err)
	}
	return filepath.Dir(p), nil
}

// pgMajor extracts N from /usr/lib/postgresql/N/bin.
func pgMajor(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}
