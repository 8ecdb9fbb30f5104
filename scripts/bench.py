"""`make bench`: what an exam week costs and how it scales.

Sections (all run by default, `--only` picks some; total well under 10 min):

capacity   DynamoDB read/write units per request type, counted call by call
           (scripts/ddb_meter.py: DynamoDB's sizing rules applied to the items
           moto holds, GSI writes included) over a session of `--session`
           candidates taking the real test through the API (chalice's test
           client, moto in-process); units per answer for a whole
           certification, and the cost per certified candidate at on-demand
           prices (`--wru-price`, `--rru-price`) plus Lambda GB-seconds from the
           measured handler durations.
hot        hot partitions: the write pattern per partition key measured by the
           last load run (`make load` writes out/load.json; without it a small
           run is made here), and the arithmetic for 10,000 candidates starting
           on the hour against DynamoDB's 1,000 WCU/s per partition.
issuance   the scheduled job on seeded data: certificates per second of job
           time for sessions of 30 and 2,000 candidates, and the job's time for
           1,000 then 10,000 pending certificates, run after run (bounded runs,
           the rest left for the next). moto's own O(table) costs are separated
           from the job's: the time inside DynamoDB calls is measured apart, and
           moto's whole-table copy per transaction is replaced by an item-level
           one (scripts/moto_fidelity.py).
coldstart  import time of `app` (-X importtime and wall clock in fresh
           processes, ratio to the bare `import boto3, pynamodb.models, chalice`),
           first-request extras (item bank), memory after import; with
           `make package` done, the Lambda-like first response from chalice's
           zip and from the shipped one (read-only tree, no site-packages).
signin     a school behind one address on the exam morning (issue 16): 800
           pupils arriving over 60/120/300 s, 0/10/25 % first-try typos,
           waiting or retrying on 429, and a password guesser at that
           address; the real sign-in and throttle code on a fake clock
           (scripts/bench_signin.py).
requests   requests that must not grow with history (issue 16 points 3, 4): a
           positioning answer's calls, a centre's session list with 200 past
           sessions, the live view at 30 and 300, the report book
           (scripts/bench_requests.py).
algorithms the positioning and certification benches at modest sizes (their
           full results: docs/benchmarks-positioning.md, -certification.md).

    .venv/bin/python scripts/bench.py [--only capacity,issuance] [--out out/bench/benchmarks.md]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

# The bench's own process talks to moto in-process (like the test suite), set before
# anything reads the settings.
os.environ.pop("DYNAMODB_ENDPOINT", None)
os.environ.update({"AWS_DEFAULT_REGION": "eu-west-3", "AWS_ACCESS_KEY_ID": "testing",
                   "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SECURITY_TOKEN": "testing",
                   "AWS_SESSION_TOKEN": "testing", "TABLE_PREFIX": "pix-local",
                   "JWT_SECRET": "bench-secret-not-for-production-0123456789abcdef",
                   "LOG_LEVEL": "WARNING"})
os.chdir(ROOT)

# Prices (USD). DynamoDB on-demand, eu-west-3 (Paris): $1.4135 per million WRU and
# $0.2827 per million RRU were the list prices before AWS halved on-demand throughput
# prices on 1 Nov 2024 (us-east-1 went from $1.25/$0.25 to $0.625/$0.125); current
# Paris prices are therefore taken as half of those. Both are shown.
WRU_PRICE = 0.70675 / 1e6
RRU_PRICE = 0.14135 / 1e6
WRU_PRICE_BEFORE_CUT = 1.4135 / 1e6
RRU_PRICE_BEFORE_CUT = 0.2827 / 1e6
LAMBDA_GB_S = 0.0000166667       # x86, first tier
LAMBDA_REQUEST = 0.20 / 1e6
APIGW_REQUEST = 3.50 / 1e6       # REST API, first tier (us-east-1 list price; not measured)
DDB_LATENCY_MS = 5.0             # sensitivity: typical in-region DynamoDB call latency
PER_PARTITION_WCU = 1000
PER_PARTITION_RCU = 3000


def machine() -> str:
    from machine_info import cpu_model

    cpu = cpu_model()
    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return (f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average at start {load}")


def _lambda_memory_gb() -> float:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return config["stages"]["prod"].get("lambda_memory_size", 1024) / 1024


def _md_table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(x) for x in r) + " |")
    return "\n".join(out)


def _f(x: float, nd: int = 2) -> str:
    return f"{x:.{nd}f}"


# =============================================================================================
# capacity and cost
# =============================================================================================


def _p_correct(item, theta: float) -> float:
    cal = item.calibration
    return 1.0 / (1.0 + math.exp(-cal.a * (theta - cal.b)))


class _Requests:
    """Runs requests through chalice's test client and records, per request type,
    the DynamoDB units and the handler time (metering overhead removed)."""

    def __init__(self, client, meter) -> None:
        self.client, self.meter = client, meter
        self.rows: dict[str, list[dict]] = defaultdict(list)

    def __call__(self, kind: str, method: str, path: str, body=None, token=None, raw=None,
                 content_type="application/json", expect=(200, 201)):
        headers = {"Content-Type": content_type}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        n0 = len(self.meter.calls)
        t0 = time.perf_counter()
        if method == "GET":
            response = self.client.http.get(path, headers=headers)
        else:
            response = getattr(self.client.http, method.lower())(path, headers=headers, body=payload)
        wall = time.perf_counter() - t0
        calls = self.meter.calls[n0:]
        if response.status_code not in expect:
            raise RuntimeError(f"{kind}: {method} {path} -> {response.status_code} {response.body[:300]!r}")
        self.rows[kind].append(_row(calls, wall))
        return json.loads(response.body) if response.body else None


def _row(calls, wall: float) -> dict:
    ddb = sum(c.seconds for c in calls)
    overhead = sum(c.overhead for c in calls)
    return {"rcu": sum(c.rcu for c in calls), "wcu": sum(c.wcu for c in calls),
            "gsi_wcu": sum(c.gsi_wcu for c in calls), "calls": len(calls),
            "ops": [c.op for c in calls], "max_item": max([c.max_item for c in calls], default=0),
            "wall_ms": (wall - overhead) * 1000, "ddb_ms": ddb * 1000,
            "compute_ms": max(0.0, (wall - overhead - ddb) * 1000)}


def _web_poll_s(script: str, constant: str) -> float:
    """The polling period the web front really uses, read from its source so
    the arithmetic follows the code."""
    source = (ROOT / "chalicelib" / "web" / script).read_text()
    match = re.search(rf"const {constant} = (\d+);", source)
    if not match:
        raise SystemExit(f"bench: no `const {constant} = <ms>;` in chalicelib/web/{script}")
    return int(match.group(1)) / 1000


def capacity(args) -> tuple[str, dict]:
    import ddb_meter
    import moto_fidelity
    from chalice.test import Client
    from moto import mock_aws

    from tests.api.answers import correct_answer, make_certifiable, wrong_answer

    rng = random.Random(args.seed)
    size = args.session
    with mock_aws():
        moto_fidelity.apply()
        from chalicelib.store.tables import create_tables

        create_tables()
        from app import app
        from chalicelib.bank.loader import get_bank
        from chalicelib.jobs import issue_certificates
        from chalicelib.services import tokens

        bank = get_bank()
        meter = ddb_meter.install(ddb_meter.Meter(), peek=True)
        with Client(app, stage_name="local") as client:
            req = _Requests(client, meter)
            # accounts
            for i in range(3):
                email = f"bench{i}@example.org"
                req("registration (POST /users)", "POST", "/users", {
                    "first_name": "Léa", "last_name": "Dupont", "email": email, "password": "Secret123",
                    "birth_date": "2008-05-14", "accepted_terms": True})
                req("sign-in (POST /auth/token)", "POST", "/auth/token", {"login": email, "password": "Secret123"})
            admin = tokens.access_token("bench-admin", is_admin=True, organizations={}, centres=[])
            centre = req("create centre", "POST", "/centres", {"name": "Lycée du banc", "type": "school",
                                                               "uai": "0750001A"}, admin)
            staff = tokens.access_token("bench-staff", is_admin=False, organizations={},
                                        centres=[centre["centre_id"]])
            session = req("create session", "POST", f"/centres/{centre['centre_id']}/sessions", {
                "date": "2026-12-01", "time": "09:00", "address": "1 rue de l'École", "room": "B12",
                "examiner": "Mme Martin"}, staff)
            sid = session["session_id"]
            rows = ["prénom;nom;date de naissance"] + [f"Élève;Nom{i:03d};14/05/2008" for i in range(size)]
            enrolled = req("enrol candidates (CSV import, per session)", "POST",
                           f"/centres/{centre['centre_id']}/sessions/{sid}/candidates/import",
                           raw=("\n".join(rows) + "\n").encode(), token=staff, content_type="text/csv")
            inv = req("invigilator sign-in", "POST", "/invigilation/token",
                      {"session_id": sid, "password": session["invigilator_password"]})["access_token"]
            by_index: dict[int, list[dict]] = defaultdict(list)
            answers_per_candidate = []
            codes = []
            for i, cand in enumerate(enrolled["candidates"]):
                user = f"bench-user-{i}"
                make_certifiable(user)
                token = tokens.access_token(user, is_admin=False, organizations={}, centres=[])
                course = req("start test: join", "POST", "/certification/join", {
                    "access_code": session["access_code"], "first_name": "Élève",
                    "last_name": f"Nom{i:03d}", "birth_date": "2008-05-14"}, token)
                req("start test: authorise (invigilator)", "POST",
                    f"/sessions/{sid}/candidates/{cand['candidate_id']}/authorise", token=inv)
                path = f"/me/certification-courses/{course['course_id']}"
                theta = rng.gauss(0.5, 1.5)
                view = req("serve item (GET course)", "GET", path, token=token)
                n = 0
                while view["status"] == "started" and view["item"]:
                    item_id = view["item"]["id"]
                    ok = rng.random() < _p_correct(bank.items[item_id], theta)
                    n0 = len(req.rows["post answer"])
                    out = req("post answer", "POST", path + "/answers", {
                        "item_id": item_id, "answer": correct_answer(view["item"]) if ok else wrong_answer(view["item"])},
                        token)
                    n += 1
                    by_index[n].append(req.rows["post answer"][n0])
                    view = out["course"]
                    if view["status"] == "started":  # the front-end may also reload the item
                        req("serve item (GET course)", "GET", path, token=token)
                answers_per_candidate.append(n)
            req(f"invigilator live view ({size} candidates)", "GET", f"/sessions/{sid}/invigilation", token=inv)
            report = {"comment": "", "candidates": [{"candidate_id": c["candidate_id"], "present": True,
                                                     "incidents": []} for c in enrolled["candidates"]]}
            req(f"finalise session ({size} candidates)", "POST",
                f"/centres/{centre['centre_id']}/sessions/{sid}/finalise", report, staff)
            n0 = len(meter.calls)
            t0 = time.perf_counter()
            result = issue_certificates.run(time.monotonic() + 600)
            wall = time.perf_counter() - t0
            job_row = _row(meter.calls[n0:], wall)
            issued = max(1, result.issued)
            per_cert = {k: (v / issued if isinstance(v, (int, float)) else v) for k, v in job_row.items()}
            per_cert["ops_scale"] = issued
            req.rows["issue one certificate (job)"].append(per_cert)
            for i in range(min(size, 20)):  # the public route is limited to 30/min per address
                user = f"bench-user-{i}"
                token = tokens.access_token(user, is_admin=False, organizations={}, centres=[])
                mine = req("my certificates (GET /me/certificates)", "GET", "/me/certificates", token=token)
                code = mine["certificates"][0].get("verification_code")
                if code:
                    codes.append(code)
                    req("verify a certificate (GET /certificates/{code})", "GET", f"/certificates/{code}")
        ddb_meter.uninstall()

    def mean(kind, key):
        rows = req.rows.get(kind, [])
        return statistics.mean(r[key] for r in rows) if rows else 0.0

    kinds = list(req.rows)
    table_rows = []
    data = {"per_request": {}, "session_size": size}
    for kind in kinds:
        rows = req.rows[kind]
        d = {k: mean(kind, k) for k in ("rcu", "wcu", "gsi_wcu", "calls", "max_item", "wall_ms", "ddb_ms",
                                         "compute_ms")}
        d["n"] = len(rows)
        d["wall_p50_ms"] = statistics.median(r["wall_ms"] for r in rows)
        data["per_request"][kind] = d
        ops = defaultdict(int)
        for r in rows:
            for op in r["ops"]:
                ops[op] += 1
        scale = len(rows) * rows[0].get("ops_scale", 1)
        op_text = ", ".join(f"{op} {v / scale:.2g}" for op, v in sorted(ops.items()))
        table_rows.append([kind, d["n"], _f(d["rcu"]), f"{_f(d['wcu'])} ({_f(d['gsi_wcu'])})",
                           _f(d["calls"], 1), op_text, d["max_item"] and f"{d['max_item']:.0f}",
                           _f(d["wall_p50_ms"], 1), _f(d["compute_ms"], 1)])
    per_request = _md_table(["request", "n", "RCU", "WCU (of which GSI)", "DynamoDB calls", "operations per request",
                             "largest item (B)", "handler p50 ms", "handler compute ms (excl. DynamoDB)"],
                            table_rows)

    growth_rows = []
    for idx in sorted(by_index):
        rows = by_index[idx]
        growth_rows.append([idx, len(rows), _f(statistics.mean(r["rcu"] for r in rows)),
                            _f(statistics.mean(r["wcu"] for r in rows)),
                            _f(statistics.mean(r["gsi_wcu"] for r in rows)),
                            f"{statistics.mean(r['max_item'] for r in rows):.0f}"])
    growth = _md_table(["answer n°", "candidates", "RCU", "WCU", "of which GSI", "course item size (B)"],
                       growth_rows)

    # a whole certification, per candidate
    p = data["per_request"]
    n_answers = statistics.mean(answers_per_candidate)
    finalise_kind = f"finalise session ({size} candidates)"
    parts = {
        "sign-in": (1, p["sign-in (POST /auth/token)"]),
        "join": (1, p["start test: join"]),
        "authorise": (1, p["start test: authorise (invigilator)"]),
        "first item (GET)": (1, p["serve item (GET course)"]),
        "answers": (n_answers, p["post answer"]),
        "finalise (share)": (1 / size, p[finalise_kind]),
        "issue": (1, p["issue one certificate (job)"]),
        "verify once": (1, p["verify a certificate (GET /certificates/{code})"]),
    }
    total_rcu = sum(n * d["rcu"] for n, d in parts.values())
    total_wcu = sum(n * d["wcu"] for n, d in parts.values())
    get_each_rcu = total_rcu + (n_answers - 1) * p["serve item (GET course)"]["rcu"]
    whole_rows = [[name, _f(n, 2), _f(n * d["rcu"], 2), _f(n * d["wcu"], 2)] for name, (n, d) in parts.items()]
    whole_rows.append(["**total per candidate**", "", f"**{_f(total_rcu, 1)}**", f"**{_f(total_wcu, 1)}**"])
    whole_rows.append([f"**per answer** ({n_answers:.1f} answers on average)", "",
                       f"**{_f(total_rcu / n_answers)}**", f"**{_f(total_wcu / n_answers)}**"])
    whole = _md_table(["part of a certification", "requests", "RCU", "WCU"], whole_rows)
    target = (f"Target (< 3 WCU and < 2 RCU per answer over a whole certification): "
              f"{_f(total_wcu / n_answers)} WCU and {_f(total_rcu / n_answers)} RCU per answer — "
              f"{'met' if total_wcu / n_answers < 3 and total_rcu / n_answers < 2 else 'NOT met'} "
              f"(with a GET of the course before every answer, as a front-end that ignores the next item "
              f"returned by POST …/answers would do: {_f(get_each_rcu / n_answers)} RCU per answer).")
    poll_s, per_question_s = _web_poll_s("certification.js", "TEST_POLL_MS"), 60.0
    polls = per_question_s / poll_s
    serve = p["serve item (GET course)"]
    target += (f" The web front (chalicelib/web/certification.js) also polls GET …/certification-courses/{{id}} "
               f"every {poll_s:g} s while a question is shown (to see the invigilator's actions): at "
               f"{per_question_s:g} s per question that adds {polls * serve['rcu']:.0f} RCU and {polls:.0f} Lambda "
               f"+ API Gateway requests per answer, i.e. {(total_rcu + polls * n_answers * serve['rcu']) / n_answers:.1f} "
               f"RCU per answer (not while the tab is hidden; every 10 s, as first written, it was 7.7 RCU and 6 "
               f"requests per answer: the polling, not the storage layout, dominated reads and requests).")
    live = p[f"invigilator live view ({size} candidates)"]
    inv_poll_s, session_s = _web_poll_s("invigilator.js", "POLL_MS"), 90 * 60
    live_per_candidate = session_s / inv_poll_s * live["rcu"] / size
    target += (f" The invigilator's screen (web/invigilator.js) refreshes the live view every {inv_poll_s:g} s: "
               f"{live['rcu']:.0f} RCU per refresh for {size} candidates (a Query of the session's candidates "
               f"and a BatchGet of their courses: O(session size) each time), i.e. {live_per_candidate:.0f} RCU "
               f"per candidate over a {session_s // 60} min session, more than all of the candidate's own reads.")
    data.update(live_view_rcu_per_candidate=live_per_candidate)
    data.update(answers_per_candidate=n_answers, total_rcu=total_rcu, total_wcu=total_wcu,
                rcu_per_answer=total_rcu / n_answers, wcu_per_answer=total_wcu / n_answers,
                rcu_per_answer_get_each=get_each_rcu / n_answers)

    # cost per certified candidate
    gb = _lambda_memory_gb()
    api_requests = sum(n for name, (n, _) in parts.items() if name != "issue")
    lambda_requests = api_requests + 1 / size  # the job: about one invocation per session
    ms_measured = sum(n * max(1.0, math.ceil(d["wall_ms"])) for n, d in parts.values())
    ms_with_latency = sum(n * (math.ceil(d["compute_ms"]) + d["calls"] * DDB_LATENCY_MS) for n, d in parts.values())
    gbs = ms_measured / 1000 * gb
    gbs_lat = ms_with_latency / 1000 * gb
    cost_rows = [
        ["DynamoDB writes", f"{_f(total_wcu, 1)} WRU", f"${total_wcu * WRU_PRICE * 1000:.4f}",
         f"${total_wcu * WRU_PRICE_BEFORE_CUT * 1000:.4f}"],
        ["DynamoDB reads", f"{_f(total_rcu, 1)} RRU", f"${total_rcu * RRU_PRICE * 1000:.4f}",
         f"${total_rcu * RRU_PRICE_BEFORE_CUT * 1000:.4f}"],
        ["Lambda duration (measured handlers)", f"{gbs:.3f} GB-s ({ms_measured:.0f} ms at {gb:g} GB)",
         f"${gbs * LAMBDA_GB_S * 1000:.4f}", ""],
        ["Lambda requests", f"{lambda_requests:.1f}", f"${lambda_requests * LAMBDA_REQUEST * 1000:.4f}", ""],
        ["API Gateway (REST, assumption)", f"{api_requests:.1f}", f"${api_requests * APIGW_REQUEST * 1000:.4f}", ""],
    ]
    ddb_now = total_wcu * WRU_PRICE + total_rcu * RRU_PRICE
    all_now = ddb_now + gbs * LAMBDA_GB_S + lambda_requests * LAMBDA_REQUEST + api_requests * APIGW_REQUEST
    cost_rows.append(["**total**", "", f"**${all_now * 1000:.4f}**", ""])
    # What the web front adds by polling (a portal using the API need not poll).
    cand_polls = polls * n_answers
    inv_polls = session_s / inv_poll_s / size
    poll_requests = cand_polls + inv_polls
    poll_rcu = cand_polls * serve["rcu"] + inv_polls * live["rcu"]
    poll_gbs = (cand_polls * serve["wall_ms"] + inv_polls * live["wall_ms"]) / 1000 * gb
    poll_cost = (poll_rcu * RRU_PRICE + poll_gbs * LAMBDA_GB_S
                 + poll_requests * (LAMBDA_REQUEST + APIGW_REQUEST))
    cost_rows.append([f"web front polling (candidate every {poll_s:g} s of a {per_question_s:g} s question, "
                      f"invigilator every {inv_poll_s:g} s for {session_s // 60} min, per candidate)",
                      f"{poll_requests:.1f} requests, {poll_rcu:.1f} RRU", f"${poll_cost * 1000:.4f}", ""])
    cost_rows.append(["**total with the web front's polling**", "", f"**${(all_now + poll_cost) * 1000:.4f}**", ""])
    data.update(poll_requests_per_candidate=poll_requests, poll_rru_per_candidate=poll_rcu,
                cost_with_polling_per_1000_usd=(all_now + poll_cost) * 1000)
    cost = _md_table(["per certified candidate", "quantity", "USD per 1,000 candidates (current)",
                      "DynamoDB at the pre-Nov-2024 prices"], cost_rows)
    cost_note = (f"Lambda: {gb:g} GB (prod stage), ${LAMBDA_GB_S:.10f}/GB-s, ${LAMBDA_REQUEST * 1e6:.2f}/M requests; "
                 f"handler durations measured here with moto in-process standing for DynamoDB "
                 f"({ms_measured:.0f} ms per candidate; with {DDB_LATENCY_MS:g} ms per DynamoDB call instead: "
                 f"{ms_with_latency:.0f} ms, {gbs_lat:.3f} GB-s). Lambda at 1 GB has ~0.6 vCPU: CPU-bound parts "
                 f"run slower than on this machine's core.")
    data.update(gb_s=gbs, gb_s_with_latency=gbs_lat, cost_per_1000_usd=all_now * 1000,
                ddb_cost_per_1000_usd=ddb_now * 1000)

    text = "\n\n".join([
        f"Session of {size} candidates through the API (chalice test client, moto in-process), answers drawn "
        f"from each item's 2PL calibration at θ ~ N(0.5, 1.5²). Units from DynamoDB's sizing rules "
        f"(scripts/ddb_meter.py); 'WCU' includes the GSI writes.",
        per_request,
        "Units of one answer by its position in the test (the course item carries the answers):",
        growth,
        "A whole certification per candidate (the front-end takes the next item from the answer's response):",
        whole, target,
        "Cost per certified candidate (current eu-west-3 on-demand prices: "
        f"${WRU_PRICE * 1e6:.5f}/M WRU, ${RRU_PRICE * 1e6:.5f}/M RRU):",
        cost, cost_note])
    return text, data


# =============================================================================================
# hot partitions
# =============================================================================================


def _key_class(key: str) -> str:
    for prefix in ("gsi1:", "gsi2:"):
        if key.startswith(prefix):
            return prefix + _key_class(key[len(prefix):])
    if key.startswith("SESSION#") and "#ID#" in key:
        return "SESSION#…#ID#"  # the enrolment identity index entries
    head = key.split("#", 1)[0]
    return head + "#" if "#" in key else key


def hot(args) -> tuple[str, dict]:
    path = Path(args.load_json)
    made_here = False
    if not path.exists():
        made_here = True
        path = ROOT / "out" / "bench-load.json"
        cmd = [sys.executable, str(ROOT / "scripts" / "load.py"), "--candidates", str(args.hot_candidates),
               "--dynamodb", "in-process", "--ramp", "10", "--think", "0.3", "--poll", "1",
               "--invigilator-poll", "2", "--accounts-share", "0.3", "--job-interval", "2",
               "--duration", "300", "--json", str(path)]
        print("  no load run found: running", " ".join(cmd[1:]), flush=True)
        subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL)
    load = json.loads(path.read_text())
    wp = load["write_pattern"]
    seconds = wp["seconds"]
    keys = wp["keys"]
    n_cand = load["counts"].get("candidates", 0)
    busy = [s for s in seconds if s["writes"] >= args.busy_writes]
    worst = max(busy, key=lambda s: s["top_key_writes"] / s["writes"], default=None)
    shares = sorted(s["top_key_writes"] / s["writes"] for s in busy)
    max_key_wcu = max(keys, key=lambda k: k["max_wcu_per_s"], default=None)
    by_writers = sorted(keys, key=lambda k: -k["candidates_writing"])[:8]
    classes: dict[str, dict] = defaultdict(lambda: {"keys": 0, "writes": 0, "wcu": 0.0, "max_writers": 0,
                                                    "max_wcu_s": 0.0, "max_rcu_s": 0.0})
    for k in keys:
        c = classes[_key_class(k["key"])]
        c["keys"] += 1
        c["writes"] += k["writes"]
        c["wcu"] += k["wcu"]
        c["max_writers"] = max(c["max_writers"], k["candidates_writing"])
        c["max_wcu_s"] = max(c["max_wcu_s"], k["max_wcu_per_s"])
        c["max_rcu_s"] = max(c["max_rcu_s"], k.get("max_rcu_per_s", 0.0))
    class_rows = [[cls, c["keys"], c["writes"], _f(c["wcu"], 0), c["max_writers"], _f(c["max_wcu_s"], 1),
                   _f(c["max_rcu_s"], 1)]
                  for cls, c in sorted(classes.items(), key=lambda kv: -kv[1]["writes"]) if c["writes"]]
    class_table = _md_table(["key class", "keys", "writes", "WCU", "most candidates writing one key",
                             "max WCU/s on one key", "max RCU/s on one key"], class_rows)
    writer_rows = [[k["key"][:60], k["candidates_writing"], k["writes"], _f(k["max_wcu_per_s"], 1)]
                   for k in by_writers]
    writer_table = _md_table(["key written by the most candidates", "candidates", "writes", "max WCU/s"],
                             writer_rows)
    session_size = load["args"].get("session_size", 30)
    ops: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for prefix, op, failed, count in wp.get("key_ops", []):
        ops[prefix + "#"][op + (" (condition failed)" if failed else "")] += count
    ops_table = _md_table(["key prefix", "writes by operation over the run"],
                          [[k, ", ".join(f"{op} {n}" for op, n in sorted(v.items()))]
                           for k, v in sorted(ops.items(), key=lambda kv: -sum(kv[1].values()))])
    everyone = [k for k in keys if k["candidates_writing"] >= max(2, n_cand - load["counts"].get("state_absent", 0))]

    # arithmetic: per candidate, the writes each shared key class receives, from the measured run
    def per_candidate(cls: str) -> float:
        c = classes.get(cls)
        if not c or not c["keys"]:
            return 0.0
        per_key = c["wcu"] / c["keys"]
        return per_key / max(1, c["max_writers"])

    session_wcu = per_candidate("SESSION#")
    throttle_wcu = per_candidate("THROTTLE#")
    n = 10_000
    lines = []
    for label, spread in (("all 10,000 arrive within 60 s", 60), ("within 5 min", 300)):
        biggest_session = 2000
        lines.append([label,
                      f"{biggest_session * session_wcu / spread:.0f} (2,000-candidate session); "
                      f"{n * session_wcu / spread:.0f} if all 10,000 were in one session",
                      f"{300 * throttle_wcu / 60:.0f} (capped: 300 sign-ins/min per address); "
                      f"{n * throttle_wcu / spread:.0f} if the region shared one address (then throttled)",
                      f"{2:.0f} (own item, ≤ 1 answer every few s)"])
    arithmetic = _md_table(["10,000 candidates on the hour", "session partition (WCU/s)",
                            "sign-in counter of one address (WCU/s)", "a course item (WCU/s)"], lines)
    text = "\n\n".join([
        f"From the load run {'made here' if made_here else 'in ' + str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)} "
        f"({n_cand} candidates, sessions of {session_size}, each session one school address; "
        f"{len(seconds)} seconds of writes, {sum(s['writes'] for s in seconds)} writes on {len(keys)} partition keys).",
        f"Maximum share of one second's writes on a single partition key (seconds with ≥ {args.busy_writes} writes: "
        f"{len(busy)}): {100 * (shares[-1] if shares else 0):.1f}% "
        f"(key {worst['top_key'][:48] if worst else '-'}, {worst['top_key_writes'] if worst else 0} of "
        f"{worst['writes'] if worst else 0} writes); median second {100 * (statistics.median(shares) if shares else 0):.1f}%. "
        f"Highest rate on one key: {max_key_wcu['max_wcu_per_s'] if max_key_wcu else 0} WCU/s ({max_key_wcu['key'][:48] if max_key_wcu else '-'}).",
        f"Keys written by every present candidate: {len(everyone)}"
        + (f" ({', '.join(k['key'][:40] for k in everyone[:5])})" if everyone else "")
        + ". By key class:",
        class_table, writer_table, ops_table,
        f"Arithmetic (per-partition limit {PER_PARTITION_WCU} WCU/s; measured per candidate: "
        f"{session_wcu:.2f} WCU on its session's partition, {throttle_wcu:.2f} WCU on its school's sign-in counter, "
        f"its answers only on its own course item):",
        arithmetic])
    data = {"max_share": shares[-1] if shares else 0, "median_share": statistics.median(shares) if shares else 0,
            "keys_written_by_everyone": [k["key"] for k in everyone], "classes": classes,
            "session_wcu_per_candidate": session_wcu, "throttle_wcu_per_candidate": throttle_wcu}
    return text, data


# =============================================================================================
# scheduled issuance
# =============================================================================================


def _sample_tests(bank, n: int, seed: int) -> list[list]:
    """n complete tests run through the real selection (reused round-robin by the seeding)."""
    from chalicelib.domain.answers import AnswerStatus
    from chalicelib.domain.certification import CURRENT as VERSION
    from chalicelib.domain.certification import CertificationAnswer, next_item
    from chalicelib.store.assessments import StoredAnswer

    rng = random.Random(seed)
    tests = []
    for t in range(n):
        theta = rng.gauss(0.5, 1.5)
        answers: list = []
        stored = []
        now = int(time.time() * 1000)
        while True:
            item = next_item(bank, answers, seed=f"bench-{t}", accessible_only=False, config=VERSION,
                             neutralised=[])
            if item is None:
                break
            status = AnswerStatus.OK if rng.random() < _p_correct(item, theta) else AnswerStatus.KO
            answers.append(CertificationAnswer(item.id, status))
            stored.append(StoredAnswer(item.id, status.value, now + 20_000 * len(stored)).encode())
        tests.append(stored)
    return tests


def _seed_pending(n_sessions: int, size: int, tests: list, tag: str) -> None:
    """Finalised sessions whose candidates all completed their test: what the job finds."""
    from chalicelib.domain.certification import CURRENT as VERSION
    from chalicelib.store import certification as store

    now = int(time.time())
    store.CentreRecord(f"CENTRE#{tag}", "CENTRE", centre_id=tag, name="Lycée du banc", type="school",
                       uai="0750001A", created_at=now).save()
    k = 0
    for s in range(n_sessions):
        sid = f"{tag}s{s:05d}"
        records = []
        report = {}
        for c in range(size):
            cid = f"c{c:05d}"
            course_id = f"{sid}-{cid}"
            records.append(store.CandidateRecord(
                f"SESSION#{sid}", f"CAND#{cid}", candidate_id=cid, session_id=sid, first_name="Élève",
                last_name=f"Nom{c:05d}", birth_date="2008-05-14", user_id=f"u{sid}{cid}", course_id=course_id))
            answers = tests[k % len(tests)]
            k += 1
            records.append(store.CourseRecord(
                f"COURSE#{course_id}", "COURSE", course_id=course_id, session_id=sid, candidate_id=cid,
                user_id=f"u{sid}{cid}", status="completed", authorised=True, answers=answers,
                ended_by="completed", certification_version=VERSION.version, started_at=now * 1000,
                ended_at=now * 1000, version=len(answers) + 2))
            report[cid] = {"present": True, "incidents": []}
        with store.CertificationTable.batch_write() as batch:
            for r in records:
                batch.save(r)
        store.SessionRecord(
            f"SESSION#{sid}", "SESSION", session_id=sid, centre_id=tag, date="2026-12-01", time="09:00",
            address="1 rue de l'École", room="B12", examiner="Mme Martin", access_code=f"Z{s:05d}",
            invigilator_password_hash="x", status="finalised", transitions=[],
            finalisation={"comment": "", "finalised_by": "bench", "finalised_at": now, "candidates": report},
            has_fraud_report=False, gsi2pk=store.FINALISED_QUEUE, gsi2sk=f"{now:012d}#{sid}").save()


def _job_runs(meter, deadline_s: float, max_runs: int | None = None, budget_s: float | None = None) -> dict:
    from chalicelib.jobs import issue_certificates

    runs = []
    started = time.perf_counter()
    while True:
        n0 = len(meter.calls)
        t0 = time.perf_counter()
        report = issue_certificates.run(time.monotonic() + deadline_s)
        wall = time.perf_counter() - t0
        calls = meter.calls[n0:]
        ddb = sum(c.seconds for c in calls)
        overhead = sum(c.overhead for c in calls)
        q = [c.seconds for c in calls if c.op.startswith("Query")]
        tx = [c.seconds for c in calls if c.op == "TransactWriteItems"]
        runs.append({"issued": report.issued, "existing": report.existing, "sessions": len(report.sessions_done),
                     "stopped_early": report.stopped_early, "wall_s": wall - overhead, "ddb_s": ddb,
                     "compute_s": wall - overhead - ddb, "calls": len(calls),
                     "query_ms": 1000 * statistics.mean(q) if q else 0.0,
                     "tx_ms": 1000 * statistics.mean(tx) if tx else 0.0})
        if report.issued == 0 and not report.sessions_done:
            break
        if max_runs is not None and len(runs) >= max_runs:
            break
        if budget_s is not None and time.perf_counter() - started > budget_s:
            break
    issued = sum(r["issued"] for r in runs)
    total = sum(r["wall_s"] for r in runs)
    return {"runs": runs, "issued": issued, "wall_s": total,
            "compute_s": sum(r["compute_s"] for r in runs), "ddb_s": sum(r["ddb_s"] for r in runs),
            "calls": sum(r["calls"] for r in runs)}


def issuance(args) -> tuple[str, dict]:
    import ddb_meter
    import moto_fidelity
    from moto import mock_aws

    from chalicelib.bank.loader import get_bank

    bank = get_bank()
    tests = _sample_tests(bank, 40, args.seed)
    out_rows = []
    data = {}

    def scenario(name, n_sessions, size, deadline_s, budget_s=None):
        with mock_aws():
            moto_fidelity.apply()
            from chalicelib.store.tables import create_tables

            create_tables()
            t0 = time.perf_counter()
            _seed_pending(n_sessions, size, tests, tag=f"b{n_sessions}x{size}")
            seed_s = time.perf_counter() - t0
            meter = ddb_meter.install(ddb_meter.Meter(), peek=False)
            res = _job_runs(meter, deadline_s, budget_s=budget_s)
            ddb_meter.uninstall()
        res["seed_s"] = seed_s
        res["pending"] = n_sessions * size
        data[name] = res
        per_cert_ms = 1000 * res["wall_s"] / max(1, res["issued"])
        out_rows.append([name, res["pending"], res["issued"], len(res["runs"]),
                         _f(res["issued"] / res["wall_s"] if res["wall_s"] else 0, 1),
                         _f(per_cert_ms, 1), _f(1000 * res["compute_s"] / max(1, res["issued"]), 1),
                         _f(res["calls"] / max(1, res["issued"]), 2),
                         _f(statistics.mean([r["query_ms"] for r in res["runs"] if r["query_ms"]] or [0]), 1),
                         _f(statistics.mean([r["tx_ms"] for r in res["runs"] if r["tx_ms"]] or [0]), 1)])
        print(f"  issuance {name}: {res['issued']} issued in {res['wall_s']:.1f}s", flush=True)
        return res

    scenario("one session of 30", 1, 30, 295)
    scenario(f"one session of {args.big_session:,}", 1, args.big_session, 295)
    big_session = scenario(f"one session of {args.big_session:,}, {args.big_run_deadline:g} s per run", 1,
                           args.big_session, args.big_run_deadline)
    lo, hi = (int(x) for x in args.pending.split(","))
    small = scenario(f"{lo:,} pending (sessions of 30)", math.ceil(lo / 30), 30, args.run_deadline)
    big = scenario(f"{hi:,} pending (sessions of 30)", math.ceil(hi / 30), 30, args.run_deadline,
                   budget_s=args.issuance_budget)
    table = _md_table(["scenario", "pending", "issued", "job runs", "certificates / s of job time",
                       "ms per certificate", "of which job compute (ms)", "DynamoDB calls per certificate",
                       "moto ms per Query", "moto ms per transaction"], out_rows)
    runs_small = small["runs"]
    runs_rows = [[f"{label}: run {i + 1}", r["sessions"], r["issued"], r["existing"],
                  "yes" if r["stopped_early"] else "no", _f(r["wall_s"], 1)]
                 for label, res in ((f"one session of {args.big_session:,}", big_session),
                                    (f"{hi:,} pending", big))
                 for i, r in enumerate(res["runs"][:6])]
    runs_table = _md_table(["job run", "sessions closed", "issued", "found existing (skipped)",
                            "stopped at its deadline", "seconds"], runs_rows)
    per_small = small["wall_s"] / max(1, small["issued"])
    per_big = big["wall_s"] / max(1, big["issued"])
    compute_small = small["compute_s"] / max(1, small["issued"])
    compute_big = big["compute_s"] / max(1, big["issued"])
    extrapolated = per_big * hi
    note = (f"Per certificate: {1000 * per_small:.1f} ms with {lo:,} pending, {1000 * per_big:.1f} ms with {hi:,} "
            f"pending (of which the job's own compute {1000 * compute_small:.1f} ms and {1000 * compute_big:.1f} ms; "
            f"the rest is time inside moto). DynamoDB calls per certificate: "
            f"{small['calls'] / max(1, small['issued']):.2f} and {big['calls'] / max(1, big['issued']):.2f}: constant, "
            f"so the job's work is linear in the pending certificates ({hi:,} at the measured rate: "
            f"{extrapolated:.0f} s, vs {hi / lo:g} × the {lo:,} run: {hi / lo * small['wall_s']:.0f} s). "
            f"Each run takes sessions until its deadline ({args.run_deadline:g} s here, 295 s on the 300 s Lambda); "
            f"the next run resumes (certificates already written are found and skipped). "
            f"The {hi:,} case ran {len(big['runs'])} runs within the bench budget of {args.issuance_budget:g} s "
            f"({big['issued']} issued) and is extrapolated from its measured rate. moto's own O(table) costs: "
            f"its Query reads the whole table (see 'moto ms per Query' grow with the table), and its transaction "
            f"copy is replaced by an item-level one (scripts/moto_fidelity.py), without which each certificate "
            f"would copy the whole table twice.")
    rechecked = sum(r["existing"] for r in big_session["runs"])
    resume_s = sum(r["wall_s"] for r in big_session["runs"][1:])
    resumed = sum(r["issued"] for r in big_session["runs"][1:])
    note += (f" Resuming a session: each run re-reads the session's candidates and finds the certificates "
             f"already issued 100 at a time (BatchGetItem; courses likewise), so a session bigger than one run "
             f"costs O(n) and not a GetItem per certificate already issued (the {args.big_session:,}-candidate "
             f"session at {args.big_run_deadline:g} s per run: {len(big_session['runs'])} runs, {rechecked:,} "
             f"certificates found already issued, {resumed:,} issued by the resuming runs in {resume_s:.1f} s). "
             f"On the 295 s Lambda a 2,000-candidate session fits in one run at the measured rate.")
    text = "\n\n".join([table, runs_table, note])
    return text, data


# =============================================================================================
# cold start
# =============================================================================================


_BARE_IMPORT = "import boto3, pynamodb.models, chalice"

# Lambda-like first response: a fresh interpreter without site-packages (-S) or bytecode
# writing (-B; /var/task is read-only on Lambda) imports `app` from an extracted deployment
# zip and answers one API Gateway event for the home page (no DynamoDB call), then renders an
# attestation from the same tree (the PDF stack the package trims must still work).
_LAMBDA_PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import app
t1 = time.perf_counter()
class Context:
    aws_request_id = "bench"; function_name = "pix-serverless-prod"; memory_limit_in_mb = 1024
    def get_remaining_time_in_millis(self):
        return 28000
event = {"resource": "/", "path": "/", "httpMethod": "GET", "headers": {"Accept": "text/html"},
         "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
         "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
         "requestContext": {"resourcePath": "/", "httpMethod": "GET", "path": "/api/", "stage": "api",
                            "requestId": "bench", "identity": {"sourceIp": "127.0.0.1"}}}
response = app.app(event, Context())
t2 = time.perf_counter()
from chalicelib.documents.attestation_pdf import render_attestation
from chalicelib.domain.certificate import Certificate
cert = Certificate(certificate_id="c-1", verification_code="P-B2C3D4F6", first_name="Anaïs",
                   last_name="Lefèvre", birth_date="1998-03-01", session_date="2026-06-15",
                   centre_name="Lycée", global_score=547, level_label="Avancé 5", level=5,
                   competence_levels={}, certification_version="v3", issued_at="2026-06-20T09:30:00+00:00")
pdf = render_attestation(cert, "https://example.invalid/verification/P-B2C3D4F6")
t3 = time.perf_counter()
print(json.dumps({"status": response["statusCode"], "import_s": t1 - t0, "first_response_s": t2 - t0,
                  "first_pdf_s": t3 - t2, "pdf_bytes": len(pdf),
                  "outside_task": sorted({m.split(".")[0] for m, mod in sys.modules.items()
                                          if "site-packages" in (getattr(mod, "__file__", None) or "")})}))
"""


def _child_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(cmd: list[str], env: dict, cwd=ROOT) -> tuple[float, float, str]:
    """Wall and CPU seconds of one whole child process (interpreter start included), and its stdout."""
    c0, t0 = _child_cpu(), time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - t0, _child_cpu() - c0, out


def _lambda_like(zip_path: Path, runs: int, env: dict) -> dict | None:
    """First-response figures from an extracted zip, read-only like /var/task (None without the zip)."""
    import tempfile
    import zipfile

    if not zip_path.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        task = Path(tmp) / "task"
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(task)
        for path in [task, *task.rglob("*")]:
            if path.is_dir():
                path.chmod(0o555)
        lambda_env = {**env, "PYTHONDONTWRITEBYTECODE": "1", "TABLE_PREFIX": "pix-prod"}
        walls, cpus, probes = [], [], []
        try:
            for _ in range(runs):
                wall, cpu, out = _timed([sys.executable, "-S", "-B", "-c", _LAMBDA_PROBE, str(task)], lambda_env,
                                        cwd=task)
                walls.append(wall)
                cpus.append(cpu)
                probes.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            for path in [task, *task.rglob("*")]:
                if path.is_dir():
                    path.chmod(0o755)
    med = lambda key: statistics.median(p[key] for p in probes)  # noqa: E731
    return {"zip_mb": zip_path.stat().st_size / 1e6, "files": len(zipfile.ZipFile(zip_path).namelist()),
            "pyc": sum(n.endswith(".pyc") for n in zipfile.ZipFile(zip_path).namelist()),
            "process_wall_s": statistics.median(walls), "process_cpu_s": statistics.median(cpus),
            "import_s": med("import_s"), "first_response_s": med("first_response_s"),
            "first_pdf_s": med("first_pdf_s"), "status": probes[-1]["status"],
            "pdf_bytes": probes[-1]["pdf_bytes"], "outside_task": probes[-1]["outside_task"]}


def coldstart(args) -> tuple[str, dict]:
    # PYTHONDONTWRITEBYTECODE disables writing for any non-empty value (even "0"): drop it so the
    # warm-up below really leaves bytecode, as the package now ships it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    py = sys.executable
    subprocess.run([py, "-c", "import app"], cwd=ROOT, env=env, check=True, capture_output=True)  # warm .pyc
    subprocess.run([py, "-c", _BARE_IMPORT], cwd=ROOT, env=env, check=True, capture_output=True)
    proc = subprocess.run([py, "-X", "importtime", "-c", "import app"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), len(m.group(3)), m.group(4)))
    top_level = [r for r in rows if r[2] == 1]
    total_us = sum(r[1] for r in top_level)
    packages: dict[str, int] = {}
    for _, cum, depth, name in rows:
        if depth <= 1 or name.startswith(("encodings", "_frozen", "zipimport", "site")):
            continue
        pkg = name.split(".")[0] if not name.startswith("chalicelib.") else ".".join(name.split(".")[:2])
        packages[pkg] = max(packages.get(pkg, 0), cum)
    biggest = [(0, cum, 0, name) for name, cum in sorted(packages.items(), key=lambda kv: -kv[1])[:12]]
    probe = r"""
import json, os, resource, sys, time, tracemalloc
t0 = time.perf_counter()
tracemalloc.start()
import app
t1 = time.perf_counter()
cur, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
rss_import = rss()
t2 = time.perf_counter()
from chalicelib.bank.loader import get_bank
get_bank()
t3 = time.perf_counter()
from chalicelib.store.tables import CertificationTable
CertificationTable._get_connection().connection.client
t4 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "traced_mb": cur / 2**20, "traced_peak_mb": peak / 2**20,
                  "rss_mb": rss_import, "bank_s": t3 - t2, "rss_after_bank_mb": rss(),
                  "botocore_client_s": t4 - t3, "rss_after_client_mb": rss()}))
"""
    probe_plain = "import time; t0 = time.perf_counter(); import app; print(time.perf_counter() - t0)"
    walls = []
    for _ in range(args.cold_runs):
        out = subprocess.run([py, "-c", probe_plain], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        walls.append(float(out.stdout.strip().splitlines()[-1]))
    # `import app` against the bare import of its three frameworks, whole processes taken in
    # turn (A B A B ...) so that the machine's drifting speed cancels pair by pair.
    ratios_cpu, ratios_wall = [], []
    for _ in range(args.cold_runs):
        a_wall, a_cpu, _ = _timed([py, "-c", "import app"], env)
        b_wall, b_cpu, _ = _timed([py, "-c", _BARE_IMPORT], env)
        ratios_cpu.append(a_cpu / b_cpu)
        ratios_wall.append(a_wall / b_wall)
    t0 = time.perf_counter()
    subprocess.run([py, "-c", "pass"], cwd=ROOT, env=env, check=True)
    interpreter_s = time.perf_counter() - t0
    details = json.loads(subprocess.run([py, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                                        check=True).stdout.strip().splitlines()[-1])
    table = _md_table(["measure", "value"], [
        ["`import app`, wall clock in a fresh process (median of %d)" % args.cold_runs,
         f"{1000 * statistics.median(walls):.0f} ms (min {1000 * min(walls):.0f}, max {1000 * max(walls):.0f})"],
        [f"`import app` / `{_BARE_IMPORT}`, whole processes in turn, CPU (wall) ratio, median of "
         f"{args.cold_runs} pairs", f"{statistics.median(ratios_cpu):.2f} ({statistics.median(ratios_wall):.2f})"],
        ["`-X importtime` total of top-level imports", f"{total_us / 1000:.0f} ms"],
        ["bare interpreter start (`python -c pass`)", f"{1000 * interpreter_s:.0f} ms"],
        ["item bank load (first request that needs it)", f"{1000 * details['bank_s']:.0f} ms"],
        ["first botocore client (first DynamoDB call)", f"{1000 * details['botocore_client_s']:.0f} ms"],
        ["RSS after `import app`", f"{details['rss_mb']:.0f} MB"],
        ["Python allocations during the import (tracemalloc, current / peak)",
         f"{details['traced_mb']:.1f} / {details['traced_peak_mb']:.1f} MB"],
        ["RSS after the bank and a botocore client", f"{details['rss_after_client_mb']:.0f} MB"],
    ])
    top = _md_table(["package imported by `app` (-X importtime, cumulative; nested packages count in both)", "ms"],
                    [[name, f"{cum / 1000:.0f}"] for _, cum, _, name in biggest])
    parts = [table, top]
    lambda_like = {}
    for label, name in (("chalice's zip (before `finish_zip`)", "deployment.raw.zip"),
                        ("shipped zip", "deployment.zip")):
        figures = _lambda_like(ROOT / "out" / name, args.cold_runs, env)
        if figures:
            lambda_like[name] = figures
    if lambda_like:
        cols = list(lambda_like)
        get = lambda key, fmt: [fmt(lambda_like[c][key]) for c in cols]  # noqa: E731
        parts.append("Lambda-like first response (`make package` first): the zip extracted read-only, "
                     "`python -S -B` (no site-packages, no bytecode writing), `import app`, one API Gateway "
                     f"event for `GET /` (no DynamoDB call), then one attestation PDF; medians of {args.cold_runs} "
                     "fresh processes.\n\n" + _md_table(["measure", *[f"`out/{c}`" for c in cols]], [
                         ["zip size", *get("zip_mb", lambda v: f"{v:.1f} MB")],
                         ["files (of which .pyc)", *[f"{lambda_like[c]['files']:,} ({lambda_like[c]['pyc']:,})"
                                                     for c in cols]],
                         ["`import app`", *get("import_s", lambda v: f"{1000 * v:.0f} ms")],
                         ["first response (interpreter up to the handler's return)",
                          *get("first_response_s", lambda v: f"{1000 * v:.0f} ms")],
                         ["whole process, wall / CPU (with the PDF)",
                          *[f"{1000 * lambda_like[c]['process_wall_s']:.0f} / "
                            f"{1000 * lambda_like[c]['process_cpu_s']:.0f} ms" for c in cols]],
                         ["first attestation PDF after that", *get("first_pdf_s", lambda v: f"{1000 * v:.0f} ms")],
                         ["status of `GET /`, PDF bytes", *[f"{lambda_like[c]['status']}, {lambda_like[c]['pdf_bytes']:,}"
                                                            for c in cols]],
                         ["modules loaded from outside the zip", *[", ".join(lambda_like[c]["outside_task"]) or "none"
                                                                    for c in cols]],
                     ]))
    text = "\n\n".join(parts)
    return text, {"import_wall_s": walls, "importtime_total_ms": total_us / 1000, **details,
                  "ratio_cpu": ratios_cpu, "ratio_wall": ratios_wall, "lambda_like": lambda_like,
                  "top_imports": [(n, c / 1000) for _, c, _, n in biggest]}


# =============================================================================================
# the algorithm benches (modest sizes)
# =============================================================================================


def algorithms(args) -> tuple[str, dict]:
    outdir = ROOT / "out" / "bench"
    outdir.mkdir(parents=True, exist_ok=True)
    runs = [
        ("positioning", [sys.executable, "scripts/bench_positioning.py", "--learners", str(args.positioning_learners),
                         "--competences", args.positioning_competences, "--out", str(outdir / "benchmarks-positioning.md")]),
        ("certification", [sys.executable, "scripts/bench_certification.py", "--n", str(args.certification_n),
                           "--n-extreme", "60", "--synthetic", "2:0.5", "--no-curve",
                           "--min-stratum", "30", "--out", str(outdir / "benchmarks-certification.md")]),
        # roster check speed and memory: measured here, never asserted on time in a test
        ("roster", [sys.executable, "scripts/bench_roster.py", "--lines", "5000", "--participants", "2000",
                    "--out", str(outdir / "benchmarks-roster.md")]),
    ]
    parts = []
    data = {}
    for name, cmd in runs:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        data[name] = {"cmd": " ".join(cmd[1:]), "rc": proc.returncode, "s": elapsed}
        body = proc.stdout.strip() if proc.returncode == 0 else f"failed ({proc.returncode}): {proc.stderr[-800:]}"
        parts.append(f"### {name} (`{' '.join(cmd[1:])}`, {elapsed:.0f} s)\n\n{body}")
    parts.append("Full-size results: [docs/benchmarks-positioning.md](benchmarks-positioning.md), "
                 "[docs/benchmarks-certification.md](benchmarks-certification.md), "
                 "[docs/benchmarks-roster.md](benchmarks-roster.md).")
    return "\n\n".join(parts), data


# =============================================================================================
def signin(args) -> tuple[str, dict]:
    import bench_signin

    d = bench_signin.run(pupils=args.signin_pupils, seed=args.seed)
    head = ["arrival", "typos", "on 429", "in at 1 min", "2 min", "5 min", "60 min", "last in (s)",
            "401", "429 admission", "429 failure cap", "right password held by a cap"]
    rows = [[f"{r['spread']} s", f"{r['typo']:.0%}", r["mode"], r["in_1min"], r["in_2min"],
             r["in_5min"], r["in_60min"], r["last_in_s"] if r["last_in_s"] is not None else "never",
             r["401"], r["429 admission"], r["429 failure cap"],
             r["right password held by a failure cap"]] for r in d["rows"]]
    m = d["mixed"]
    rows.append([f"{m['spread']} s + guesser", f"{m['typo']:.0%}", m["mode"], m["in_1min"],
                 m["in_2min"], m["in_5min"], m["in_60min"], m["last_in_s"], m["401"],
                 m["429 admission"], m["429 failure cap"], m["right password held by a failure cap"]])
    guess = _md_table(["guesser (one address, 4 requests/s, 1 h)", "requests", "guesses checked"],
                      [[g["kind"], g["requests"], g["guesses checked"]] for g in d["guessers"]])
    text = (f"{d['pupils']} pupils behind one address, shipped limits (300 admitted sign-ins/min per "
            "address; failures: 10 per login and source, 150 per address + 1 per pupil who got in, "
            "50 per login a day from sources it never signed in from).\n\n"
            + _md_table(head, rows) + "\n\nIn the mixed run a guesser at the school's address "
            f"sends 2 guesses/s over the class's logins while it arrives: {m['guesses checked']} of "
            f"{m['guesses']} guesses were checked.\n\n" + guess)
    return text, d


# main
# =============================================================================================


SECTIONS = {"capacity": ("DynamoDB capacity per request and cost per candidate", capacity),
            "hot": ("Hot partitions", hot),
            "issuance": ("Scheduled issuance", issuance),
            "coldstart": ("Cold start", coldstart),
            "algorithms": ("Positioning and certification algorithms (modest sizes)", algorithms),
            "signin": ("A school behind one address signs in (throttling)", signin),
            "requests": ("Requests that do not grow with history", requests)}


def requests(args) -> tuple[str, dict]:
    import bench_requests

    return bench_requests.run(argparse.Namespace(past_sessions=200, live_large=300, book_certificates=500))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default="", help="comma-separated sections: " + ", ".join(SECTIONS))
    p.add_argument("--session", type=int, default=30, help="capacity: candidates in the measured session")
    p.add_argument("--load-json", default=str(ROOT / "out" / "load.json"), help="hot: the load run's figures")
    p.add_argument("--hot-candidates", type=int, default=150, help="hot: size of the run made when none exists")
    p.add_argument("--busy-writes", type=int, default=20, help="hot: seconds with at least this many writes")
    p.add_argument("--big-session", type=int, default=2000)
    p.add_argument("--big-run-deadline", type=float, default=20.0,
                   help="issuance: seconds per run for the big session (shows runs stopping and resuming)")
    p.add_argument("--run-deadline", type=float, default=60.0, help="issuance: seconds per job run")
    p.add_argument("--pending", default="1000,10000", help="issuance: the two backlogs compared")
    p.add_argument("--issuance-budget", type=float, default=90.0,
                   help="issuance: seconds of job time spent on the 10,000 case before extrapolating")
    p.add_argument("--cold-runs", type=int, default=5)
    p.add_argument("--positioning-learners", type=int, default=40)
    p.add_argument("--positioning-competences", default="1.1,3.2")
    p.add_argument("--certification-n", type=int, default=200)
    p.add_argument("--signin-pupils", type=int, default=800, help="signin: pupils behind the address")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--out", type=Path, default=ROOT / "out" / "bench" / "benchmarks.md")
    p.add_argument("--json", type=Path, default=ROOT / "out" / "bench" / "bench.json")
    args = p.parse_args(argv)

    chosen = [s for s in args.only.split(",") if s] or list(SECTIONS)
    started = time.perf_counter()
    header = [f"Machine: {machine()}.",
              f"Command: `.venv/bin/python scripts/bench.py{' --only ' + args.only if args.only else ''}`"]
    print("\n".join(header), flush=True)
    parts = ["\n\n".join(header)]
    data = {"machine": machine()}
    for name in chosen:
        title, fn = SECTIONS[name]
        t0 = time.perf_counter()
        print(f"\n## {title} ...", flush=True)
        text, d = fn(args)
        elapsed = time.perf_counter() - t0
        block = f"## {title}\n\n({elapsed:.0f} s)\n\n{text}"
        print(block, flush=True)
        parts.append(block)
        data[name] = d
    total = time.perf_counter() - started
    parts.append(f"Total bench time {total:.0f} s.")
    print(f"\nTotal bench time {total:.0f} s.", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    args.json.write_text(json.dumps(data, indent=1, default=str))
    print(f"written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
