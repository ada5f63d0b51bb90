# Everyday commands. `make run` and `make test` set everything up first.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test test-fast lint bench lock clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || "$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

run: setup  ## the default scenario: 10,000 customers, 104 weeks
	$(BIN)/recovery-sim

test: setup  ## every test, the statistical ones included
	$(BIN)/pytest

test-fast: setup  ## skip the replication-heavy tests
	$(BIN)/pytest -m "not slow"

lint: setup
	$(BIN)/ruff check sim tests benchmarks

bench: setup  ## speed of the default run (see README)
	$(BIN)/python benchmarks/bench_default.py

lock:  ## regenerate requirements.lock from the current environment
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^pip==' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache
