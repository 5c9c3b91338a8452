# 掌上办 backend — `make run` serves the demo, `make test` runs every test twice
# (PostgreSQL + Redis, then the embedded SQLite + in-process store).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# front ends (web/: one npm workspace, one package-lock.json): installed with `npm ci` from
# the lockfile and built only when a source, the lockfile or the config changed
WEB       := web
WEB_DEPS  := $(WEB)/node_modules/.package-lock.json
WEB_STAMP := $(WEB)/.built
WEB_SRC   := $(shell find $(WEB)/h5 $(WEB)/console $(WEB)/shared \
               \( -name node_modules -o -name dist \) -prune -o -type f -print 2>/dev/null)

.PHONY: install run test test-postgres test-sqlite test-unit test-random lint bench bench-tools clean web browser-tools

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

$(WEB_DEPS): $(WEB)/package-lock.json $(WEB)/package.json
	cd $(WEB) && npm ci --no-audit --no-fund --prefer-offline --loglevel=error
	touch $(WEB_DEPS)

# /docs: Swagger UI from the npm package swagger-ui-dist (in the lockfile), never a CDN
DOCS_UI := $(addprefix $(WEB)/node_modules/swagger-ui-dist/,swagger-ui-bundle.js swagger-ui.css \
             favicon-32x32.png oauth2-redirect.html oauth2-redirect.js LICENSE)

$(WEB_STAMP): $(WEB_DEPS) $(WEB_SRC)
	cd $(WEB) && npm run build --silent
	mkdir -p $(WEB)/docs/dist && cp $(DOCS_UI) $(WEB)/docs/dist/
	touch $(WEB_STAMP)

web: $(WEB_STAMP)

# the browser tests drive Debian's Chromium (never a downloaded browser) and need CJK fonts
# to draw Chinese pages; installed when missing, as root or through sudo
BROWSER_PKGS := chromium fonts-noto-cjk
browser-tools:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  { apt-get update -q && apt-get install -y -q --no-install-recommends $(BROWSER_PKGS); } \
	    >/dev/null 2>&1 \
	  || { sudo -n apt-get update -q && sudo -n apt-get install -y -q --no-install-recommends \
	    $(BROWSER_PKGS); } >/dev/null 2>&1 \
	  || echo "chromium / fonts-noto-cjk not installed: the browser tests will be skipped"; \
	fi

run: install web
	$(BIN)/python -m app migrate
	$(BIN)/python -m app seed-demo
	$(BIN)/python -m app serve --sandbox

# mypy keeps its cache in .mypy_cache: a warm run checks only what changed
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install lint web browser-tools test-postgres test-sqlite

test-postgres: install
	ZSB_TEST_BACKEND=postgres $(BIN)/python -m pytest

test-sqlite: install
	ZSB_TEST_BACKEND=sqlite $(BIN)/python -m pytest

# seconds: the tests that need no database, Redis, simulator or server (see tests/conftest.py)
test-unit: install
	ZSB_TEST_BACKEND=sqlite $(BIN)/python -m pytest --unit

# the whole suite in a shuffled order on PostgreSQL (modules shuffled, and tests within each);
# the seed is printed: `make test-random SEED=…` repeats an order
test-random: install
	ZSB_TEST_BACKEND=postgres $(BIN)/python -m pytest --random-order \
	  $(if $(SEED),--random-order-seed=$(SEED))

# wrk is the load generator of every benchmark (Debian's package); without it they fall back
# to aiohttp loaders, which cost the shared cores more and give lower, noisier figures
bench-tools:
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null 2>&1 \
	  || sudo -n apt-get install -y -q wrk >/dev/null 2>&1 \
	  || echo "wrk not installed: benchmarks load with aiohttp processes instead"

bench: install bench-tools
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache $(WEB)/node_modules $(WEB)/*/dist $(WEB_STAMP)
