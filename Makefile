# TopSmile: one recipe for SAM, local dev and CI.
#   make dev    run the whole clinic locally (SPA + API on :3000, embedded DB)
#   make test   every test: Go (real FerretDB + Redis, Lambda binaries under the RIE) and front end
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Every build and test runs on this patched Go: the go command fetches it once
# from the module proxy (the machines set GOTOOLCHAIN=local, which would
# ignore a toolchain line in go.mod). Exported, so go run by scripts and
# tests under make (the e2e stack, the RIE harness's builds) uses it too.
export GOTOOLCHAIN := go1.27.3

GO        ?= go
BIN       := $(CURDIR)/.bin
BUILD_DIR := $(CURDIR)/build
# Tools pinned to versions served by the module proxy (see ../shared/STACK.md).
RIE_VERSION         := v0.0.0-20261030222936-bef5c4ba774d
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK_VERSION := v1.9.0
VULNDB_VERSION      := v0.0.0-20261105234957-e22db6528018
STRIPE_MOCK_VERSION := v0.203.0
# stripe-mock answers Stripe's API in the tests and under make dev (no
# STRIPE_SECRET_KEY): the Go tests, the local stack and the e2e run find it here.
export STRIPE_MOCK_BIN := $(BIN)/stripe-mock

# LogicalId -> functions/<folder>. Add each new function here and in template.yaml.
FUNCTIONS := HealthFunction=health AuthFunction=auth AdminFunction=admin PatientsFunction=patients SchedulingFunction=scheduling ClinicalFunction=clinical BillingFunction=billing StripeWebhookFunction=stripewebhook TwilioWebhookFunction=twiliowebhook NotificationsFunction=notifications RemindersFunction=reminders RealtimeFunction=realtime

LAMBDA_GOFLAGS := -tags lambda.norpc -trimpath -ldflags="-s -w"
lambda_build = CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(LAMBDA_GOFLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(1)

.PHONY: help
help:
	@echo "make dev | test | build | bench | load | fuzz | lint | vuln | setup | clean"

# --- SAM (BuildMethod: makefile calls build-<LogicalId> with ARTIFACTS_DIR) ---
.PHONY: build-HealthFunction build-AuthFunction build-AdminFunction build-PatientsFunction build-SchedulingFunction build-ClinicalFunction build-BillingFunction build-StripeWebhookFunction build-TwilioWebhookFunction build-NotificationsFunction build-RemindersFunction build-RealtimeFunction
build-HealthFunction:
	$(call lambda_build,health)
build-AuthFunction:
	$(call lambda_build,auth)
build-AdminFunction:
	$(call lambda_build,admin)
build-PatientsFunction:
	$(call lambda_build,patients)
build-SchedulingFunction:
	$(call lambda_build,scheduling)
build-ClinicalFunction:
	$(call lambda_build,clinical)
build-BillingFunction:
	$(call lambda_build,billing)
build-StripeWebhookFunction:
	$(call lambda_build,stripewebhook)
build-TwilioWebhookFunction:
	$(call lambda_build,twiliowebhook)
build-NotificationsFunction:
	$(call lambda_build,notifications)
build-RemindersFunction:
	$(call lambda_build,reminders)
build-RealtimeFunction:
	$(call lambda_build,realtime)

.PHONY: build
build: ## every function as an arm64 bootstrap under build/<LogicalId>/
	@set -e; for pair in $(FUNCTIONS); do \
		id=$${pair%%=*}; \
		$(MAKE) --no-print-directory build-$$id ARTIFACTS_DIR=$(BUILD_DIR)/$$id; \
		ls -l $(BUILD_DIR)/$$id/bootstrap; \
	done

# --- front end ---
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

# Servers and tools the Go tests start (fauxqs: an SQS-protocol server;
# fhir-validate.js: HL7's official FHIR R4 JSON schema, for the export).
infra/testtools/node_modules/.package-lock.json: infra/testtools/package-lock.json
	cd infra/testtools && npm ci --no-audit --no-fund
	@touch $@
export FAUXQS_CLI := $(CURDIR)/infra/testtools/node_modules/fauxqs/dist/cli.js
export FHIR_VALIDATE := $(CURDIR)/infra/testtools/fhir-validate.js

.PHONY: frontend
frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run build

# --- local stack ---
.PHONY: dev
dev: frontend $(BIN)/stripe-mock
	$(GO) run ./infra/local

# --- system packages (Debian) ---
# The tests need commands a fresh machine with only Go and Node lacks. Each
# setup target installs the missing ones with apt-get (one `apt-get update`,
# as root or through sudo) and is a no-op, silent, when they are all on PATH.
# As command=package: redis-server for the Go tests (infra/testenv starts it;
# without it Redis would be miniredis, which accepts commands Redis 7 refuses),
# chromium (/usr/bin/chromium) for the browser tests.
GO_TEST_PACKAGES := redis-server=redis-server
E2E_PACKAGES     := chromium=chromium

define apt_install
missing=; for pair in $(1); do \
		command -v "$${pair%%=*}" >/dev/null 2>&1 || missing="$$missing $${pair#*=}"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	missing=$${missing# }; \
	fail() { echo "make setup: cannot install $$missing: $$1" >&2; \
		echo "make setup: install it yourself (apt-get install --no-install-recommends $$missing) and run make again" >&2; exit 1; }; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	else fail "not root and no sudo"; fi; \
	command -v apt-get >/dev/null 2>&1 || fail "no apt-get (this is not Debian)"; \
	echo "make setup: installing $$missing with apt-get$${sudo:+ (through sudo)}"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq || fail "apt-get update failed"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing \
		|| fail "apt-get install failed"; \
	for pair in $(1); do \
		command -v "$${pair%%=*}" >/dev/null 2>&1 || fail "package $${pair#*=} installed but $${pair%%=*} is still not on PATH"; \
	done
endef

# `make test` runs `setup` first (one apt-get run for everything); then the
# per-suite ones are no-ops. They exist so test-go and test-e2e work alone.
.PHONY: setup setup-go setup-e2e
setup: ## every system package the tests need
	@$(call apt_install,$(GO_TEST_PACKAGES) $(E2E_PACKAGES))
setup-go:
	@$(call apt_install,$(GO_TEST_PACKAGES))
setup-e2e:
	@$(call apt_install,$(E2E_PACKAGES))

# --- tests ---
$(BIN)/aws-lambda-rie:
	GOBIN=$(BIN) $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)
$(BIN)/stripe-mock:
	GOBIN=$(BIN) $(GO) install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION)

.PHONY: test test-go test-frontend test-e2e
test: setup test-go test-frontend test-e2e

test-go: setup-go $(BIN)/aws-lambda-rie $(BIN)/stripe-mock infra/testtools/node_modules/.package-lock.json
	AWS_LAMBDA_RIE=$(BIN)/aws-lambda-rie $(GO) run ./infra/testenv -- $(GO) test -count=1 -timeout 480s ./...

test-frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run typecheck && npm test

# The SPA in Debian's Chromium against the real local stack (fresh data dir);
# the admin spec checks a downloaded FHIR bundle with infra/testtools.
test-e2e: setup-e2e frontend $(BIN)/stripe-mock infra/testtools/node_modules/.package-lock.json
	cd frontend && CHROMIUM_PATH="$${CHROMIUM_PATH:-$$(command -v chromium)}" npm run e2e

# --- benchmarks (never timed assertions in tests; not part of make test) ---
# `make bench` prints one markdown table and writes it to bench/results.md
# (ignored; issue 15): the API on the local stack beside bare handlers, the
# dependency cost per request, availability over 100k appointments, PHI reads
# against a long audit chain, the chain's contention, FerretDB on PostgreSQL
# beside SQLite (bench/cmd/bench), each function's cold start and size under
# the RIE as ratios to a bare Lambda (BenchmarkColdStart, BENCH_ROUNDS starts
# each), the SPA's rows (frontend/bench/spa.mjs) and the load and fault run
# (`make load`, LOAD_SECONDS long). Before them, every package's Go
# benchmarks (-benchmem, BENCHTIME each). A step that fails leaves its rows
# out and the table says "not run"; make bench then exits non-zero.
BENCH_ROUNDS ?= 10
BENCHTIME    ?= 100ms
LOAD_SECONDS ?= 60
BENCH_OUT    := bench/out
# redis-server for the stack's rate limiter and guard, PostgreSQL (Debian's
# postgresql; pg_ctlcluster is its postgresql-common) for FerretDB's
# postgresql backend.
BENCH_PACKAGES := redis-server=redis-server pg_ctlcluster=postgresql

.PHONY: bench load bench-go bench-coldstart bench-spa setup-bench
setup-bench:
	@$(call apt_install,$(BENCH_PACKAGES) $(E2E_PACKAGES))

bench: setup-bench $(BIN)/aws-lambda-rie
	@rm -rf $(BENCH_OUT) && mkdir -p $(BENCH_OUT)
	@status=0; \
	$(MAKE) --no-print-directory bench-go || status=1; \
	$(MAKE) --no-print-directory bench-coldstart || status=1; \
	$(MAKE) --no-print-directory bench-spa || status=1; \
	$(MAKE) --no-print-directory load || status=1; \
	$(GO) run ./bench/cmd/bench -out bench/results.md \
		-rows "cold start=$(BENCH_OUT)/coldstart.md,SPA=$(BENCH_OUT)/spa.md,load and faults=$(BENCH_OUT)/load.md" || status=1; \
	exit $$status

bench-go: setup-go
	$(GO) run ./infra/testenv -- $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) \
		$$($(GO) list ./... | grep -v -e /infra/lambdatest -e /bench/)

bench-coldstart: setup-go $(BIN)/aws-lambda-rie
	@mkdir -p $(BENCH_OUT)
	AWS_LAMBDA_RIE=$(BIN)/aws-lambda-rie BENCH_COLDSTART_OUT=$(CURDIR)/$(BENCH_OUT)/coldstart.md $(GO) run ./infra/testenv -- \
		$(GO) test -run '^$$' -bench '^BenchmarkColdStart$$' -benchtime $(BENCH_ROUNDS)x -timeout 30m ./infra/lambdatest/

bench-spa: setup-e2e frontend $(BIN)/stripe-mock
	@mkdir -p $(BENCH_OUT)
	CHROMIUM_PATH="$${CHROMIUM_PATH:-$$(command -v chromium)}" node frontend/bench/spa.mjs --out $(BENCH_OUT)/spa.md

load: setup-bench
	@mkdir -p $(BENCH_OUT)
	LOAD_SECONDS=$(LOAD_SECONDS) $(GO) run ./bench/cmd/bench -load -out $(BENCH_OUT)/load.md

# --- fuzzing (not part of make test: there the seed corpora, f.Add and
# testdata/fuzz, run as plain tests) ---
# package:target, each fuzzed for FUZZTIME. A failing input is written to the
# package's testdata/fuzz/<target>/: fix the code and commit the input, so the
# seeds keep it.
FUZZTIME ?= 60s
FUZZ_TARGETS := ./shared/httpapi:FuzzDecode ./shared/store:FuzzCursor \
	./shared/patients:FuzzPatientInput ./shared/scheduling:FuzzBooking \
	./shared/validate:FuzzEmail ./shared/phone:FuzzE164 ./shared/validate:FuzzDate ./shared/validate:FuzzInstant

.PHONY: fuzz
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

# --- quality ---
.PHONY: lint
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(BIN)/staticcheck ./...

# govulncheck against a vulnerability database built locally from the
# golang.org/x/vulndb module (the machines cannot reach vuln.go.dev), once per
# VULNDB_VERSION. Fails only on vulnerabilities the code calls.
VULNDB := $(BIN)/vulndb-$(VULNDB_VERSION)

$(VULNDB)/index/db.json:
	$(GO) mod download golang.org/x/vulndb@$(VULNDB_VERSION)
	@rm -rf $(VULNDB) $(VULNDB).tmp && mkdir -p $(VULNDB).tmp
	$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) \
		-vulns $$($(GO) env GOMODCACHE)/golang.org/x/vulndb@$(VULNDB_VERSION)/data/osv -out $(VULNDB).tmp
	@mv $(VULNDB).tmp $(VULNDB)

$(BIN)/govulncheck-$(GOVULNCHECK_VERSION):
	GOBIN=$(BIN) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	mv $(BIN)/govulncheck $@

.PHONY: vuln
vuln: $(BIN)/govulncheck-$(GOVULNCHECK_VERSION) $(VULNDB)/index/db.json
	$(GO) version
	$(BIN)/govulncheck-$(GOVULNCHECK_VERSION) -db file://$(VULNDB) ./...

.PHONY: clean
clean:
	rm -rf $(BUILD_DIR) $(BIN) .aws-sam frontend/dist
