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
# The staff workbench (web/workbench: Preact + htm, bundled by esbuild from the npm lockfile) with its
# texts exported from the message catalogs, built into build/workbench/: the local stack serves it at
# /workbench/, `make deploy-workbench` copies it to the stack's workbench bucket. Built, not committed.
WORKBENCH_DIR := build/workbench
WORKBENCH := $(WORKBENCH_DIR)/.built
WORKBENCH_SOURCES := $(wildcard web/workbench/*.* web/workbench/src/*) tools/workbench_messages.py \
	$(wildcard shared/aftersales/locales/*/LC_MESSAGES/messages.mo)
# The browser tier (tests/browser) drives Debian's chromium: Playwright's own browser builds are never
# downloaded. Noto CJK so that zh-Hans pages render their glyphs.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STACK ?= aftersales
PORT ?= 3000
SPEED ?= 1

.PHONY: run test test-unit test-fast bench lint i18n build deploy clean workbench browser deploy-workbench

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

$(WORKBENCH): $(NODE_STAMP) $(STAMP) $(WORKBENCH_SOURCES)
	node web/workbench/build.mjs $(WORKBENCH_DIR) /v1
	$(BIN)/python -m tools.workbench_messages $(WORKBENCH_DIR)/messages
	@touch $@

## make workbench: build the staff workbench into build/workbench/ (served at /workbench/)
workbench: $(WORKBENCH)

# The Debian packages the tests use, installed once when one is missing (one apt-get run):
# chromium + fonts-noto-cjk for the browser tier, poppler-utils for pdftotext, which reads the
# dispute evidence pack's summary.pdf back in the unit tier (never skipped).
DEBIAN_TOOLS := /usr/bin/chromium:chromium /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:fonts-noto-cjk \
	/usr/bin/pdftotext:poppler-utils
browser pdf-tools: debian-tools
debian-tools:
	@missing="$(foreach t,$(DEBIAN_TOOLS),$$(test -e $(word 1,$(subst :, ,$(t))) || echo $(word 2,$(subst :, ,$(t)))))"; \
	[ -z "$$(echo $$missing)" ] || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; }

## make run [PORT=3000] [SPEED=60]: the whole system on the local stack, with a demo tenant
run: $(STAMP) $(SWAGGER_UI) $(WORKBENCH)
	$(BIN)/python -m infra.local --port $(PORT) --speed $(SPEED)

## make test: every tier (unit, contract, integration, infra, e2e, browser)
test: $(STAMP) $(NODE_STAMP) $(SWAGGER_UI) $(WORKBENCH) browser
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

test test-unit: pdf-tools
.PHONY: pdf-tools debian-tools

## make i18n: regenerate the .po catalogs from tools/messages.py and compile them
i18n: $(STAMP)
	$(BIN)/python -m tools.messages
	$(BIN)/pybabel -q compile -d shared/aftersales/locales -D messages

build: $(SWAGGER_UI)
	sam build

deploy: build
	sam deploy --guided

## make deploy-workbench [STACK=aftersales]: copy the built workbench to the stack's bucket (CloudFront serves it)
deploy-workbench: $(WORKBENCH)
	@bucket=$$(aws cloudformation describe-stacks --stack-name $(STACK) --output text \
		--query "Stacks[0].Outputs[?OutputKey=='WorkbenchBucketName'].OutputValue") && \
	distribution=$$(aws cloudformation describe-stacks --stack-name $(STACK) --output text \
		--query "Stacks[0].Outputs[?OutputKey=='WorkbenchDistributionId'].OutputValue") && \
	aws s3 sync --delete --exclude .built $(WORKBENCH_DIR) "s3://$$bucket/workbench" && \
	aws cloudfront create-invalidation --distribution-id "$$distribution" --paths "/workbench/*" >/dev/null

clean:
	rm -rf $(VENV) node_modules .pytest_cache .aws-sam $(SWAGGER_UI_DIR) $(WORKBENCH_DIR)
