# Two commands: `make run` (the whole system on embedded defaults) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT ?= 8000
# The portal's address in links sent by mail (settings.SITE_URL). Set here from PORT, once: honcho gives each process
# of Procfile.dev a PORT of its own (web PORT, worker PORT+100, beat PORT+200), and the worker is the one that mails.
SITE_URL ?= http://127.0.0.1:$(PORT)
# `make test` runs the suite in PYTEST_WORKERS processes (pytest-xdist): by default one per CPU this process may use.
# The tests mostly wait on PostgreSQL, Redis, Chromium and the servers they start, but those run on the same CPUs,
# so more workers than CPUs only adds contention. PYTEST_WORKERS=0 runs the whole suite in one process.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())')

.PHONY: run test fuzz install lint format bench-api clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Khanij needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	@DEBUG=true $(BIN)/python manage.py check_database_layout
	@DEBUG=true $(BIN)/python manage.py migrate --noinput
	@DEBUG=true $(BIN)/python manage.py store_list_rows
	@DEBUG=true PORT=$(PORT) SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo
	@DEBUG=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py import_history
	@DEBUG=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_licences
	@DEBUG=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_clearances
	@DEBUG=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py build_dumps
	@echo ""
	@echo "Khanij is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo ""
	@DEBUG=true PORT=$(PORT) SITE_URL=$(SITE_URL) exec $(BIN)/honcho -f Procfile.dev start

# Two phases, each given PYTEST_ARGS: every test not marked `serial`, in parallel (it must pass tests), then the tests
# marked `serial`, one at a time without xdist (none at all is not a failure: pytest's exit status 5). Both phases
# always run; make test fails when either fails. Each prints how long it took. Select by marker with PYTEST_MARK
# (e.g. PYTEST_MARK=browser), not with -m in PYTEST_ARGS, which would replace the phases' own selection.
test: install
	@workers=$(PYTEST_WORKERS); mark='$(PYTEST_MARK)'; status=0; serial=0; \
	start=$$(date +%s); \
	$(BIN)/python -m pytest -n $$workers -m "not serial$${mark:+ and ($$mark)}" $(PYTEST_ARGS) || status=$$?; \
	echo "make test: parallel phase ($$workers workers) took $$(( $$(date +%s) - start )) s, exit status $$status"; \
	start=$$(date +%s); \
	$(BIN)/python -m pytest -p no:xdist -m "serial$${mark:+ and ($$mark)}" $(PYTEST_ARGS) || serial=$$?; \
	if [ $$serial -eq 5 ]; then echo "make test: no serial tests ran (pytest exit status 5), which is fine"; serial=0; fi; \
	echo "make test: serial phase took $$(( $$(date +%s) - start )) s, exit status $$serial"; \
	if [ $$status -ne 0 ]; then exit $$status; fi; exit $$serial

# The API fuzz test at length (docs/reliability.md): tests/test_fuzz_api.py with FUZZ_EXAMPLES generated requests per
# operation and role (100; `make test`, and so CI, runs it with 5), in PYTEST_WORKERS processes. Not part of CI.
FUZZ_EXAMPLES ?= 100
fuzz: install
	@start=$$(date +%s); status=0; \
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) tests/test_fuzz_api.py $(PYTEST_ARGS) || status=$$?; \
	echo "make fuzz: $(FUZZ_EXAMPLES) examples per operation and role took $$(( $$(date +%s) - start )) s, exit status $$status"; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench-api: install
	$(BIN)/python bench/api_read.py

clean:
	rm -rf $(VENV) var
