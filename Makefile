# Everything a developer or CI runs. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test check install install-test install-bench lock bench-tools bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'

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

install-bench: $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e '.[test,bench]'

## Proxy overhead (throughput and instructions) and PII detection quality and speed.
bench: install-bench bench-tools
	$(BIN)/python -m bench proxy
	$(BIN)/python -m bench instructions
	$(BIN)/python -m bench pii

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
