# Everyday commands. `make run` and `make test` set everything up first.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup browser slurm run demo test test-fast lint bench screenshot lock clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || "$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev,ema]"
	@touch $@

browser:  ## Debian's chromium, for the browser test of the demo
	@scripts/install-chromium

slurm:  ## Debian's munge and Slurm, for the test that runs a study on a single-node cluster
	@scripts/slurm-cluster install

run: setup  ## the default scenario: 10,000 customers, 104 weeks
	$(BIN)/recovery-sim

demo: setup  ## the trainers' page at http://127.0.0.1:8765
	$(BIN)/recovery-sim-demo

test: setup browser slurm  ## every test, the statistical, browser and Slurm ones included
	$(BIN)/pytest

test-fast: setup  ## skip the replication-heavy, browser and Slurm tests
	$(BIN)/pytest -m "not slow"

lint: setup
	$(BIN)/ruff check sim tests benchmarks hydra_plugins

bench: setup  ## speed of the default run (see README)
	$(BIN)/python benchmarks/bench_default.py

screenshot: setup browser  ## docs/demo.png, the README's picture of the demo after a year
	$(BIN)/python -m sim.demo.browser docs/demo.png

lock:  ## regenerate requirements.lock from the current environment
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^pip==' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache
