package bench

import (
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
)

// stmtProxy sits between the portal and PostgreSQL and counts what the portal sends: statements
// (each Execute of the extended protocol and each statement of a simple Query) and round trips
// (each Sync or simple Query, after which the client waits for the server). It reads the frontend
// protocol only; the connection must not use TLS (sslmode=disable).
type stmtProxy struct {
	ln         net.Listener
	target     string
	statements atomic.Int64
	roundTrips atomic.Int64
	wg         sync.WaitGroup
	mu         sync.Mutex
	sent       []string // the statements sent, in order (their first 120 characters)
}

func newStmtProxy(target string) (*stmtProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &stmtProxy{ln: ln, target: target}
	p.wg.Go(p.accept)
	return p, nil
}

func (p *stmtProxy) addr() string { return p.ln.Addr().String() }

func (p *stmtProxy) close() {
	p.ln.Close()
	p.wg.Wait()
}

func (p *stmtProxy) counts() (statements, roundTrips int64) {
	return p.statements.Load(), p.roundTrips.Load()
}

// take returns the statements sent since the last take.
func (p *stmtProxy) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.sent
	p.sent = nil
	return out
}

func (p *stmtProxy) record(q string) {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 120 {
		q = q[:120]
	}
	p.mu.Lock()
	p.sent = append(p.sent, q)
	p.mu.Unlock()
}

func (p *stmtProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *stmtProxy) serve(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	go func() { _, _ = io.Copy(c, s); c.Close() }()
	// The startup message has no type byte: a length, then the payload.
	var n [4]byte
	if _, err := io.ReadFull(c, n[:]); err != nil {
		return
	}
	rest := make([]byte, binary.BigEndian.Uint32(n[:])-4)
	if _, err := io.ReadFull(c, rest); err != nil {
		return
	}
	if _, err := s.Write(append(n[:], rest...)); err != nil {
		return
	}
	var hdr [5]byte
	prepared := map[string]string{} // statement name → text, from Parse messages
	bound := ""
	for {
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return
		}
		body := make([]byte, binary.BigEndian.Uint32(hdr[1:])-4)
		if _, err := io.ReadFull(c, body); err != nil {
			return
		}
		switch hdr[0] {
		case 'P':
			if name, rest, ok := strings.Cut(string(body), "\x00"); ok {
				prepared[name], _, _ = strings.Cut(rest, "\x00")
			}
		case 'B':
			if parts := strings.SplitN(string(body), "\x00", 3); len(parts) == 3 {
				bound = prepared[parts[1]]
			}
		case 'E':
			p.statements.Add(1)
			p.record(bound)
		case 'S':
			p.roundTrips.Add(1)
		case 'Q':
			p.roundTrips.Add(1)
			p.statements.Add(int64(countStatements(string(body))))
			p.record(strings.TrimRight(string(body), "\x00"))
		}
		if _, err := s.Write(append(hdr[:], body...)); err != nil {
			return
		}
	}
}

// countStatements counts the statements of a simple query: semicolons outside quotes, plus a last
// statement without one.
func countStatements(q string) int {
	q = strings.TrimRight(strings.TrimRight(q, "\x00"), " \n\t;")
	if q == "" {
		return 0
	}
	n, quote := 1, rune(0)
	for _, r := range q {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote == 0 && (r == '\'' || r == '"'):
			quote = r
		case quote == 0 && r == ';':
			n++
		}
	}
	return n
}
