# PRR Council Portal — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi
# Test databases: SQLite always; PostgreSQL on 127.0.0.1:5432 when reachable (required under CI=true).
TEST_DATABASE_URLS ?= sqlite://,postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test lint install install-test translations extract-messages system-libs test-tools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

# Compile the message catalogues (the .mo files are build products, not committed).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d portal/translations

# Refresh the catalogue after changing user-facing text, then translate the new entries in
# portal/translations/ru/LC_MESSAGES/messages.po.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -w 100 -o portal/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -w 100 -i portal/translations/messages.pot -d portal/translations

system-libs:
	@scripts/ensure-debian-packages.sh "PDF briefs and PNG charts" libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
		libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core libcairo2

test-tools: system-libs tests/js/node_modules/.installed
	@scripts/ensure-debian-packages.sh "the browser and LibreOffice tests" chromium libreoffice-calc-nogui

# What the browser tests inject into pages (axe-core), from the npm registry, as locked.
tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/js --no-audit --no-fund --silent && touch $@; \
	else echo "NOTE: npm not found: the accessibility tests skip (and fail under CI=true)"; fi

# The scheduler runs beside the web server and stops with it (in production: its own service).
run: install system-libs
	$(FLASK) db upgrade
	$(FLASK) seed --demo
	@$(FLASK) scheduler & SCHEDULER=$$!; \
	trap 'kill $$SCHEDULER 2>/dev/null; wait $$SCHEDULER 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The gates: lint, formatting and types (configured in pyproject.toml).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# pytest-xdist: one worker per CPU; each PostgreSQL worker has a schema of its own.
PYTEST_WORKERS ?= auto

test: install-test test-tools lint
	TEST_DATABASE_URLS="$(TEST_DATABASE_URLS)" $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
