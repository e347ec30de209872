# TopSmile: one recipe for SAM, local dev and CI.
#   make dev    run the whole clinic locally (SPA + API on :3000, embedded DB)
#   make test   every test: Go (real FerretDB + Redis, Lambda binaries under the RIE) and front end
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
BIN       := $(CURDIR)/.bin
BUILD_DIR := $(CURDIR)/build
# Tools pinned to versions served by the module proxy (see ../shared/STACK.md).
RIE_VERSION         := v0.0.0-20261030222936-bef5c4ba774d
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK_VERSION := v1.9.0
VULNDB_VERSION      := v0.0.0-20261105234957-e22db6528018

# LogicalId -> functions/<folder>. Add each new function here and in template.yaml.
FUNCTIONS := HealthFunction=health AuthFunction=auth AdminFunction=admin PatientsFunction=patients SchedulingFunction=scheduling NotificationsFunction=notifications

LAMBDA_GOFLAGS := -tags lambda.norpc -trimpath -ldflags="-s -w"
lambda_build = CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(LAMBDA_GOFLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(1)

.PHONY: help
help:
	@echo "make dev | test | build | bench | lint | vuln | clean"

# --- SAM (BuildMethod: makefile calls build-<LogicalId> with ARTIFACTS_DIR) ---
.PHONY: build-HealthFunction build-AuthFunction build-AdminFunction build-PatientsFunction build-SchedulingFunction build-NotificationsFunction
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
build-NotificationsFunction:
	$(call lambda_build,notifications)

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

.PHONY: frontend
frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run build

# --- local stack ---
.PHONY: dev
dev: frontend
	$(GO) run ./infra/local

# --- tests ---
$(BIN)/aws-lambda-rie:
	GOBIN=$(BIN) $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

.PHONY: test test-go test-frontend test-e2e
test: test-go test-frontend test-e2e

test-go: $(BIN)/aws-lambda-rie
	AWS_LAMBDA_RIE=$(BIN)/aws-lambda-rie $(GO) run ./infra/testenv -- $(GO) test -count=1 -timeout 300s ./...

test-frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run typecheck && npm test

# The SPA in Debian's Chromium against the real local stack (fresh data dir).
test-e2e: frontend
	cd frontend && npm run e2e

# --- benchmarks (never timed assertions in tests) ---
.PHONY: bench
bench: $(BIN)/aws-lambda-rie
	AWS_LAMBDA_RIE=$(BIN)/aws-lambda-rie $(GO) run ./infra/testenv -- sh -c '\
		$(GO) test -run "^$$" -bench . -benchmem $$($(GO) list ./... | grep -v /infra/lambdatest) && \
		$(GO) test -run "^$$" -bench . -benchtime 10x ./infra/lambdatest/'

# --- quality ---
.PHONY: lint
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(BIN)/staticcheck ./...

# govulncheck against a vulnerability database built locally from the
# golang.org/x/vulndb module (the machines cannot reach vuln.go.dev).
.PHONY: vuln
vuln:
	GOBIN=$(BIN) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	$(GO) mod download golang.org/x/vulndb@$(VULNDB_VERSION)
	@mkdir -p $(BIN)/vulndb
	$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) \
		-vulns $$($(GO) env GOMODCACHE)/golang.org/x/vulndb@$(VULNDB_VERSION)/data/osv -out $(BIN)/vulndb
	$(BIN)/govulncheck -db file://$(BIN)/vulndb ./...

.PHONY: clean
clean:
	rm -rf $(BUILD_DIR) $(BIN) .aws-sam frontend/dist
