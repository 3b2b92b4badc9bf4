# Herald's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format bench mutation install clean

run: $(INSTALLED)  ## start the embedded stack (Temporal, sandbox, HTTP service, worker)
	$(BIN)/python -m devstack

test: $(INSTALLED)  ## lint, then every test (PostgreSQL too when HERALD_TEST_POSTGRES_URL is set)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

bench: $(INSTALLED)  ## throughput and latency against the embedded stack, with a bare baseline
	$(BIN)/python -m bench.milestones

# The pure modules that decide compliance, mutated one at a time (mutmut is CPU-heavy).
MUTATION_MODULES ?= policy.duplicates policy.frequency policy.coalescing policy.quiet_hours \
	policy.keywords policy.opt_out_language messaging.segments messaging.smart_encoding \
	messaging.content_filter messaging.bidi conversation.dialogue intake.validation \
	intake.carrier_statuses routing.keys workflows.tracking_poll_state

mutation: $(INSTALLED)  ## mutation scores of the pure compliance modules (slow; not in `make test`)
	mkdir -p mutants/results
	for module in $(MUTATION_MODULES); do \
		nice -n 10 $(BIN)/mutmut run "$$module.*" > /dev/null || exit 1; \
		$(BIN)/mutmut results --all true | grep " $$module\." > mutants/results/$$module.txt; \
	done
	$(BIN)/python -m bench.mutation_scores -v $(MUTATION_MODULES)

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
