# The two commands a new user needs: `make run` and `make test`. See README.md.
PORT ?= $(or $(shell sed -n 's/^PORT=//p' .env 2>/dev/null),8000)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install lock prepare run worker dev test test-fast test-postgres lint format bench load clean

install: $(STAMP)

# Reinstalls only when the lock or pyproject.toml changed (or the venv is missing). Every
# package comes from requirements.lock, pinned with hashes; `pip check` fails when
# pyproject.toml names a dependency the lock lacks (run `make lock`).
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m pip check
	touch $(STAMP)

# Regenerates requirements.lock from pyproject.toml (runtime + dev extra), with hashes.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "pip-tools>=7.4,<8"
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --extra dev \
		--output-file requirements.lock pyproject.toml

prepare: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py prepare_demo

# The web server and one job worker (WORKERS=0: the web server alone; WORKERS=2: two).
run: prepare
	PORT=$(PORT) bash scripts/run.sh

# One job worker in the foreground (moves time between categories; see README, Jobs).
worker: prepare
	$(PY) manage.py jobs_worker

dev: prepare
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	bash scripts/ensure-browser.sh
	bash scripts/ensure-servers.sh
	$(VENV)/bin/pytest

test-fast: install
	$(VENV)/bin/pytest -m "not browser"

# The database-heavy tests once more on a throwaway PostgreSQL 15 and Redis (DATABASE_URL
# and REDIS_URL set for the whole run): migrations, the sandbox's SQL, the screens. The
# demo seed's time limit is SQLite's (the demo's database), so it is left out here.
test-postgres: install
	bash scripts/ensure-servers.sh
	$(PY) -m tests.support.servers $(VENV)/bin/pytest -m "not browser" -p no:randomly \
		tests/sandbox tests/categories tests/access tests/reports tests/web \
		--deselect tests/sandbox/test_sandbox_seed.py::test_seeding_is_deterministic_and_fast

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

# Locust against one and two app servers (loopback only, bounded in time); prints a table.
load: install
	bash scripts/ensure-servers.sh
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev,load]"
	$(PY) scripts/load.py

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache
