# Two commands on a fresh machine: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test portal lint format bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e .
	touch $@

$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

shop.db: | $(STAMP)
	$(VENV)/bin/garage init --demo

run: $(STAMP) shop.db
	$(VENV)/bin/garage db upgrade
	$(PY) -m garage_tui

test: $(DEV_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

portal: $(STAMP) shop.db
	$(PY) -m customer_site

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(DEV_STAMP)
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache
