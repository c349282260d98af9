# Two commands: `make run` sets up and serves; `make test` sets up and passes every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := src/workflow_host/web/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed
export DATABASE_URL ?=

.PHONY: run test setup lint typecheck clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# bpmn-js (diagram viewer and modeller) and dmn-js (decision tables) from the npm registry, pinned by
# assets/package-lock.json; the modeller page's bundle (bpmn-js, the properties panel, assets/src/) and the decision
# editor's (dmn-js, assets/src/decisions.js) built from them with esbuild.
MODELLER_SOURCES := $(wildcard assets/src/*.js assets/src/*.json assets/src/*/*.js)
$(VENDOR_STAMP): assets/package-lock.json $(MODELLER_SOURCES)
	npm ci --prefix assets --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bpmn-js $(VENDOR)/modeller
	cp -r assets/node_modules/bpmn-js/dist/assets assets/node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
	   assets/node_modules/bpmn-js/dist/bpmn-modeler.production.min.js $(VENDOR)/bpmn-js/
	assets/node_modules/.bin/esbuild assets/src/modeller.js --bundle --minify --format=iife --target=es2020 \
	   --log-level=warning --outfile=$(VENDOR)/modeller/modeller.js
	cp assets/node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css $(VENDOR)/modeller/
	assets/node_modules/.bin/esbuild assets/src/decisions.js --bundle --minify --format=iife --target=es2020 \
	   --log-level=warning --outfile=$(VENDOR)/modeller/decisions.js
	mkdir -p $(VENDOR)/dmn-js && cp -r assets/node_modules/dmn-js/dist/assets/. $(VENDOR)/dmn-js/
	touch $(VENDOR_STAMP)

setup: $(STAMP) $(VENDOR_STAMP)

run: setup
	$(BIN)/workflow-host init-db
	$(BIN)/workflow-host directory load demo/directory.yaml
	$(BIN)/workflow-host deploy processes
	@echo ""
	@echo "  Shiguai litigation-response workflow host: http://127.0.0.1:5000/login  (API: /api/v1/openapi.json)"
	@echo "  Demo users (demo/directory.yaml), e.g. clerk / clerk-demo (政府办), jb_staff / jb-demo (司法局)"
	@echo "  Get a token: curl -s -X POST http://127.0.0.1:5000/api/v1/auth/token \\"
	@echo "      -H 'Content-Type: application/json' -d '{\"username\":\"clerk\",\"password\":\"clerk-demo\"}'"
	@echo ""
	$(BIN)/workflow-host serve --host 127.0.0.1 --port 5000

lint: setup
	$(BIN)/ruff check src tests bench deploy
	$(BIN)/ruff format --check src tests bench deploy

typecheck: setup
	$(BIN)/mypy src

test: setup lint typecheck
	$(BIN)/python -m pytest -q

# After changing a page's text: extract the messages and merge them into the Chinese catalogue to translate.
messages: setup
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k _ -k ngettext:1,2 -k lazy_gettext --no-location --sort-output \
	    -o build/messages.pot src/workflow_host
	$(BIN)/pybabel update -i build/messages.pot -d src/workflow_host/translations -l zh --no-fuzzy-matching \
	    --ignore-obsolete --width 120

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache $(VENDOR) assets/node_modules test-artifacts
