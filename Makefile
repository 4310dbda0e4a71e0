# The two commands a new user needs: `make run` and `make test`. See README.md.
PORT ?= $(or $(shell sed -n 's/^PORT=//p' .env 2>/dev/null),8000)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install prepare run dev test test-fast lint format bench clean

install: $(STAMP)

# Reinstalls only when pyproject.toml changed (or the venv is missing).
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

prepare: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py prepare_demo

run: prepare
	$(VENV)/bin/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 \
		--access-logfile - --forwarded-allow-ips 127.0.0.1

dev: prepare
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	bash scripts/ensure-browser.sh
	$(VENV)/bin/pytest

test-fast: install
	$(VENV)/bin/pytest -m "not browser"

# ruff, and import-linter's contracts (pyproject.toml): the import directions between packages.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev,bench]"
	$(PY) scripts/bench.py

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache
