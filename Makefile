# Cangku — every target installs what it needs first. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NPM_STAMP := pwa/node_modules/.installed-stamp
# The built PWA (served by the server, used by tests/e2e); rebuilt when a source is newer than it.
PWA_BUILT := pwa/dist/sw.js
PWA_SOURCES := $(shell find pwa/src pwa/public pwa/scripts -type f ! -name '*.test.ts' ! -name '*.test.tsx' 2>/dev/null) \
	pwa/index.html pwa/vite.config.ts pwa/tsconfig.json pwa/package.json

.DEFAULT_GOAL := help
.PHONY: help install run test lint types unit pwa-test pwa-build e2e postgres bench migrate verify clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(NPM_STAMP): pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund
	@touch $(NPM_STAMP)

$(PWA_BUILT): $(NPM_STAMP) $(PWA_SOURCES)
	npm --prefix pwa run build

install: $(STAMP) $(NPM_STAMP) ## create .venv and install Cangku with its dev tools (and the PWA's npm packages)
	@infra/ensure-debian-packages.sh

run: install pwa-build ## run the product: server + PWA on SQLite (./var/), demo data, printed logins
	$(BIN)/cangku run

test: install postgres lint types pwa-test pwa-build ## the whole suite: lint, types, tests on SQLite and PostgreSQL, PWA tests
	$(BIN)/pytest -n 2 --dist loadgroup --ignore=tests/e2e
	@# Its own process: Playwright's sync API keeps an event loop running in the worker's thread,
	@# and every later test whose fixtures call asyncio.run() (migrations) would fail there.
	$(BIN)/pytest tests/e2e -q

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install ## mypy --strict on server/ and sync/
	$(BIN)/mypy

unit: install ## fast tests only (no database)
	$(BIN)/pytest -m unit -q

pwa-test: install ## PWA type check and unit tests (tsc, Vitest)
	npm --prefix pwa run typecheck
	npm --prefix pwa test

pwa-build: install $(PWA_BUILT) ## build the PWA into pwa/dist (only when a source changed since the last build)

e2e: install pwa-build ## only the end-to-end tests: the built PWA in headless Chromium (tests/e2e)
	$(BIN)/pytest tests/e2e -q

postgres: ## make sure the local PostgreSQL server is installed and running
	@infra/ensure-postgres.sh

migrate: install ## apply migrations to CANGKU_DATABASE_URL
	$(BIN)/cangku db upgrade

verify: install ## recompute stock levels from the ledger and report differences
	$(BIN)/cangku ledger verify

bench: install postgres pwa-build ## ledger, sync, order and report figures on SQLite and PostgreSQL (prints figures; long)
	$(BIN)/python -m bench.ledger
	$(BIN)/python -m bench.sync
	$(BIN)/python -m bench.orders
	$(BIN)/python -m bench.scanning
	$(BIN)/python -m bench.pwa_size
	$(BIN)/python -m bench.pwa
	$(BIN)/python -m bench.reports --backend both

clean: ## remove the venv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache pwa/node_modules pwa/dist
