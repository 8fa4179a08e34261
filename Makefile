# The two set-up commands of the README: `make run` and `make test`.  Everything else is a helper.
SHELL := /bin/bash
# A Python >= 3.11 from the PATH (pyproject.toml: requires-python); PYTHON=... overrides.
PY_OK := import sys; sys.exit(sys.version_info < (3, 11))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(or $(shell for p in python3 python3.13 python3.12 python3.11; do \
  $$p -c '$(PY_OK)' 2>/dev/null && { command -v $$p; break; }; done),python3)
endif
VENV ?= .venv
BIN := $(VENV)/bin
CHECKOV_VENV ?= .venv-checkov
EXTRAS := local,client,cluster,dev
PYTEST_ARGS ?=

.PHONY: run test check test-later lint typecheck unit terraform-check terraform-emulator system-deps checkov-venv bench soak clean k8s-render tfvars venv-check FORCE

# A venv made with a Python older than 3.11 (or one that no longer runs) is rebuilt: stale is set when
# $(BIN)/python exists but fails the check, which forces the install below.
VENV_STALE := $(shell { test -L $(BIN)/python || test -e $(BIN)/python; } && \
  ! $(BIN)/python -c '$(PY_OK)' 2>/dev/null && echo FORCE)

## Checks the interpreter, and deletes a venv made with an unusable one
venv-check:
	@$(PYTHON) -c '$(PY_OK)' 2>/dev/null || { echo "Python >= 3.11 is needed, and $(PYTHON) is" \
	  "$$($(PYTHON) -V 2>/dev/null || echo not a working Python); install one and run e.g. make PYTHON=python3.12 run" >&2; exit 1; }
	@if { test -L $(BIN)/python || test -e $(BIN)/python; } && ! $(BIN)/python -c '$(PY_OK)' 2>/dev/null; then \
	  echo "$(VENV) was made with $$($(BIN)/python -V 2>/dev/null || echo a Python that no longer runs);" \
	    "rebuilding it with $$($(PYTHON) -V 2>&1)" >&2; \
	  rm -rf $(VENV); fi

FORCE:

$(BIN)/.installed: pyproject.toml constraints.txt $(VENV_STALE)
	@$(MAKE) --no-print-directory venv-check
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[$(EXTRAS)]'
	touch $@

install: $(BIN)/.installed

## Starts the local stack (gateway + embedded SQLite store + demo customer) on http://127.0.0.1:8080
run: $(BIN)/.installed
	$(BIN)/reservations serve $(RUN_ARGS)

system-deps:
	bash scripts/install-system-deps.sh

$(CHECKOV_VENV)/.installed: constraints-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -c constraints-checkov.txt checkov
	touch $@

checkov-venv: $(CHECKOV_VENV)/.installed

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(BIN)/.installed
	$(BIN)/mypy

## The suite; fails too if it left a process listening (scripts/no-listener-left names and ends it)
unit: $(BIN)/.installed
	$(BIN)/python scripts/no-listener-left $(BIN)/pytest -n 2 --dist loadscope $(PYTEST_ARGS)

## The fast lane: ruff, mypy and every test not marked slow; make test runs everything
check: $(BIN)/.installed
	$(MAKE) --no-print-directory lint typecheck
	$(BIN)/python scripts/no-listener-left $(BIN)/pytest -n 2 --dist loadscope -m "not slow" $(PYTEST_ARGS)

# The suites whose rules read the clock (the domain's through the stores, the API, the clients, the
# functions), run again with the clock 400 days ahead: no test may depend on the day it was written.
LATER_SUITES := tests/stores tests/api tests/client tests/functions tests/test_catalogue.py tests/proofs/test_regressions.py

## The clock-dependent suites again, a year ahead (libfaketime: Debian's faketime, from make system-deps).
## -m: libfaketime's thread-safe build; the suites run threads (moto's server, the gateway), and the
## plain one, unsynchronised, crashed a worker in garbage collection once (a segfault, then a hang).
test-later: $(BIN)/.installed
	$(BIN)/python scripts/no-listener-left faketime -m '+400 days' $(BIN)/pytest -n 2 --dist loadscope -p no:cacheprovider $(LATER_SUITES)

## Real Terraform: fmt, init + validate of every root whose providers install, terraform test (mocked AWS) of the cell module, each example and each cell root
terraform-check:
	bash scripts/terraform-check

## The real AWS provider against moto's server: apply twice, plan (nothing left to do), destroy; its allowed exceptions are listed in the script. Minutes: not in make test
terraform-emulator: $(BIN)/.installed
	$(BIN)/python scripts/terraform-emulator.py

## Fresh machine -> everything the tests need -> ruff, mypy, Terraform and the full suite
test: system-deps $(BIN)/.installed checkov-venv
	$(MAKE) lint typecheck terraform-check unit test-later

## Every benchmark (a few minutes), then docs/benchmarks.md from their results; fails if a goal is missed
bench: system-deps $(BIN)/.installed
	status=0; RESERVATIONS_BENCH_RESULTS=$(CURDIR)/bench/results $(BIN)/python -m bench || status=$$?; $(BIN)/python scripts/bench-readme.py && exit $$status

soak: system-deps $(BIN)/.installed
	RESERVATIONS_SOAK=1 RESERVATIONS_BENCH_RESULTS=$(CURDIR)/bench/results $(BIN)/python -m bench.soak

## Prints the edge's manifests (only them: -s keeps make's own lines out of the YAML): make -s k8s-render IMAGE=<ecr repo>@sha256:<digest> UPSTREAM=https://<id>.execute-api.<region>.amazonaws.com/<stage> CERTIFICATE_ARN=arn:aws:acm:... [TENANTS_MAP=tenants.json]
k8s-render: $(BIN)/.installed
	@PYTHON=$(BIN)/python scripts/k8s-render --image "$(IMAGE)" --upstream "$(UPSTREAM)" \
	  --certificate-arn "$(CERTIFICATE_ARN)" $(if $(TENANTS_MAP),--tenants-map "$(TENANTS_MAP)")

## Regenerates what Terraform reads from Python: terraform/cell/functions.auto.tfvars.json and the iam module's policy templates (the function catalogue), terraform/modules/edge/templates/nginx.conf.tftpl (the edge's nginx.conf)
tfvars: $(BIN)/.installed
	$(BIN)/python scripts/gen-tfvars.py

## Deletes both venvs (.venv, .venv-checkov), dist/, build-cache/ and the tool caches
clean:
	rm -rf $(VENV) $(CHECKOV_VENV) dist build-cache .pytest_cache .mypy_cache .ruff_cache
