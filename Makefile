# `make run` and `make test` set everything up on a fresh machine (Python 3.11 or 3.12 with venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: install run test lint bench bench-speed bench-bot eval clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(BIN)/verbatim run; else exec $(BIN)/verbatim chat; fi

test: install
	$(BIN)/ruff check bot retrieval tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check bot retrieval tests benchmarks
	$(BIN)/mypy

# Quality on the shared evaluation sets (needs ../shared or SHARED=path).
eval: install
	$(BIN)/python benchmarks/evaluate.py $(SHARED)/eval/interview-dev.jsonl data/transcripts $(SHARED)/eval/score.py
	for set in committee-val all-val; do \
	  $(BIN)/python benchmarks/evaluate.py $(SHARED)/eval/qmsum/$$set/questions.jsonl \
	    $(SHARED)/eval/qmsum/$$set/transcripts $(SHARED)/eval/score.py || exit 1; done

# Scale: 1x, 10x, 30x committee-train, embedded and server mode (benchmarks/SCALE.md, scale.png).
bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/scale.py $(SHARED) $(if $(TUTORIAL_PYTHON),--tutorial-python $(TUTORIAL_PYTHON))

# Speed and memory at 1x, ours beside the tutorial pipeline (benchmarks/RESULTS.md).
bench-speed: install
	$(BIN)/python benchmarks/speed.py $(SHARED) $(if $(TUTORIAL_PYTHON),--tutorial-python $(TUTORIAL_PYTHON))

# Load through the Telegram HTTP stack: `verbatim run` against a local Bot API server.
bench-bot: install
	$(BIN)/python benchmarks/bot_load.py $(SHARED)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
