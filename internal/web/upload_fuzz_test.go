package web

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzAttachmentName fuzzes the pure parts of upload handling: the filename sanitiser, content
// sniffing against the allow-list, and the Content-Disposition header built from a stored name.
func FuzzAttachmentName(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n"), "../../etc/passwd.pdf")
	f.Add([]byte("\x89PNG\r\n\x1a\n"), "report\u202egnp.exe")
	f.Add([]byte("PK\x03\x04"), "annex.docx")
	f.Add([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), "old.doc")
	f.Add([]byte("plain text"), "a\r\nContent-Type: text/html\r\n.txt")
	f.Add([]byte("<svg onload=alert(1)>"), "x.svg")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		clean := sanitizeFilename(name)
		if clean == "" || utf8.RuneCountInString(clean) > maxFilenameRunes || !utf8.ValidString(clean) {
			t.Fatalf("sanitizeFilename(%q) = %q", name, clean)
		}
		if strings.ContainsAny(clean, "/\\\"'`<>") || strings.IndexFunc(clean, func(r rune) bool {
			return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
		}) >= 0 {
			t.Fatalf("sanitizeFilename(%q) = %q keeps an unsafe character", name, clean)
		}
		if again := sanitizeFilename(clean); again != clean {
			t.Fatalf("sanitizeFilename not idempotent: %q → %q → %q", name, clean, again)
		}
		cd := contentDisposition(clean)
		if strings.ContainsAny(cd, "\r\n") {
			t.Fatalf("Content-Disposition %q breaks the header", cd)
		}
		if disp, _, err := mime.ParseMediaType(cd); err != nil || disp != "attachment" {
			t.Fatalf("Content-Disposition %q does not parse as an attachment: %v", cd, err)
		}
		ct, stored, err := classifyUpload(data, name)
		if err != nil {
			return
		}
		if _, ok := allowedTypes[ct]; !ok || servedType(ct) != ct {
			t.Fatalf("classifyUpload accepted %q", ct)
		}
		if stored != sanitizeFilename(stored) {
			t.Fatalf("stored name %q is not clean", stored)
		}
	})
}

// FuzzMarkingForm decodes arbitrary form bodies into a marking the way the editor does, and
// computes its portion mark: no panic on any input.
func FuzzMarkingForm(f *testing.F) {
	f.Add("m_control=CUI&m_categories=PRVCY,LEI&m_noforn=on&m_tlp=AMBER")
	f.Add("m_control=U&m_rel_to=USA,GBR,,%00&m_audience=fed_only&m_dl_only=on&m_dl_list=")
	f.Add("m_control=CUI&m_categories=" + strings.Repeat("X,", 500) + "&m_display_only=MEX")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		r := &http.Request{PostForm: form}
		m := markingFromForm(r, "m_")
		_ = m.PortionMark()
	})
}
