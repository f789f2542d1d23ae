# The two commands: `make run` and `make test`. Everything else is for convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
AXE := node_modules/axe-core/axe.min.js

.PHONY: run test lint bench loadtest install setup editor superuser clean

run: setup ## install, migrate, import the samples and serve on http://127.0.0.1:8000
	@echo
	@echo "Serving on http://127.0.0.1:8000  (admin: http://127.0.0.1:8000/admin/)"
	@echo "No account yet? In another terminal run:  make superuser  (administrator)  or  make editor"
	@echo
	$(BIN)/gunicorn --config config/gunicorn.conf.py

setup: $(VENV)/.installed
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) collectstatic --no-input -v 0
	$(MANAGE) import_people samples/people.yaml --no-detect
	$(MANAGE) import_article samples/

editor: setup ## create an editor's login: staff in the Editors group (asks for a name and a password)
	$(MANAGE) create_editor

superuser: setup ## create an administrator, who also manages users and groups
	$(MANAGE) createsuperuser

test: $(VENV)/.installed-dev $(AXE) ## the whole suite
	$(BIN)/pytest

# Writes bench/RESULTS.md. BENCH_SCALE=0.05 for a quick run; REDIS_URL=redis://… to measure the page cache.
bench: $(VENV)/.installed-dev ## benchmarks on SQLite and PostgreSQL (not part of the suite)
	@command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	$(PY) bench/run.py
	$(PY) bench/pathological.py
	$(PY) bench/search.py

loadtest: $(VENV)/.installed-dev ## gunicorn under 20,000 requests from 50 clients while an import runs (minutes)
	$(PY) bench/loadtest.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

install: $(VENV)/.installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# axe-core checks accessibility in the browser tests. Without npm they skip locally (and fail in CI).
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility checks of the browser tests will be skipped"; fi

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
