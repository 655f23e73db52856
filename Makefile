# Two commands: `make run` and `make test`. Both set everything up on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint format generated bench bench-load bench-faults db-stop clean

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)
	@./scripts/ensure-system-packages

run: setup
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "  Design Workbench: http://$(HOST):$(PORT)/"
	@echo "  Log in as demo / demo-workbench (or sign up)."
	@echo ""
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# After adding or changing a field: rewrite the JSON Schema and the starters (a test fails while they are stale).
generated: setup
	$(BIN)/python manage.py refresh_generated

bench: setup
	$(BIN)/python bench/run.py

# gunicorn as `make run` starts it, driven by wrk on 127.0.0.1; see bench/README.md, "Under load".
bench-load: setup
	$(BIN)/python bench/load.py

# Two gunicorn instances sharing PostgreSQL and Redis (127.0.0.1:6379), through a PostgreSQL restart; see bench/README.md.
bench-faults: setup
	$(BIN)/python bench/load.py --servers 2 --restart-postgres-at 20 --restart-seconds 5 --users 8 --duration 60 --only overview

# The embedded PostgreSQL servers keep running between commands (fast restarts); this stops them.
db-stop: setup
	$(BIN)/python scripts/db-stop

clean: db-stop
	rm -rf $(VENV) var
