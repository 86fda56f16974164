# Every target sets up what it needs: a fresh machine only needs `make test` or `make demo`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
STAGE ?= dev
TEMPLATE := cdk.out/SatCcf-$(STAGE).template.json
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: chromium help venv test demo local synth lint format openapi mailbox bench bench-kba bench-import bench-backoffice bench-portal bench-notifications portal-screenshots ops fuzz clean

help:
	@echo "make demo    - start the local runtime and walk through every implemented step"
	@echo "make test    - install everything and run the whole test suite"
	@echo "make local   - run the local runtime (Ctrl-C stops it)"
	@echo "make synth   - cdk synth (CDK CLI) into cdk.out/"
	@echo "make lint    - ruff + mypy"
	@echo "make openapi - regenerate docs/openapi.json"
	@echo "make mailbox - print the e-mails the running local runtime has sent"
	@echo "make bench   - print the benchmark figures (see docs/benchmarks.md)"
	@echo "make bench-kba - how well the identity questions resist guessing (docs/benchmarks.md)"
	@echo "make bench-import - ops reference import of 100,000 synthetic people on a fresh local runtime"
	@echo "make bench-backoffice - DynamoDB calls and latency of the back office's lists with 1,000 items"
	@echo "make bench-portal - each portal page's weight and server time on a fresh local runtime"
	@echo "make bench-notifications - trámite notifications delivered per second, healthy and 50 % failing"
	@echo "make portal-screenshots - every portal page at 1280 px and 360 px into docs/portal/"
	@echo "make ops ARGS='...' - the operations command, e.g. ARGS='--stage prod smoke' (docs/deploy.md);"
	@echo "               the same as .venv/bin/python -m ops ..."

venv: $(STAMP)

$(STAMP): requirements/runtime.txt requirements/infra.txt requirements/dev.txt
	test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(TEMPLATE): $(STAMP) $(shell find infra functions layers/common -name '*.py' -o -name '*.json' -o -name '*.html' -o -name '*.txt' 2>/dev/null | grep -v __pycache__) cdk.json requirements/runtime.txt
	$(PY) infra/app.py

# Debian's Chromium renders the Swagger UI pages in a browser test; installed when missing and root.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

test: $(STAMP) $(TEMPLATE) chromium node_modules/.installed
	$(PY) -m pytest -n 2 --dist loadfile

demo: $(STAMP) $(TEMPLATE)
	$(PY) -m local.demo

local: $(STAMP) $(TEMPLATE)
	$(PY) -m local

synth: $(STAMP) node_modules/.installed
	npx --no-install cdk synth --quiet

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy infra functions layers/common/python local ops examples scripts/generate_openapi.py scripts/openapi_contract.py scripts/check_data_access.py scripts/bench.py \
		scripts/portal_screenshots.py scripts/bench_portal.py

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

openapi: $(STAMP)
	$(PY) scripts/generate_openapi.py

mailbox: $(STAMP)
	$(PY) -m local.mailbox

bench: $(STAMP) $(TEMPLATE)
	$(PY) scripts/bench.py

# The identity questions against a guesser with public priors (decision 0026); pure computation, no runtime.
bench-kba: $(STAMP)
	$(PY) scripts/bench_kba.py

# ops reference import of a 100,000-person synthetic extract against a fresh local runtime (docs/benchmarks.md).
bench-import: $(STAMP) $(TEMPLATE)
	$(PY) scripts/bench_import.py

# The back office's list routes with 1,000 items each: DynamoDB calls per page (no Scan), p50/p95 (0094, 0095).
bench-backoffice: $(STAMP) $(TEMPLATE)
	$(PY) scripts/bench_backoffice.py

# Each portal page: bytes of the first visit with its assets, median server time of 20 GETs (docs/benchmarks.md).
bench-portal: $(STAMP) $(TEMPLATE) chromium
	$(PY) scripts/bench_portal.py

# Trámite notifications delivered per second end to end, healthy and with the endpoint failing half the time
# (docs/benchmarks.md, decision 0105).
bench-notifications: $(STAMP) $(TEMPLATE)
	$(PY) scripts/bench_notifications.py

# Every portal page at 1280 px and 360 px as the right person, into docs/portal/ (docs/portal.md, "Capturas").
portal-screenshots: $(STAMP) $(TEMPLATE) chromium
	$(PY) scripts/portal_screenshots.py

# The operations command (docs/deploy.md, decision 0070): make ops ARGS='--local smoke'
ops: $(STAMP)
	$(PY) -m ops $(ARGS)

# Full schemathesis run (docs/fuzzing.md): 100 examples per operation, mode and role, one runtime per role.
fuzz: $(STAMP) $(TEMPLATE)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} $(PY) -m pytest tests/fuzz -n 3 -rP -p no:cacheprovider  # one runtime per worker

clean:
	rm -rf cdk.out build .pytest_cache .mypy_cache .ruff_cache
