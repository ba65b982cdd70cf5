# P03 Map — `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export P03_BOUNDARIES_SRC ?= ../shared/data/boundaries
export P03_SHARED_DATA ?= ../shared/data
export P03_PORT ?= 8501

.PHONY: run test setup system-deps lint typecheck pytest bench clean-data

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
	$(BIN)/mypy geo

pytest: $(BIN)/.dev-installed
	$(BIN)/python -m pytest

## test: install everything, then ruff, mypy and every test (unit, AppTest, browser)
test: system-deps $(BIN)/.dev-installed setup lint typecheck pytest

## bench: map and upload benchmarks (figures as `BENCH name value`)
bench: $(BIN)/.dev-installed setup
	$(BIN)/python -m benchmarks

clean-data:
	rm -rf data/boundaries data/projects
