# Ladder — the two commands are `make run` and `make test`; everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.8
PYTHON ?= python3.11
UV := $(PYTHON) -m uv
PY := .venv/bin/python
MEMBERS := $(wildcard libs/*/pyproject.toml services/*/pyproject.toml gateway/pyproject.toml)

.PHONY: help install run test test-fast lint format migrate bench soak fuzz clean-data

help:
	@echo "make run        install, start PostgreSQL (embedded unless DATABASE_URL is set), migrate, seed, start everything"
	@echo "make test       the whole suite (cross-service tests included)"
	@echo "make test-fast  the suite without the cross-service process tests"
	@echo "make lint       ruff check + format check"
	@echo "make migrate    migrate (and seed) the dev database"
	@echo "make bench      benchmarks under tests/bench (ratios against in-process baselines)"
	@echo "make soak       the fault suite with a long load (600 draft+submit pairs, 6 clients)"
	@echo "make fuzz       schemathesis over every service through the gateway, 60 examples per operation"

# Installs uv from PyPI if missing, then the locked workspace into .venv.
.venv/.installed: uv.lock pyproject.toml $(MEMBERS)
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: .venv/.installed

run: install
	$(PY) -m tools.run

migrate: install
	$(PY) -m tools.run --prepare-only

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not crossservice"

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: install
	$(PY) -m tests.bench

# The schemathesis run of `make test` (tests/fuzz) with many more examples per operation.
fuzz: install
	LADDER_FUZZ_EXAMPLES=$${LADDER_FUZZ_EXAMPLES:-60} $(PY) -m pytest tests/fuzz -p no:cacheprovider

# The fault suite of `make test` (tests/faults), with the load of the issue's reproduction.
soak: install
	LADDER_SOAK_PAIRS=$${LADDER_SOAK_PAIRS:-600} LADDER_SOAK_CLIENTS=$${LADDER_SOAK_CLIENTS:-6} \
		$(PY) -m pytest tests/faults -p no:cacheprovider

clean-data:
	-$(PY) -m tools.devdb stop --name dev
	-$(PY) -m tools.devdb stop --name test
	rm -rf .data
