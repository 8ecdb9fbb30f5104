"""The exam-week load driver, CI-sized: consistency only, never timing.

Runs scripts/load.py (its own server processes: chalice local with moto
inside, on free loopback ports) with 50 concurrent candidates and every
school-network behaviour turned up, most of them leaving after a few answers
(the invigilator ends their test) so the run stays short, a few taking the
whole test; then asserts what the driver checked in the stored records.
"""
from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

CANDIDATES = 50  # `make load` runs 1,000; this is the CI-sized consistency check
SESSION_SIZE = 25


def test_fifty_concurrent_candidates_lose_nothing_and_get_one_certificate_each(tmp_path):
    out = tmp_path / "load.json"
    cmd = [sys.executable, str(ROOT / "scripts" / "load.py"),
           "--candidates", str(CANDIDATES), "--dynamodb", "in-process", "--session-size", str(SESSION_SIZE),
           "--full-share", "0.1", "--short-length", "4", "--ramp", "5", "--think", "0.02",
           "--poll", "2.5", "--invigilator-poll", "2", "--accounts-share", "0.04", "--results-share", "0.25",
           "--p-lost", "0.12", "--p-double", "0.08", "--p-reload", "0.05", "--p-abandon", "0.1",
           "--p-quit", "0.03", "--p-absent", "0.03", "--p-typo", "0.1", "--p-slow-network", "0.1",
           "--job-interval", "1", "--duration", "480", "--grace", "150", "--json", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(out.read_text())
    counts = result["counts"]
    report = proc.stdout[-4000:]

    assert counts["candidates"] == CANDIDATES
    assert counts.get("state_failed", 0) == 0, report
    # school-network behaviour really happened
    assert result["lost_responses"] > 0 and result["double_clicks"] > 0, report
    assert counts.get("resumed_after_abandon", 0) > 0 and counts.get("state_completed", 0) > 0, report
    # no answer lost, none counted twice, none invented
    assert counts["answers_acknowledged"] > 0
    assert counts["answers_lost"] == 0 and counts["answers_counted_twice"] == 0, report
    assert counts["answers_unexpected"] == 0, report
    assert counts["answers_stored"] >= counts["answers_acknowledged"], report
    # every finished test scored, every certificate issued once, none for absentees
    present = CANDIDATES - counts.get("state_absent", 0)
    assert counts["finished_tests"] == present, report
    assert counts["scores_match"] == present and counts.get("scores_differ", 0) == 0, report
    assert counts.get("finished_not_scored", 0) == 0 and counts.get("certificates_not_once", 0) == 0, report
    assert counts["certificates_in_table"] == present == counts["verification_codes_in_table"], report
    assert counts.get("certificates_unexpected", 0) == 0, report
    assert counts["sessions_processed"] == CANDIDATES // SESSION_SIZE, report
    assert result["ok"] and proc.returncode == 0, report
