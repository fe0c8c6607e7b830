# Everything a developer or CI runs. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test check install install-test install-bench lock bench-tools bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installing compiles the engine's hot path with mypyc (setup.py): with the venv's own pinned
# build tools, and again only when something the build reads has changed.
BUILD_INPUTS := pyproject.toml constraints.txt setup.py mypyc.ini \
	$(wildcard pii/*.py pii/recognizers/*.py pii/person/*.py)

$(VENV)/.build-tools: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt setuptools wheel mypy presidio-analyzer
	touch $@

$(VENV)/.installed: $(BUILD_INPUTS) | $(VENV)/.build-tools
	$(BIN)/pip install -q -c constraints.txt --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: $(BUILD_INPUTS) | $(VENV)/.build-tools
	$(BIN)/pip install -q -c constraints.txt --no-build-isolation -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Start the gateway with embedded defaults in front of the built-in demo assistant.
demo: install
	$(BIN)/gerbang demo

## Install the test dependencies and run format, lint, type and test checks (what CI runs).
test: install-test
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/check

check:
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/check

## Re-pin constraints.txt from the ranges in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile -q pyproject.toml --extra test --extra bench --extra train --python-version 3.11 -o constraints.txt

## Debian packages the proxy benchmark compares against (nginx) and drives load with (wrk).
bench-tools:
	scripts/install-bench-tools

$(VENV)/.installed-bench: $(BUILD_INPUTS) | $(VENV)/.build-tools
	$(BIN)/pip install -q -c constraints.txt --no-build-isolation -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

install-bench: $(VENV)/.installed-bench

## Proxy overhead (throughput and instructions) and PII detection quality and speed.
bench: install-bench bench-tools
	$(BIN)/python -m bench proxy
	$(BIN)/python -m bench instructions
	$(BIN)/python -m bench pii

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
	find pii -name '*.so' -delete
	rm -f *__mypyc*.so
