package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tearline/web"
)

// A panic in a handler becomes the generic 500 page with a reference: the stack goes to the log,
// never to the client.
func TestPanicIsAGeneric500(t *testing.T) {
	assets, err := web.NewAssets()
	if err != nil {
		t.Fatal(err)
	}
	logs := &strings.Builder{}
	s := New(Deps{Logger: slog.New(slog.NewJSONHandler(logs, nil)), Assets: assets})
	h := s.observe(s.secureHeaders(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("store failed: SELECT secret FROM product WHERE id = 1")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/products/1", nil))
	body := rec.Body.String()
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
	id := rec.Header().Get("X-Request-Id")
	if !strings.Contains(body, "Something went wrong") || id == "" || !strings.Contains(body, id) {
		t.Errorf("the 500 page lacks the generic heading or the request reference:\n%.1500s", body)
	}
	for _, leak := range []string{"panic", "goroutine", "SELECT", "secret", ".go:", "runtime"} {
		if strings.Contains(body, leak) {
			t.Errorf("the 500 page gives away %q", leak)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"panic"`) || !strings.Contains(logs.String(), "goroutine") || !strings.Contains(logs.String(), id) {
		t.Errorf("the panic was not logged with its stack and request id:\n%.1000s", logs.String())
	}
	if rec.Header().Get("Content-Security-Policy") == "" {
		t.Error("the 500 page has no security headers")
	}
}
