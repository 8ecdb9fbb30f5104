"""`make fuzz`: the schemathesis fuzz test of tests/fuzz with many more cases.

`make test` runs the same test bounded (8 random cases per operation, a fixed
draw). This runs 200 per operation by default, each run a new random draw, and
prints how many cases each operation got (also in test-artifacts/fuzz-report.json).

    python scripts/fuzz.py                  # 200 random cases per operation
    python scripts/fuzz.py --examples 1000  # more
    python scripts/fuzz.py --seed 1234      # replay one draw
    python scripts/fuzz.py -k centres       # only operations whose name matches
A failing case is printed with a curl line to replay it, and kept by Hypothesis.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="random cases per operation")
    parser.add_argument("--seed", type=int, help="Hypothesis seed (default: a new draw each run)")
    parser.add_argument("-k", dest="keyword", help="only the operations matching (pytest -k)")
    args = parser.parse_args(argv)

    env = {**os.environ, "FUZZ_EXAMPLES": str(args.examples), "FUZZ_RANDOM": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:logging", "tests/fuzz"]
    if args.seed is not None:
        command.append(f"--hypothesis-seed={args.seed}")
    if args.keyword:
        command += ["-k", args.keyword]
    started = time.monotonic()
    status = subprocess.call(command, cwd=ROOT, env=env)
    report_file = ROOT / "test-artifacts" / "fuzz-report.json"
    if report_file.exists():
        report = json.loads(report_file.read_text())
        print(f"make fuzz: {report['cases']} cases over {report['operations']} operations "
              f"({report['cases_per_operation']['min']}-{report['cases_per_operation']['max']} each), "
              f"{report['http_requests']} requests, statuses {report['statuses']}, "
              f"{time.monotonic() - started:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
