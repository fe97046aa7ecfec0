# The two commands of the README: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint bench install messages clean demo

$(BIN)/python:
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

demo: install
	$(MANAGE) migrate --no-input
	$(MANAGE) load_geography
	$(MANAGE) seed_demo

run: demo
	$(BIN)/python -m project.devrun

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	DJANGO_SETTINGS_MODULE=project.test_settings $(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	DJANGO_SETTINGS_MODULE=project.test_settings $(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) var
