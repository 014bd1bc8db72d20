package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for cnisim: with CNISIM_TEST_MAIN=1
// it runs the CLI on its arguments (the re-exec pattern), so the signal
// tests drive a real process without building one.
func TestMain(m *testing.M) {
	if os.Getenv("CNISIM_TEST_MAIN") == "1" {
		os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// A run interrupted by SIGINT or SIGTERM stops after the replications in
// flight, says how many completed, exits 128 + the signal's number and
// leaves no file behind (not even a temporary one).
func TestSignalStopsRunCleanly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX signals")
	}
	if testing.Short() {
		t.Skip("runs the simulator in a subprocess")
	}
	for _, c := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{{syscall.SIGINT, "SIGINT", 130}, {syscall.SIGTERM, "SIGTERM", 143}} {
		t.Run(c.name, func(t *testing.T) {
			wd := t.TempDir()
			sc := filepath.Join(wd, "long.toml")
			// About 0.1 s of CPU per replication, 300 of them: the signal
			// arrives long before the end.
			text := strings.Replace(goodScenario, `duration = "20ms"`, `duration = "2s"`, 1)
			if err := os.WriteFile(sc, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(wd, "out")
			cmd := exec.Command(os.Args[0], "run", sc, "--reps", "300", "--parallel", "1", "--progress", "--out", out)
			cmd.Env = append(os.Environ(), "CNISIM_TEST_MAIN=1")
			cmd.Dir = wd
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			pipe, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for the progress bar (drawn after one second of running:
			// the handler is installed and replications are done), then
			// signal.
			var stderr bytes.Buffer
			started := make(chan struct{})
			var once sync.Once
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := bufio.NewReader(pipe)
				for {
					b, err := r.ReadByte()
					if err != nil {
						return
					}
					stderr.WriteByte(b)
					if strings.Contains(stderr.String(), "/300 replications") {
						once.Do(func() { close(started) })
					}
				}
			}()
			select {
			case <-started:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatal("no progress after 60 s")
			}
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { wg.Wait(); waited <- cmd.Wait() }()
			var werr error
			select {
			case werr = <-waited:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatal("did not stop within 60 s of the signal")
			}
			var ee *exec.ExitError
			if !errors.As(werr, &ee) || ee.ExitCode() != c.code {
				t.Fatalf("exit %v, want code %d\nstderr: %s", werr, c.code, stderr.String())
			}
			msg := stderr.String()
			for _, w := range []string{"interrupted (" + c.name + ") after ", " of 300 replications", "nothing written"} {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr lacks %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "goroutine ") || strings.Contains(msg, "panic:") {
				t.Errorf("stack trace on stderr:\n%s", msg)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout: %q", stdout.String())
			}
			ents, _ := os.ReadDir(wd)
			if len(ents) != 1 || ents[0].Name() != "long.toml" {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("files left after the interrupted run: %v", names)
			}
		})
	}
}

// Interrupted runs print their message and the signal's exit code through
// exitCode, the path every command shares.
func TestExitCodeOfSignal(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	err := errors.Join(errors.New("interrupted"), &signalled{syscall.SIGTERM})
	if code := exitCode(err, "run", &b); code != 143 {
		t.Errorf("exit %d, want 143", code)
	}
	if !strings.Contains(b.String(), "cnisim run: interrupted") {
		t.Errorf("stderr %q", b.String())
	}
}
