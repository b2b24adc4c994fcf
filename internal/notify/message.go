package notify

import (
	"strings"

	"tearline/internal/marking"
)

// EmailFacts is what the e-mail job found at send time: the notification, its recipient, and the
// marking of the object it names (the edition's banner, or the draft's current banner).
type EmailFacts struct {
	Notification Notification
	To           string
	Name         string
	Banner       marking.Banner
}

// Render builds the e-mail for facts. The subject and the first and last lines of the body carry the
// banner and the TLP label (requirement B19); the body names the object by its number or title and
// links to it, and never carries its content: the portal shows the content after sign-in, with its
// portion marks, to whoever may still see it.
func Render(f EmailFacts, baseURL string) Message {
	n := f.Notification
	marks := markingLine(f.Banner)
	var b strings.Builder
	b.WriteString(marks + "\n\n")
	b.WriteString("Hello " + oneLine(f.Name) + ",\n\n")
	b.WriteString(oneLine(n.Text()) + "\n")
	if n.Title != "" {
		b.WriteString("Title: " + oneLine(n.Title) + "\n")
	}
	if n.Detail != "" {
		b.WriteString("Note: " + oneLine(n.Detail) + "\n")
	}
	b.WriteString("\nOpen it in Tearline (sign-in required): " + strings.TrimSuffix(baseURL, "/") + n.Link() + "\n\n")
	b.WriteString("You receive this because of your role or your subscriptions in Tearline. Do not forward it outside the\n")
	b.WriteString("handling its marking allows.\n\n")
	b.WriteString(marks + "\n")
	return Message{NotificationID: n.ID, To: f.To, Subject: "[" + marks + "] " + oneLine(n.Text()), Body: b.String()}
}

// markingLine is the banner with the TLP label, e.g. "CUI//LEI//NOFORN TLP:AMBER", or "UNCONTROLLED".
func markingLine(b marking.Banner) string {
	s := b.String()
	if s == "" {
		s = "UNCONTROLLED"
	}
	if b.TLP != marking.TLPNone {
		s += " " + b.TLP.Label()
	}
	return s
}

// oneLine keeps user text on one line, so it cannot add headers or forge lines in a message.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r < 0x20 || r == 0x7f }), " ")
}
