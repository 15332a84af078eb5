# Two commands do all set-up on a fresh machine (python3 with venv and pip is all they need):
#   make run    the real bot when TELEGRAM_BOT_TOKEN is set (environment or .env), else the sandbox
#   make test   lint, format check, strict typing, catalogue check and the whole test suite
#   make quick  the tests without the slow end-to-end ones, in parallel (about 25 s on 2 cores)

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
SOURCES := bot handlers storage
CHECKED := $(SOURCES) tests benchmarks

.PHONY: run test quick check install catalogs i18n bench sandbox clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

catalogs: $(STAMP)
	$(PY) -m bot.catalog compile

run: catalogs
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qsE '^TELEGRAM_BOT_TOKEN=.+' .env; then \
		$(VENV)/bin/trygghetsbot run; \
	else \
		echo "No TELEGRAM_BOT_TOKEN: starting the local sandbox instead."; \
		$(VENV)/bin/trygghetsbot sandbox; \
	fi

sandbox: catalogs
	$(VENV)/bin/trygghetsbot sandbox

check: catalogs
	$(VENV)/bin/ruff check $(CHECKED)
	$(VENV)/bin/ruff format --check $(CHECKED)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m bot.catalog check

# Parallel workers: the suite is mostly waiting (processes, loopback HTTP, real-time jobs), so
# more workers than cores pay off; every test uses its own temporary paths and ports. Bytecode
# is written even where PYTHONDONTWRITEBYTECODE is set: each worker and each `trygghetsbot run`
# a test starts would otherwise compile every module again (and pytest rewrite every test).
# tests/conftest.py hands tests to the workers one at a time, the longest end-to-end ones
# first, so the slow tests spread over all workers instead of queueing on the first.
# Measured on the shared 2-core machine, 2 Dec 2026 (docs/performance.md, "The test suite"):
# the whole suite with 4 workers 77–90 s at load 1–3, 124–156 s at load 5–8 (before the one-at-a-time
# hand-out 197–203 s); the quick lane with 2 workers 25–26 s since the tests that wait real seconds
# are marked slow (34–52 s before, median 40 s; with
# 4 workers median 48 s and more CPU, so 2 stay).
WORKERS       ?= 4
QUICK_WORKERS ?= 2
PYTEST        := PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pytest -q

test: check
	$(PYTEST) -n $(WORKERS)

quick: catalogs
	$(PYTEST) -n $(QUICK_WORKERS) -m "not slow"

# Extract new messages into the template and merge them into both catalogues.
i18n: $(STAMP)
	$(PY) -m bot.catalog update
	$(PY) -m bot.catalog check || true

bench: catalogs
	$(PY) benchmarks/throughput.py
	$(PY) benchmarks/status.py
	$(PY) benchmarks/broadcast.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
