# Every target installs what it needs from the pinned lock into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint check clean lock

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m tests.simulator.demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check collector tests
	$(BIN)/mypy

check: lint test

clean:
	rm -rf $(VENV) build dist *.egg-info

# Re-resolve the lock from pyproject.toml in a throwaway venv.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet --upgrade pip
	.lockvenv/bin/pip install --quiet -e ".[dev]"
	( echo "# Pinned dependency set for CI, the demo and the binary build. Regenerate: make lock"; \
	  .lockvenv/bin/pip freeze --exclude-editable ) > requirements.lock
	rm -rf .lockvenv
