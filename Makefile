# FitJourney — developer commands. `make dev` runs the platform, `make test` tests it.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := libs/common services/auth services/core services/ai services/analytics gateway
STAMP := $(VENV)/.installed
SERVICES_WITH_MIGRATIONS := auth core ai analytics

.PHONY: help install dev demo test fuzz openapi-snapshot backends browser lint fmt check migrate bench bench-quick clean helm-sync \
	checkov promtool vision food-model food-model-export

help:
	@echo "make dev      install what is missing, serve every service on http://127.0.0.1:8000 (embedded mode)"
	@echo "make demo     create the demo account (demo@example.com) with 60 days of history; then make dev"
	@echo "make test     start PostgreSQL, Redis, RabbitMQ if installed and stopped, then run the whole suite"
	@echo "make fuzz     schemathesis against every service with a long budget and every phase (minutes)"
	@echo "make openapi-snapshot  record the current OpenAPI documents as released (docs/openapi/)"
	@echo "make lint     ruff, mypy and the house-rule checks"
	@echo "make migrate  create the database roles (MIGRATE_ADMIN_URL), then migrate each service as its owner role"
	@echo "make bench    run the benchmarks, then the real stack under a stepped load; results go to deploy/bench/results/"
	@echo "make bench-quick  the stack benchmark at one fixed rate on a small data set (< 3 minutes)"
	@echo "make food-model  install torch (the ai service's vision extra) and train the food-photo model"
	@echo "make food-model-export  add the ONNX file the service runs to a bundle trained before it had one"
	@echo "make .env     write .env for docker compose with fresh random secrets (from .env.example)"
	@echo "make promtool install promtool (Debian's prometheus) for the alert-rule tests"
	@echo "make checkov  scan terraform/ with checkov (installed once into .venv-checkov)"
	@echo "make helm-sync  copy gateway/kong/kong.yml and deploy/prometheus/alerts.yml into the Helm chart"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when a dependency list changes. libs/common with its dev extra (fakeredis, aiosqlite:
# the in-process backends of `make dev` and the tests), which the images leave out.
$(STAMP): $(BIN)/python $(foreach p,$(PACKAGES),$(p)/pyproject.toml) requirements-dev.txt
	$(BIN)/pip install --quiet $(foreach p,$(PACKAGES),-e '$(p)$(if $(filter libs/common,$(p)),[dev])') \
		-r requirements-dev.txt
	@touch $@

install: $(STAMP)

# torch is an extra of the ai service, for training and exporting the food model only: the service runs the
# bundle's ONNX export under onnxruntime (a plain dependency), so `make dev` recognises photos without torch
# once a model is trained. The versions are pinned in services/ai/pyproject.toml; pip takes them from the
# machine's wheel cache (about 90 s in a fresh venv here). The tests need it for the train -> serve pipeline.
VISION_STAMP := $(VENV)/.vision-installed
$(VISION_STAMP): $(STAMP) services/ai/pyproject.toml
	$(BIN)/pip install --quiet -e 'services/ai[vision]'
	@touch $@

vision: $(VISION_STAMP)

# Trains on the 10 Food-101 classes in ../shared/data/food-photos (never committed; the bundle, torch weights
# and their ONNX export, stays in .data/models/food, where `make dev` finds it). Niced, one torch thread (on the shared 2 cores two threads
# spent more CPU per epoch waiting on each other), a fixed number of epochs for a reproducible model; the
# schedule shrinks to fit FOOD_MODEL_MINUTES (plus a few minutes for the test photos) only when the first epoch shows the epochs cannot fit (the
# manifest records the epochs run). The settings and why: services/ai/README.md, "Measured".
FOOD_PHOTOS ?= ../shared/data/food-photos
FOOD_MODEL_EPOCHS ?= 30
FOOD_MODEL_MINUTES ?= 40
FOOD_MODEL_THREADS ?= 1
food-model: vision
	nice -n 10 $(BIN)/python -m fitjourney_ai.train --data $(FOOD_PHOTOS)/train --test $(FOOD_PHOTOS)/test \
		--arch mobilenet_v3_small --input-size 112 --epochs $(FOOD_MODEL_EPOCHS) \
		--max-minutes $(FOOD_MODEL_MINUTES) --threads $(FOOD_MODEL_THREADS) --out .data/models/food

# A bundle trained before the service ran ONNX Runtime: export its weights (the version stays the same).
food-model-export: vision
	nice -n 10 $(BIN)/python -m fitjourney_ai.train export --bundle .data/models/food

dev: install
	$(BIN)/python -m fitjourney_gateway.dev

demo: install
	$(BIN)/python -m fitjourney_gateway.demo

# The same script .ci/run uses: starts what is installed and stopped, names the package of what is missing.
backends:
	@deploy/scripts/backends.sh

# Debian's Chromium for the browser test (skipped with its reason where there is none); Playwright drives it.
browser:
	@if [ -x /usr/bin/chromium ]; then echo "browser: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get install -y -q chromium chromium-driver \
		|| echo "could not install chromium: the browser test will be skipped"; \
	else echo "no /usr/bin/chromium: the browser test will be skipped (apt-get install chromium chromium-driver)"; fi

test: install vision backends
	$(BIN)/pytest

# The contract fuzzing of `make test`, with a larger budget and the coverage phase (every boundary and
# invalid value the schemas define). FUZZ_EXAMPLES=... to change the budget; reports in .data/fuzz/.
FUZZ_EXAMPLES ?= 100
fuzz: install backends
	@mkdir -p .data/fuzz
	FJ_FUZZ_MAX_EXAMPLES=$(FUZZ_EXAMPLES) FJ_FUZZ_PHASES=examples,coverage,fuzzing,stateful \
		FJ_FUZZ_REPORT_DIR=$(CURDIR)/.data/fuzz $(BIN)/pytest tests/contract/test_fuzz.py

openapi-snapshot: install
	$(BIN)/python deploy/checks/openapi_compat.py --write

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy libs/common/fitjourney_common services/auth/fitjourney_auth services/core/fitjourney_core \
		services/ai/fitjourney_ai services/_template/fitjourney_skeleton \
		services/analytics/fitjourney_analytics gateway/fitjourney_gateway
	$(BIN)/python deploy/checks/house_rules.py

fmt: install
	$(BIN)/ruff check --fix .

# The superuser (MIGRATE_ADMIN_URL) only creates the database and the roles, each
# service migrates as its schema's owner role, and analytics' reader gets its grants from core's owner. The
# same module is compose's db-roles one-shot and Helm's db-roles Job. Passwords: the variables of `make .env`.
ROLES := $(BIN)/python -m fitjourney_common.db.roles
migrate: install
	@$(ROLES) create $(SERVICES_WITH_MIGRATIONS)
	@for s in $(SERVICES_WITH_MIGRATIONS); do echo "migrating $$s as fitjourney_$${s}_owner"; \
		url=$$($(ROLES) url $$s --owner) && (cd services/$$s && DATABASE_URL="$$url" ../../$(BIN)/alembic upgrade head) \
		|| exit 1; done
	@# Re-granted each time, so core tables added since are covered.
	@url=$$($(ROLES) url core --owner) && DATABASE_URL="$$url" $(BIN)/fitjourney-analytics grant-reader

# The stack benchmark's load tool (Locust) and process monitor (psutil) stay out of `make install`.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) deploy/bench/requirements.txt
	$(BIN)/pip install --quiet -r deploy/bench/requirements.txt
	@touch $@

# The scripts, then the real stack under a stepped load (deploy/bench/stack/run.py: its own PostgreSQL cluster
# on 9432, Redis on 6414, services on 9401-9404; BENCH_NOTE="..." is written beside the figures).
bench: install $(BENCH_STAMP)
	@mkdir -p deploy/bench/results
	$(BIN)/python deploy/bench/bench_auth.py
	$(BIN)/python deploy/bench/bench_outbox_relay.py
	$(BIN)/python deploy/bench/bench_core.py
	$(BIN)/python deploy/bench/bench_analytics.py
	$(BIN)/python deploy/bench/bench_food_catalogue.py
	$(BIN)/python deploy/bench/bench_food_recognition.py
	$(BIN)/python deploy/bench/stack/run.py

bench-quick: install $(BENCH_STAMP)
	$(BIN)/python deploy/bench/stack/run.py --quick

# docker compose reads .env: every secret freshly generated, none falls back to a default.
.env: .env.example
	$(PYTHON) deploy/compose/make_env.py

# promtool (Debian's prometheus package) runs the alert-rule tests; without it they are skipped with a reason.
promtool:
	@if command -v promtool >/dev/null; then echo "promtool: $$(promtool --version 2>&1 | head -n 1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then { apt-get install -y -q --no-install-recommends prometheus || { apt-get update -q && apt-get install -y -q --no-install-recommends prometheus; }; } \
		|| echo "could not install prometheus: the alert-rule tests will be skipped"; \
	else echo "no promtool: the alert-rule tests will be skipped (apt-get install prometheus)"; fi

# checkov lives in its own virtualenv (.venv-checkov, made once; its pins conflict with the services'); the
# Terraform tests in `make test` use the same one.
checkov: install
	$(BIN)/python deploy/checks/checkov_venv.py >/dev/null
	.venv-checkov/bin/checkov -d terraform --framework terraform --skip-download --compact

# Helm reads only files inside the chart: it keeps copies that a test holds equal to the originals.
helm-sync:
	$(PYTHON) deploy/checks/sync_chart_files.py

clean:
	rm -rf .data $(VENV) .venv-checkov
