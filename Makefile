VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench load fuzz bank-report package clean

$(STAMP): requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q 'pip<26.3'
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) scripts/run_local.py

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) scripts/bench.py

bank-report: $(STAMP)
	$(PY) scripts/bank_report.py

package: $(STAMP)
	$(PY) scripts/package.py

clean:
	rm -rf $(VENV) out .pytest_cache
