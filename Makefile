# 掌上办 backend — `make run` serves the demo, `make test` runs every test twice
# (PostgreSQL + Redis, then the embedded SQLite + in-process store).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run test test-postgres test-sqlite lint bench bench-tools clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m app migrate
	$(BIN)/python -m app seed-demo
	$(BIN)/python -m app serve --sandbox

lint: install
	$(BIN)/ruff check .

test: install lint test-postgres test-sqlite

test-postgres: install
	ZSB_TEST_BACKEND=postgres $(BIN)/python -m pytest

test-sqlite: install
	ZSB_TEST_BACKEND=sqlite $(BIN)/python -m pytest

# wrk is the load generator of every benchmark (Debian's package); without it they fall back
# to aiohttp loaders, which cost the shared cores more and give lower, noisier figures
bench-tools:
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null 2>&1 \
	  || sudo -n apt-get install -y -q wrk >/dev/null 2>&1 \
	  || echo "wrk not installed: benchmarks load with aiohttp processes instead"

bench: install bench-tools
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
