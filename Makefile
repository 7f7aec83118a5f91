# Safar — every target does its own set-up; on a fresh machine `make run` and
# `make test` are all you need.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PO     := $(wildcard locales/*/LC_MESSAGES/safar.po)
MO     := $(PO:.po=.mo)
E2E    := tests/e2e/node_modules/.installed-stamp

.PHONY: run test setup lint format check-content catalogs e2e-setup chromium print-tools postgresql bench clean

run: setup
	$(PY) -m bot start

test: setup $(E2E) chromium print-tools postgresql
	$(PY) -m ruff check bot tests benchmarks
	$(PY) -m ruff format --check bot tests benchmarks
	$(VENV)/bin/pybabel -q extract -F babel.cfg --add-comments=TRANSLATORS: --no-location \
	    --sort-output --project=safar -o $(VENV)/safar.pot bot
	$(VENV)/bin/pybabel update --check -i $(VENV)/safar.pot -d locales -D safar --ignore-pot-creation-date \
	    || (echo "Translation catalogs are stale: run 'make catalogs' and translate the new strings." && false)
	$(PY) -m pytest -q

setup: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Compiled catalogs are build output: made from the .po files, never committed.
locales/%/LC_MESSAGES/safar.mo: locales/%/LC_MESSAGES/safar.po $(STAMP)
	$(VENV)/bin/pybabel -q compile -d locales -D safar -l $* 

# The end-to-end tests drive the real bot against telegram-test-api (npm).
$(E2E): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	touch $(E2E)

e2e-setup: $(E2E)

# The HTML report is checked in a real browser: Debian's Chromium, installed once.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { echo "Installing Chromium (Debian package) for the report test..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "Could not install Chromium: the HTML report test will say so."; }

# Campaign materials need a font with Kyrgyz and Tajik letters (DejaVu); their test reads the
# posters with poppler's pdftoppm. Both Debian packages, installed once.
print-tools:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf && command -v pdftoppm >/dev/null 2>&1 || \
	  { echo "Installing fonts-dejavu-core and poppler-utils (Debian packages) for the campaign materials..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core poppler-utils >/dev/null) \
	    || echo "Could not install them: python -m bot materials and its test will say what is missing."; }

# The storage tests run on SQLite and on a throw-away PostgreSQL cluster they start themselves
# (initdb + pg_ctl from Debian's package; as the `postgres` user when run as root). Installed once;
# if it cannot be, the PostgreSQL tests fail and say so (SAFAR_TEST_POSTGRES=0 skips them).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { echo "Installing PostgreSQL (Debian package) for the storage tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	    || echo "Could not install PostgreSQL: the PostgreSQL storage tests will fail and say so."; }

# Re-extract interface strings into every catalog (then translate the new ones).
catalogs: $(STAMP)
	$(VENV)/bin/pybabel -q extract -F babel.cfg --add-comments=TRANSLATORS: --no-location \
	    --sort-output --project=safar -o $(VENV)/safar.pot bot
	$(VENV)/bin/pybabel update -i $(VENV)/safar.pot -d locales -D safar --ignore-pot-creation-date

check-content: $(STAMP)
	$(PY) -m bot content check

lint: $(STAMP)
	$(PY) -m ruff check bot tests benchmarks
	$(PY) -m ruff format --check bot tests benchmarks

format: $(STAMP)
	$(PY) -m ruff check --fix bot tests benchmarks
	$(PY) -m ruff format bot tests benchmarks

bench: setup
	$(PY) benchmarks/bench_matching.py
	$(PY) benchmarks/bench_updates.py
	$(PY) benchmarks/bench_usage_log.py

clean:
	rm -rf $(VENV) tests/e2e/node_modules locales/*/LC_MESSAGES/*.mo
