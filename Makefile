# The two first commands: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_COMPLAINTS ?= 500
PYTEST_ARGS ?=

.PHONY: run test install translations messages static migrate demo lint security format check bench clean

run: install translations static migrate demo  ## Install, migrate, load demo data and serve on http://127.0.0.1:8000
	@$(BIN)/python manage.py demo_code --instructions
	@echo "Serving on http://$(HOST):$(PORT)/  (staff sign-in: http://$(HOST):$(PORT)/staff/login/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install translations  ## Install and run the whole test suite
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

translations: $(VENV)/.installed  ## Compile the translation catalogs (.po -> .mo)
	$(BIN)/python manage.py compile_translations

messages: $(VENV)/.installed  ## Refresh the .po catalogs from the code (needs GNU gettext)
	$(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=node_modules --ignore=var --no-location

static: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_roles

demo: $(VENV)/.installed
	$(BIN)/python manage.py seed_demo --complaints $(DEMO_COMPLAINTS)

lint: $(VENV)/.installed  ## ruff, Django's checks and missing migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Production-like variables for `check --deploy`: what an office sets on a real server.
DEPLOY_ENV := DEBUG=false HTTPS=true ALLOWED_HOSTS=oversight.example.org \
	SECRET_KEY=deploy-check-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
security: $(VENV)/.installed  ## bandit (no medium or high findings), missing migrations, Django's deployment checks
	$(BIN)/bandit --quiet --recursive --severity-level medium --configfile pyproject.toml oversight complaints investigations public_portal search
	env -u DATABASE_URL $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

SCALE ?= 100000
BENCH_ARGS ?=
bench: install translations  ## Benchmarks on a PostgreSQL database of their own (bench/README.md); never part of `make test`
	$(BIN)/python bench/run.py --scale $(SCALE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
