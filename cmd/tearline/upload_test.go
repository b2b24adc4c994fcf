package main

// Upload and download hardening (ASVS V5, security.md S18), beyond attachment_test.go: an oversize
// upload loses nothing already saved (also when the body's length is not announced), a name with an
// accepted extension must fit the content, names with NUL, control, bidi and homoglyph tricks are
// kept only as safe labels, Office documents that would expand like a decompression bomb (or lie
// about their sizes, or carry unsafe paths) are refused, polyglots are served inert, and both
// download routes send the same protective headers.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"hash/crc32"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// bombDocx is a .docx whose document part is n zero bytes: tiny stored, huge expanded.
func bombDocx(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("[Content_Types].xml")
	_, _ = w.Write([]byte(`<?xml version="1.0"?><Types/>`))
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for left := n; left > 0; left -= len(chunk) {
		_, _ = w.Write(chunk[:min(left, len(chunk))])
	}
	_ = zw.Close()
	return b.Bytes()
}

// lyingDocx is a .docx whose document part declares 100 bytes but inflates to n.
func lyingDocx(t *testing.T, n int) []byte {
	t.Helper()
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	_, _ = fw.Write(make([]byte, n))
	_ = fw.Close()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("[Content_Types].xml")
	_, _ = w.Write([]byte(`<?xml version="1.0"?><Types/>`))
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(make([]byte, 100)), CompressedSize64: uint64(raw.Len()), UncompressedSize64: 100})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(raw.Bytes())
	_ = zw.Close()
	return b.Bytes()
}

func TestUploadOversizeLosesNothingSaved(t *testing.T) {
	a := newTestApp(t, smallAttachmentLimit)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, ed := b.newDraft("IB", "Oversize keeps what was saved")
	ids, revs := portions(ed.Body)
	const text = "Saved before the oversize upload: corridor through Tapachula."
	if p := b.savePortion(id, ids[0], url.Values{"rev": {revs[ids[0]]}, "kind": {"paragraph"}, "body": {text}, "m_control": {"U"}}); p.Status != http.StatusOK {
		t.Fatalf("save portion: %d", p.Status)
	}
	if p := b.upload(id, cuiLEI, uploadFile{quotedName("map.png"), "image/png", pngBytes()}); p.Status != http.StatusOK {
		t.Fatalf("first upload: %d", p.Status)
	}
	aid, _, _, _ := attachmentRow(t, a, id)
	over := append([]byte("%PDF-1.4\n"), make([]byte, 2*attachmentLimitMB<<20)...)

	t.Run("announced length", func(t *testing.T) {
		p := b.upload(id, cuiLEI, uploadFile{quotedName("big.pdf"), "application/pdf", over})
		if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "at most 1 MB") || !strings.Contains(p.Body, "Nothing was stored") {
			t.Errorf("status %d, want 413 naming the limit", p.Status)
		}
	})
	t.Run("chunked, length not announced", func(t *testing.T) {
		body, ct := multipartBody(cuiLEI, uploadFile{quotedName("big.pdf"), "application/pdf", over})
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/products/"+id+"/attachments", io.MultiReader(body)) // unknown length: chunked
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Origin", a.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if req.ContentLength != 0 {
			t.Fatal("the request announces its length")
		}
		p := b.do(req)
		if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "at most 1 MB") {
			t.Errorf("status %d, want 413 naming the limit", p.Status)
		}
	})
	if n := a.countRows(t, `SELECT count(*) FROM attachment WHERE product_id = $1`, id); n != 1 {
		t.Errorf("attachments = %d, want the one saved before", n)
	}
	if d := b.get("/products/" + id + "/attachments/" + itoa(aid)); d.Status != http.StatusOK || d.Body != string(pngBytes()) {
		t.Errorf("the earlier attachment: %d", d.Status)
	}
	if ed := b.get("/products/" + id + "/edit"); ed.Status != http.StatusOK || !strings.Contains(ed.Body, text) {
		t.Error("the saved portion text is gone after the refused upload")
	}
}

func TestUploadContentMustFitName(t *testing.T) {
	a := newTestApp(t, smallAttachmentLimit)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, _ := b.newDraft("IB", "Magic bytes")
	gifJS := append([]byte("GIF89a/*\x01\x00\x01\x00\x00\xff\x00,*/=1;alert(document.domain);//"), make([]byte, 64)...)
	refused := []struct {
		name string
		file uploadFile
		want string
	}{
		{"PNG named .pdf", uploadFile{quotedName("report.pdf"), "application/pdf", pngBytes()}, "ends in .pdf, but its content is a .png"},
		{"PDF named .docx", uploadFile{quotedName("memo.docx"), mimeDocx, pdfBytes}, "ends in .docx, but its content is a .pdf"},
		{"text named .jpg", uploadFile{quotedName("photo.jpg"), "image/jpeg", []byte("not a photo at all\n")}, "ends in .jpg"},
		{"GIF named .png", uploadFile{quotedName("chart.png"), "image/png", gifJS}, "ends in .png, but its content is a .gif"},
		{"HTML with a PNG claim", uploadFile{quotedName("x.png"), "image/png", []byte("<html><body onload=alert(1)>")}, "not accepted"},
	}
	for _, tt := range refused {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			p := b.upload(id, cuiLEI, tt.file)
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, tt.want) {
				t.Errorf("status %d, want 422 saying %q:\n%s", p.Status, tt.want, attachmentsSection(p.Body))
			}
		})
	}
	if n := a.countRows(t, `SELECT count(*) FROM attachment WHERE product_id = $1`, id); n != 0 {
		t.Errorf("%d refused files were stored", n)
	}
	// The type the client claims never counts: a real PNG claimed as text/html is a PNG.
	if p := b.upload(id, cuiLEI, uploadFile{quotedName("map.png"), "text/html", pngBytes()}); p.Status != http.StatusOK {
		t.Fatalf("PNG with a false claim: %d", p.Status)
	}
	if _, _, _, ct := attachmentRow(t, a, id); ct != "image/png" {
		t.Errorf("stored as %q", ct)
	}
}

const mimeDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

func TestUploadArchiveBombs(t *testing.T) {
	a := newTestApp(t, smallAttachmentLimit)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, _ := b.newDraft("IB", "Decompression bombs")
	bomb := bombDocx(t, 64<<20)
	if len(bomb) > attachmentLimitMB<<20 {
		t.Fatalf("the bomb is %d bytes, over the upload limit", len(bomb))
	}
	var slip bytes.Buffer
	zw := zip.NewWriter(&slip)
	for _, n := range []string{"[Content_Types].xml", "word/document.xml", "../../../../tmp/evil.sh"} {
		w, _ := zw.Create(n)
		_, _ = w.Write([]byte("<x/>"))
	}
	_ = zw.Close()
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"64 MB of zeros in a small .docx", bomb, "decompression bomb"},
		{"a part that inflates past its declared size", lyingDocx(t, 8<<20), "does not hold what its header declares"},
		{"a part with a path out of the archive", slip.Bytes(), "unsafe path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.upload(id, cuiLEI, uploadFile{quotedName("memo.docx"), mimeDocx, tt.data})
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, tt.want) {
				t.Errorf("status %d, want 422 saying %q:\n%s", p.Status, tt.want, attachmentsSection(p.Body))
			}
		})
	}
	// A real document whose parts compress well is still accepted.
	ok := bombDocx(t, 2<<20)
	if p := b.upload(id, cuiLEI, uploadFile{quotedName("memo.docx"), mimeDocx, ok}); p.Status != http.StatusOK {
		t.Errorf("a 2 MB document: %d\n%s", p.Status, attachmentsSection(p.Body))
	}
	if n := a.countRows(t, `SELECT count(*) FROM attachment WHERE product_id = $1`, id); n != 1 {
		t.Errorf("attachments = %d, want 1", n)
	}
}

// hostileName is one client file name and what the stored label must (not) contain.
type hostileName struct {
	name       string
	param      string // filename parameter as sent
	wantSuffix string
	data       []byte
}

// Hostile names end as safe labels, and both download routes serve them inert: attachment
// disposition with an ASCII fallback and filename*=, the sniffed type, nosniff, a sandboxing CSP.
func TestUploadHostileNamesAndDownloadHeaders(t *testing.T) {
	a := newTestApp(t, smallAttachmentLimit)
	dana := a.browser(t)
	dana.signIn("analyst@hstc")
	id := dana.readyDraft("IB", "Hostile names and polyglots")
	text := []byte("plain text\n")
	pdfHTML := append(append([]byte{}, pdfBytes...), []byte("<html><script>alert(document.domain)</script></html>")...)
	pngHTML := append(pngBytes(), []byte("<html><script>alert(1)</script>")...)
	names := []hostileName{
		{"absolute path", quotedName("/etc/shadow"), "shadow.txt", text},
		{"NUL inside", `*=UTF-8''evil.pdf%00.txt`, "evil.pdf.txt", text},
		{"bell and ANSI escape", `*=UTF-8''%07%1B%5B31mred%1B%5B0m.txt`, "[31mred[0m.txt", text},
		{"right-to-left override hiding .exe", `*=UTF-8''Report%E2%80%AEfdp.exe`, "Reportfdp.exe.txt", text},
		{"bidi isolates", `*=UTF-8''a%E2%81%A6b%E2%81%A9.txt`, "ab.txt", text},
		{"Cyrillic homoglyph extension", `*=UTF-8''invoice.%D1%80df`, "invoice.рdf.pdf", pdfBytes},
		{"full-width extension", `*=UTF-8''scan.%EF%BD%90%EF%BD%8E%EF%BD%87`, "scan.ｐｎｇ.png", pngBytes()},
		{"markup in the name", quotedName(`<img src=x onerror=alert(1)>.txt`), "_img src=x onerror=alert(1)_.txt", text},
		{"GIF/JavaScript polyglot", quotedName("chart.gif"), "chart.gif", append([]byte("GIF89a/*\x01\x00\x01\x00\x00\xff\x00,*/=1;alert(1);//"), make([]byte, 64)...)},
		{"PDF/HTML polyglot", quotedName("brief.pdf"), "brief.pdf", pdfHTML},
		{"PNG/HTML polyglot", quotedName("map.png"), "map.png", pngHTML},
	}
	for _, n := range names {
		if p := dana.upload(id, cuiLEI, uploadFile{n.param, "application/octet-stream", n.data}); p.Status != http.StatusOK {
			t.Fatalf("%s: upload %d\n%s", n.name, p.Status, attachmentsSection(p.Body))
		}
		_, stored, filename, _ := attachmentRow(t, a, id)
		if !storedNameRE.MatchString(stored) || filename != n.wantSuffix {
			t.Errorf("%s: stored %q as %q, want a server name and label %q", n.name, stored, filename, n.wantSuffix)
		}
		if strings.IndexFunc(filename, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
			t.Errorf("%s: control or format characters kept in %q", n.name, filename)
		}
	}
	ed := dana.get("/products/" + id + "/edit")
	if strings.Contains(ed.Body, "<img src=x") || strings.ContainsRune(ed.Body, '\u202e') {
		t.Error("the editor shows a hostile name unescaped")
	}

	marcus, elena := a.browser(t), a.browser(t)
	marcus.signIn("analyst2@hstc")
	elena.signIn("reviewer@hstc")
	dana.act(id, "submit", "")
	marcus.act(id, "peer_approve", "")
	elena.act(id, "supervise_approve", "")
	rel := elena.act(id, "release", "")
	if !strings.HasPrefix(rel.URL.Path, "/editions/") {
		t.Fatalf("release: at %s", rel.URL)
	}
	editionID := strings.TrimPrefix(rel.URL.Path, "/editions/")

	rows, err := a.Owner.Pool.Query(context.Background(), `SELECT a.id, a.filename, a.content_type, a.size FROM attachment a
		WHERE a.product_id = $1 ORDER BY a.id`, id)
	if err != nil {
		t.Fatal(err)
	}
	type att struct {
		id       int64
		filename string
		ct       string
		size     int64
	}
	var atts []att
	for rows.Next() {
		var x att
		if err := rows.Scan(&x.id, &x.filename, &x.ct, &x.size); err != nil {
			t.Fatal(err)
		}
		atts = append(atts, x)
	}
	rows.Close()
	if len(atts) != len(names) {
		t.Fatalf("%d attachments, want %d", len(atts), len(names))
	}
	for _, x := range atts {
		for _, route := range []string{"/products/" + id + "/attachments/" + itoa(x.id), "/editions/" + editionID + "/attachments/" + itoa(x.id)} {
			d := elena.get(route)
			if d.Status != http.StatusOK || int64(len(d.Body)) != x.size {
				t.Errorf("%s: %d, %d bytes", route, d.Status, len(d.Body))
				continue
			}
			checkDownloadHeaders(t, route, d, x.filename, x.ct)
		}
	}
}

func checkDownloadHeaders(t *testing.T, route string, d page, filename, ct string) {
	t.Helper()
	want := map[string]string{"Content-Type": ct, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
		"Content-Security-Policy": "default-src 'none'; sandbox", "Cross-Origin-Resource-Policy": "same-origin"}
	for k, v := range want {
		if got := d.Header.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", route, k, got, v)
		}
	}
	if strings.Contains(ct, "html") || strings.Contains(ct, "javascript") || strings.Contains(ct, "svg") {
		t.Errorf("%s: served as %q", route, ct)
	}
	cd := d.Header.Get("Content-Disposition")
	if strings.ContainsAny(cd, "\r\n\x00") {
		t.Fatalf("%s: Content-Disposition carries a control character: %q", route, cd)
	}
	disp, params, err := mime.ParseMediaType(cd)
	if err != nil || disp != "attachment" || params["filename"] != filename {
		t.Errorf("%s: Content-Disposition %q parses to %q %q (%v), want attachment; %q", route, cd, disp, params["filename"], err, filename)
	}
	plain, _, hasExt := strings.Cut(cd, "; filename*=")
	if filename != asciiOnly(filename) && (!hasExt || !strings.Contains(cd, "filename*=utf-8''")) {
		t.Errorf("%s: non-ASCII name without filename*= (RFC 5987): %q", route, cd)
	}
	if _, fb, err := mime.ParseMediaType(plain); err != nil || fb["filename"] != asciiOnly(fb["filename"]) {
		t.Errorf("%s: the ASCII fallback of %q is not plain ASCII (%v)", route, cd, err)
	}
}
