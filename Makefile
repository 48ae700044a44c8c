# Serantau: two commands on a fresh machine with Python 3.11+ and make.
#   make run    set up, load the seed corpus, create an editor, serve on :8000
#               with a worker beside it for background imports
#   make test   set up and run the whole suite (SQLite unless DATABASE_URL says otherwise)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run serve worker test fuzz lint format migrate seed editor schema clean bench bench-quick load

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

migrate: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py load_seed_corpus

editor: migrate
	$(BIN)/python manage.py create_editor

# The server, and beside it a worker for the imports too large to wait for
# (briefings/jobs.py). The worker goes when the server does: Ctrl+C, or a
# server that cannot start. It finishes the import it is running first.
run: seed editor
	@$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST)

# As in production: gunicorn (config/gunicorn.conf.py) with hashed, compressed
# static files that WhiteNoise serves. Settings come from the environment (README,
# "Deploying"), DJANGO_ENV=production unless it says otherwise, which needs
# SECRET_KEY and ALLOWED_HOSTS and sends plain http to https; background imports
# need a worker beside it (`make worker`).
serve: export DJANGO_ENV := $(or $(DJANGO_ENV),production)
serve: migrate
	STATIC_MANIFEST=true $(BIN)/python manage.py collectstatic --noinput
	STATIC_MANIFEST=true $(BIN)/gunicorn -c config/gunicorn.conf.py config.wsgi

# A worker on its own: on another machine, or beside `make serve`.
worker: migrate
	$(BIN)/python manage.py db_worker --no-reload

test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# The API's property-based contract test (tests/api/test_contract.py) with many
# more random examples per operation than `make test` sends; minutes, not seconds.
fuzz: $(BIN)/.installed
	SCHEMATHESIS_MAX_EXAMPLES=$${SCHEMATHESIS_MAX_EXAMPLES:-200} \
		$(BIN)/pytest tests/api/test_contract.py $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmark (benchmarks/run.py): builds, or reuses, a corpus in a database of
# its own (a SQLite file in benchmarks/.data/, or serantau_bench_<N> on the
# PostgreSQL server DATABASE_URL names), measures pages, API, search, imports,
# export and a load run, prints a table and writes benchmarks/results/latest.json.
bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py --articles 100000 $(BENCH_ARGS)

# The same at 10,000 articles with fewer requests: minutes, for CI.
bench-quick: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py --quick $(BENCH_ARGS)

# Readers and editors at once against gunicorn on 127.0.0.1 with the page cache
# on (benchmarks/mixed.py), on a database it creates and removes (a temporary
# SQLite file, or LOAD_ARGS="--database-url postgres://…/<new name>"; add
# --redis-url for Redis); fails on any 5xx or lost write. About a minute.
load: $(BIN)/.installed
	$(BIN)/python benchmarks/mixed.py $(LOAD_ARGS)

# Regenerate the committed OpenAPI schema after changing the API.
schema: $(BIN)/.installed
	$(BIN)/python manage.py spectacular --file openapi/schema.yaml --validate

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
