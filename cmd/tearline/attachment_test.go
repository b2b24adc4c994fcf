package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// attachmentLimitMB is the attachment limit the tests run with.
const attachmentLimitMB = 1

func smallAttachmentLimit(env map[string]string) {
	env["TEARLINE_MAX_ATTACHMENT_MB"] = fmt.Sprint(attachmentLimitMB)
}

// uploadFile is one file part of an upload: the raw Content-Disposition filename parameter lets a
// test send any name, including RFC 2231 encoded control characters.
type uploadFile struct {
	dispositionName string // written verbatim after `filename` (e.g. `="a.png"` or `*=UTF-8''a%0D.txt`)
	contentType     string // what the client claims; the server must ignore it
	data            []byte
}

// quotedName is a filename parameter as a browser writes it: quoted, with quotes and backslashes escaped.
func quotedName(name string) string {
	return `="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
}

// multipartBody builds an upload form: marking fields first, as the browser sends them, then the file.
func multipartBody(fields url.Values, f uploadFile) (*bytes.Buffer, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename`+f.dispositionName)
	h.Set("Content-Type", f.contentType)
	w, _ := mw.CreatePart(h)
	_, _ = w.Write(f.data)
	_ = mw.Close()
	return &body, mw.FormDataContentType()
}

// upload posts a file to a draft as a same-origin browser would, following the redirect.
func (b *browser) upload(productID string, fields url.Values, f uploadFile) page {
	b.t.Helper()
	body, ct := multipartBody(fields, f)
	req, _ := http.NewRequest(http.MethodPost, b.app.URL+"/products/"+productID+"/attachments", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", b.app.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

var cuiLEI = url.Values{"att_control": {"CUI"}, "att_categories": {"LEI"}}

func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := range 8 {
		img.Set(x, x, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// officeZip builds a minimal Office Open XML package with the given entries.
func officeZip(names ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, _ := zw.Create(n)
		_, _ = w.Write([]byte(`<?xml version="1.0"?><x/>`))
	}
	_ = zw.Close()
	return b.Bytes()
}

// attachmentRow returns the stored name, filename and content type of the draft's newest attachment.
func attachmentRow(t *testing.T, a *testApp, productID string) (id int64, stored, filename, ct string) {
	t.Helper()
	err := a.Owner.Pool.QueryRow(context.Background(), `SELECT id, stored_name, filename, content_type FROM attachment
		WHERE product_id = $1 ORDER BY id DESC LIMIT 1`, productID).Scan(&id, &stored, &filename, &ct)
	if err != nil {
		t.Fatal(err)
	}
	return
}

var storedNameRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestAttachmentUploadAndDownload(t *testing.T) {
	a := newTestApp(t, smallAttachmentLimit)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, _ := b.newDraft("TP", "Los Fantasmas network: target package")
	count := func() int { return a.countRows(t, `SELECT count(*) FROM attachment WHERE product_id = $1`, id) }

	files := []struct {
		name, claimed, wantType string
		data                    []byte
	}{
		{"route-map.png", "image/png", "image/png", pngBytes()},
		{"Seizure report.pdf", "application/octet-stream", "application/pdf", pdfBytes},
		{"ledger.xlsx", "application/zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			officeZip("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")},
		{"notes.txt", "text/html", "text/plain; charset=utf-8", []byte("Meeting notes\nline two\n")},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			p := b.upload(id, url.Values{"att_control": {"CUI"}, "att_categories": {"SP-INV"}, "att_noforn": {"on"}},
				uploadFile{quotedName(f.name), f.claimed, f.data})
			if p.Status != http.StatusOK || !strings.HasSuffix(p.URL.Path, "/products/"+id+"/edit") {
				t.Fatalf("upload: %d at %s:\n%.1500s", p.Status, p.URL, p.Body)
			}
			if !strings.Contains(p.Body, "Attached "+f.name) || !strings.Contains(p.Body, "(CUI//SP-INV//NF)") {
				t.Error("editor does not list the attachment with its portion mark")
			}
			aid, stored, filename, ct := attachmentRow(t, a, id)
			if !storedNameRE.MatchString(stored) || filename != f.name || ct != f.wantType {
				t.Errorf("stored %q %q %q", stored, filename, ct)
			}
			d := b.get("/products/" + id + "/attachments/" + itoa(aid))
			if d.Status != http.StatusOK || d.Body != string(f.data) {
				t.Fatalf("download: %d, %d bytes, want %d identical", d.Status, len(d.Body), len(f.data))
			}
			wantHeaders := map[string]string{"Content-Type": f.wantType, "X-Content-Type-Options": "nosniff",
				"Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'; sandbox"}
			for k, v := range wantHeaders {
				if got := d.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			disp, params, err := mime.ParseMediaType(d.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != f.name {
				t.Errorf("Content-Disposition %q: %v", d.Header.Get("Content-Disposition"), err)
			}
		})
	}
	// The banner counts the attachments' markings too.
	if ed := b.get("/products/" + id + "/edit"); !strings.Contains(ed.Body, "NOFORN") {
		t.Error("banner ignores the attachments' markings")
	}

	refusals := []struct {
		name   string
		fields url.Values
		file   uploadFile
		want   string
	}{
		{"HTML renamed .png", cuiLEI, uploadFile{quotedName("photo.png"), "image/png", []byte("<html><script>alert(document.cookie)</script></html>")}, "text/html"},
		{"SVG", cuiLEI, uploadFile{quotedName("logo.svg"), "image/svg+xml", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)}, "not accepted"},
		{"plain ZIP", cuiLEI, uploadFile{quotedName("archive.zip"), "application/zip", officeZip("[Content_Types].xml", "word/document.xml")}, "ZIP archives are not accepted"},
		{"ZIP named .docx without Office parts", cuiLEI, uploadFile{quotedName("fake.docx"), "application/zip", officeZip("evil.exe")}, "not a valid .docx"},
		{"macro document", cuiLEI, uploadFile{quotedName("macro.docx"), "application/zip", officeZip("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin")}, "macros"},
		{"legacy .doc", cuiLEI, uploadFile{quotedName("old.doc"), "application/msword", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)}, "Older Office files"},
		{"executable", cuiLEI, uploadFile{quotedName("tool.pdf"), "application/pdf", append([]byte("MZ\x90\x00\x03"), make([]byte, 600)...)}, "could not be recognised"},
		{"empty file", cuiLEI, uploadFile{quotedName("empty.txt"), "text/plain", nil}, "The file is empty."},
		{"no file chosen", cuiLEI, uploadFile{`=""`, "application/octet-stream", nil}, "Choose a file to attach."},
		{"no marking", url.Values{}, uploadFile{quotedName("map.png"), "image/png", pngBytes()}, "Marking:"},
		{"NOFORN with REL TO", url.Values{"att_control": {"CUI"}, "att_categories": {"LEI"}, "att_noforn": {"on"}, "att_rel_to": {"GBR"}},
			uploadFile{quotedName("map.png"), "image/png", pngBytes()}, "NOFORN"},
		{"unknown category", url.Values{"att_control": {"CUI"}, "att_categories": {"NOPE"}}, uploadFile{quotedName("map.png"), "image/png", pngBytes()}, "NOPE"},
	}
	for _, tt := range refusals {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			before := count()
			p := b.upload(id, tt.fields, tt.file)
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", p.Status)
			}
			if !strings.Contains(p.Body, tt.want) {
				t.Errorf("page lacks %q:\n%s", tt.want, attachmentsSection(p.Body))
			}
			if count() != before {
				t.Error("refused file was stored")
			}
		})
	}

	t.Run("other people get 404 on the download", func(t *testing.T) {
		aid, _, _, _ := attachmentRow(t, a, id)
		for _, hint := range []string{"liaison@ice", "analyst2@hstc", "liaison@europol"} {
			o := a.browser(t)
			o.signIn(hint)
			if p := o.get("/products/" + id + "/attachments/" + itoa(aid)); p.Status != http.StatusNotFound || strings.Contains(p.Body, "Meeting notes") {
				t.Errorf("%s download: %d", hint, p.Status)
			}
			if p := o.post("/products/"+id+"/attachments/"+itoa(aid)+"/delete", nil); p.Status != http.StatusNotFound {
				t.Errorf("%s delete: %d", hint, p.Status)
			}
		}
		if p := b.get("/products/" + id + "/attachments/999999"); p.Status != http.StatusNotFound {
			t.Errorf("missing attachment: %d", p.Status)
		}
	})

	t.Run("delete", func(t *testing.T) {
		aid, _, _, _ := attachmentRow(t, a, id)
		before := count()
		p := b.post("/products/"+id+"/attachments/"+itoa(aid)+"/delete", nil)
		if p.Status != http.StatusOK || count() != before-1 || !strings.Contains(p.Body, "Attachment deleted") {
			t.Errorf("delete: %d", p.Status)
		}
		if p := b.get("/products/" + id + "/attachments/" + itoa(aid)); p.Status != http.StatusNotFound {
			t.Errorf("deleted attachment still served: %d", p.Status)
		}
		if n := a.countRows(t, `SELECT count(*) FROM attachment_blob WHERE attachment_id = $1`, aid); n != 0 {
			t.Error("content left behind")
		}
	})
}

// attachmentsSection cuts the attachments panel out of an editor page for failure messages.
func attachmentsSection(body string) string {
	if i := strings.Index(body, `id="attachments"`); i >= 0 {
		return body[i:min(len(body), i+3000)]
	}
	return fmt.Sprintf("%.2000s", body)
}

func TestAttachmentHostileFilenames(t *testing.T) {
	a := newTestApp(t, smallAttachmentLimit)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, _ := b.newDraft("IB", "Hostile file names")
	text := []byte("plain text\n")
	tests := []struct {
		name  string
		file  uploadFile
		want  string // the stored name; "" to check only the rules
		check func(t *testing.T, stored string)
	}{
		{"path traversal", uploadFile{quotedName("../../etc/passwd"), "text/plain", text}, "passwd.txt", nil},
		{"windows path", uploadFile{quotedName(`..\..\Windows\win.ini`), "text/plain", text}, "win.ini.txt", nil},
		{"header injection by quotes", uploadFile{quotedName(`a"; filename=evil.html`), "text/html", text}, "a_ filename=evil.html.txt", nil},
		{"CR/LF", uploadFile{`*=UTF-8''report%0D%0AContent-Type%3A%20text%0D%0A%0D%0A.txt`, "text/plain", text}, "reportContent-Type_ text.txt", nil},
		{"CR/LF with a path", uploadFile{`*=UTF-8''a%0D%0AX-Evil%3A%201%0D%0A%2F..%2Fb.txt`, "text/plain", text}, "b.txt", nil},
		{"right-to-left override", uploadFile{`*=UTF-8''invoice%E2%80%AEfdp.exe`, "text/plain", text}, "invoicefdp.exe.txt", nil},
		{"unicode", uploadFile{`*=UTF-8''r%C3%A9sum%C3%A9.pdf`, "application/pdf", pdfBytes}, "résumé.pdf", nil},
		{"dots only", uploadFile{quotedName(".."), "text/plain", text}, "attachment.txt", nil},
		{"1000 characters", uploadFile{quotedName(strings.Repeat("x", 996) + ".pdf"), "application/pdf", pdfBytes}, "", func(t *testing.T, s string) {
			if utf8.RuneCountInString(s) > 200 || !strings.HasSuffix(s, ".pdf") || !strings.HasPrefix(s, "xxxx") {
				t.Errorf("long name stored as %d characters: %.40s…", utf8.RuneCountInString(s), s)
			}
		}},
		{"1000 non-ASCII characters", uploadFile{`*=UTF-8''` + strings.Repeat("%C3%A9", 1000) + ".txt", "text/plain", text}, "", func(t *testing.T, s string) {
			if utf8.RuneCountInString(s) > 200 || !strings.HasSuffix(s, "é.txt") {
				t.Errorf("long name stored as %d characters", utf8.RuneCountInString(s))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.upload(id, cuiLEI, tt.file)
			if p.Status != http.StatusOK {
				t.Fatalf("upload: %d\n%s", p.Status, attachmentsSection(p.Body))
			}
			aid, stored, filename, _ := attachmentRow(t, a, id)
			if !storedNameRE.MatchString(stored) {
				t.Errorf("stored under %q", stored)
			}
			if tt.want != "" && filename != tt.want {
				t.Errorf("filename stored as %q, want %q", filename, tt.want)
			}
			if tt.check != nil {
				tt.check(t, filename)
			}
			if strings.ContainsAny(filename, "/\\\"\r\n\x00") {
				t.Errorf("unsafe characters kept in %q", filename)
			}
			d := b.get("/products/" + id + "/attachments/" + itoa(aid))
			cd := d.Header.Get("Content-Disposition")
			if strings.ContainsAny(cd, "\r\n") {
				t.Fatalf("Content-Disposition carries a line break: %q", cd)
			}
			disp, params, err := mime.ParseMediaType(cd)
			if err != nil || disp != "attachment" || params["filename"] != filename {
				t.Errorf("Content-Disposition %q parses to %q %q (%v), want the stored name", cd, disp, params["filename"], err)
			}
			// A client that ignores filename* reads a printable ASCII fallback.
			plain, hasExt := strings.CutSuffix(cd, cd[max(0, strings.Index(cd, "; filename*=")):])
			if !hasExt || plain == "" {
				plain = cd
			}
			_, fb, err := mime.ParseMediaType(plain)
			if err != nil || fb["filename"] == "" || fb["filename"] != asciiOnly(fb["filename"]) || strings.ContainsAny(fb["filename"], "\"%") {
				t.Errorf("ASCII fallback of %q: %q (%v)", cd, fb["filename"], err)
			}
			if filename != asciiOnly(filename) && !strings.Contains(cd, "filename*=utf-8''") {
				t.Errorf("non-ASCII name without filename*: %q", cd)
			}
		})
	}
}

func asciiOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, s)
}

func TestAttachmentSizeLimit(t *testing.T) {
	a := newTestApp(t, smallAttachmentLimit)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, _ := b.newDraft("IB", "Size limit")
	limit := attachmentLimitMB << 20

	t.Run("a file just within the limit is accepted", func(t *testing.T) {
		data := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), limit-9)...)
		if p := b.upload(id, cuiLEI, uploadFile{quotedName("big.pdf"), "application/pdf", data}); p.Status != http.StatusOK {
			t.Fatalf("upload of exactly the limit: %d", p.Status)
		}
		_, _, _, ct := attachmentRow(t, a, id)
		if ct != "application/pdf" {
			t.Errorf("type %q", ct)
		}
	})

	t.Run("a file one byte over, inside a body the envelope allows, is refused while streaming", func(t *testing.T) {
		data := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), limit-8)...)
		p := b.upload(id, cuiLEI, uploadFile{quotedName("too-big.pdf"), "application/pdf", data})
		if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "at most 1 MB") {
			t.Fatalf("status %d, want 413 with the limit named", p.Status)
		}
	})

	t.Run("a declared body over the limit is refused before it is read", func(t *testing.T) {
		u, _ := url.Parse(a.URL)
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var cookies []string
		for _, c := range b.c.Jar.Cookies(u) {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		const declared = 50 << 20
		head := "POST /products/" + id + "/attachments HTTP/1.1\r\nHost: " + u.Host + "\r\nCookie: " + strings.Join(cookies, "; ") +
			"\r\nOrigin: " + a.URL + "\r\nSec-Fetch-Site: same-origin\r\nContent-Type: multipart/form-data; boundary=XYZ\r\n" +
			fmt.Sprintf("Content-Length: %d\r\n\r\n", declared) +
			"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.pdf\"\r\n\r\n%PDF-1.4\n"
		// Send the head and only 64 KB of the 50 MB announced: a server that waited for the body would hang.
		if _, err := conn.Write(append([]byte(head), make([]byte, 64<<10)...)); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer before the body was sent: %v", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", resp.StatusCode)
		}
	})

	t.Run("the Go client gets the 413 for a large body too", func(t *testing.T) {
		data := append([]byte("%PDF-1.4\n"), make([]byte, 3*limit)...)
		p := b.upload(id, cuiLEI, uploadFile{quotedName("huge.pdf"), "application/pdf", data})
		if p.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", p.Status)
		}
	})

	if n := a.countRows(t, `SELECT count(*) FROM attachment WHERE product_id = $1`, id); n != 1 {
		t.Errorf("attachments stored = %d, want only the one within the limit", n)
	}
}
