# Every target installs what it needs from the pinned lock into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast tools browser lint check clean lock binary bench

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev,build]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m tests.simulator.demo

# The full suite: unit and simulator tests, the shipped binary under the real epack CLI, and
# the report page in a real headless Chromium.
test: $(STAMP) binary tools browser
	EPACK_BIN=$(CURDIR)/.cache/bin/epack EPACK_CONFORMANCE_BIN=$(CURDIR)/.cache/bin/epack-conformance \
	COLLECTOR_BINARY=$(CURDIR)/$(wildcard dist/epack-collector-microsoft-cloud-*) \
	CHROMIUM_BIN=$(CHROMIUM) \
	$(BIN)/python -m pytest -n 2

# The scale benchmark of docs/performance.md (about 6 minutes; prints markdown tables).
bench: $(STAMP)
	$(BIN)/python -m bench

# Only the Python tests (no binary, no epack): the quick loop while developing.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2

# Debian's Chromium for the report's browser test (tests/test_report_browser.py); installed
# with apt-get when it is missing (CI runs as root).
CHROMIUM := /usr/bin/chromium
browser: $(CHROMIUM)

# (sudo when not root).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || \
	  ($(SUDO) apt-get update -q >/dev/null && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null)

# The real epack CLI and its conformance checker, built from the Go module proxy (cached in .cache).
EPACK_VERSION := v0.1.34
tools: .cache/bin/epack .cache/bin/epack-conformance

.cache/bin/epack .cache/bin/epack-conformance:
	mkdir -p .cache/epack-build .cache/bin
	cd .cache/epack-build && (test -f go.mod || go mod init epack-build >/dev/null 2>&1) && \
	go get -tags components,conformance github.com/locktivity/epack/cmd/epack@$(EPACK_VERSION) \
		github.com/locktivity/epack/cmd/epack-conformance@$(EPACK_VERSION) && \
	go build -tags components -o ../bin/epack github.com/locktivity/epack/cmd/epack && \
	go build -tags conformance -o ../bin/epack-conformance github.com/locktivity/epack/cmd/epack-conformance

lint: $(STAMP)
	$(BIN)/ruff check collector tests bench
	$(BIN)/mypy

check: lint test

clean:
	rm -rf $(VENV) build dist *.egg-info

# Re-resolve the lock from pyproject.toml in a throwaway venv.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet --upgrade pip
	.lockvenv/bin/pip install --quiet -e ".[dev,build]"
	( echo "# Pinned dependency set for CI, the demo and the binary build. Regenerate: make lock"; \
	  .lockvenv/bin/pip freeze --exclude-editable ) > requirements.lock
	rm -rf .lockvenv

# Single-file binary for this host: dist/epack-collector-microsoft-cloud-<os>-<arch>.
binary: $(STAMP)
	mkdir -p build
	$(BIN)/python packaging/used_modules.py build/used-modules.json
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/epack-collector-microsoft-cloud.spec
	$(BIN)/python packaging/measure_binary.py
