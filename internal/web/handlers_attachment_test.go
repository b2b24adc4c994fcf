package web

import (
	"archive/zip"
	"bytes"
	"mime"
	"strings"
	"testing"
	"unicode/utf8"

	"tearline/internal/product"
)

func TestSanitizeFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\dana\Desktop\map.png`, "map.png"},
		{`a"; filename=evil.html`, "a_ filename=evil.html"},
		{"line\r\nbreak.txt", "linebreak.txt"},
		{"tab\there.txt", "tabhere.txt"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"zero\u200bwidth.png", "zerowidth.png"},
		{"  .hidden.txt. ", "hidden.txt"},
		{"..", "attachment"},
		{"", "attachment"},
		{"\x00\x01", "attachment"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{"résumé.pdf", "résumé.pdf"},
		{"a<b>c:d*e?f|g%h.txt", "a_b_c_d_e_f_g_h.txt"},
		{"many    spaces.txt", "many spaces.txt"},
	}
	for _, tt := range tests {
		if got := sanitizeFilename(tt.in); got != tt.want {
			t.Errorf("sanitizeFilename(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := sanitizeFilename(strings.Repeat("ж", 500) + ".docx")
	if utf8.RuneCountInString(long) != maxFilenameRunes || !strings.HasSuffix(long, "ж.docx") {
		t.Errorf("long name: %d runes, %q…", utf8.RuneCountInString(long), long[len(long)-12:])
	}
	if got := sanitizeFilename(strings.Repeat("a", 300) + ".verylongextension"); utf8.RuneCountInString(got) != maxFilenameRunes {
		t.Errorf("long extension: %d runes", utf8.RuneCountInString(got))
	}
}

func TestContentDisposition(t *testing.T) {
	tests := []struct {
		name     string
		fallback string
		hasExt   bool
	}{
		{"report.pdf", "report.pdf", false},
		{"Seizure report 2026.pdf", "Seizure report 2026.pdf", false},
		{"résumé.pdf", "r_sum_.pdf", true},
		{"地图.png", "__.png", true},
	}
	for _, tt := range tests {
		h := contentDisposition(tt.name)
		if strings.ContainsAny(h, "\r\n") {
			t.Fatalf("%q: line break in %q", tt.name, h)
		}
		_, params, err := mime.ParseMediaType(h)
		if err != nil || params["filename"] != tt.name {
			t.Errorf("%q: header %q parses to %q (%v)", tt.name, h, params["filename"], err)
		}
		plain, _, _ := strings.Cut(h, "; filename*=")
		_, fb, err := mime.ParseMediaType(plain)
		if err != nil || fb["filename"] != tt.fallback {
			t.Errorf("%q: fallback %q, want %q (%v)", tt.name, fb["filename"], tt.fallback, err)
		}
		if strings.Contains(h, "filename*=") != tt.hasExt {
			t.Errorf("%q: filename* present = %v", tt.name, !tt.hasExt)
		}
	}
}

func zipOf(names ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, _ := zw.Create(n)
		_, _ = w.Write([]byte("<x/>"))
	}
	_ = zw.Close()
	return b.Bytes()
}

func TestClassifyUpload(t *testing.T) {
	pad := func(b []byte) []byte { return append(b, make([]byte, 64)...) }
	tests := []struct {
		file     string
		data     []byte
		wantType string // "" when refused
		wantName string
	}{
		{"a.png", pad([]byte("\x89PNG\r\n\x1a\n")), "image/png", "a.png"},
		{"photo", pad([]byte("\xff\xd8\xff\xe0")), "image/jpeg", "photo.jpg"},
		{"photo.JPEG", pad([]byte("\xff\xd8\xff\xe0")), "image/jpeg", "photo.JPEG"},
		{"anim.gif", pad([]byte("GIF89a")), "image/gif", "anim.gif"},
		{"pic.webp", pad([]byte("RIFF\x00\x00\x00\x00WEBPVP8 ")), "image/webp", "pic.webp"},
		{"doc.pdf", []byte("%PDF-1.7\n"), "application/pdf", "doc.pdf"},
		// A name with an accepted extension must fit the content (ASVS 5.2.2); other names get the right one added.
		{"image.png", []byte("%PDF-1.7\n"), "", ""},
		{"scan.pdf", pad([]byte("\x89PNG\r\n\x1a\n")), "", ""},
		{"data.csv", []byte("a,b\n1,2\n"), "text/plain; charset=utf-8", "data.csv"},
		{"page.html", []byte("just text"), "text/plain; charset=utf-8", "page.html.txt"},
		{"memo.docx", zipOf("[Content_Types].xml", "word/document.xml"), mimeDOCX, "memo.docx"},
		{"book.XLSX", zipOf("[Content_Types].xml", "xl/workbook.xml"), mimeXLSX, "book.XLSX"},
		{"deck.pptx", zipOf("[Content_Types].xml", "ppt/presentation.xml"), mimePPTX, "deck.pptx"},
		{"deck.pptx", zipOf("[Content_Types].xml", "word/document.xml"), "", ""},
		{"memo.docm", zipOf("[Content_Types].xml", "word/document.xml"), "", ""},
		{"memo.docx", zipOf("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), "", ""},
		{"x.docx", []byte("PK\x03\x04garbage"), "", ""},
		{"page.html", []byte("<!DOCTYPE html><p>hi"), "", ""},
		{"x.svg", []byte("<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'></svg>"), "", ""},
		// Markup the sniffer does not call HTML is kept as text: served as text/plain, nosniff, as a download.
		{"x.svg.txt", []byte("<svg xmlns='http://www.w3.org/2000/svg'></svg>"), "text/plain; charset=utf-8", "x.svg.txt"},
		{"x.png", []byte("<svg xmlns='http://www.w3.org/2000/svg'></svg>"), "", ""},
		{"utf16.txt", []byte("\xfe\xff\x00h\x00i"), "", ""},
		{"old.xls", pad([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}), "", ""},
		{"a.mp4", pad([]byte("\x00\x00\x00\x18ftypmp42")), "", ""},
		{"empty.txt", nil, "", ""},
	}
	for _, tt := range tests {
		ct, name, err := classifyUpload(tt.data, tt.file)
		if tt.wantType == "" {
			if err == nil {
				t.Errorf("%s: accepted as %s, want refused", tt.file, ct)
			}
			continue
		}
		if err != nil || ct != tt.wantType || name != tt.wantName {
			t.Errorf("%s: %q %q %v, want %q %q", tt.file, ct, name, err, tt.wantType, tt.wantName)
		}
	}
}

func TestServedTypeNeverRendersUnknownTypes(t *testing.T) {
	for ct, want := range map[string]string{"image/png": "image/png", "text/html; charset=utf-8": "application/octet-stream",
		"image/svg+xml": "application/octet-stream", "": "application/octet-stream"} {
		if got := servedType(ct); got != want {
			t.Errorf("servedType(%q) = %q, want %q", ct, got, want)
		}
	}
}

func TestFoldDiff(t *testing.T) {
	lines := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(prefix + string(rune('a'+i)) + "\n")
		}
		return b.String()
	}
	ops := []product.DiffOp{
		{Op: "equal", Text: lines("head ", 10)},
		{Op: "delete", Text: "old\n"},
		{Op: "insert", Text: "new\n"},
		{Op: "equal", Text: lines("mid ", 10)},
		{Op: "insert", Text: "added\n"},
		{Op: "equal", Text: lines("tail ", 2)},
	}
	got := foldDiff(ops, 3)
	var b strings.Builder
	for _, x := range got {
		if x.Skipped > 0 {
			b.WriteString("[" + string(rune('0'+x.Skipped)) + "]")
			continue
		}
		b.WriteString(x.Op[:1] + ":" + strings.ReplaceAll(x.Text, "\n", "/") + " ")
	}
	want := "[7]e:head h/head i/head j d:old i:new e:mid a/mid b/mid c [4]e:mid h/mid i/mid j i:added e:tail a/tail b "
	if b.String() != want {
		t.Errorf("foldDiff:\n got %s\nwant %s", b.String(), want)
	}
	if same := foldDiff([]product.DiffOp{{Op: "equal", Text: lines("x ", 20)}}, 3); len(same) != 1 || same[0].Skipped != 0 {
		t.Errorf("identical versions are shown whole, got %d blocks", len(same))
	}
}
