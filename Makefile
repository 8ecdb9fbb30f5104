VENV ?= .venv
PYTHON ?= python3  # the interpreter of the venv; `make package` ships bytecode for its minor version
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench load fuzz bank-report calibrate item-stats package clean

# Installs exactly requirements.lock (every package pinned, every file checked against its hash):
# CI's fresh clone gets the set the tests ran with. `make lock` after editing requirements*.txt.
$(STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --require-hashes -r requirements.lock
	touch $(STAMP)

# requirements.txt (runtime) + requirements-dev.txt -> requirements.lock, keeping the versions
# already locked unless UPGRADE=--upgrade (or --upgrade-package NAME); uv runs from out/, not the venv.
LOCK_TOOLS := out/lock-tools
.PHONY: lock
lock:
	test -x $(LOCK_TOOLS)/bin/uv || (python3 -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install -q uv==0.13.9)
	$(LOCK_TOOLS)/bin/uv pip compile requirements-dev.txt --generate-hashes --python-version 3.11 \
	  --no-header -q -o requirements.lock $(UPGRADE)

run: $(STAMP)
	$(PY) scripts/run_local.py

test: $(STAMP)
	$(PY) -m pytest -q -n auto --dist worksteal  # one worker per core (CI: 2)

.PHONY: test-browser
test-browser: $(STAMP)  # only the browser tests (Chromium from apt), screenshots in test-artifacts/browser/
	$(PY) -m pytest -q tests/browser

bench: $(STAMP)  # capacity and cost, hot partitions, issuance, cold start, algorithm benches
	$(PY) scripts/bench.py $(BENCH_ARGS)

load: $(STAMP)  # 1,000 simulated candidates on the local stack, then a check of every record
	$(PY) scripts/load.py --json out/load.json $(LOAD_ARGS)

fuzz: $(STAMP)  # schemathesis on every route, many more cases than `make test` (FUZZ_EXAMPLES=200)
	$(PY) scripts/fuzz.py $(FUZZ_ARGS)

bank-report: $(STAMP)
	$(PY) scripts/bank_report.py

calibrate: $(STAMP)  # EXPORT=out/answers or s3://<prefix>-answers/answers/ ; docs/calibration.md
	$(PY) scripts/calibrate.py --export $(EXPORT) --write $(CALIBRATE_ARGS)

item-stats: $(STAMP)  # EXPORT=out/answers or s3://<prefix>-answers/answers/ ; out/item-stats.md
	$(PY) scripts/item_stats.py --export $(EXPORT) $(ITEM_STATS_ARGS)

package: $(STAMP)
	$(PY) scripts/package.py

# The unit tests under another Python, in a throwaway venv from the same lock (README: Python versions):
# make check-python CHECK_PYTHON=/root/.pyenv/versions/3.12.1/bin/python
CHECK_PYTHON ?= python3.12
CHECK_VENV := out/check-venv
.PHONY: check-python
check-python:
	rm -rf $(CHECK_VENV) && $(CHECK_PYTHON) -m venv $(CHECK_VENV)
	$(CHECK_VENV)/bin/pip install -q --require-hashes -r requirements.lock
	$(CHECK_VENV)/bin/python -m pytest -q -p no:cacheprovider -n 2 tests/unit tests/infra/test_lock.py

clean:
	rm -rf $(VENV) out .pytest_cache
