# The suite's entry points. `make demo` and `make test` bootstrap a fresh machine that has only
# python3 and pip: they install uv when it is missing, then the locked workspace.

SHELL := /bin/bash
.DEFAULT_GOAL := help
TOOLS := prism ai-config phoenix peragus
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV_STAMP := .venv/.synced
WEB := packages/peragus/web
UI_BUILT := packages/peragus/src/peragus/server/static/index.html
PHOENIX_WEB := packages/phoenix/web
# groundwork's web kit: the error box, routing and look that phoenix's console and prism's
# dashboard share (read from source by both builds).
WEB_KIT := $(wildcard packages/groundwork/web/src/*)
PHOENIX_UI_BUILT := packages/phoenix/src/phoenix/server/static/index.html
PRISM_WEB := packages/prism/web
PRISM_UI_BUILT := packages/prism/src/prism/daemon/static/dashboard/index.html

.PHONY: help install ui demo test acceptance lint bench clean collector

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

$(UV):
	python3 -m pip install --user --quiet uv || python3 -m pip install --user --quiet --break-system-packages uv

# Bytecode is compiled at install, the workspace's own sources too (on every install: they change
# without the lock changing): many machines set PYTHONDONTWRITEBYTECODE=1, and without .pyc
# files every command recompiles every module it imports.
$(VENV_STAMP): $(UV) uv.lock pyproject.toml $(wildcard packages/*/pyproject.toml)
	$(UV) sync --frozen --all-packages --all-extras --compile-bytecode
	@touch $@

$(UI_BUILT): $(WEB)/package.json $(WEB)/package-lock.json $(wildcard $(WEB)/*.html) $(WEB)/vite.config.ts $(wildcard $(WEB)/src/*)
	@command -v npm >/dev/null || { echo "peragus's web UI needs Node.js 20+ and npm (apt install nodejs npm)"; exit 1; }
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# phoenix's web console (Preact + uPlot, Vite), built into the package the same way.
$(PHOENIX_UI_BUILT): $(PHOENIX_WEB)/package.json $(PHOENIX_WEB)/package-lock.json $(PHOENIX_WEB)/index.html $(PHOENIX_WEB)/vite.config.ts $(PHOENIX_WEB)/tsconfig.json $(wildcard $(PHOENIX_WEB)/src/*) $(WEB_KIT)
	@command -v npm >/dev/null || { echo "phoenix's console needs Node.js 20+ and npm (apt install nodejs npm)"; exit 1; }
	cd $(PHOENIX_WEB) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# prism's dashboard (Preact + uPlot, Vite), served by prismd under /dashboard/, built the same way.
$(PRISM_UI_BUILT): $(PRISM_WEB)/package.json $(PRISM_WEB)/package-lock.json $(PRISM_WEB)/index.html $(PRISM_WEB)/vite.config.ts $(PRISM_WEB)/tsconfig.json $(wildcard $(PRISM_WEB)/src/*) $(WEB_KIT)
	@command -v npm >/dev/null || { echo "prism's dashboard needs Node.js 20+ and npm (apt install nodejs npm)"; exit 1; }
	cd $(PRISM_WEB) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

install: $(VENV_STAMP) $(UI_BUILT) $(PHOENIX_UI_BUILT) $(PRISM_UI_BUILT) ## Install the workspace (uv, then every package, locked) and build the web UIs
	@$(UV) run --frozen python -m compileall -q packages/*/src >/dev/null

ui: $(UI_BUILT) $(PHOENIX_UI_BUILT) $(PRISM_UI_BUILT) ## Build peragus's web UI, phoenix's console and prism's dashboard (TypeScript + Vite) into their packages

demo: install ## Run each tool's main job on its embedded default
	@for tool in $(TOOLS); do \
		echo; echo "== $$tool"; \
		$(UV) run --frozen $$tool --version || exit 1; \
		$(UV) run --frozen $$tool doctor || exit 1; \
	done
	@echo; echo "== prism: a workstation in the sandbox (AWS simulated on this machine)"
	@export PRISM_STATE_DIR=$${PRISM_STATE_DIR:-$$(mktemp -d)} PRISM_DAEMON_PORT=$${PRISM_DAEMON_PORT:-0}; \
	$(UV) run --frozen prism templates list && \
	$(UV) run --frozen prism launch python-ml-workstation demo && \
	$(UV) run --frozen prism list && \
	$(UV) run --frozen prism stop demo && \
	$(UV) run --frozen prism start demo && \
	$(UV) run --frozen prism delete demo --yes && \
	$(UV) run --frozen prism daemon stop --sandbox
	@echo; echo "== ai-config: the starter library, an agent, exports (in a throwaway home)"
	@export AI_CONFIG_HOME=$${AI_CONFIG_HOME:-$$(mktemp -d)} DEMO_DEST=$$(mktemp -d); \
	$(UV) run --frozen ai-config init && \
	$(UV) run --frozen ai-config agent create helper -p roles/code-reviewer.md -r 'workflows/*.md' --mcp git && \
	$(UV) run --frozen ai-config agent export helper --target q-cli --target claude-code --dest $$DEMO_DEST && \
	$(UV) run --frozen ai-config library status
	@echo; echo "== phoenix: the pipeline catalog and one scrape of this host through top-k"
	@export PHOENIX_HOME=$${PHOENIX_HOME:-$$(mktemp -d)}; \
	$(UV) run --frozen phoenix pipeline list && \
	$(UV) run --frozen phoenix pipeline deploy process-topk-v1 && \
	$(UV) run --frozen phoenix agent --once | grep -c '^process_' | xargs echo "series exported:"
	@echo; echo "== peragus: a notebook created, run headless and exported as .src.md"
	@set -e; export PERAGUS_HOME=$${PERAGUS_HOME:-$$(mktemp -d)}; \
	$(UV) run --frozen peragus new "Demo" --language javascript; \
	$(UV) run --frozen peragus run demo; \
	$(UV) run --frozen peragus export demo; \
	echo; echo "== peragus start: the notebook server and its UI (stopped after one request)"; \
	$(UV) run --frozen peragus start --port 0 --no-open > $$PERAGUS_HOME/start.log 2>&1 & server=$$!; \
	trap 'kill $$server; wait $$server 2>/dev/null || true' EXIT; \
	for _ in $$(seq 100); do grep -q 'http://' $$PERAGUS_HOME/start.log && break; sleep 0.1; done; \
	url=$$(grep -o 'http://[^ ]*' $$PERAGUS_HOME/start.log); echo "login URL: $$url"; \
	$(UV) run --frozen python -c 'import httpx, sys; print("notebook list page:", httpx.get(sys.argv[1], follow_redirects=True).raise_for_status().status_code)' "$$url"

# phoenix's OpenTelemetry Collector (Go): built into ~/.cache/phoenix/otelcol/<manifest hash>/,
# outside the repository; an unchanged manifest reuses the cached build.
collector: ## Build phoenix-otelcol (phoenix's collector distribution) or reuse the cached build
	@packages/phoenix/otelcol/build.sh

# Test files run in parallel, one file per worker at a time (they share no state across files).
# Tests marked quiet_host measure this host's processes and CPU (the collector beside the agent,
# the adaptive filter under load): they run alone, once the parallel run has finished.
test: install collector ## Run the whole test suite
	$(UV) run --frozen pytest -n auto --dist loadfile -m "not quiet_host"
	$(UV) run --frozen pytest -m quiet_host

# The PRD's acceptance tests, each named after its ID (real processes, Prometheus, the collector
# and the browser): `pytest -m acceptance`.
acceptance: install collector ## Run the acceptance suite (tests marked acceptance)
	$(UV) run --frozen pytest -n auto --dist loadfile -m "acceptance and not quiet_host"
	$(UV) run --frozen pytest -m "acceptance and quiet_host"

lint: install ## ruff format --check, ruff check, mypy
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen ruff check .
	$(UV) run --frozen mypy

bench: install ## Run every tool's benchmarks and print their figures
	@for script in bench/*.py packages/*/bench/*.py; do \
		echo; echo "== $$script"; \
		$(UV) run --frozen python $$script || exit 1; \
	done

clean: ## Remove the virtual environment and caches
	rm -rf .venv .mypy_cache .ruff_cache .pytest_cache $(WEB)/node_modules $(dir $(UI_BUILT)) $(PHOENIX_WEB)/node_modules $(dir $(PHOENIX_UI_BUILT)) $(PRISM_WEB)/node_modules $(dir $(PRISM_UI_BUILT))
