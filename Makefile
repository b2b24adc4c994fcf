# Tearline. The two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
# Stdlib security fixes: the machine's go1.26.8 has reachable vulnerabilities; the go command fetches this one.
export GOTOOLCHAIN := go1.27.3
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tearline?sslmode=disable
BIN := bin/tearline
GO  ?= go

.PHONY: run build generate test test-deps check-generate lint unit clean bench bench-clean security security-deps gosec vuln fuzz

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
test: test-deps check-generate lint vuln
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

## lint: gofmt, go vet, staticcheck and gosec
lint:
	@test -z "$$(gofmt -l cmd internal web migrations policies)" || { gofmt -l cmd internal web migrations policies; echo "gofmt needed" >&2; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GOSEC)

## bench: generate the synthetic corpus once (1M editions, 300 agencies; ~10 min) into its own database,
## then measure the portal against the floor and print DESIGN.md §7's figures (table + JSON in bench-results/)
BENCH_SERVER_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
BENCH_DB         ?= tearline_bench
BENCH_EDITIONS   ?= 1000000
BENCH_FLAGS      ?=
BENCH_URL = $(subst /postgres?,/$(BENCH_DB)?,$(BENCH_SERVER_URL))

bench: build
	$(GO) build -o bin/benchrun ./cmd/benchrun
	DATABASE_URL='$(BENCH_URL)' $(BIN) seed-bench --if-missing --editions $(BENCH_EDITIONS)
	DATABASE_URL='$(BENCH_URL)' bin/benchrun --binary $(BIN) --out bench-results $(BENCH_FLAGS)

## bench-clean: drop the bench database (the next `make bench` generates the corpus again)
bench-clean:
	psql '$(BENCH_SERVER_URL)' -c 'DROP DATABASE IF EXISTS $(BENCH_DB) WITH (FORCE)'

## security: dynamic scan against a demo server on a fresh database, signed in as each persona: sqlmap on
## every query and form parameter (free text at level 2, closed sets and ids at level 1; duplicates that reach
## the same decoder injected once, see docs/security.md) beside wapiti's offline modules; fails on any finding
## and prints a summary. About 10 minutes on 2 cores; installs Debian's sqlmap and wapiti when missing.
SECURITY_FLAGS ?=
security: security-deps build
	$(GO) build -o bin/securityscan ./cmd/securityscan
	bin/securityscan --binary $(BIN) --out security-results $(SECURITY_FLAGS)

security-deps:
	@command -v sqlmap >/dev/null 2>&1 && command -v wapiti >/dev/null 2>&1 || { \
		echo "installing Debian's sqlmap and wapiti for make security"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get install -y --no-install-recommends sqlmap wapiti >/dev/null 2>&1 || \
		{ $$SUDO apt-get update >/dev/null && $$SUDO apt-get install -y --no-install-recommends sqlmap wapiti >/dev/null; }; }
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }

## gosec: static security analysis, medium severity and confidence and up (justified #nosec only); part of lint
GOSEC = $(GO) tool gosec -quiet -severity medium -confidence medium ./...
gosec:
	$(GOSEC)

## vuln: govulncheck against a local database built from the golang.org/x/vulndb version pinned in
## tools/vulndb/go.mod (built once into .cache/vulndb/<version>, under a minute with warm Go caches);
## exits 3 on reachable vulnerabilities. Part of test
VULNDB_VERSION := $(shell sed -n 's|^[[:space:]]*golang.org/x/vulndb \(v[^ ]*\).*|\1|p' tools/vulndb/go.mod)
VULNDB_DIR     := $(CURDIR)/.cache/vulndb/$(VULNDB_VERSION)

$(VULNDB_DIR)/.built: tools/vulndb/go.mod
	rm -rf $(VULNDB_DIR)
	src=$$($(GO) -C tools/vulndb mod download -json golang.org/x/vulndb | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'); \
		$(GO) -C tools/vulndb tool indexdb -vulns "$$src/data/osv" -out $(VULNDB_DIR)
	touch $@

vuln: $(VULNDB_DIR)/.built
	$(GO) -C tools/vulndb tool govulncheck -C $(CURDIR) -db file://$(VULNDB_DIR) ./...

## fuzz: every fuzz target for FUZZTIME each (default 60s), one after the other with two workers each; runs
## them all even after a failure, then fails. A failing input is written to the package's
## testdata/fuzz/<Target>/, which every `go test` (so `make test`) replays as a regression case: commit it.
FUZZTIME ?= 60s
FUZZ_TARGETS := \
	./internal/markdown:FuzzRenderIsSafe \
	./internal/marking:FuzzBanner \
	./internal/marking:FuzzPortionMark \
	./internal/tradecraft:FuzzCheck \
	./internal/search:FuzzParse \
	./internal/search:FuzzHighlight \
	./internal/web:FuzzAttachmentName \
	./internal/web:FuzzMarkingForm \
	./internal/notify:FuzzSubscriptionNormalize \
	./internal/audit:FuzzCanonical

fuzz:
	@start=$$(date +%s); failed=; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$(FUZZTIME) -parallel=2 $$pkg || failed="$$failed $$pkg:$$fn"; done; \
	echo "fuzz: $(words $(FUZZ_TARGETS)) targets x $(FUZZTIME) in $$(( $$(date +%s) - start ))s"; \
	if [ -n "$$failed" ]; then echo "fuzz FAILED:$$failed; the inputs are in each package's testdata/fuzz/<Target>/ (commit them: go test replays them)" >&2; exit 1; fi

clean:
	rm -rf bin test-output security-results
