# hlgrid — `make run` starts the demo city, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist); each gets its own database. "0" runs in this process.
TEST_WORKERS ?= auto

# Development defaults; production sets these in its own environment.
export DEBUG ?= 1
# Python's bytecode cache, as Python keeps it by default: an environment that turns it off (as
# many CI images do) would compile every imported module again in each of make run's dozen
# processes, about 3 s a process.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: assets run test test-pgbouncer fuzz bench install install-dev lint format messages clean

# Installs into the venv with uv where it can (a uv on the PATH, or one pip puts in the venv:
# the same pins in a fraction of pip's time), and with pip where it cannot or uv fails (uv
# reads no pip.conf: a machine whose packages come from a pip-configured mirror falls back).
# NO_UV=1 forces pip.
define venv_install
	if [ -z "$(NO_UV)" ] && ! command -v uv >/dev/null && [ ! -x $(VENV)/bin/uv ]; then \
		$(PY) -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1 || true; fi; \
	uv=$$(command -v uv || { [ -x $(VENV)/bin/uv ] && echo $(VENV)/bin/uv; } || true); \
	if [ -z "$(NO_UV)" ] && [ -n "$$uv" ] && $$uv pip install --quiet --python $(PY) -r $(1); then :; \
	else $(PY) -m pip install --quiet --disable-pip-version-check -r $(1) 2>&1 | grep -v "is ignored: it is neither" || true; fi
endef

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(call venv_install,requirements.txt)
	$(PY) -c "import django, celery, mptt"  # fail here, not later, if the install did not take
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(call venv_install,requirements-dev.txt)
	$(PY) -c "import pytest, pytest_django, playwright, factory, time_machine"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The front-end build (frontend/build.mjs): the icon sprite and the purged stylesheet from the
# templates, and the service worker (Workbox), into build/ (served as /static/dist/). It reads
# every template, so it runs each time (a few seconds).
assets: node_modules/.installed
	node frontend/build.mjs

install: $(VENV)/.runtime node_modules/.installed assets

install-dev: $(VENV)/.dev node_modules/.installed assets

# The static files as production serves them: hashed names cached forever, each with .br/.gz.
# Independent steps run side by side (two cores are enough for both): the Python and the npm
# installs; collecting the static files (reads files, compresses them) beside the migrations
# and the demo (the database).
run: export STATIC_MANIFEST = 1
run:
	$(MAKE) --no-print-directory -j2 install
	$(PY) manage.py compile_catalogues >/dev/null
	$(PY) manage.py collectstatic --noinput -v0 & static=$$!; \
	$(PY) manage.py migrate --noinput && $(PY) manage.py load_helong_demo \
	  && $(PY) manage.py sweep_lights >/dev/null; status=$$?; \
	wait $$static || { echo "collectstatic failed" >&2; exit 1; }; exit $$status
	@echo
	@echo "  hlgrid is starting on http://127.0.0.1:$(PORT)/  (API docs: /api/docs/, health: /healthz)"
	@echo "  Demo accounts above; password: hlgrid-demo.  Ctrl-C stops web, worker and beat."
	@echo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PORT=$(PORT) PYTHONUNBUFFERED=1 $(VENV)/bin/honcho start

test: install-dev
	$(PY) manage.py compile_catalogues >/dev/null
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The integration tests (real Celery workers, Redis, the outside systems' fakes) once more,
# through PgBouncer in transaction pooling: what production runs behind. PGBOUNCER_URL is a
# PgBouncer in front of the test PostgreSQL (.ci/run starts one: .ci/pgbouncer).
PGBOUNCER_URL ?= postgres://postgres@127.0.0.1:6432/hlgrid
test-pgbouncer: install-dev
	$(PY) manage.py compile_catalogues >/dev/null
	DATABASE_URL=$(PGBOUNCER_URL) DATABASE_POOL=transaction $(PY) -m pytest tests/integration -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The schemathesis run of the suite with a longer budget (cases per operation, and the coverage
# phase: every boundary value of every parameter). FUZZ_EXAMPLES=100 make fuzz for more.
FUZZ_EXAMPLES ?= 25
fuzz: install-dev
	$(PY) manage.py compile_catalogues >/dev/null
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_COVERAGE=1 $(PY) -m pytest tests/hardening/test_fuzz_api.py -p no:cacheprovider $(PYTEST_ARGS)

bench: install-dev
	$(PY) -m bench

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Regenerate the Chinese catalogues after changing strings (needs GNU gettext): each app with
# a locale/ directory has its own, the project's (locale/) takes the rest. The .mo files are
# not committed: `make run` and `make test` compile them (compile_catalogues, no gettext).
APPS_WITH_CATALOGUES := $(patsubst %/locale,%,$(wildcard */locale))
messages: install-dev
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete --ignore ".venv/*" --ignore "node_modules/*" \
		--ignore "tests/*" --ignore "bench/*" --ignore "var/*" --ignore "staticfiles/*" --ignore "build/*" \
		$(foreach app,$(APPS_WITH_CATALOGUES),--ignore "$(app)/*")
	for app in $(APPS_WITH_CATALOGUES); do (cd $$app && ../$(PY) ../manage.py makemessages --locale zh_Hans --no-obsolete); done
	$(PY) manage.py compile_catalogues

clean:
	rm -rf var staticfiles build
