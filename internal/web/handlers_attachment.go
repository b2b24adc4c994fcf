package web

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

// uploadEnvelope is what a multipart upload may carry besides the file itself: boundaries, part
// headers and the marking fields.
const uploadEnvelope = 1 << 20

// Limits on the non-file fields of an upload.
const (
	maxUploadFieldBytes = 4 << 10
	maxUploadParts      = 100
)

var errUploadTooLarge = errors.New("upload too large")

// upload is a read multipart upload: the file and the other fields.
type upload struct {
	filename string
	data     []byte
	hasFile  bool
	fields   url.Values
}

// handleAttachmentUpload stores an attachment. The size limit is enforced before the body is read
// (Content-Length) and while it is read (MaxBytesReader, LimitReader); the type is sniffed from the
// content, never taken from the client; the file is stored under a server-made name.
func (s *Server) handleAttachmentUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	limit := s.MaxAttachmentBytes
	if r.ContentLength > limit+uploadEnvelope {
		s.refuseTooLarge(w, r, d.ID)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+uploadEnvelope)
	up, err := readUpload(r, limit)
	if errors.Is(err, errUploadTooLarge) {
		s.refuseTooLarge(w, r, d.ID)
		return
	}
	errs := map[string]string{}
	if err != nil {
		errs["file"] = apperr.Message(err)
	}
	r.PostForm = up.fields
	m := markingFromForm(r, "att_")
	for k, msg := range apperr.FieldErrors(m.Validate()) {
		errs[k] = strings.ReplaceAll(msg, "portion", "attachment") // the marking rules speak of portions
	}
	a := product.Attachment{Marking: m}
	if err == nil {
		if !up.hasFile || (up.filename == "" && len(up.data) == 0) {
			errs["file"] = "Choose a file to attach."
		} else if a.ContentType, a.Filename, err = classifyUpload(up.data, up.filename); err != nil {
			errs["file"] = apperr.Message(err)
		}
	}
	if len(errs) > 0 {
		s.renderEditor(w, r, d, http.StatusUnprocessableEntity, editorState{Alert: "The file was not attached: see Attachments.", AttachmentErrors: errs})
		return
	}
	sum := sha256.Sum256(up.data)
	a.StoredName, a.Size, a.SHA256 = randomHex(16), int64(len(up.data)), hex.EncodeToString(sum[:])
	if err := s.Store.CreateAttachment(ctx, p.AgencyID, p.UserID, d.ID, &a, up.data); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Auth.Flash(ctx, "Attached "+a.Filename+".")
	http.Redirect(w, r, "/products/"+strconv.FormatInt(d.ID, 10)+"/edit#attachments", http.StatusSeeOther)
}

// readUpload streams the multipart body: the part named "file" through a LimitReader of limit+1
// bytes, every other part as a short text field. It never buffers more than the limit.
func readUpload(r *http.Request, limit int64) (upload, error) {
	up := upload{fields: url.Values{}}
	mr, err := r.MultipartReader()
	if err != nil {
		return up, apperr.Errorf(apperr.EINVALID, "The upload could not be read; choose the file again.")
	}
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return up, nil
		}
		if err != nil {
			return up, uploadReadError(err)
		}
		if n >= maxUploadParts {
			return up, apperr.Errorf(apperr.EINVALID, "The upload has too many fields.")
		}
		name := part.FormName()
		if name == "file" {
			if up.hasFile {
				return up, apperr.Errorf(apperr.EINVALID, "Attach one file at a time.")
			}
			up.hasFile, up.filename = true, part.FileName()
			buf := bytes.NewBuffer(make([]byte, 0, min(max(r.ContentLength, 512), limit+1)))
			if _, err := io.Copy(buf, io.LimitReader(part, limit+1)); err != nil {
				return up, uploadReadError(err)
			}
			if int64(buf.Len()) > limit {
				return up, errUploadTooLarge
			}
			up.data = buf.Bytes()
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxUploadFieldBytes+1))
		if err != nil {
			return up, uploadReadError(err)
		}
		if len(b) > maxUploadFieldBytes {
			return up, apperr.Errorf(apperr.EINVALID, "A field of the upload form is too long.")
		}
		if !storable(name) || !storable(string(b)) {
			return up, errUnstorableForm
		}
		up.fields.Add(name, string(b))
	}
}

func uploadReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errUploadTooLarge
	}
	return apperr.Errorf(apperr.EINVALID, "The upload was interrupted or malformed; choose the file again.")
}

// refuseTooLarge answers 413 with a page that says what the limit is.
func (s *Server) refuseTooLarge(w http.ResponseWriter, r *http.Request, productID int64) {
	s.Logger.InfoContext(r.Context(), "attachment refused: too large", "request_id", requestID(r.Context()),
		"content_length", r.ContentLength, "limit", s.MaxAttachmentBytes)
	v := views.UploadRefusedView{ProductID: productID, Heading: "File too large",
		Message: "Attachments may be at most " + strconv.FormatInt(s.MaxAttachmentBytes>>20, 10) +
			" MB. Nothing was stored. Reduce the file (for example, export a smaller PDF or split it) and attach it again."}
	s.render(w, r, http.StatusRequestEntityTooLarge, views.UploadRefused(s.page(r, "File too large", "drafts"), v))
}

// handleAttachmentDownload serves an attachment as a download only: the stored sniffed type, a
// safe Content-Disposition, nosniff and a sandboxing CSP, so it can never run as part of the portal.
func (s *Server) handleAttachmentDownload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActRead)
	if !ok {
		return
	}
	aid, err := idParam(r, "aid")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	a, data, err := s.Store.FindAttachment(ctx, p.AgencyID, d.ID, aid)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	serveAttachment(w, a, data)
}

// handleEditionAttachment serves an attachment frozen into an edition the agency owns or holds; a
// hidden edition, or an attachment it does not name, answers 404 like a missing one.
func (s *Server) handleEditionAttachment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	e, _, ok := s.loadEdition(w, r, authz.ActRead)
	if !ok {
		return
	}
	aid, err := idParam(r, "aid")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	a, data, err := s.Store.FindEditionAttachment(ctx, p.AgencyID, p.UserID, e.ID, aid)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	serveAttachment(w, a, data)
}

// serveAttachment sends an attachment as a download that the browser never renders in the portal's origin.
func serveAttachment(w http.ResponseWriter, a product.Attachment, data []byte) {
	h := w.Header()
	h.Set("Content-Type", servedType(a.ContentType))
	h.Set("Content-Disposition", contentDisposition(a.Filename))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data) // #nosec G705 -- a download, never rendered: attachment disposition, nosniff, allow-listed type, sandboxing CSP
}

func (s *Server) handleAttachmentDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	aid, err := idParam(r, "aid")
	if err == nil {
		if err = parseForm(w, r); err == nil {
			err = s.Store.DeleteAttachment(ctx, p.AgencyID, p.UserID, d.ID, aid)
		}
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Auth.Flash(ctx, "Attachment deleted.")
	http.Redirect(w, r, "/products/"+strconv.FormatInt(d.ID, 10)+"/edit#attachments", http.StatusSeeOther)
}

// Attachment types the portal accepts, by sniffed content type, with the filename extensions that
// fit each and the one added when the name has none of them. Office Open XML documents sniff as
// ZIP and are recognised by their extension and contents (officeType). Legacy binary Office files
// (.doc, .xls, .ppt: OLE compound files, sniffed as application/octet-stream) are refused: they
// cannot be told from other binaries by sniffing and are the classic carrier of macros.
var allowedTypes = map[string]struct {
	exts []string
}{
	"image/png":                 {[]string{".png"}},
	"image/jpeg":                {[]string{".jpg", ".jpeg"}},
	"image/gif":                 {[]string{".gif"}},
	"image/webp":                {[]string{".webp"}},
	"application/pdf":           {[]string{".pdf"}},
	"text/plain; charset=utf-8": {[]string{".txt", ".csv", ".md", ".log"}},
	mimeDOCX:                    {[]string{".docx"}},
	mimeXLSX:                    {[]string{".xlsx"}},
	mimePPTX:                    {[]string{".pptx"}},
}

// Office Open XML content types.
const (
	mimeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

const typeAdvice = " Attach images (PNG, JPEG, GIF, WebP), PDF, Word, Excel or PowerPoint (.docx, .xlsx, .pptx) or plain text."

// classifyUpload sniffs the content type of data against the allow-list and returns it with the
// sanitised filename, whose extension is made to fit the type.
func classifyUpload(data []byte, filename string) (contentType, name string, err error) {
	if len(data) == 0 {
		return "", "", apperr.Errorf(apperr.EINVALID, "The file is empty.")
	}
	name = sanitizeFilename(filename)
	sniffed := http.DetectContentType(data[:min(len(data), 512)])
	contentType = sniffed
	switch sniffed {
	case "application/zip":
		if contentType, err = officeType(data, name); err != nil {
			return "", "", err
		}
	case "application/octet-stream":
		if isOLE(data) {
			return "", "", apperr.Errorf(apperr.EINVALID, "Older Office files (.doc, .xls, .ppt) are not accepted: save the file as .docx, .xlsx, .pptx or PDF and attach that.")
		}
		return "", "", apperr.Errorf(apperr.EINVALID, "This file's type could not be recognised, so it was not attached."+typeAdvice)
	}
	t, ok := allowedTypes[contentType]
	if !ok {
		return "", "", apperr.Errorf(apperr.EINVALID, "Files whose content is %s are not accepted (the name and the type your browser gave do not count; the content does).%s", sniffed, typeAdvice)
	}
	if ext := lowerExt(name); !slices.Contains(t.exts, ext) && knownExtension(ext) {
		return "", "", apperr.Errorf(apperr.EINVALID, "The file's name ends in %s, but its content is a %s file, so it was not attached. "+
			"Attach it under a name ending in %s, or choose the file you meant.", ext, t.exts[0], t.exts[0])
	}
	return contentType, withExtension(name, t.exts), nil
}

// knownExtension reports whether ext is the extension of one of the accepted types: a name that
// claims one of them must have content of that type (a PNG named .pdf is refused, not renamed).
func knownExtension(ext string) bool {
	for _, t := range allowedTypes {
		if slices.Contains(t.exts, ext) {
			return true
		}
	}
	return false
}

// officeType recognises a .docx, .xlsx or .pptx file: a ZIP archive named so, holding
// [Content_Types].xml and its main part, and no macros.
func officeType(data []byte, name string) (string, error) {
	ext := lowerExt(name)
	types := map[string]struct{ mime, dir string }{".docx": {mimeDOCX, "word/"}, ".xlsx": {mimeXLSX, "xl/"}, ".pptx": {mimePPTX, "ppt/"}}
	t, ok := types[ext]
	if !ok {
		return "", apperr.Errorf(apperr.EINVALID, "ZIP archives are not accepted; only Word, Excel and PowerPoint files (.docx, .xlsx, .pptx) may be ZIP-based.")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", apperr.Errorf(apperr.EINVALID, "This %s file is damaged and could not be read.", ext)
	}
	var contentTypes, mainPart bool
	for _, f := range zr.File {
		switch {
		case f.Name == "[Content_Types].xml":
			contentTypes = true
		case strings.HasSuffix(strings.ToLower(f.Name), "vbaproject.bin"):
			return "", apperr.Errorf(apperr.EINVALID, "Documents with macros are not accepted; save the file without macros and attach it again.")
		case strings.HasPrefix(f.Name, t.dir):
			mainPart = true
		}
	}
	if !contentTypes || !mainPart {
		return "", apperr.Errorf(apperr.EINVALID, "This file is not a valid %s document.", ext)
	}
	if err := checkExpansion(zr, len(data), ext); err != nil {
		return "", err
	}
	return t.mime, nil
}

// Limits on what an Office document (a ZIP archive) may expand to. The portal never unpacks
// attachments for use, but recipients' software does: a document that would expand past these
// limits is refused as a decompression bomb.
const (
	maxArchiveEntries  = 10_000
	maxArchiveExpanded = 256 << 20 // bytes, all entries together
	maxArchiveRatio    = 100       // expanded bytes per stored byte, over the whole file
	minArchiveAllowed  = 16 << 20  // small files may expand this far whatever their ratio
)

// checkExpansion refuses an archive with too many entries, unsafe entry names, declared sizes over
// the limits, or entries that do not decompress to exactly what they declare. Every entry is
// decompressed through a reader bounded by its declared size (archive/zip also checks the size and
// CRC at the end), so a lying header costs at most the declared limit to find out.
func checkExpansion(zr *zip.Reader, stored int, ext string) error {
	bomb := apperr.Errorf(apperr.EINVALID, "This %s file expands to far more data than a document needs (a possible decompression bomb), so it was not attached. Split it into smaller files.", ext)
	if len(zr.File) > maxArchiveEntries {
		return bomb
	}
	allowed := uint64(min(maxArchiveExpanded, max(minArchiveAllowed, stored*maxArchiveRatio)))
	var total uint64
	for _, f := range zr.File {
		if n := strings.ReplaceAll(f.Name, `\`, "/"); strings.HasPrefix(n, "/") || slices.Contains(strings.Split(n, "/"), "..") || strings.ContainsRune(n, 0) {
			return apperr.Errorf(apperr.EINVALID, "This %s file holds a part with an unsafe path, so it was not attached.", ext)
		}
		if f.UncompressedSize64 > allowed || total+f.UncompressedSize64 > allowed {
			return bomb
		}
		total += f.UncompressedSize64
	}
	for _, f := range zr.File {
		size := f.UncompressedSize64
		if size > maxArchiveExpanded { // already refused above; bounds the conversions below
			return bomb
		}
		rc, err := f.Open()
		if err != nil {
			return apperr.Errorf(apperr.EINVALID, "This %s file is damaged and could not be read.", ext)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, int64(size)+1))
		_ = rc.Close()
		if err != nil || n != int64(size) {
			return apperr.Errorf(apperr.EINVALID, "This %s file is damaged: a part does not hold what its header declares, so it was not attached.", ext)
		}
	}
	return nil
}

// isOLE reports whether data starts like an OLE compound file (legacy .doc, .xls, .ppt, .msg).
func isOLE(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
}

// Filename rules.
const (
	maxFilenameRunes = 200
	maxExtRunes      = 10
)

// sanitizeFilename keeps a client's file name only as a label: the last path component, without
// control, formatting (e.g. right-to-left override) or quote characters, with characters that are
// unsafe in file names replaced, no leading or trailing dots or spaces, at most 200 characters
// (keeping the extension), never empty.
func sanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '"', r == '\'', r == '`':
			return -1
		case strings.ContainsRune(`<>:*?|;%`, r), unicode.IsSpace(r) && r != ' ':
			return '_'
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(name), " ")
	name = strings.Trim(name, ". ")
	if name == "" {
		name = "attachment"
	}
	return truncateName(name, maxFilenameRunes)
}

// truncateName shortens name to at most n runes, keeping a short extension.
func truncateName(name string, n int) string {
	if utf8.RuneCountInString(name) <= n {
		return name
	}
	ext := filepath.Ext(name)
	if utf8.RuneCountInString(ext) > maxExtRunes {
		ext = ""
	}
	stem := []rune(strings.TrimSuffix(name, ext))
	stem = stem[:n-utf8.RuneCountInString(ext)]
	return strings.TrimRight(string(stem), ". ") + ext
}

// withExtension returns name if its extension is one of exts, else name with exts[0] added.
func withExtension(name string, exts []string) string {
	if slices.Contains(exts, lowerExt(name)) {
		return name
	}
	return truncateName(name, maxFilenameRunes-len(exts[0])) + exts[0]
}

func lowerExt(name string) string { return strings.ToLower(filepath.Ext(name)) }

// contentDisposition makes an attachment header with an ASCII fallback name and, when the name
// is not plain ASCII, its exact UTF-8 form (RFC 6266, RFC 5987).
func contentDisposition(name string) string {
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	h := mime.FormatMediaType("attachment", map[string]string{"filename": fallback})
	if h == "" {
		return "attachment"
	}
	if fallback != name {
		// FormatMediaType writes a non-ASCII value as filename*=utf-8''<percent-encoded>.
		if ext := mime.FormatMediaType("attachment", map[string]string{"filename": name}); strings.Contains(ext, "filename*=") {
			h += "; " + strings.TrimPrefix(ext, "attachment; ")
		}
	}
	return h
}

// servedType is the stored type if it is one the portal accepts, else a type no browser renders.
func servedType(ct string) string {
	if _, ok := allowedTypes[ct]; ok {
		return ct
	}
	return "application/octet-stream"
}
