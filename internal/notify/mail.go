package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// Outbox is the demo mailer: each message is kept in its recipient's outbox, shown in the portal.
type Outbox struct {
	Save func(ctx context.Context, m Message) error
}

// Send keeps the message.
func (o Outbox) Send(ctx context.Context, m Message) error { return o.Save(ctx, m) }

// SMTP sends messages through an SMTP relay, with STARTTLS when the server offers it (required when
// credentials are set: net/smtp refuses PLAIN auth over an unencrypted connection to a remote host).
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	Now      func() time.Time
}

// Send delivers one message.
func (s SMTP) Send(ctx context.Context, m Message) error {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("smtp address %q: %w", s.Addr, err)
	}
	var auth smtp.Auth
	if s.Username != "" {
		auth = smtp.PlainAuth("", s.Username, s.Password, host)
	}
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(s.Addr, auth, s.From, []string{m.To}, s.compose(m, host)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// compose renders the RFC 5322 message. Addresses and the subject are single lines (Render and the
// user store guarantee it); the subject is Q-encoded when it is not plain ASCII.
func (s SMTP) compose(m Message, host string) []byte {
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	var b strings.Builder
	b.WriteString("From: " + oneLine(s.From) + "\r\n")
	b.WriteString("To: " + oneLine(m.To) + "\r\n")
	b.WriteString("Subject: " + mime.QEncoding.Encode("utf-8", m.Subject) + "\r\n")
	b.WriteString("Date: " + now().UTC().Format(time.RFC1123Z) + "\r\n")
	b.WriteString("Message-ID: <" + hex.EncodeToString(id) + "@" + host + ">\r\n")
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(m.Body, "\n", "\r\n"))
	return []byte(b.String())
}
