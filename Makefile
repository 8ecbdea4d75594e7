# ML Hub developer commands. The two a new user needs:
#   make lab    install into .venv/, build the lab extension, start JupyterLab
#   make test   set up Chromium and PostgreSQL where missing, run every test
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY := $(BIN)/python
PIP := $(PY) -m pip --disable-pip-version-check
# The CPU build, installed before the package: the `torch` extra's range (>=2.2,<3) is
# then already satisfied, so pip never pulls in another build (or CUDA).
TORCH := torch==2.13.0
# The hub end-to-end tests start a real JupyterHub, and the torch models are tested, so
# the development setup takes these extras.
EXTRAS := test,hub,torch
# jlpm and jupyter-builder live in the virtualenv.
export PATH := $(BIN):$(PATH)

PYTHON_STAMP := $(VENV)/.mlhub-installed
LAB_STAMP := $(VENV)/.mlhub-labextension-built
UI_STAMP := ui-tests/node_modules/.mlhub-installed
LAB_LINK := $(VENV)/share/jupyter/labextensions/mlhub-ext
LAB_SOURCES := $(shell find labextension -type f 2>/dev/null) package.json tsconfig.json yarn.lock .yarnrc.yml

LAB_PORT ?= 8888
LAB_ROOT := $(CURDIR)
LAB_DEFAULT_URL := $(if $(wildcard examples),/lab/tree/examples,/lab)

MLHUB_TEST_PG_URL ?= postgresql+psycopg://mlhub:mlhub@127.0.0.1:5432/mlhub_test
export MLHUB_TEST_PG_URL

.PHONY: help install lab test pytest ui-test ts-test screenshots lint hub bench clean distclean chromium postgres mlflow-client

help:
	@echo "make lab       install (first time only) and start JupyterLab with ML Hub"
	@echo "make test      run every check: lint, the TypeScript unit tests, pytest, then the Galata browser tests"
	@echo "make pytest    Python tests only;  make ui-test: browser tests only;  make ts-test: lab unit tests (jest)"
	@echo "make screenshots  retake the docs' screenshots into docs/screenshots/ (SPECS=tests/home.spec.ts: only those)"
	@echo "make lint      import-layer contracts, generated API types current, TypeScript type check"
	@echo "make hub       start a JupyterHub with the ML Hub service (hub_config/start.sh)"
	@echo "make bench     run the benchmarks in bench/ (BENCH_ARGS=--quick for a short run)"
	@echo "make clean     remove build output (keeps .venv/); make distclean also removes .venv/"

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# torch first and pinned, so no dependency resolves to another build (or CUDA).
# The editable install runs `jlpm install` and builds the lab extension through
# hatch-jupyter-builder; `jupyter-builder develop` then links Jupyter to that build so
# later rebuilds are picked up without reinstalling. The link is removed first: through
# it pip would write install.json into (and uninstall files from) the build output.
$(PYTHON_STAMP): $(PY) pyproject.toml package.json install.json server_extension/jupyter_server_config.d/mlhub_ext.json
	if [ -L $(LAB_LINK) ]; then rm $(LAB_LINK); fi
	rm -f mlhub_ext/labextension/install.json
	$(PIP) install -q "$(TORCH)" 2>&1 | { grep -v "is ignored" || true; }
	$(PIP) install -q -e ".[$(EXTRAS)]" 2>&1 | { grep -v "is ignored" || true; }
	$(BIN)/jupyter-builder develop --overwrite . >/dev/null
	touch $@

$(LAB_STAMP): $(PYTHON_STAMP) $(LAB_SOURCES)
	jlpm install
	jlpm build
	touch $@

install: $(PYTHON_STAMP) $(LAB_STAMP)

lab: install
	@echo "Starting JupyterLab with ML Hub on http://127.0.0.1:$(LAB_PORT)$(LAB_DEFAULT_URL) (the tokenized URL follows)"
	$(BIN)/jupyter lab --ip 127.0.0.1 --port $(LAB_PORT) --no-browser --allow-root \
		--ServerApp.root_dir="$(LAB_ROOT)" --LabApp.default_url="$(LAB_DEFAULT_URL)"

test: lint ts-test pytest ui-test

chromium:
	bash scripts/ensure_chromium.sh

postgres:
	bash scripts/ensure_postgres.sh

# The real MLflow client for tests/services/mlflow (its pins would change .venv/'s), in its own
# virtualenv; tests/services/mlflow_client.py keeps the version and makes it when missing.
MLFLOW_VERSION = 3.17.2
MLFLOW_STAMP = .venv-mlflow/.mlflow-$(MLFLOW_VERSION)

$(MLFLOW_STAMP):
	python3 -m venv .venv-mlflow
	.venv-mlflow/bin/pip install -q "mlflow==$(MLFLOW_VERSION)"
	touch $@

mlflow-client: $(MLFLOW_STAMP)

pytest: install postgres mlflow-client
	$(PY) -m pytest

$(UI_STAMP): ui-tests/package.json ui-tests/yarn.lock .yarnrc.yml
	cd ui-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 jlpm install
	touch $@

ui-test: install chromium $(UI_STAMP)
	cd ui-tests && CI=true jlpm playwright test --reporter=line
	cd ui-tests && CI=true jlpm test:hub --reporter=line

# The pictures in README.md and docs/ are the browser tests' screenshots. `make ui-test`
# writes them under ui-tests/test-results/ (ignored, so the tree stays clean); this target
# runs the same tests with MLHUB_SCREENSHOT_DIR (ui-tests/shots.ts) set to docs/screenshots/.
# SPECS limits it to some specs (and then skips the hub run).
SHOTS_ENV := MLHUB_SCREENSHOT_DIR="$(CURDIR)/docs/screenshots" CI=true
screenshots: install chromium $(UI_STAMP)
	cd ui-tests && $(SHOTS_ENV) jlpm playwright test --reporter=line $(SPECS)
	$(if $(SPECS),,cd ui-tests && $(SHOTS_ENV) jlpm test:hub --reporter=line)

# The lab extension's models and helpers under jest (labextension/__tests__/), HTTP mocked.
ts-test: install
	jlpm test

lint: install
	$(BIN)/lint-imports
	PY=$(PY) bash scripts/gen_api_types.sh --check
	jlpm typecheck

hub: install
	bash hub_config/start.sh

# The benchmarks install their peers (MLflow, W&B) into .venv-peers/ themselves, so
# those pins never touch .venv/. Files starting with _ are helpers, not benchmarks.
bench: install
	@for script in bench/[!_]*.py; do echo "== $$script"; $(PY) "$$script" $(BENCH_ARGS); done

clean:
	rm -rf lib tsconfig.tsbuildinfo mlhub_ext/labextension mlhub_ext/_version.py \
		node_modules ui-tests/node_modules ui-tests/test-results ui-tests/playwright-report \
		build dist *.egg-info $(PYTHON_STAMP) $(LAB_STAMP)

distclean: clean
	rm -rf $(VENV)
