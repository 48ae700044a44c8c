# Serantau: two commands on a fresh machine with Python 3.11+ and make.
#   make run    set up, load the seed corpus, create an editor, serve on :8000
#   make test   set up and run the whole suite (SQLite unless DATABASE_URL says otherwise)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test fuzz lint format migrate seed editor schema clean

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

run: seed editor
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST)

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

# Regenerate the committed OpenAPI schema after changing the API.
schema: $(BIN)/.installed
	$(BIN)/python manage.py spectacular --file openapi/schema.yaml --validate

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
