# Saha — everything a person or CI needs, from a fresh Debian machine.
#   make run    set up, build, migrate, load demo data, serve at http://127.0.0.1:8000/
#   make test   set up (incl. Debian's chromium when root) and run every test
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY        ?= python3
VENV      := .venv
VPY       := $(VENV)/bin/python
STAMP_PY  := $(VENV)/.installed
STAMP_JS  := frontend/node_modules/.installed
DIST      := frontend/dist/index.html
PORT      ?= 8000
export PORT
SUDO      := $(if $(filter 0,$(shell id -u)),,sudo)
FRONTEND_SRC := $(shell find frontend/src frontend/public frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/tsconfig.build.json -type f 2>/dev/null)

.PHONY: help run test test-py test-js test-e2e lint bench bench-peer schema generate migrate demo build deps lock clean chromium system-deps image image-test

help: ## list the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

RUNTIME_PACKAGES := $(shell sed 's/\#.*//' deploy/runtime-packages.txt)

system-deps: ## install Debian packages the project needs (python3-venv, nodejs/npm, deploy/runtime-packages.txt) if missing
	@if ! $(PY) -c 'import venv, ensurepip' 2>/dev/null; then \
	  echo "installing python3-venv"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv python3-pip; fi
	@if ! command -v npm >/dev/null; then \
	  echo "installing nodejs and npm"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm; fi
	@missing=$$(for p in $(RUNTIME_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing" $$missing; $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi

# Python packages: exactly the versions in the lock files (`make lock` re-pins them from
# pyproject.toml). --no-deps: nothing is resolved at install time; `pip check` proves the set whole.
PIP_PIN := pip==26.3
UV_PIN  := uv==0.13.9
$(STAMP_PY): pyproject.toml requirements-dev.lock deploy/runtime-packages.txt
	@$(MAKE) --no-print-directory system-deps
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q '$(PIP_PIN)'
	$(VPY) -m pip install -q --no-deps -r requirements-dev.lock
	$(VPY) -m pip install -q --no-deps -e .
	$(VPY) -m pip check
	@touch $@

lock: ## re-pin requirements.lock (the image) and requirements-dev.lock from pyproject.toml (uv; LOCK_ARGS=--upgrade for newer)
	@[ -x $(VENV)/bin/python ] || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q '$(UV_PIN)'
	$(VENV)/bin/uv pip compile -q $(LOCK_ARGS) pyproject.toml --universal --python-version 3.11 -o requirements.lock
	$(VENV)/bin/uv pip compile -q $(LOCK_ARGS) pyproject.toml --extra dev --universal --python-version 3.11 \
	  -c requirements.lock -o requirements-dev.lock
	@echo "locked; 'make deps' installs it"

$(STAMP_JS): frontend/package.json frontend/package-lock.json frontend/lint/package.json
	@$(MAKE) --no-print-directory system-deps
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(STAMP_PY) $(STAMP_JS) ## install Python and npm dependencies

$(DIST): $(STAMP_JS) $(FRONTEND_SRC)
	cd frontend && npm run --silent build
	@touch $@

build: $(DIST) ## build the PWA into frontend/dist

migrate: $(STAMP_PY) ## apply database migrations
	$(VPY) -m backend migrate

demo: $(STAMP_PY) ## load demo data into an empty database
	$(VPY) -m backend demo

run: $(STAMP_PY) $(DIST) ## set up everything and serve the app (SQLite in ./var, demo data)
	$(VPY) -m backend init
	@echo ""
	@echo "  Saha: open http://localhost:$(PORT)/   (demo password: saha-demo)"
	@echo ""
	$(VPY) -m backend serve

chromium: ## install what tests need from Debian when missing and root: chromium, poppler-utils, faketime
	@missing=""; [ -x /usr/bin/chromium ] || missing="chromium"; \
	command -v pdfsig >/dev/null && command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v faketime >/dev/null || missing="$$missing faketime"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "missing:$$missing: run 'sudo apt-get install$$missing'"; exit 1; fi; fi

lint: $(STAMP_PY) $(STAMP_JS) ## ruff, mypy (strict), the layer contracts (import-linter), the TypeScript check, ESLint and Prettier
	$(VENV)/bin/ruff check backend sync tests bench scripts
	$(VENV)/bin/ruff format --check backend sync tests bench scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	cd frontend && npm run --silent typecheck
	cd frontend && npm run --silent lint
	cd frontend && npm run --silent format:check

test-py: $(STAMP_PY) chromium ## unit + integration tests (also on PostgreSQL when TEST_DATABASE_URL is set)
	$(VPY) -m pytest tests --ignore=tests/e2e -q

test-js: $(STAMP_JS) ## front-end unit tests (vitest)
	cd frontend && npm test --silent

test-e2e: $(STAMP_PY) $(DIST) chromium ## end-to-end tests in Debian's Chromium
	$(VPY) -m pytest tests/e2e -q

test: $(STAMP_PY) $(STAMP_JS) $(DIST) chromium ## every test: lint, unit, integration, front-end, end-to-end, container image
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test-js
	@$(MAKE) --no-print-directory test-py
	@$(MAKE) --no-print-directory test-e2e
	@$(MAKE) --no-print-directory image-test

IMAGE ?= saha:local
export IMAGE

image: ## build the container image (docker when an engine answers, else buildah)
	@if ! { command -v docker >/dev/null && docker info >/dev/null 2>&1; } && ! command -v buildah >/dev/null && [ "$$(id -u)" != 0 ]; then \
	  echo "image: no Docker engine and no buildah (install one: sudo apt-get install buildah)"; exit 1; fi
	@start=$$(date +%s); scripts/image.sh && echo "image $(IMAGE) built in $$(( $$(date +%s) - start )) s"

image-test: $(STAMP_PY) chromium ## build the image, start it, check health, sign-in, a sealed PDF made inside, a restart
	@if ! { command -v docker >/dev/null && docker info >/dev/null 2>&1; } && ! command -v buildah >/dev/null && [ "$$(id -u)" != 0 ]; then \
	  echo "image-test SKIPPED: no Docker engine, no buildah, and not root to install it"; exit 0; fi; \
	$(MAKE) --no-print-directory image && $(VPY) scripts/image_test.py --image $(IMAGE)

bench: $(STAMP_PY) ## run the benchmarks in bench/ (not bench_peer.py)
	@for b in $(filter-out bench/bench_peer.py,$(wildcard bench/bench_*.py)); do echo "== $$b"; $(VPY) $$b || exit 1; done

bench-peer: $(STAMP_PY) ## Saha's sync over HTTP next to pouchdb-server (npm install on first use)
	@$(MAKE) --no-print-directory system-deps
	$(VPY) bench/bench_peer.py

schema: $(STAMP_PY) ## regenerate schema.graphql from the code
	$(VPY) -m backend export-schema

generate: schema ## regenerate schema.graphql and frontend/src/generated/rules.ts from the code
	$(VPY) -m backend export-rules

clean: ## remove build outputs and installed dependencies (keeps ./var data)
	rm -rf $(VENV) frontend/node_modules frontend/dist .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
