# Quick start: `make demo` (set-up + the whole pipeline on the bundled offline news site)
#              `make test` (set-up + the whole test suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test bench clean

setup: $(VENV)/.installed

# Every dependency, direct or not, is pinned in requirements.lock; young or
# single-maintainer packages are installed first from requirements-hashed.txt with their
# hashes checked.  The editable install keeps the data files (gazetteer, themes, demo
# site) read from the checkout.
$(VENV)/.installed: pyproject.toml requirements.lock requirements-hashed.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-hashed.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@

demo: setup
	$(BIN)/creditlens demo

test: setup
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) creditlens.duckdb creditlens.state demo-output
