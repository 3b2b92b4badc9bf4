# Herald's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format bench install clean

run: $(INSTALLED)  ## start the embedded stack (Temporal, sandbox, HTTP service, worker)
	$(BIN)/python -m devstack

test: $(INSTALLED)  ## lint, then every test (PostgreSQL too when HERALD_TEST_POSTGRES_URL is set)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

bench: $(INSTALLED)  ## throughput and latency against the embedded stack, with a bare baseline
	$(BIN)/python -m bench.milestones

lint: $(INSTALLED)
	$(BIN)/ruff check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Herald needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	scripts/install-browser.sh
	touch $(INSTALLED)

clean:
	rm -rf $(VENV) .data .pytest_cache .ruff_cache
