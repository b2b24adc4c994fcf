package notify_test

import (
	"bufio"
	"context"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"tearline/internal/marking"
	"tearline/internal/notify"
)

func TestRenderCarriesBannerAndTLPAndNoInjection(t *testing.T) {
	b := marking.DeriveBanner([]marking.Marking{{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}, NoForn: true, TLP: marking.TLPAmber}})
	f := notify.EmailFacts{To: "rosa@example.gov", Name: "Rosa\r\nBcc: evil@example.com", Banner: b,
		Notification: notify.Notification{ID: 7, Event: notify.EditionReleased, ObjectType: "edition", ObjectID: 42,
			Label: "HSTC-IB-2026-00003\nX-Injected: yes", Title: "Go-fast departures"}}
	m := notify.Render(f, "https://tearline.example.gov/")
	want := "[" + b.String() + " TLP:AMBER] "
	if !strings.HasPrefix(m.Subject, want) {
		t.Errorf("subject %q lacks %q", m.Subject, want)
	}
	lines := strings.Split(strings.TrimSpace(m.Body), "\n")
	if lines[0] != b.String()+" TLP:AMBER" || lines[len(lines)-1] != lines[0] {
		t.Errorf("body must start and end with the marking line:\n%s", m.Body)
	}
	if strings.Contains(m.Subject, "\n") || strings.Contains(m.Body, "\nBcc:") || strings.Contains(m.Body, "\nX-Injected") {
		t.Errorf("user text broke a line:\n%q\n%s", m.Subject, m.Body)
	}
	if !strings.Contains(m.Body, "https://tearline.example.gov/editions/42") {
		t.Errorf("body lacks the link:\n%s", m.Body)
	}
	if u := notify.Render(notify.EmailFacts{Notification: notify.Notification{Event: notify.ReviewAssigned, ObjectType: "product", ObjectID: 3}}, "https://x"); !strings.HasPrefix(u.Subject, "[UNCONTROLLED] ") {
		t.Errorf("uncontrolled subject = %q", u.Subject)
	}
}

func TestSubscriptionNormalize(t *testing.T) {
	types := func(s string) bool { return s == "IB" }
	topics := func(s string) bool { return s == "trends" }
	for _, c := range []struct {
		kind, value, want string
		ok                bool
	}{
		{"type", "IB", "IB", true},
		{"type", "bulletin", "", false},
		{"topic", "trends", "trends", true},
		{"topic", "<script>", "", false},
		{"region", " hnd ", "HND", true},
		{"region", "HND;DROP", "", false},
		{"search", `  "go-fast"   OR panga `, `"go-fast" OR panga`, true},
		{"search", strings.Repeat("x", 201), "", false},
		{"everything", "x", "", false},
	} {
		s := notify.Subscription{Kind: c.kind, Value: c.value}
		errs := s.Normalize(types, topics)
		if (errs == nil) != c.ok || (c.ok && s.Value != c.want) {
			t.Errorf("%s %q: errs %v value %q", c.kind, c.value, errs, s.Value)
		}
	}
}

// The SMTP mailer speaks to a relay: the test runs a minimal one on loopback and checks the message.
func TestSMTPSendsTheMessage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		tp := textproto.NewConn(c)
		_ = tp.PrintfLine("220 relay.test ESMTP")
		var data strings.Builder
		for {
			line, err := tp.ReadLine()
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
			case "EHLO", "HELO":
				_ = tp.PrintfLine("250 relay.test")
			case "MAIL", "RCPT":
				_ = tp.PrintfLine("250 ok")
			case "DATA":
				_ = tp.PrintfLine("354 go on")
				r := bufio.NewReader(tp.DotReader())
				for {
					l, err := r.ReadString('\n')
					data.WriteString(l)
					if err != nil {
						break
					}
				}
				_ = tp.PrintfLine("250 queued")
			case "QUIT":
				_ = tp.PrintfLine("221 bye")
				got <- data.String()
				return
			default:
				_ = tp.PrintfLine("502 no")
			}
		}
	}()
	s := notify.SMTP{Addr: ln.Addr().String(), From: "tearline@example.gov", Now: func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }}
	m := notify.Message{To: "rosa@example.gov", Subject: "[CUI//LEI TLP:AMBER] Recalled: HSTC-IB-2026-00003", Body: "CUI//LEI TLP:AMBER\n\nHello\n"}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-got:
		for _, want := range []string{"From: tearline@example.gov", "To: rosa@example.gov", "Subject: [CUI//LEI TLP:AMBER] Recalled: HSTC-IB-2026-00003", "CUI//LEI TLP:AMBER\n"} {
			if !strings.Contains(d, want) {
				t.Errorf("relay got no %q in:\n%s", want, d)
			}
		}
	case <-ctx.Done():
		t.Fatal("the relay got nothing")
	}
}
