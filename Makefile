PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# Constraints this machine's pip is configured with (if any), so that the lock never asks for
# a version pip would refuse here.
PIP_CONSTRAINT := $(shell $(PYTHON) -m pip config list 2>/dev/null \
	| sed -n "s/^global\.constraint='\(.*\)'$$/\1/p")

.PHONY: run test test-sqlite lint setup lock clean bench bench-full mutate

# Exactly the locked versions (runtime, dev and test extras), then ereg itself without
# resolving anything again.
$(STAMP): pyproject.toml $(LOCK)
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11+)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
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

# Re-resolve pyproject.toml's dependencies and extras to the newest versions that fit, for
# Python 3.11 on any platform; commit the result. uv does it in seconds.
lock:
	@test -x $(BIN)/uv || { test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV); $(BIN)/pip install --quiet uv; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra test --universal \
		--python-version 3.11 --custom-compile-command "make lock" --quiet \
		$(if $(PIP_CONSTRAINT),--constraint $(PIP_CONSTRAINT)) --output-file $(LOCK)

# Mutation testing (docs/tests.md): mutmut over registry/ and workflows/ with the fast tests.
# Hours on two cores; not in CI. Resumes where it stopped; prints the score, writes
# build/mutants.txt. `make mutate MUTANTS='registry.identifiers*'` runs some only. mutmut (the
# extra 'mutate') is not in the lock: installed beside the locked versions.
mutate: $(STAMP)
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[mutate]'
	set -f; nice $(BIN)/mutmut run --max-children 2 $(MUTANTS)  # set -f: patterns reach mutmut unexpanded
	$(BIN)/python -m tests.mutation_report build/mutants.txt

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .data
