VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench load fuzz bank-report calibrate item-stats package clean

$(STAMP): requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q 'pip<26.3'
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $(STAMP)

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

clean:
	rm -rf $(VENV) out .pytest_cache
