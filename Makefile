# Call-center ticket system. `make run` and `make test` are all a fresh machine needs
# (Python 3.11); every target installs into .venv first when pyproject.toml changed.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.installed-stamp
# Apache ECharts for the report charts (see the $(ECHARTS_JS) rule), served from the reports
# addon's static folder.
ECHARTS_VERSION := 5.6.0
ECHARTS_SHA256 := bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1
ECHARTS_JS := plugins/reports/static/vendor/echarts.min.js
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-x tests/unit".
PYTEST_ARGS ?=
# When set, `make test` writes pytest's exit status there (make itself only reports 2),
# so .ci/run can tell "no tests collected" (5) from a failure.
PYTEST_STATUS_FILE ?=
# The app for every `flask` and `rq` command below.
export FLASK_APP ?= run:app

# Our catalog, plus any addon that ships its own (plugins/<name>/translations).
PO_FILES := $(wildcard translations/*/LC_MESSAGES/*.po plugins/*/translations/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: install run test lint format worker db-upgrade bench \
        babel-extract babel-update babel-compile

install: $(STAMP) $(ECHARTS_JS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	touch $(STAMP)

# Apache ECharts for the report charts, vendored at build time from the npm registry (not
# committed): pinned version, checksum checked (variables at the top).
# Without npm the charts are skipped (the report pages say so) and the rest still installs.
$(ECHARTS_JS):
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "WARNING: npm not found: report charts are disabled (tables still work)" >&2; exit 0; fi; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	if ! (cd "$$tmp" && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null); then \
		echo "WARNING: could not fetch echarts@$(ECHARTS_VERSION): report charts are disabled" >&2; exit 0; fi; \
	tar -xzf "$$tmp/echarts-$(ECHARTS_VERSION).tgz" -C "$$tmp" package/dist/echarts.min.js && \
	echo "$(ECHARTS_SHA256)  $$tmp/package/dist/echarts.min.js" | sha256sum -c --quiet - && \
	mkdir -p $(@D) && cp "$$tmp/package/dist/echarts.min.js" $@ && echo "vendored echarts $(ECHARTS_VERSION)"

run: install babel-compile
	$(BIN)/python run.py

test: install babel-compile
	@status=0; $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	if [ -n "$(PYTEST_STATUS_FILE)" ]; then echo $$status > "$(PYTEST_STATUS_FILE)"; fi; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	@test -n "$$REDIS_URL" || { echo "make worker: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)" >&2; exit 2; }
	$(BIN)/rq worker --with-scheduler --serializer rq.serializers.JSONSerializer --worker-class app.worker.InProcessWorker --maintenance-interval 60 --url "$$REDIS_URL" default

# Benchmarks at 100k and 1M tickets (README.md, "Benchmarks"): PostgreSQL on
# 127.0.0.1 (user postgres), Redis DB 9; BENCH_N=100000 for one size, BENCH_ARGS=--reseed.
BENCH_N ?= 100000,1000000
BENCH_ARGS ?=
bench: install babel-compile
	@command -v wrk >/dev/null || apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }
	$(BIN)/python -m bench.run --n "$(BENCH_N)" $(BENCH_ARGS)

db-upgrade: install
	$(BIN)/flask db upgrade

babel-extract: install
	$(BIN)/pybabel extract -F translations/babel.cfg -k lazy_gettext -k _l \
		-o translations/messages.pot .

babel-update: babel-extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l zh \
		--no-fuzzy-matching

# The .mo files are build output (gitignored): run and test compile the stale ones.
babel-compile: $(MO_FILES)

%.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@
