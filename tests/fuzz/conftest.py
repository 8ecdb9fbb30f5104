"""Reports how much the fuzz test generated: cases per operation and in all,
printed at the end of the run and written to test-artifacts/fuzz-report.json."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path


def pytest_terminal_summary(terminalreporter):
    from tests.fuzz import test_openapi_fuzz as fuzz

    if not fuzz.COUNTS:
        return
    statuses = Counter(f"{s // 100}xx" for s in fuzz.RESPONSES)
    counts = sorted(fuzz.COUNTS.values())
    report = {
        "operations": len(fuzz.COUNTS), "cases": sum(counts),
        "cases_per_operation": {"min": counts[0], "max": counts[-1],
                                "max_examples_setting": fuzz.MAX_EXAMPLES},
        "http_requests": fuzz.ADAPTER.calls, "statuses": dict(sorted(statuses.items())),
        "negative_cases_accepted_for_a_documented_reason": len(fuzz.EXPLAINED),
        "per_operation": dict(sorted(fuzz.COUNTS.items())),
    }
    out = Path(__file__).resolve().parents[2] / "test-artifacts" / "fuzz-report.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    terminalreporter.write_line(
        f"fuzz: {report['operations']} operations, {report['cases']} generated cases "
        f"({counts[0]}-{counts[-1]} per operation), {report['http_requests']} HTTP requests, "
        f"statuses {report['statuses']} -> {out.relative_to(out.parents[1])}")
