# Tearline. The two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tearline?sslmode=disable
BIN := bin/tearline
GO  ?= go

.PHONY: run build generate test test-deps check-generate lint unit clean

## run: build, create and migrate the database, seed demo data once, serve on :8080
run: build
	$(BIN) migrate
	$(BIN) seed-demo
	$(BIN) serve

build: generate
	$(GO) build -o $(BIN) ./cmd/tearline

generate:
	$(GO) tool templ generate -log-level error

## test: every test, including PostgreSQL and headless Chromium; installs Chromium when missing
test: test-deps check-generate lint
	$(GO) test -count=1 -timeout 20m ./...

test-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
		{ $$SUDO apt-get update >/dev/null && $$SUDO apt-get install -y --no-install-recommends chromium >/dev/null; }; }
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432; the tests need it" >&2; exit 1; }

## check-generate: generated templ code must match its sources
check-generate:
	$(GO) tool templ generate -log-level error
	@git diff --exit-code --stat -- '*_templ.go' || { echo "templ output is stale: run 'make generate' and commit" >&2; exit 1; }
	@test -z "$$(git ls-files --others --exclude-standard -- '*_templ.go')" || { echo "uncommitted generated templ files" >&2; exit 1; }

lint:
	@test -z "$$(gofmt -l cmd internal web migrations policies)" || { gofmt -l cmd internal web migrations policies; echo "gofmt needed" >&2; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

clean:
	rm -rf bin test-output
