# Widgets: every task a developer or CI runs. `make run` and `make test` are all
# a fresh Debian machine with Python 3.11+ and Node 20 needs.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM := /usr/bin/chromium
WRK := /usr/bin/wrk
SCALE ?= small
# pytest-xdist workers for `make test` and `make test-fast`: one per core of the
# project's machines (2). `make test PYTEST_WORKERS=0` runs the suite in one process.
PYTEST_WORKERS ?= 2

.PHONY: run serve test test-fast screenshots install chromium pango migrate seed lint format lock clean backup restore-check audit bench mutate

# The background worker (manage.py worker: large uploads, docs/adr/0004, and the
# schedule, count reminders included, docs/adr/0008) runs beside the server and stops with it.
WORKER = $(PY) manage.py worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM;

run: install migrate seed ## Set up everything, load demo data and serve on http://127.0.0.1:8000 (with the worker)
	$(WORKER) $(PY) manage.py runserver $(HOST):$(PORT)

serve: install migrate ## Serve with gunicorn and the worker, as production does
	$(PY) manage.py collectstatic --noinput -v0
	$(WORKER) $(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

test: install chromium ## The whole suite: unit, integration and browser tests, in parallel
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test-fast: install ## Everything but the browser tests, in parallel
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not browser"

# Mutation testing of the domain modules (docs/testing.md), on PostgreSQL (DATABASE_URL).
# MODULES=widgets/coach.py runs one; MUTATE_JOBS mutants run at a time.
MODULES ?=
MUTATE_JOBS ?= 2
MUTATE_ARGS ?=
mutate: install ## Mutation testing of the domain modules; scores into docs/testing.md
	nice $(PY) tools/mutate.py --jobs $(MUTATE_JOBS) $(MUTATE_ARGS) $(MODULES)

screenshots: install chromium ## Retake the README's screenshots (docs/screenshots/)
	UPDATE_SCREENSHOTS=1 $(VENV)/bin/pytest tests/browser/test_screenshots.py tests/browser/test_outcomes.py tests/browser/test_huddle.py tests/browser/test_charts.py tests/browser/test_inventory_import.py

install: pango $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Playwright's own browser download does not work on every network; Debian's
# Chromium does, and is what the browser tests drive.
chromium:
	@test -x $(CHROMIUM) || ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The review pack's PDF is printed by WeasyPrint (docs/adr/0006-review-pack-pdf.md),
# which draws text with Debian's Pango and needs a font.
# gettext: `manage.py makemessages` and the check that the committed .mo files are
# their .po compiled (tests/test_translations.py, docs/adr/0008).
PANGO_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation gettext
pango:
	@dpkg -s $(PANGO_PACKAGES) >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PANGO_PACKAGES))

migrate: install
	$(PY) manage.py migrate --noinput -v0

seed: install
	$(PY) manage.py seed_demo

lint: install ## ruff, migrations, deploy checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

lock: $(VENV)/.installed ## Re-pin Python packages after editing pyproject.toml
	$(VENV)/bin/pip install --quiet pip-tools
	$(VENV)/bin/pip-compile -q --extra dev --strip-extras --no-emit-index-url \
		--no-emit-trusted-host --no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3

backup: install ## pg_dump of DATABASE_URL into backups/
	$(PY) manage.py backup

restore-check: install ## restore the newest backup into a scratch database and compare row counts
	$(PY) manage.py restore_check

audit: install ## known vulnerabilities in the pinned packages (needs PyPI's JSON API) and bandit
	$(VENV)/bin/pip-audit --strict -r requirements.lock --progress-spinner off
	$(VENV)/bin/bandit -q -r agencies customers widgets outcomes demo config -x '*/migrations/*' --severity-level high

bench: install ## Measure at scale: make bench SCALE=small|state (writes bench/results.json)
	@test -x $(WRK) || ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(PY) bench/run.py --scale $(SCALE)
