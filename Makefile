PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite lint setup clean bench bench-full

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11+)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/ereg dev

# The whole suite on SQLite, then again on PostgreSQL (127.0.0.1:5432, user postgres, db test).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	EREG_TEST_DATABASE=sqlite $(BIN)/pytest -q
	EREG_TEST_DATABASE=postgresql $(BIN)/pytest -q

test-sqlite: $(STAMP)
	EREG_TEST_DATABASE=sqlite $(BIN)/pytest -q

# Benchmarks (bench/README.md): a table on screen, JSON in bench/results/. Quick: a few minutes.
bench: $(STAMP)
	$(BIN)/python -m bench quick

bench-full: $(STAMP)
	$(BIN)/python -m bench full

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .data
