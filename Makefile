# The two commands of the quick start: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Django 6 needs Python >= 3.12: the suite runs again there when such an interpreter exists.
PYTHON_DJ6 ?= $(shell for p in python3.13 python3.12 /usr/bin/python3.13 /usr/bin/python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV_DJ6 ?= .venv-django6

.PHONY: setup demo api-docs architecture-doc test test-sqlite test-postgres test-mariadb test-django6 test-install-matrix lint typecheck migrations-check bench docs browser-setup mariadb-setup clean messages

# The development tools are PEP 735 dependency groups (pyproject.toml), which pip installs from 25.1 on.
PIP_WITH_GROUPS := 'pip>=25.1'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade $(PIP_WITH_GROUPS)
	$(BIN)/python -m pip install -q -e . --group dev
	touch $@

setup: $(BIN)/.installed

# The demo needs the package and its `demo` group only, not the development toolchain.
$(BIN)/.demo-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade $(PIP_WITH_GROUPS)
	$(BIN)/python -m pip install -q -e . --group demo
	touch $@

demo: $(BIN)/.demo-installed
	$(BIN)/python demo/manage.py demo_setup
	$(BIN)/python -m uvicorn --app-dir demo demo.asgi:application --host 127.0.0.1 --port 8000 --lifespan off --timeout-graceful-shutdown 2

# Debian's Chromium for the browser tests (Playwright drives it through executablePath).
browser-setup:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
	      && echo "installed chromium" || echo "WARNING: could not install chromium; browser tests will be skipped"; \
	  else echo "WARNING: chromium is not installed; browser tests will be skipped"; fi; }

# The MariaDB run's driver, mysqlclient, compiles against the MySQL/MariaDB client headers
# (Debian's default-libmysqlclient-dev). It is the `mysql` extra, kept out of `setup` so that a
# machine without the headers still sets up: the MariaDB run alone is then skipped (loudly), or
# fails under DSN_REQUIRE_SERVICES=1 as in .ci/run.
mariadb-setup: setup
	@$(BIN)/python -c "import MySQLdb" 2>/dev/null || { \
	  pkg-config --exists mysqlclient 2>/dev/null || { \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      (apt-get install -y -q default-libmysqlclient-dev pkg-config >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q default-libmysqlclient-dev pkg-config >/dev/null 2>&1)) \
	        && echo "installed default-libmysqlclient-dev" || echo "WARNING: could not install default-libmysqlclient-dev, which mysqlclient builds against"; \
	    else echo "WARNING: default-libmysqlclient-dev is not installed: mysqlclient cannot build"; fi; }; \
	  if $(BIN)/python -m pip install -q -e '.[mysql]' >/dev/null 2>&1; then echo "installed mysqlclient"; \
	  else echo "WARNING: mysqlclient could not be installed; the MariaDB run will be skipped"; fi; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

migrations-check: setup
	$(BIN)/python -m django makemigrations --check --dry-run --settings=tests.settings

# The install matrix runs once, in its own target: the database runs leave it out.
test-sqlite: setup
	$(BIN)/pytest -q -m "not install_matrix"

test-postgres: setup
	DSN_TEST_DB=postgres $(BIN)/pytest -q -m "not install_matrix"

# The release check: sdist and wheel built and twine-checked, the wheel installed into clean venvs
# (Python 3.11/3.12/3.13 x Django 5.2/6.0) running the quickstart in a startproject project.
test-install-matrix: setup
	$(BIN)/pytest -q -m install_matrix tests/integration/test_install_matrix.py

# The suite on MariaDB (MySQL 8 goes through the same Django backend), but for the browser tests
# (the pages are the same on every database) and the tests that bring a database of their own
# (subprocesses on SQLite files, builds): those run in the SQLite and PostgreSQL runs.
test-mariadb: mariadb-setup
	@if $(BIN)/python -c "import MySQLdb" 2>/dev/null; then \
	  DSN_TEST_DB=mariadb $(BIN)/pytest -q -m "not browser and not own_database and not install_matrix"; \
	elif [ "$$DSN_REQUIRE_SERVICES" = 1 ]; then echo "FAILED: mysqlclient is not installed and DSN_REQUIRE_SERVICES=1"; exit 1; \
	else echo "SKIPPED LOUDLY: mysqlclient is not installed (make mariadb-setup); the suite did not run on MariaDB"; fi

$(VENV_DJ6)/.installed: pyproject.toml
	@if [ -n "$(PYTHON_DJ6)" ]; then \
	  $(PYTHON_DJ6) -m venv $(VENV_DJ6) && $(VENV_DJ6)/bin/python -m pip install -q --upgrade $(PIP_WITH_GROUPS) \
	  && $(VENV_DJ6)/bin/python -m pip install -q 'Django>=6.0,<6.1' -e . --group test && touch $@; fi

test-django6: $(VENV_DJ6)/.installed
	@if [ -n "$(PYTHON_DJ6)" ]; then $(VENV_DJ6)/bin/pytest -q -m "not browser and not install_matrix"; \
	else echo "SKIPPED: Django 6 needs Python >= 3.12 and none was found on this machine"; fi

test: setup browser-setup lint typecheck migrations-check test-sqlite test-postgres test-mariadb test-django6 test-install-matrix

# The HTTP API's reference page (docs/api-http.md) and docs/openapi.json, from django_signal_notifier/api/schema.py.
api-docs: setup
	$(BIN)/python tools/api_docs.py

# The module tree of docs/architecture.md, from the modules' docstrings.
architecture-doc: setup
	$(BIN)/python tools/architecture_doc.py

# Regenerate the translation catalogs (needs GNU gettext: apt-get install -y gettext) and compile
# them; the compiled .mo files are committed because installed packages need them.
messages: setup
	cd django_signal_notifier && ../$(BIN)/django-admin makemessages --all --no-location --no-obsolete
	cd django_signal_notifier && ../$(BIN)/django-admin compilemessages
	cd tests/testapp && ../../$(BIN)/django-admin compilemessages

bench: setup
	$(BIN)/python -m benchmarks

docs: setup
	$(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) $(VENV_DJ6) site build *.egg-info tests/test.sqlite3 demo/db.sqlite3
