# The README's two commands — `make run` and `make test` — set everything up themselves.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | sha1sum | cut -c1-12)
NODE_STAMP := node_modules/.installed-$(shell sha1sum package-lock.json | cut -c1-12)
# Swagger UI's assets from the npm lockfile (swagger-ui-dist), copied into the domain package: the API
# serves them at /swagger/* and sam build ships them in the layer. Built here, not committed.
SWAGGER_UI_DIR := shared/aftersales/http/static/swagger-ui
SWAGGER_UI := $(addprefix $(SWAGGER_UI_DIR)/,swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE)
PORT ?= 3000
SPEED ?= 1

.PHONY: run test test-unit test-fast bench lint i18n build deploy clean

$(STAMP): requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.lock
	@# The domain package (shared/) and the repo root on the path, as the Lambda layer does on AWS.
	@printf '%s\n%s\n' "$(CURDIR)/shared" "$(CURDIR)" > "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/aftersales-dev.pth"
	@rm -f $(VENV)/.installed-* && touch $@

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-* && touch $@

$(SWAGGER_UI_DIR)/%: $(NODE_STAMP)
	@mkdir -p $(@D)
	cp node_modules/swagger-ui-dist/$* $@

## make run [PORT=3000] [SPEED=60]: the whole system on the local stack, with a demo tenant
run: $(STAMP) $(SWAGGER_UI)
	$(BIN)/python -m infra.local --port $(PORT) --speed $(SPEED)

## make test: every tier (unit, contract, integration, infra, e2e)
test: $(STAMP) $(NODE_STAMP) $(SWAGGER_UI)
	$(BIN)/python -m pytest

## make test-unit: the unit tier and the contract tests that need no moto, in under a minute
# (the webhook contract modules below run the handlers on moto tables: `make test` runs them)
MOTO_CONTRACT := tests/contract/test_webhook_fuzz.py tests/contract/test_stripe_webhooks.py \
	tests/contract/test_webhook_endpoints.py
test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/contract -p no:cacheprovider $(MOTO_CONTRACT:%=--ignore=%)

## make bench: cold starts, AWS requests per operation, throughput (never part of make test)
bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check shared functions infra tests bench tools
	$(BIN)/cfn-lint template.yaml

## make i18n: regenerate the .po catalogs from tools/messages.py and compile them
i18n: $(STAMP)
	$(BIN)/python -m tools.messages
	$(BIN)/pybabel -q compile -d shared/aftersales/locales -D messages

build: $(SWAGGER_UI)
	sam build

deploy: build
	sam deploy --guided

clean:
	rm -rf $(VENV) node_modules .pytest_cache .aws-sam $(SWAGGER_UI_DIR)
