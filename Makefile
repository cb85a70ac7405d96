# ConsultDesk: `make run` starts the product with demo data, `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export CONSULTDESK_DATA_DIR ?= $(CURDIR)/var

.PHONY: run install install-dev test test-suite lint typecheck messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (ConsultDesk needs Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# The worker (notifications, SLA sweeps, analysis, mail polling) runs beside the web
# server and stops with it.
run: install
	$(BIN)/consultdesk migrate --no-input
	$(BIN)/consultdesk demo
	$(BIN)/consultdesk worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/consultdesk serve --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_messages.py

typecheck: install-dev
	$(BIN)/mypy consultdesk config

# The whole suite on SQLite (or on DATABASE_URL when it is set).
test-suite: install-dev
	$(BIN)/pytest --cov --cov-report=term:skip-covered -q

test: lint typecheck test-suite

messages: install-dev
	cd consultdesk && ../$(BIN)/consultdesk makemessages --locale zh_Hans --no-obsolete --ignore 'analysis/*' --ignore '*/tests/*'
	$(BIN)/python scripts/check_messages.py --compile

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .coverage
