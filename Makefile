# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
ADDR ?= 127.0.0.1:$(PORT)
# Shown as localhost: security keys (WebAuthn) refuse a bare IP address.
URL ?= http://localhost:$(PORT)
# Every queue the tasks are routed to; a worker started by `make run` serves them all.
QUEUES ?= default,webhooks,exports,erasure,fairness
PYTEST_ARGS ?= --durations=15
TEST_WORKERS ?= 2

# Interpreters to try, in order; each is *run* (a pyenv shim can exist and
# still fail), and the first that is Python >= 3.12 is used.
PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
PYTHON_CANDIDATES := $(PYTHON) python3.13 python3.12 python3 python \
	$(sort $(wildcard $(PYENV_ROOT_DIR)/versions/3.1[2-9]*/bin/python3)) \
	$(wildcard /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9])

define find_python
for candidate in $(PYTHON_CANDIDATES); do \
  if "$$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
    echo "$$candidate"; exit 0; \
  fi; \
done; exit 1
endef

.PHONY: help run test test-fast lint fmt totp check clean-data bench

help:
	@echo "make run    start the portal with demo data (web + worker + beat) on $(URL)/"
	@echo "make test   lint, type-check, then run every test, starting Redis, PostgreSQL and Chromium as needed"
	@echo "make test-fast  lint and the unit tests only (no browser, no workers, none marked slow): for local work, never CI"
	@echo "make lint   ruff (lint and format check) and mypy, as make test runs them"
	@echo "make fmt    format the code and apply ruff's safe fixes"
	@echo "make totp   print the demo privacy officer's current two-factor code"
	@echo "make check  Django's system checks and the migrations check"

$(VENV)/.python-ok:
	@python=$$($(find_python)) || { \
	  echo "error: Python 3.12 or newer is needed and none was found." >&2; \
	  echo "       Tried: $(PYTHON_CANDIDATES)" >&2; \
	  echo "       Install one (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12 ...'." >&2; \
	  exit 1; }; \
	if [ -e $(VENV) ] && ! $(PY) -c 'import sys, pip; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
	  echo "Removing $(VENV): it is broken or was made with an older Python."; rm -rf $(VENV); fi; \
	if [ ! -x $(PY) ]; then \
	  echo "Creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV) && $(PY) -m pip --version >/dev/null 2>&1 || { \
	    rm -rf $(VENV); \
	    echo "error: $$python could not create a virtual environment with pip." >&2; \
	    echo "       On Debian/Ubuntu install the venv package, e.g. 'apt-get install python3.12-venv'." >&2; \
	    exit 1; }; \
	fi
	@touch $@

# --no-compile: Python compiles what it imports on first use; compiling every
# file of every package at install time is a minute of CPU nobody needs.
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check --no-compile
# uv installs the pinned set in seconds where pip takes a minute and a half
# (pip only fetches uv itself). Should uv fail (no route to PyPI, say, where
# pip has a mirror configured), pip installs the same files.
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
INSTALL = { $(UV) pip install --quiet --python $(PY) -r $(1) || $(PIP_INSTALL) -r $(1); }

$(UV): $(VENV)/.python-ok
	@$(PIP_INSTALL) uv==$(UV_VERSION) || echo "uv could not be installed: pip installs the requirements instead."

$(VENV)/.installed-run: requirements.txt constraints.txt $(VENV)/.python-ok | $(UV)
	$(call INSTALL,requirements.txt)
	@touch $@

# requirements-dev.txt includes requirements.txt: one resolution installs both
# (and `make run` afterwards finds the run requirements installed).
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt constraints.txt $(VENV)/.python-ok | $(UV)
	$(call INSTALL,requirements-dev.txt)
	@touch $(VENV)/.installed-run $@

# Links in e-mails use PORTAL_URL: unless it is set, it is where `make run` serves.
run: export PORTAL_URL := $(or $(PORTAL_URL),$(URL))
run: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@mkdir -p var/log
	@bash -c ' \
	  $(VENV)/bin/celery -A portal worker -Q $(QUEUES) --concurrency 2 --loglevel INFO >> var/log/worker.log 2>&1 & worker=$$!; \
	  $(VENV)/bin/celery -A portal beat --loglevel INFO >> var/log/beat.log 2>&1 & beat=$$!; \
	  trap "kill $$worker $$beat 2>/dev/null; wait $$worker $$beat 2>/dev/null; echo; echo Stopped web, worker and beat." EXIT; \
	  echo; \
	  echo "  Portal:  $(URL)/      Staff admin: $(URL)/admin/"; \
	  echo "  Links in e-mails point at $$PORTAL_URL (set PORTAL_URL to change it)"; \
	  echo "  E-mails: var/mail/*.eml (verification links, sign-in codes, notices)"; \
	  echo "  Logs:    var/log/worker.log, var/log/beat.log"; \
	  echo "  Worker PID $$worker, beat PID $$beat. Ctrl-C stops all three."; \
	  echo; \
	  $(PY) manage.py runserver $(ADDR)'

totp: $(VENV)/.installed-run
	@$(PY) manage.py demo_totp_code

check: $(VENV)/.installed-run
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Lint and every test, on both cores: the worker tests (integration) run from
# the start beside lint, the unit tests and the browser tests, each part on a
# PostgreSQL and Redis of its own; a summary at the end names each part's
# outcome and every failed test (see tests/run_suite.sh).
test: $(VENV)/.installed-dev
	@bash tests/run_suite.sh $(PY) $(TEST_WORKERS) $(PYTEST_ARGS)

test-fast: lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not e2e and not integration and not postgresql and not slow" $(PYTEST_ARGS)

# Every benchmark on SQLite, then on a private PostgreSQL and Redis (real workers), in one
# table beside its floor; about 10-15 minutes. BENCH_ARGS=--full: production sizes (an hour or more).
bench: $(VENV)/.installed-dev
	$(PY) bench/all.py $(BENCH_ARGS)

clean-data:
	rm -rf var
