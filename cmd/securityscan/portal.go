package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// portal is a demo-mode server on a fresh database, reached through a TLS front on loopback, the
// way production runs behind its TLS terminator (so cookies carry Secure and __Host-, and HSTS is sent).
type portal struct {
	base    *url.URL // https://127.0.0.1:port, the TLS front
	tls     *tls.Config
	dbURL   string
	admin   string // the maintenance database, for DROP DATABASE
	cmd     *exec.Cmd
	front   *http.Server
	waitErr chan error
}

// databaseURLs returns the URL of a new database beside the one in dsn and of the maintenance database.
func databaseURLs(dsn, name string) (db, admin string, err error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "", "", errors.New("DATABASE_URL is not a PostgreSQL URL")
	}
	u.Path = "/" + name
	db = u.String()
	u.Path = "/postgres"
	return db, u.String(), nil
}

// startPortal creates and seeds the database, starts the server and its TLS front.
func startPortal(ctx context.Context, binary, dsn, workDir string, logs io.Writer) (*portal, error) {
	name := "tearline_security_" + randomHex(6)
	dbURL, admin, err := databaseURLs(dsn, name)
	if err != nil {
		return nil, err
	}
	p := &portal{dbURL: dbURL, admin: admin, waitErr: make(chan error, 1)}

	cert, pool, caFile, err := selfSigned(workDir)
	if err != nil {
		return nil, err
	}
	p.tls = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	frontLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	backLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = frontLn.Close()
		return nil, err
	}
	backAddr := backLn.Addr().String()
	_ = backLn.Close() // the server binds it again; the window is a few milliseconds on loopback
	p.base = &url.URL{Scheme: "https", Host: frontLn.Addr().String()}

	env := append(os.Environ(),
		"DATABASE_URL="+dbURL,
		"TEARLINE_BASE_URL="+p.base.String(),
		"TEARLINE_LISTEN_ADDR="+backAddr,
		"TEARLINE_METRICS_ADDR=off",
		"TEARLINE_DEMO=true", "TEARLINE_SESSION_SECRET="+randomHex(32),
		// The scanners send thousands of requests per minute on purpose: the abuse limits would
		// answer 429 and hide the handlers from them.
		"TEARLINE_RATE_LIMIT_SIGNIN=off", "TEARLINE_RATE_LIMIT_SEARCH=off", "TEARLINE_RATE_LIMIT_EXPORT=off",
		// The server's relying party fetches the demo provider through the TLS front.
		"SSL_CERT_FILE="+caFile,
	)
	for _, sub := range []string{"migrate", "seed-demo"} {
		c := exec.CommandContext(ctx, binary, sub) // #nosec G204 -- the binary is our own build, named by the Makefile
		c.Env, c.Stdout, c.Stderr = env, logs, logs
		if err := c.Run(); err != nil {
			p.dropDatabase()
			return nil, fmt.Errorf("tearline %s: %w", sub, err)
		}
	}

	target := &url.URL{Scheme: "http", Host: backAddr}
	proxy := &httputil.ReverseProxy{ErrorLog: log.New(io.Discard, "", 0), Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host // same-origin checks compare Origin with Host
		r.SetXForwarded()
	}}
	p.front = &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	go func() { _ = p.front.ServeTLS(frontLn, "", "") }()

	p.cmd = exec.CommandContext(ctx, binary, "serve") // #nosec G204 -- our own build
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = env, logs, logs
	p.cmd.Cancel = func() error { return p.cmd.Process.Signal(os.Interrupt) }
	p.cmd.WaitDelay = 10 * time.Second
	if err := p.cmd.Start(); err != nil {
		p.Close()
		return nil, err
	}
	go func() { p.waitErr <- p.cmd.Wait() }()
	if err := p.waitReady(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// guardedFront serves the portal on another loopback TLS port through the same proxy, answering
// 404 itself, without forwarding, to the requests block names. Wapiti 3.0.4 cannot exclude URLs on
// Python 3.11 (its -x patterns fail to compile), so this is how it is kept from signing itself out.
func (p *portal) guardedFront(block func(*http.Request) bool) (*url.URL, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	proxy := p.front.Handler
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0), TLSConfig: p.front.TLSConfig.Clone(),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if block(r) {
				http.NotFound(w, r)
				return
			}
			proxy.ServeHTTP(w, r)
		})}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	return &url.URL{Scheme: "https", Host: ln.Addr().String()}, func() { _ = srv.Close() }, nil
}

func (p *portal) waitReady(ctx context.Context) error {
	c := p.client(nil)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.waitErr:
			return fmt.Errorf("server exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		resp, err := c.Get(p.base.String() + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("server not ready after 30s")
}

// Close stops the server and the front and drops the database.
func (p *portal) Close() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.waitErr:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
		}
	}
	if p.front != nil {
		_ = p.front.Close()
	}
	p.dropDatabase()
}

func (p *portal) dropDatabase() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.admin)
	if err != nil {
		return
	}
	defer func() { _ = conn.Close(ctx) }()
	name := strings.TrimPrefix(mustPath(p.dbURL), "/")
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

func mustPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Path
}

// client returns an HTTP client that trusts the front; with a jar it keeps cookies, and it never
// follows redirects off the portal.
func (p *portal) client(jar http.CookieJar) *http.Client {
	return &http.Client{
		Jar:       jar,
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: p.tls},
	}
}

// session is a signed-in persona: its cookie, ready for the scanners.
type session struct {
	persona string
	cookie  *http.Cookie // nil for the anonymous visitor
	client  *http.Client
}

// header returns the Cookie header value the scanners send.
func (s *session) header() string {
	if s.cookie == nil {
		return ""
	}
	return s.cookie.Name + "=" + s.cookie.Value
}

// signIn signs the persona in through the demo provider (login_hint skips the picker) and
// acknowledges the system-use notice.
func (p *portal) signIn(persona string) (*session, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := p.client(jar)
	if persona == "" {
		return &session{client: c}, nil
	}
	resp, err := c.Get(p.base.String() + "/auth/login?login_hint=" + url.QueryEscape(persona))
	if err != nil {
		return nil, fmt.Errorf("sign in %s: %w", persona, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/notice" {
		return nil, fmt.Errorf("sign in %s: ended at %s with %d, want the notice", persona, resp.Request.URL.Path, resp.StatusCode)
	}
	req, err := http.NewRequest(http.MethodPost, p.base.String()+"/notice", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err = c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("acknowledge notice as %s: %w", persona, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		return nil, fmt.Errorf("acknowledge notice as %s: %d at %s", persona, resp.StatusCode, resp.Request.URL.Path)
	}
	for _, ck := range jar.Cookies(p.base) {
		if strings.HasSuffix(ck.Name, "tearline_session") {
			return &session{persona: persona, cookie: ck, client: c}, nil
		}
	}
	return nil, fmt.Errorf("sign in %s: no session cookie", persona)
}

// selfSigned makes a throwaway certificate for 127.0.0.1 and writes it as a CA file the server trusts.
func selfSigned(dir string) (tls.Certificate, *x509.CertPool, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "tearline security scan"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, "", err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, "", err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	file := filepath.Join(dir, "front-ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return tls.Certificate{}, nil, "", err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, file, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
