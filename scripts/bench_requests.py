"""Requests that must not grow with history or session size (issue 16 points 3 and 4).

Through the API (chalice's test client, moto in-process), DynamoDB calls
counted by scripts/ddb_meter.py, items counted as DynamoDB returns them:

- a positioning answer: a plain learner; the same answer retried with its
  idempotency key; a learner whose certification test has ended (first answer
  after it, then the next one);
- a centre's session list with `--past-sessions` sessions in its history;
- the invigilator's live view of sessions of 30 and `--live-large` enrolled
  candidates (one request, the default page);
- the report book of a school with `--book-certificates` certificates.

Only default query parameters are sent, so the same script measures an
older checkout (the "before" figures in docs/benchmarks.md).

    .venv/bin/python scripts/bench_requests.py [--past-sessions 200] [--live-large 300]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.pop("DYNAMODB_ENDPOINT", None)
for key, value in {"AWS_DEFAULT_REGION": "eu-west-3", "AWS_ACCESS_KEY_ID": "testing",
                   "AWS_SECRET_ACCESS_KEY": "testing", "TABLE_PREFIX": "pix-local",
                   "JWT_SECRET": "bench-secret-not-for-production-0123456789abcdef"}.items():
    os.environ.setdefault(key, value)


class _Items:
    """Items DynamoDB returns to this process (every read goes through PynamoDB)."""

    def __init__(self) -> None:
        from pynamodb.connection import base

        self.n = 0
        original = base.Connection._make_api_call

        def spy(conn, operation, kwargs):
            data = original(conn, operation, kwargs)
            self.n += len(data.get("Items", [])) + (1 if data.get("Item") else 0) + sum(
                len(v) for v in (data.get("Responses") or {}).values() if isinstance(v, list))
            return data

        base.Connection._make_api_call = spy


def run(args) -> tuple[str, dict]:
    import ddb_meter
    import moto_fidelity
    from chalice.test import Client
    from moto import mock_aws

    with mock_aws():
        moto_fidelity.apply()  # item-level transaction copy: seeding certificates stays linear
        from chalicelib.store.tables import create_tables

        create_tables()
        from app import app
        from chalicelib.domain.certificate import Certificate
        from chalicelib.services import tokens
        from chalicelib.store import certification as store
        from tests.api.answers import make_certifiable, wrong_answer

        meter = ddb_meter.install(ddb_meter.Meter(), peek=True)
        items = _Items()
        rows: list[tuple[str, dict]] = []

        with Client(app, stage_name="local") as client:
            def req(label, method, path, token, body=None, raw=None, ctype="application/json", record=True):
                n0, i0 = len(meter.calls), items.n
                headers = {"Content-Type": ctype, "Authorization": f"Bearer {token}"}
                payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
                response = (client.http.get(path, headers=headers) if method == "GET" else
                            getattr(client.http, method.lower())(path, headers=headers, body=payload))
                if response.status_code not in (200, 201):
                    raise RuntimeError(f"{label}: {response.status_code} {response.body[:300]!r}")
                calls = meter.calls[n0:]
                if record:
                    print("ROW", label, len(calls), items.n - i0, file=sys.stderr, flush=True)
                    rows.append((label, {"calls": len(calls), "items": items.n - i0,
                                         "rcu": sum(c.rcu for c in calls), "wcu": sum(c.wcu for c in calls),
                                         "ops": _ops(calls), "bytes": len(response.body)}))
                return json.loads(response.body)

            admin = tokens.access_token("bench-admin", is_admin=True, organizations={}, centres=[])
            centre = req("", "POST", "/centres", admin, {"name": "Lycée du banc", "type": "school",
                                                         "uai": "0750001A"}, record=False)
            cid = centre["centre_id"]
            staff = tokens.access_token("bench-staff", is_admin=False, organizations={}, centres=[cid])

            # positioning answers
            base = "/me/competences/3.1/assessment"
            learner = tokens.access_token("bench-learner", is_admin=False, organizations={}, centres=[])
            make_certifiable("bench-learner")
            def opened(item):  # a timed or focused item is started first, as the page does
                if not item.get("start_required"):
                    return item
                return req("", "POST", f"{base}/items/{item['id']}/start", learner, record=False)["item"]

            served = opened(req("", "POST", base, learner, record=False)["item"])
            body = {"item_id": served["id"], "answer": wrong_answer(served), "idempotency_key": "k1"}
            out = req("positioning answer", "POST", base + "/answers", learner, body)
            req("positioning answer retried (same idempotency key)", "POST", base + "/answers", learner, body)
            served = opened(out["assessment"]["item"])

            sessions_csv = "date;heure;adresse;salle;examinateur;observations\n" + "".join(
                f"{1 + i % 28:02d}/{1 + (i // 28) % 12:02d}/{2000 + i // 336};09:00;1 rue;B{i};Mme Martin;\n"
                for i in range(args.past_sessions))
            created = req("", "POST", f"/centres/{cid}/sessions/import", staff, raw=sessions_csv.encode(),
                          ctype="text/csv", record=False)["sessions"]
            session = created[-1]
            sid = session["session_id"]
            enrolled = req("", "POST", f"/centres/{cid}/sessions/{sid}/candidates/import", staff,
                           raw=("prénom;nom;date de naissance\nLéa;Dupont;14/05/2008\n").encode(),
                           ctype="text/csv", record=False)["candidates"]
            course = req("", "POST", "/certification/join", learner, {
                "access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
                "birth_date": "2008-05-14"}, record=False)
            inv = req("", "POST", "/invigilation/token", "", {"session_id": sid,
                                                             "password": session["invigilator_password"]},
                      record=False)["access_token"]
            cand = f"/sessions/{sid}/candidates/{enrolled[0]['candidate_id']}"
            req("", "POST", cand + "/authorise", inv, record=False)
            req("", "POST", cand + "/end", inv, {}, record=False)
            assert course["course_id"]
            out = req("positioning answer, first after a certification", "POST", base + "/answers", learner,
                      {"item_id": served["id"], "answer": wrong_answer(served)})
            served = opened(out["assessment"]["item"])
            req("positioning answer, the next one", "POST", base + "/answers", learner,
                {"item_id": served["id"], "answer": wrong_answer(served)})

            page = req(f"centre session list ({args.past_sessions} sessions in its history)", "GET",
                       f"/centres/{cid}/sessions", staff)
            rows[-1][1]["returned"] = len(page["sessions"])

            for size in (30, args.live_large):
                s = req("", "POST", f"/centres/{cid}/sessions", staff, {
                    "date": "2026-12-01", "time": "09:00", "address": "1 rue", "room": "B12",
                    "examiner": "Mme Martin"}, record=False)
                raw = "prénom;nom;date de naissance\n" + "".join(
                    f"Élève;Nom{i:04d};14/05/2008\n" for i in range(size))
                req("", "POST", f"/centres/{cid}/sessions/{s['session_id']}/candidates/import", staff,
                    raw=raw.encode(), ctype="text/csv", record=False)
                token = req("", "POST", "/invigilation/token", "", {
                    "session_id": s["session_id"], "password": s["invigilator_password"]},
                    record=False)["access_token"]
                live = req(f"invigilator live view ({size} enrolled)", "GET",
                           f"/sessions/{s['session_id']}/invigilation", token)
                rows[-1][1]["returned"] = len(live["candidates"])

            for i in range(args.book_certificates):
                store.create_certificate(Certificate(
                    certificate_id=f"bench-{i:05d}", verification_code=f"P-B{i:07d}", user_id=f"u{i}",
                    session_id="s", first_name="Léa", last_name="Dupont", birth_date="2010-05-14",
                    session_date="2026-06-10", centre_name="Lycée", global_score=300, level=3,
                    level_label="Indépendant 3", competence_levels={"1.1": 3},
                    certification_version="2026.1", issued_at="2026-06-10T12:00:00+00:00",
                    status="validated", published=True, ine=f"{i:09d}AB"), uai="0750001A")
            from chalicelib.services import organizations
            from chalicelib.services.organizations import OrganizationInput

            org = organizations.create(OrganizationInput(name="Lycée du banc", type="lycee", uai="0750001A"))
            portal = tokens.client_token("bench-portal", org["org_id"], ["certification-results"])
            book = req(f"report book ({args.book_certificates} certificates)", "GET",
                       f"/organizations/{org['org_id']}/report-book", portal)
            rows[-1][1]["returned"] = len(book.get("pupils") or book.get("items") or [])

    lines = ["| request | DynamoDB calls | items read | RCU | WCU | rows returned | response (B) | operations |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for label, r in rows:
        lines.append(f"| {label} | {r['calls']} | {r['items']} | {r['rcu']:.1f} | {r['wcu']:.1f} | "
                     f"{r.get('returned', '')} | {r['bytes']} | {r['ops']} |")
    return "\n".join(lines), {label: r for label, r in rows}


def _ops(calls) -> str:
    counts: dict[str, int] = {}
    for c in calls:
        name = f"{c.op} {c.table.rsplit('-', 1)[-1]}"
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--past-sessions", type=int, default=200)
    p.add_argument("--live-large", type=int, default=300)
    p.add_argument("--book-certificates", type=int, default=500)
    p.add_argument("--out", type=Path, help="also write the table there")
    args = p.parse_args(argv)
    text, _ = run(args)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
