# Two commands do all set-up on a fresh machine (python3 with venv and pip is all they need):
#   make run    the real bot when TELEGRAM_BOT_TOKEN is set (environment or .env), else the sandbox
#   make test   lint, format check, strict typing, catalogue check and the whole test suite

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
SOURCES := bot handlers storage
CHECKED := $(SOURCES) tests benchmarks

.PHONY: run test check install catalogs i18n bench sandbox clean

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
	$(PY) -m bot.catalog check

test: check
	$(VENV)/bin/pytest -q

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
