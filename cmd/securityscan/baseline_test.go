package main

import (
	"net/url"
	"testing"
)

func TestWithValuesAndSamplesLeaveTheCrawledShapeAlone(t *testing.T) {
	r := route{Method: "POST", Pattern: "/products/{id}/details", re: patternRE("/products/{id}/details")}
	crawled := &target{Route: &r, Method: "POST", URL: &url.URL{Path: "/products/18/details"},
		Fields: []field{{"rev", "3", "hidden"}, {"summary", "Scanner text", "text"}, {"poc", "test", "text"}}}
	fresh := &target{Route: &r, Method: "POST", URL: &url.URL{Path: "/products/40/details"},
		Fields: []field{{"rev", "1", "hidden"}, {"summary", "Fresh", "text"}, {"title", "New", "text"}}}
	got := withSamples(withValues(crawled, fresh), map[string]string{"poc": "Jane Doe", "absent": "x"})
	if got.URL.Path != "/products/40/details" {
		t.Errorf("URL %s, want the fresh draft's", got.URL.Path)
	}
	want := []field{{"rev", "1", "hidden"}, {"summary", "Fresh", "text"}, {"poc", "Jane Doe", "text"}}
	if len(got.Fields) != len(want) {
		t.Fatalf("fields %v, want %v (only the crawled names)", got.Fields, want)
	}
	for i := range want {
		if got.Fields[i] != want[i] {
			t.Errorf("field %d = %v, want %v", i, got.Fields[i], want[i])
		}
	}
	if crawled.URL.Path != "/products/18/details" || crawled.Fields[0].Value != "3" || crawled.Fields[2].Value != "test" {
		t.Errorf("the crawled shape changed: %v %v", crawled.URL, crawled.Fields)
	}
}

func TestLockFields(t *testing.T) {
	for key, want := range map[string]string{
		"POST /products/{id}/details":        "rev",
		"POST /products/{id}/portions/{pid}": "rev",
		"POST /admin/users/{id}":             "updated",
		"POST /products/{id}/portions":       "",
		"POST /products/{id}/sources":        "",
	} {
		if got := lockField(key); got != want {
			t.Errorf("lockField(%q) = %q, want %q", key, got, want)
		}
	}
}
