"""Calibration end to end through the real path (issue 17): HTTP API on moto,
answers stored in DynamoDB, the export job writing to S3, the calibration
reading S3, parameters and DIF out.

`scripts/bench_calibration.py` measures the fit on many learners with the
domain engine only (fast); this bench runs fewer learners through every
production layer, so what it checks is that nothing on the way (storage,
export records, pseudonyms, partitions, the S3 reader, the group variables)
loses or distorts what the calibration needs:

1. moto DynamoDB and S3 in-process (as the tests), the Chalice app;
2. the real bank with, in the chosen competence, one item of every skill
   that has at least two items turned PILOT (served in pilot slots by the
   production policy, unscored), as `bench_calibration.pilot_bank` does;
3. TRUE parameters: a = 1.2 exp(N(0, 0.3)), b = bank b + N(0, 0.5);
   DIF PLANTED in `--dif-items` operational items (those most answered in a
   dry run of the domain engine, so the groups have enough answers to be
   tested): for pupils their b is `--dif-shift` higher (harder), for adults
   it is the true b;
4. `--learners` accounts registered through `POST /users`, half pupils
   (born 2010, population "school", age band 15-17) and half adults (born
   1985), the same θ ~ N(0.5, 1.5²) in both groups; each takes the
   positioning test of the competence through the API (start, GET the item,
   POST the answer built from the served view), answering right with the
   true 2PL probability;
5. `jobs.export_answers.run` writes the answers to S3 (moto);
6. `calibrate.read_export("s3://…")` and `calibrate.analyse` fit
   operational and pilot items concurrently and run Mantel-Haenszel DIF.

Reported: RMSD of a and b (recovered vs true, items with at least
`--min-n` answers) for operational and pilot items, with the bank prior's
RMSD for reference; the DIF verdict: planted items flagged (ETS B or C on
population or age band), other items flagged (false alarms), planted items
not testable (fewer than 50 answers in a group).

    .venv/bin/python scripts/bench_calibration_e2e.py [--learners 600] [--competence 1.1]
        [--out docs/benchmarks-calibration.md]   (appends a section)

numpy is used here only; argon2 runs at its cheapest parameters (the
registrations are a means here, as in the test suite).
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.chdir(ROOT)  # chalice.test.Client reads .chalice/config.json from the cwd
os.environ.pop("DYNAMODB_ENDPOINT", None)
os.environ.update({
    "AWS_DEFAULT_REGION": "eu-west-3", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_SECURITY_TOKEN": "bench", "AWS_SESSION_TOKEN": "bench", "TABLE_PREFIX": "pix-bench",
    "JWT_SECRET": "bench-secret-not-for-production-0123456789abcdef",
    "LOG_LEVEL": "WARNING",  # one log line per request otherwise
})

import numpy as np  # noqa: E402

import bench_calibration as bcal  # noqa: E402
import calibrate  # noqa: E402


def _cheap_argon2() -> None:
    from argon2 import PasswordHasher, Type

    from chalicelib.services import passwords, sessions

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)
    passwords._HASHER = cheap
    sessions._HASHER = cheap
    passwords._dummy_hash.cache_clear()


def dif_items(bank, competence: str, truth: dict, count: int, seed: int) -> list[str]:
    """The `count` operational items most answered in a dry run of the domain
    engine (300 learners): DIF can only be tested where both groups answer."""
    rng = np.random.default_rng(seed + 1)
    records = bcal.simulate(bank, [competence], truth, 300, rng)
    seen = Counter(r["item"] for r in records if not r.get("pilot"))
    return [item for item, _ in seen.most_common(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--competence", default="1.1")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--min-n", type=int, default=50)
    parser.add_argument("--dif-items", type=int, default=3)
    parser.add_argument("--dif-shift", type=float, default=1.0)
    parser.add_argument("--out", type=Path, help="append the markdown section to this file")
    args = parser.parse_args(argv)
    started = time.time()

    from moto import mock_aws

    with mock_aws():
        from chalice.test import Client

        from app import app
        from chalicelib.bank.loader import get_bank
        from chalicelib.jobs import export_answers
        from chalicelib.services import positioning
        from chalicelib.services.mail_queue import create_queues
        from chalicelib.store import assessments, object_store
        from chalicelib.store.tables import create_tables
        from tests.api.answers import correct_answer, opened, wrong_answer
        from tests.api.helpers import call, js

        create_tables()
        create_queues()
        object_store.create_bucket()
        _cheap_argon2()
        rng = np.random.default_rng(args.seed)
        bank, pilots = bcal.pilot_bank(get_bank(), [args.competence])
        positioning.get_bank = lambda: bank  # the authors' pilot statuses, in this process only
        truth = bcal.truth_of(bank, [args.competence], rng)
        planted = dif_items(bank, args.competence, truth, args.dif_items, args.seed)
        base = f"/me/competences/{args.competence}/assessment"
        answers = 0
        with Client(app, stage_name="local") as client:
            for k in range(args.learners):
                pupil = k % 2 == 0
                body = {"first_name": "Camille", "last_name": f"Banc{k}", "password": "Secret123",
                        "birth_date": "2010-06-01" if pupil else "1985-03-04", "accepted_terms": True,
                        "email": f"bench{k}@example.org"}
                response = call(client, "POST", "/users", body)
                assert response.status_code == 201, response.body
                token = js(call(client, "POST", "/auth/token",
                                {"login": body["email"], "password": "Secret123"}))["access_token"]
                theta = rng.normal(0.5, 1.5)
                call(client, "POST", base, token=token)
                view = js(call(client, "GET", base, token=token))["item"]
                while view is not None:
                    view = opened(client, base, token, view)  # timed/focused items wait behind a warning
                    a, b = truth[view["id"]]
                    if pupil and view["id"] in planted:
                        b += args.dif_shift
                    ok = rng.random() < 1.0 / (1.0 + math.exp(-a * (theta - b)))
                    result = call(client, "POST", base + "/answers", token=token,
                                  body={"item_id": view["id"],
                                        "answer": correct_answer(view) if ok else wrong_answer(view)})
                    assert result.status_code == 200, result.body
                    answers += 1
                    view = js(call(client, "GET", base, token=token))["item"]
                if (k + 1) % 100 == 0:
                    print(f"{k + 1} learners, {answers} answers, {time.time() - started:.0f} s", file=sys.stderr)
        report = export_answers.run(now_ms=assessments.now_ms() + export_answers.LAG_MS + 1)
        records = calibrate.read_export(f"s3://{object_store.bucket()}/{export_answers.PREFIX}")
        assert len(records) == report.records == answers, (len(records), report.records, answers)
        _document, _notes, stats, difs = calibrate.analyse(records, bank, min_answers=args.min_n)

    lines = [f"| items | count (n ≥ {args.min_n}) | median answers | RMSD b | RMSD a | RMSD b of the bank prior |",
             "|---|---:|---:|---:|---:|---:|"]
    for role in ("operational", "pilot"):
        rows = [s for s in stats if (s["item"] in pilots) == (role == "pilot") and s["n"] >= args.min_n
                and s["item"] not in planted]
        if not rows:
            lines.append(f"| {role} | 0 | — | — | — | — |")
            continue
        rb = bcal.rmsd([(s["b"], truth[s["item"]][1]) for s in rows])
        ra = bcal.rmsd([(s["a"], truth[s["item"]][0]) for s in rows])
        prior = bcal.rmsd([(bank.items[s["item"]].calibration.b, truth[s["item"]][1]) for s in rows])
        lines.append(f"| {role} | {len(rows)} | {statistics.median(s['n'] for s in rows):.0f} | "
                     f"{rb:.3f} | {ra:.3f} | {prior:.3f} |")
    flagged = {d.item_id for d in difs if d.category != "A"}
    tested = {d.item_id for d in difs}
    lines += ["", "| DIF (pupils vs adults, planted Δb = "
              f"{args.dif_shift:+.1f} for pupils) | items |", "|---|---|",
              f"| planted | {', '.join(planted)} |",
              f"| planted and flagged (ETS B/C) | {', '.join(sorted(flagged & set(planted))) or '—'} |",
              f"| planted, not testable (< {calibrate.MIN_DIF_GROUP} answers in a group) | "
              f"{', '.join(sorted(set(planted) - tested)) or '—'} |",
              f"| flagged without DIF (false alarms) | {', '.join(sorted(flagged - set(planted))) or '—'} "
              f"(of {len(tested - set(planted))} other items tested) |"]
    for d in difs:
        if d.item_id in planted or d.category != "A":
            lines.append(f"| {d.item_id} {d.variable} {d.reference} vs {d.focal} | n {d.n_reference}/"
                         f"{d.n_focal}, MH odds ratio {d.odds_ratio}, ETS Δ {d.delta}, χ² {d.chi2}, "
                         f"category {d.category} |")
    header = (f"Through the real path (`scripts/bench_calibration_e2e.py --learners {args.learners} "
              f"--competence {args.competence} --seed {args.seed}`): {args.learners} accounts registered "
              f"and tested through the HTTP API on moto, {answers} answers stored in DynamoDB, exported "
              f"by the export job to S3 ({len(report.objects)} object(s)), read back from S3 by "
              f"`calibrate.read_export`; real bank {bank.version}, {len(pilots)} pilot items; "
              f"{time.time() - started:.0f} s.")
    text = "\n".join([header, "", *lines])
    print(text)
    if args.out:
        out = args.out if args.out.is_absolute() else ROOT / args.out
        with out.open("a", encoding="utf-8") as f:
            f.write("\n## Through the real path (HTTP, DynamoDB, export job, S3)\n\n" + text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
