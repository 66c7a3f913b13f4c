# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test fuzz bench install install-test system-deps clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The project is installed editable so that code and template edits show on the next
# request; a wheel (pip install .) works too: templates/ and static/ are packaged inside it.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/tracker init-db
	$(BIN)/tracker demo --if-empty
	$(BIN)/tracker serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium (Playwright's own browser download is not used);
# the export is checked by opening it in LibreOffice Calc, as a mentor might; tests/pg (and
# make bench) start a PostgreSQL server of their own from Debian's postgresql package.
APT_PACKAGES := $(if $(shell command -v chromium),,chromium) $(if $(shell command -v soffice),,libreoffice-calc-nogui) \
  $(if $(wildcard /usr/lib/postgresql/*/bin/initdb),,postgresql)
system-deps:
	@if [ -n "$(strip $(APT_PACKAGES))" ]; then \
	  echo "Installing Debian packages for the tests: $(strip $(APT_PACKAGES))"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

test: install-test system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Random sequences of every write path, longer than `make test` runs them (README "Where things are").
FUZZ_EXAMPLES ?= 500
FUZZ_STEPS ?= 50
fuzz: install-test
	TRACKER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) TRACKER_FUZZ_STEPS=$(FUZZ_STEPS) TRACKER_FUZZ_SHRINK=1 \
	  $(BIN)/python -m pytest tests/test_stateful.py -p no:logging --hypothesis-show-statistics $(PYTEST_ARGS)

# Speed targets are measured here, never in timed unit tests.
bench: install system-deps
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache build dist
