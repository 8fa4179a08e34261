# The two set-up commands of the README: `make run` and `make test`.  Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHECKOV_VENV ?= .venv-checkov
EXTRAS := local,client,cluster,dev
PYTEST_ARGS ?=

.PHONY: run test lint typecheck unit terraform-check system-deps checkov-venv bench soak clean k8s-render tfvars

$(BIN)/.installed: pyproject.toml constraints.txt
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
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(BIN)/.installed
	$(BIN)/mypy

unit: $(BIN)/.installed
	$(BIN)/pytest -n 2 --dist loadscope $(PYTEST_ARGS)

## Real Terraform: fmt, init + validate of every root whose providers install, terraform test (mocked AWS)
terraform-check:
	bash scripts/terraform-check

## Fresh machine -> everything the tests need -> ruff, mypy, Terraform and the full suite
test: system-deps $(BIN)/.installed checkov-venv
	$(MAKE) lint typecheck terraform-check unit

## Every benchmark (a few minutes), then docs/benchmarks.md from their results; fails if a goal is missed
bench: system-deps $(BIN)/.installed
	status=0; $(BIN)/python -m bench || status=$$?; $(BIN)/python scripts/bench-readme.py && exit $$status

soak: system-deps $(BIN)/.installed
	RESERVATIONS_SOAK=1 $(BIN)/python -m bench.soak

## Prints the edge's manifests: make k8s-render IMAGE=<ecr repo>@sha256:<digest> UPSTREAM=https://<id>.execute-api.<region>.amazonaws.com/<stage> CERTIFICATE_ARN=arn:aws:acm:... [TENANTS_MAP=tenants.json]
k8s-render: $(BIN)/.installed
	PYTHON=$(BIN)/python scripts/k8s-render --image "$(IMAGE)" --upstream "$(UPSTREAM)" \
	  --certificate-arn "$(CERTIFICATE_ARN)" $(if $(TENANTS_MAP),--tenants-map "$(TENANTS_MAP)")

## Regenerates terraform/functions.auto.tfvars.json and terraform/modules/iam/policies.json.tftpl from the function catalogue
tfvars: $(BIN)/.installed
	$(BIN)/python scripts/gen-tfvars.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) dist build-cache .pytest_cache .mypy_cache .ruff_cache
