# The two commands of the README: `make run` and `make test`. Everything else is for developers.
# Needs only Python 3.11+ (python3); everything else is installed into .venv from uv.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint bench install messages messages-update clean demo schema schema-check

# A developer's run: settings default to production (DEBUG off, a real SECRET_KEY required).
run demo: export DEBUG := 1

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

$(UV): $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==0.13.9"

# The environment is rebuilt only when the lock file changes.
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet
	touch $@

install: $(VENV)/.synced messages

messages: $(VENV)/.synced
	$(BIN)/python -m project.compile_messages

# After adding strings: extract them, fill Thai from locale/pending/*.json, compile.
messages-update: $(VENV)/.synced
	DEBUG=1 $(BIN)/python -m project.translate

# In one process (project/devrun.py): the migrations not applied yet, the reference data, the demo; each step
# looks first, so a second run changes nothing and takes about a second.
demo: install
	$(BIN)/python -m project.devrun --prepare

# The same preparation, then the web server (PORT, default 8000), Celery worker and beat; Ctrl-C stops all three.
run: install
	$(BIN)/python -m project.devrun

# SQLite and no services by default; DATABASE_URL=postgres://... and REDIS_URL=redis://... run the
# same suite on PostgreSQL plus the broker tests. Extra pytest arguments: make test ARGS="-k health".
# Two pytest-xdist processes (each its own test database, test_<name>_gw0 and _gw1): much of the suite waits
# on a browser, a worker or a relay, so two halve it even on two cores (measured: 20 min in one, 10 in two).
TEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=project.test_settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory schema-check

# The API's schema is the contract (api/schema.yaml, checked in): lint fails when the code says otherwise.
# After changing the API: make schema, and commit the file.
schema: $(VENV)/.synced
	DJANGO_SETTINGS_MODULE=project.test_settings $(BIN)/python manage.py spectacular --validate --fail-on-warn --file api/schema.yaml

schema-check: $(VENV)/.synced
	@tmp=$$(mktemp); \
	DJANGO_SETTINGS_MODULE=project.test_settings $(BIN)/python manage.py spectacular --validate --fail-on-warn --file $$tmp 2>/dev/null || { rm -f $$tmp; echo "the API schema does not build"; exit 1; }; \
	diff -u api/schema.yaml $$tmp > /dev/null || { diff -u api/schema.yaml $$tmp | head -40; rm -f $$tmp; echo "api/schema.yaml differs from the code: run make schema and commit it"; exit 1; }; \
	rm -f $$tmp; echo "api/schema.yaml matches the code"

# Each benchmark prints its figures. The engine and request benchmarks need PostgreSQL and Redis
# (DATABASE_URL, REDIS_URL) and say so when they are missing.
BENCHES := tests.bench tests.bench_engine tests.bench_email $(if $(wildcard tests/bench_requests.py),tests.bench_requests) tests.bench_request_monitoring tests.bench_reporting tests.bench_reporting_open tests.bench_pages tests.bench_load tests.bench_growth

bench: install
	@for bench in $(BENCHES); do \
		echo "=== $$bench ==="; \
		DJANGO_SETTINGS_MODULE=project.test_settings $(BIN)/python -m $$bench || exit 1; \
	done

clean:
	rm -rf $(VENV) var
