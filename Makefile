# The two commands: `make run` and `make test`. Everything else is for convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py

.PHONY: run test lint bench install setup editor clean

run: setup ## install, migrate, import the samples and serve on http://127.0.0.1:8000
	@echo
	@echo "Serving on http://127.0.0.1:8000  (admin: http://127.0.0.1:8000/admin/)"
	@echo "No editor account yet? In another terminal run:  make editor"
	@echo
	$(BIN)/gunicorn --config config/gunicorn.conf.py

setup: $(VENV)/.installed var/secret_key
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) collectstatic --no-input -v 0
	$(MANAGE) import_people samples/people.yaml --no-detect
	$(MANAGE) import_article samples/

editor: setup ## create an admin login for an editor (asks for a name and a password)
	$(MANAGE) createsuperuser

test: $(VENV)/.installed-dev ## the whole suite
	$(BIN)/pytest

bench: $(VENV)/.installed-dev ## benchmarks (minutes, not part of the suite)
	$(PY) bench/detection.py
	$(PY) bench/pathological.py
	$(PY) bench/import_batch.py 1000
	$(PY) bench/search.py

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

# The secret key of a local run: random, generated once, never committed (var/ is ignored).
var/secret_key:
	@mkdir -p var
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
