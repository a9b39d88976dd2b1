# Team Assistant: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9

.PHONY: run test lint vendor lock bench clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q "uv==$(UV_VERSION)"

$(VENV)/.run-installed: requirements/run.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements/run.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements/dev.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@ $(VENV)/.run-installed

## run: install, migrate the embedded SQLite database, load the demo once, serve :8000
run: export TEAMASSIST_WEB__DEMO_MODE ?= true
run: $(VENV)/.run-installed
	$(BIN)/teamassist db upgrade
	$(BIN)/teamassist demo load
	$(BIN)/teamassist serve

## test: install test tools, start PostgreSQL + MariaDB, run lint, types and the whole suite
test: $(VENV)/.dev-installed
	scripts/test.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

## bench: the benchmarks whose figures are in the README
bench: $(VENV)/.dev-installed
	$(BIN)/python -m benchmarks

## vendor: refresh the front-end libraries from npm into the package's static folder
vendor:
	npm ci --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/chart.js/dist/chart.umd.min.js \
	  src/teamassist/web/static/vendor/
	mkdir -p src/teamassist/web/static/vendor/swagger-ui
	cd node_modules/swagger-ui-dist && cp swagger-ui-bundle.js swagger-ui.css favicon-32x32.png \
	  LICENSE ../../src/teamassist/web/static/vendor/swagger-ui/

## lock: re-pin the Python dependencies
lock: | $(BIN)/uv
	$(BIN)/uv pip compile -q pyproject.toml --python-version 3.11 -o requirements/run.lock
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
