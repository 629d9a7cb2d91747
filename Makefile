# `make run` and `make test` set everything up on a fresh machine (Python 3.11 or 3.12 with venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: install run test test-fast lint catalogs bench bench-speed bench-bot bench-extraction bench-reading eval calibrate curve corpus fuzz reliability clean

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

# The fast tier: rules, parsers, renderers and the CLI's argument handling; no model, no Chroma (a guard in
# tests/conftest.py fails a test that reaches for one). Under 20 s; run it every few minutes while changing rules.
test-fast: install
	$(BIN)/pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check bot retrieval tests benchmarks
	$(BIN)/mypy

# After changing a message: extract every message from bot/ and retrieval/ into bot/locale/verbatim.pot and
# update the az and ru catalogs (new messages empty, changed ones fuzzy); then translate those in the .po files.
catalogs: install
	$(BIN)/python -m bot.catalogs

# Quality on the shared evaluation sets and on every dev interview (benchmarks/interviews), each reported apart
# (needs ../shared or SHARED=path for the scorer).
eval: install
	$(BIN)/python benchmarks/evaluate.py $(SHARED)/eval/interview-dev.jsonl data/transcripts $(SHARED)/eval/score.py
	for set in committee-val all-val; do \
	  $(BIN)/python benchmarks/evaluate.py $(SHARED)/eval/qmsum/$$set/questions.jsonl \
	    $(SHARED)/eval/qmsum/$$set/transcripts $(SHARED)/eval/score.py || exit 1; done
	$(BIN)/python benchmarks/interviews.py $(SHARED)/eval/score.py

# The abstention fitted on data, each dev interview left out in turn, and its curves (benchmarks/calibration).
calibrate: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/calibrate.py $(SHARED)

# The abstention curve: every dev question's answerability score against each threshold (needs ../shared).
curve: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/abstention.py $(SHARED)

# A corpus of 773 public transcripts with their answered questions, split by transcript (benchmarks/reader), rebuilt
# in var/corpus from snapshots of the public repositories named in benchmarks/reader/sources.py and russian.py (git
# directories given as WH=, CHANGELOG=, KREMLIN= and KREMLIN2=; by default clones made with
# `git clone --bare https://github.com/OWNER/NAME var/sources/OWNER+NAME`) and QMSum all-train from SHARED; the
# multilingual vectors of about 300 transcripts take about an hour on 2 cores, once.
WH ?= var/sources/brian14708+wh-briefings
CHANGELOG ?= var/sources/thechangelog+transcripts
KREMLIN ?= var/sources/bikovoy+narrative_analysis
KREMLIN2 ?= var/sources/gabrielkmbo+kremlin-scraper
corpus: install
	$(BIN)/python -m benchmarks.reader.corpus --wh $(WH) --changelog $(CHANGELOG) --kremlin $(KREMLIN) \
	  --kremlin $(KREMLIN2) --qmsum $(SHARED)/eval/qmsum/all-train

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

# Reading pages: first paint, a 5 MB meeting, the marked text of every dev answer, 50 readers (benchmarks/READING.md;
# needs Debian's chromium and chromium-driver).
bench-reading: install
	$(BIN)/python benchmarks/reading.py $(SHARED)

# Word/PDF/OpenDocument/HTML: the candidate libraries, then the answers per format (benchmarks/EXTRACTION.md).
bench-extraction: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	PYTHONPATH=. $(BIN)/python benchmarks/extraction.py --out benchmarks/EXTRACTION.md
	PYTHONPATH=. $(BIN)/python benchmarks/extraction_answers.py $(SHARED) --out benchmarks/EXTRACTION.md

# Coverage-guided fuzzing (atheris) of every decoder of outside input; FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz: install
	for target in callbacks refs transcripts render; do \
	  PYTHONPATH=. $(BIN)/python -m tests.fuzz $$target -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=var/fuzz- || exit 1; done

# benchmarks/RELIABILITY.md: every hostile input, injected fault, identity at rest and flood, measured.
reliability: install
	PYTHONPATH=. $(BIN)/python benchmarks/reliability.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
