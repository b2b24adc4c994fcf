package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// process is a server the runner started: the portal binary, or the floor.
type process struct {
	cmd   *exec.Cmd
	url   string
	ready time.Duration // from start to the first 200 on /readyz
	done  chan error
}

// freeAddr returns a free loopback address.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startProcess starts argv with env added to the environment, its output going to log, and waits
// until /readyz answers 200 (at most 30 s).
func startProcess(ctx context.Context, argv []string, env []string, addr string, log io.Writer) (*process, error) {
	cmd := exec.Command(argv[0], argv[1:]...) // #nosec G204 -- our own builds (the portal and benchrun's floor), named by the Makefile
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, url: "http://" + addr, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("%s exited before it was ready: %v", argv[0], err)
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		default:
		}
		if resp, err := client.Get(p.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.ready = time.Since(start)
				return p, nil
			}
		}
		if time.Since(start) > 30*time.Second {
			p.stop()
			return nil, fmt.Errorf("%s was not ready after 30 s", argv[0])
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop sends SIGINT and waits (then kills after 10 s).
func (p *process) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// rssSampler samples the resident set size of a process from /proc every 100 ms.
type rssSampler struct {
	pid  int
	mu   sync.Mutex
	max  int64
	last int64
	stop chan struct{}
	done chan struct{}
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, err := readRSS(pid); err == nil {
				s.mu.Lock()
				s.last, s.max = kb, max(s.max, kb)
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// peak returns the largest and the latest RSS seen, in bytes, and resets the peak.
func (s *rssSampler) peak() (peak, last int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	peak, last = s.max*1024, s.last*1024
	s.max = s.last
	return peak, last
}

func (s *rssSampler) close() {
	close(s.stop)
	<-s.done
}

// readRSS reads VmRSS (kB) from /proc/<pid>/status.
func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}
