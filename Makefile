# P03 Map — `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export P03_BOUNDARIES_SRC ?= ../shared/data/boundaries
export P03_SHARED_DATA ?= ../shared/data
export P03_REFERENCE_SRC ?= ../shared/data/reference
export P03_PORT ?= 8501
# test processes (pytest-xdist, one test file per process at a time); 1 runs the suite in one process
PYTEST_WORKERS ?= 2

.PHONY: api run test check setup system-deps lint typecheck pytest bench clean-data pg-start pg-stop

$(BIN)/.app-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.dev-installed: $(BIN)/.app-installed requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

## setup: import boundaries and demo sites into data/ when absent; install map assets
setup: $(BIN)/.app-installed
	$(BIN)/python -m geo setup

## run: install, import data, start the app on 127.0.0.1:$(P03_PORT)
run: setup
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(P03_PORT) --server.headless true

## system-deps: Debian packages the tests need (chromium, PostgreSQL + PostGIS, fonts)
system-deps:
	bash scripts/system-deps.sh

lint: $(BIN)/.dev-installed
	$(BIN)/ruff check geo pages app.py tests

typecheck: $(BIN)/.dev-installed
	$(BIN)/mypy geo pages app.py

## pytest: every test (browser files first, see tests/conftest.py), the store's on SQLite and on a throwaway PostGIS (scripts/pg.sh) stopped afterwards;
## a P03_TEST_DATABASE_URL already set is used as it is. PYTEST_ARGS are passed on (e.g. "-m 'not slow'").
pytest: $(BIN)/.dev-installed
	@if [ -n "$$P03_TEST_DATABASE_URL" ]; then exec $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS); fi; \
	pgdir=$$(mktemp -d /tmp/p03-pg.XXXXXX); \
	trap 'P03_PG_DIR=$$pgdir bash scripts/pg.sh stop; exit 130' INT TERM; \
	url=$$(P03_PG_DIR=$$pgdir bash scripts/pg.sh start) || { P03_PG_DIR=$$pgdir bash scripts/pg.sh stop; exit 1; }; \
	P03_TEST_DATABASE_URL=$$url $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS); rc=$$?; \
	P03_PG_DIR=$$pgdir bash scripts/pg.sh stop; exit $$rc

## pg-start / pg-stop: a throwaway PostGIS for development (its folder in .pg-dir; URL printed)
pg-start:
	@test ! -s .pg-dir || { echo "already running: P03_PG_DIR=$$(cat .pg-dir) scripts/pg.sh url"; exit 1; }
	@d=$$(mktemp -d /tmp/p03-pg.XXXXXX); echo $$d > .pg-dir; P03_PG_DIR=$$d bash scripts/pg.sh start

pg-stop:
	@test -s .pg-dir && P03_PG_DIR=$$(cat .pg-dir) bash scripts/pg.sh stop; rm -f .pg-dir

## check: the inner loop: ruff, mypy and the unit tests (no page, browser or slow tests; SQLite only
## unless P03_TEST_DATABASE_URL is set; property tests at a fifth of their examples; tests spread one
## at a time over the workers, as no module shares a server here)
check: $(BIN)/.dev-installed setup lint typecheck
	P03_HYPOTHESIS_PROFILE=check $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist worksteal \
		-m "not ui and not slow and not browser" $(PYTEST_ARGS)

## test: install everything, then ruff, mypy and every test (unit, AppTest, browser)
test: system-deps $(BIN)/.dev-installed setup lint typecheck pytest

## bench: map and upload benchmarks (figures as `BENCH name value`)
bench: $(BIN)/.dev-installed setup
	$(BIN)/python -m benchmarks

clean-data:
	rm -rf data/boundaries data/projects

## api: the OGC API – Features (read-only, pygeoapi) on 127.0.0.1:$(P03_API_PORT), beside `make run`
export P03_API_PORT ?= 5000
api: setup
	$(BIN)/python -m geo api --port $(P03_API_PORT)
