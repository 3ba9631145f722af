# The two commands of the README: `make run` and `make test`.
# Everything goes into a local virtual environment (.venv); nothing is installed system-wide.

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint install messages clean

## Install, migrate, load demo data into an empty database, serve on http://$(HOST):$(PORT)
run: messages
	$(BIN)/partnerdesk serve --demo-if-empty --host $(HOST) --port $(PORT)

## Run the whole test suite (on SQLite unless DATABASE_URL says otherwise)
test: messages
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

install: messages

## Compile the translations (.po -> .mo) with Babel's pure-Python compiler: no system gettext needed
messages: $(STAMP)
	$(BIN)/pybabel -q compile -d partnerdesk/locale -D django
	$(BIN)/pybabel -q compile -d partnerdesk/invitations/locale -D django

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "partnerdesk needs Python 3.11 or newer (set PYTHON=python3.x)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "could not create a virtual environment: install your system's python3-venv package" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

clean:
	rm -rf $(VENV) data
