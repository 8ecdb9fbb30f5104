"""Bench the roster import and the campaign results export at school scale.

1. Roster, pure: a 5,000-line national-pupil-base file streamed, split and
   validated (`csv_rows.stream_rows` + `domain.roster.check_lines`): wall time
   and peak Python memory (tracemalloc) against the file size.
2. Roster, the whole service (`services.rosters.import_roster`): with the
   store replaced by an in-memory one, what the Lambda itself spends (CPU and
   memory, no network); then against moto in-process, end to end (moto's own
   time and memory are included: an upper bound, DynamoDB is faster), first
   import and re-import of the same file (nothing to write).
3. Export: 6,000 shared results read in pages of 1,000 through
   `services.campaigns.results_csv` against moto: time and bytes per page,
   and the pages concatenated parsed back as one CSV file.

4. `--real-path`: the school's own calls, on moto, through the Chalice app
   (routing, authorisation, body limits, the service and the store): a
   1,000-pupil CSV (first import and the same file again), a 1,000-pupil
   SIECLE XML zipped and posted, the same XML unzipped through the upload path
   (announce, S3, the `import_roster` job, the status read back), and a
   6,000-row CSV. Time, DynamoDB calls and units (scripts/ddb_meter.py), peak
   Python memory; printed as the table of docs/benchmarks.md.

    .venv/bin/python scripts/bench_roster.py [--lines 5000] [--participants 6000]
        [--out docs/benchmarks-roster.md]
    .venv/bin/python scripts/bench_roster.py --real-path [--pupils 1000] [--big 6000]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import platform
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = ["Léa", "Hugo", "Chloé", "Louis", "Inès", "Gabriel", "Zoé", "Raphaël", "Jade", "Noé",
         "Anaïs", "Maël", "Awa", "Yanis", "Éloïse", "Adam", "Sofia", "Timothée", "Manon", "Ibrahim"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "García", "N'Diaye",
        "Da Silva", "Fournier", "Girard", "Bonnet", "Lambert-Rousseau", "Nguyen", "Öztürk"]
COUNTRIES = ["Belgique", "Maroc", "Sénégal", "Portugal", "Algérie", "99134", "99350"]
HEADER = ("INE;Nom de famille;Nom d'usage;Prénoms;Sexe;Date de naissance (jj/mm/aaaa);"
          "Code commune naissance;Pays de naissance;Division;Code MEF")


def school_file(lines: int, seed: int = 7) -> bytes:
    """A realistic SIECLE-like file: UTF-8 with BOM, `;`, CRLF, accents, usage names."""
    rng = random.Random(seed)
    out = [HEADER]
    for n in range(lines):
        ine = f"{100000000 + n:09d}{rng.choice('0123456789ABCDEFGHJK')}{rng.choice('ABCDEFGHJK')}"
        born = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        level = rng.choice(["6", "5", "4", "3"])
        insee, country = (f"{rng.randrange(1000, 95999):05d}", "") if rng.random() < 0.9 \
            else ("", rng.choice(COUNTRIES))
        out.append(";".join([
            ine, rng.choice(LAST), rng.choice(LAST) if rng.random() < 0.1 else "",
            " ".join(rng.sample(FIRST, rng.choice([1, 2, 2, 3]))), rng.choice("MF"),
            born.strftime("%d/%m/%Y"), insee, country, f"{level}{rng.choice('ABCDEFGH')}",
            f"1{rng.choice('0123')}{rng.randrange(10**7, 10**8)}0"]))
    return ("\ufeff" + "\r\n".join(out) + "\r\n").encode("utf-8")


def measure(fn, *, traced: bool = True):
    """(result, seconds, peak bytes): the time of an untraced run (tracemalloc slows
    Python down several times), the memory of a traced one."""
    elapsed = None
    for _ in range(3 if traced else 1):  # best of 3: the machine may be shared
        started = time.perf_counter()
        result = fn()
        elapsed = min(elapsed or 1e9, time.perf_counter() - started)
    if not traced:
        return result, elapsed, None
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, peak


def bench_pure(raw: bytes) -> dict:
    from chalicelib.domain import roster
    from chalicelib.domain.csv_rows import stream_rows

    def run():
        return roster.check_lines(roster.SCHOOL, stream_rows(
            raw, roster.SCHOOL_COLUMNS, roster.REQUIRED[roster.SCHOOL]), dt.date.today())

    run()  # warm up (imports, regex caches)
    result, seconds, peak = measure(run)
    assert result.error_count == 0, result.errors[:3]
    return {"learners": len(result.learners), "seconds": seconds, "peak": peak}


class _MemoryStore:
    """Stands for DynamoDB. While `keep` is off it only counts what it is sent, so
    the memory measured is the import's own, not the fake table's."""

    def __init__(self):
        self.items, self.keep, self.written = {}, True, 0

    def all_learners(self, org_id):
        return iter(list(self.items.values()))

    def batch_put(self, records):
        for rec in records:
            self.written += 1
            if self.keep:
                self.items[rec.sk] = rec


def bench_service_in_memory(raw: bytes) -> dict:
    from chalicelib.services import organizations, rosters
    from chalicelib.store import organizations as store

    fake = _MemoryStore()
    org = store.OrganizationRecord("ORG#bench", "ORG", org_id="bench", name="Collège", type="college",
                                   uai="0750001A", created_at=0)
    saved = (organizations.require, store.all_learners, store.batch_put)
    organizations.require = lambda org_id: org
    store.all_learners, store.batch_put = fake.all_learners, fake.batch_put

    def first():
        fake.items.clear()
        return rosters.import_roster("bench", raw)

    try:
        fake.keep = False
        first_result, t1, p1 = measure(first)
        fake.keep = True
        first()  # now the fake table holds the roster, outside any measure
        fake.written = 0
        again, t2, p2 = measure(lambda: rosters.import_roster("bench", raw))
        assert fake.written == 0
    finally:
        organizations.require, store.all_learners, store.batch_put = saved
    assert first_result["created"] == again["unchanged"] == len(fake.items)
    return {"first": (first_result, t1, p1), "again": (again, t2, p2)}


def siecle_xml(pupils: int, seed: int = 11) -> bytes:
    """A real-shaped ElevesSansAdresses.xml (ISO-8859-15, CRLF, the elements
    SIECLE writes per pupil, options and structures after the pupils)."""
    rng = random.Random(seed)
    eleves, structures = [], []
    for n in range(pupils):
        eleve_id = 1_400_000 + n
        born = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        abroad = rng.random() < 0.08
        place = (f"<CODE_PAYS>{rng.choice(['134', '350', '352', '139'])}</CODE_PAYS>"
                 f"<VILLE_NAISS>{rng.choice(['Madrid', 'Rabat', 'Alger', 'Lisbonne'])}</VILLE_NAISS>"
                 if abroad else
                 f"<CODE_PAYS>100</CODE_PAYS><CODE_DEPARTEMENT_NAISS>0{rng.randrange(10, 95)}"
                 f"</CODE_DEPARTEMENT_NAISS><CODE_COMMUNE_INSEE_NAISS>{rng.randrange(1000, 95999):05d}"
                 "</CODE_COMMUNE_INSEE_NAISS>")
        firsts = rng.sample(FIRST, 3)
        eleves.append(
            f'<ELEVE ELEVE_ID="{eleve_id}" ELENOET="{n}"><ID_NATIONAL>{100000000 + n:09d}'
            f'{rng.choice("ABCDEFGHJK")}{rng.choice("ABCDEFGHJK")}</ID_NATIONAL><ELENOET>{n}</ELENOET>'
            f"<ID_ELEVE_ETAB>{n}</ID_ELEVE_ETAB><NOM_DE_FAMILLE>{rng.choice(LAST).upper()}</NOM_DE_FAMILLE>"
            f"<NOM_USAGE/><PRENOM>{firsts[0]}</PRENOM><PRENOM2>{firsts[1]}</PRENOM2>"
            f"<PRENOM3>{firsts[2]}</PRENOM3><DATE_NAISS>{born:%d/%m/%Y}</DATE_NAISS>"
            f"<DOUBLEMENT>N</DOUBLEMENT><CODE_SEXE>{rng.choice('12')}</CODE_SEXE>{place}"
            f"<CODE_REGIME>2</CODE_REGIME><DATE_ENTREE>01/09/2024</DATE_ENTREE>"
            f"<CODE_MEF>1{rng.choice('0123')}{rng.randrange(10**7, 10**8)}0</CODE_MEF>"
            f"<CODE_STATUT>ST</CODE_STATUT><ADHESION_TRANSPORT>0</ADHESION_TRANSPORT>"
            f"<SCOLARITE_AN_DERNIER><CODE_RNE>0750001A</CODE_RNE><CODE_MEF>10010012110</CODE_MEF>"
            f"<CODE_STRUCTURE>5{rng.choice('ABCDEFGH')}</CODE_STRUCTURE></SCOLARITE_AN_DERNIER>"
            "</ELEVE>")
        structures.append(
            f'<STRUCTURES_ELEVE ELEVE_ID="{eleve_id}" ELENOET="{n}"><STRUCTURE><CODE_STRUCTURE>'
            f"{rng.choice('6543')}{rng.choice('ABCDEFGH')}</CODE_STRUCTURE><TYPE_STRUCTURE>D"
            "</TYPE_STRUCTURE></STRUCTURE><STRUCTURE><CODE_STRUCTURE>GR-LV2</CODE_STRUCTURE>"
            "<TYPE_STRUCTURE>G</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>")
    text = ('<?xml version="1.0" encoding="ISO-8859-15"?>\r\n<BEE_ELEVES VERSION="3.1">'
            "<PARAMETRES><UAJ>0750001A</UAJ><ANNEE_SCOLAIRE>2026</ANNEE_SCOLAIRE>"
            "<DATE_EXPORT>04/09/2026</DATE_EXPORT></PARAMETRES><DONNEES><ELEVES>\r\n"
            + "\r\n".join(eleves) + "\r\n</ELEVES><STRUCTURES>\r\n" + "\r\n".join(structures)
            + "\r\n</STRUCTURES></DONNEES></BEE_ELEVES>\r\n")
    return text.encode("iso-8859-15")


def bench_siecle_xml(pupils: int) -> str:
    """A SIECLE XML through the upload path's import (zipped, as schools send it),
    store in memory: the Lambda's own time and memory, and the process peak."""
    import resource
    import zipfile

    from chalicelib.services import organizations, rosters
    from chalicelib.store import organizations as store

    xml = siecle_xml(pupils)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ElevesSansAdresses.xml", xml)
    zipped = buffer.getvalue()
    fake = _MemoryStore()
    fake.keep = False
    org = store.OrganizationRecord("ORG#bench", "ORG", org_id="bench", name="Collège", type="college",
                                   uai="0750001A", created_at=0)
    saved = (organizations.require, store.all_learners, store.batch_put)
    organizations.require = lambda org_id: org
    store.all_learners, store.batch_put = fake.all_learners, fake.batch_put
    rows = []
    try:
        for name, raw in (("XML", xml), ("zip", zipped)):
            def run(raw=raw):
                return rosters.import_roster("bench", raw, max_bytes=rosters.MAX_UPLOAD_BYTES,
                                             max_rows=rosters.MAX_UPLOAD_LINES)
            result, seconds, peak = measure(run)
            assert result["created"] == pupils, result
            rows.append(f"| {name} | {len(raw) / 1e6:.2f} MB | {result['created']} | {seconds * 1000:.0f} ms "
                        f"| {peak / 1e6:.1f} MB |")
    finally:
        organizations.require, store.all_learners, store.batch_put = saved
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\n".join([
        f"| file | size | pupils imported | time (best of 3) | peak Python memory |",
        "|---|---|---|---|---|", *rows, "",
        f"Process peak RSS after both runs (interpreter, libraries, files and pupils): {rss:.0f} MB."])


def bench_moto(raw: bytes, participants: int) -> dict:
    from moto import mock_aws

    with mock_aws():
        from chalicelib.services import campaigns, organizations, rosters
        from chalicelib.services.organizations import OrganizationInput
        from chalicelib.store import organizations as store
        from chalicelib.store.tables import create_tables

        create_tables()
        org = organizations.create(OrganizationInput(name="Collège", type="college", uai="0750001A"))
        first, t1, _ = measure(lambda: rosters.import_roster(org["org_id"], raw), traced=False)
        started = time.perf_counter()
        again = rosters.import_roster(org["org_id"], raw)
        t2 = time.perf_counter() - started

        campaign = campaigns.create(org["org_id"], campaigns.CampaignInput(
            name="Collecte", type="profile_collection"), "bench")
        cid = campaign["campaign_id"]
        competences = {c: (12, 1) for c in campaign["competences"]}
        now = int(time.time() * 1000)
        from chalicelib.domain.campaigns import SharedResult

        store.save_results(SharedResult(
            campaign_id=cid, user_id=f"user{n:05d}", learner_id=f"{100000000 + n:09d}AB",
            first_name="Léa", last_name="Dupont", division="3A", shared_at=now + n, progress=100,
            mastery=None, total_pix=192, certifiable=True, competences=competences)
            for n in range(participants))
        pages, cursor, texts = [], None, []
        while True:
            started = time.perf_counter()
            page = campaigns.results_csv(org["org_id"], cid, cursor, 1000)
            pages.append((time.perf_counter() - started, len(page.text.encode("utf-8"))))
            texts.append(page.text)
            cursor = page.next_cursor
            if not cursor:
                break
        rows = list(csv.reader(io.StringIO("".join(texts).lstrip("\ufeff")), delimiter=";"))
        from chalicelib.domain import campaigns as domain

        records, _ = store.results_page(cid, None, 1000)
        started = time.perf_counter()
        domain.csv_page([campaigns.result_row(r) for r in records], "profile_collection",
                        tuple(campaign["competences"]), "school", first_page=True)
        render = time.perf_counter() - started
        assert len(rows) == participants + 1 and len({r[2] for r in rows[1:]}) == participants
    return {"first": (first, t1), "again": (again, t2), "pages": pages, "render": render}


def bench_real_path(pupils: int, big: int) -> str:
    """Each case runs twice, each time into a new organisation (so a first
    import is always a first import): once plain for the time, once with the
    DynamoDB meter (which reads each item's old image first) and tracemalloc
    on, for the units and the memory. moto keeps its tables as Python objects
    in the same process, so the peak includes what moto allocates for the
    items written: an upper bound of the Lambda's own."""
    import json
    import resource
    import zipfile

    sys.path.insert(0, str(ROOT / "scripts"))
    import ddb_meter
    from chalice.test import Client
    from moto import mock_aws

    with mock_aws():
        from chalicelib.store import object_store
        from chalicelib.store.tables import create_tables

        create_tables()
        object_store.create_roster_bucket()
        from app import app
        from chalicelib.jobs import import_roster as job
        from chalicelib.services import tokens

        admin = tokens.access_token("bench-admin", is_admin=True, organizations={}, centres=[])
        small_csv, big_csv = school_file(pupils, seed=3), school_file(big, seed=5)
        xml = siecle_xml(pupils, seed=13)
        uai_seq = iter(range(1000, 10000))

        with Client(app, stage_name="local") as client:
            def call(method, path, token, raw=None, ctype="application/json", expect=(200, 201)):
                headers = {"Content-Type": ctype, "Authorization": f"Bearer {token}"}
                response = getattr(client.http, method.lower())(path, headers=headers, body=raw)
                if response.status_code not in expect:
                    raise RuntimeError(f"{method} {path}: {response.status_code} {response.body[:300]!r}")
                return json.loads(response.body) if response.body else None

            def new_school() -> tuple[str, str, str]:
                uai = f"075{next(uai_seq):04d}A"
                org = call("POST", "/organizations", admin, json.dumps(
                    {"name": "Collège du banc", "type": "college", "uai": uai}))
                staff = tokens.access_token(f"staff-{org['org_id']}", is_admin=False,
                                            organizations={org["org_id"]: "admin"}, centres=[])
                return org["org_id"], staff, uai

            def for_school(raw: bytes, uai: str, zipped: bool = False) -> bytes:
                """A SIECLE export names its school: the import refuses another's."""
                if raw.startswith(b"<?xml"):
                    raw = raw.replace(b"<UAJ>0750001A</UAJ>", f"<UAJ>{uai}</UAJ>".encode(), 1)
                    if zipped:
                        buffer = io.BytesIO()
                        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                            archive.writestr("ElevesSansAdresses.xml", raw)
                        raw = buffer.getvalue()
                return raw

            def posted(raw, ctype, again=False):
                def run(org_id, staff, uai):
                    path = f"/organizations/{org_id}/learners/import"
                    body = for_school(raw, uai, zipped=ctype == "application/zip")
                    if again:
                        call("POST", path, staff, body, ctype)
                    return lambda: call("POST", path, staff, body, ctype)
                return run

            def uploaded(raw):
                def run(org_id, staff, uai):
                    body = for_school(raw, uai)
                    def go():
                        started = call("POST", f"/organizations/{org_id}/learners/uploads", staff)
                        key = started["upload"]["fields"]["key"]
                        object_store._s3().put_object(Bucket=object_store.roster_bucket(), Key=key, Body=body)
                        job.handler({"Records": [{"s3": {"object": {"key": key}}}]})
                        report = call("GET", f"/organizations/{org_id}/learners/uploads/"
                                      f"{started['import_id']}", staff)
                        return report["result"]
                    return go
                return run

            cases = [
                (f"CSV, {pupils:,} pupils, `POST …/learners/import`", small_csv, posted(small_csv, "text/csv")),
                (f"same CSV again ({pupils:,} unchanged)", small_csv, posted(small_csv, "text/csv", again=True)),
                (f"SIECLE XML zipped, {pupils:,} pupils, `POST …/learners/import`",
                 for_school(xml, "0750001A", zipped=True), posted(xml, "application/zip")),
                (f"SIECLE XML, {pupils:,} pupils, upload path (S3 + `import_roster` job)", xml, uploaded(xml)),
                (f"CSV, {big:,} rows, `POST …/learners/import`", big_csv, posted(big_csv, "text/csv")),
            ]
            rows = []
            for label, raw, prepare in cases:
                action = prepare(*new_school())
                started = time.perf_counter()
                result = action()
                seconds = time.perf_counter() - started
                action = prepare(*new_school())
                meter = ddb_meter.install(ddb_meter.Meter(), peek=True)
                tracemalloc.start()
                metered_result = action()
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                ddb_meter.uninstall()
                calls = meter.calls
                assert result == metered_result, (result, metered_result)
                done = result.get("created", 0) + result.get("updated", 0) + result.get("unchanged", 0)
                print("ROW", label, f"{seconds:.1f}s", result, file=sys.stderr, flush=True)
                writes = [c for c in calls if c.wcu]
                rows.append(f"| {label} | {len(raw) / 1024:,.0f} KB | {result.get('created', 0):,} created, "
                            f"{result.get('unchanged', 0):,} unchanged (of {done:,}) | {seconds:.1f} s "
                            f"| {len(calls):,} ({len(writes):,} writing) | {sum(c.wcu for c in calls):,.0f} "
                            f"| {sum(c.rcu for c in calls):,.1f} | {peak / 1e6:.1f} MB |")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\n".join([
        "| file and path | size | outcome | time on moto | DynamoDB calls | write units | read units "
        "| peak Python memory (with moto's) |",
        "|---|---|---|---|---|---|---|---|", *rows, "",
        f"Process peak RSS at the end (interpreter, moto's tables, every case): {rss:.0f} MB."])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--participants", type=int, default=6000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--siecle-xml", type=int, default=0,
                        help="only bench a SIECLE XML of this many pupils (upload path) and print it")
    parser.add_argument("--real-path", action="store_true",
                        help="only bench the school's own calls on moto (see 4. above) and print them")
    parser.add_argument("--pupils", type=int, default=1000)
    parser.add_argument("--big", type=int, default=6000)
    args = parser.parse_args()
    if args.real_path:
        for key, value in (("AWS_DEFAULT_REGION", "eu-west-3"), ("AWS_ACCESS_KEY_ID", "testing"),
                           ("AWS_SECRET_ACCESS_KEY", "testing")):
            os.environ.setdefault(key, value)
        os.environ.pop("DYNAMODB_ENDPOINT", None)
        print(bench_real_path(args.pupils, args.big))
        return
    if args.siecle_xml:
        print(bench_siecle_xml(args.siecle_xml))
        return
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(key, "testing")
    os.environ.pop("DYNAMODB_ENDPOINT", None)

    raw = school_file(args.lines)
    size = len(raw)
    pure = bench_pure(raw)
    mem = bench_service_in_memory(raw)
    moto = bench_moto(raw, args.participants)
    def num(n: float) -> str:
        return f"{n:,.0f}".replace(",", "\u202f")

    def kb(n: float) -> str:
        return f"{num(n / 1024)} KB"

    page_times = [t for t, _ in moto["pages"]]
    page_sizes = [b for _, b in moto["pages"]]
    per_learner = mem["first"][2] / args.lines
    lines = [
        "# Roster import and results export: measured",
        "",
        f"`scripts/bench_roster.py`, {dt.date.today().isoformat()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores ({platform.machine()}), shared with other work (times are the best "
        "of 3 runs). Memory is the peak of Python allocations (tracemalloc) during the call, measured "
        "on a separate run; the Lambda's own baseline (interpreter, libraries, item bank) comes on top.",
        "",
        f"## Roster: {num(args.lines)} lines",
        "",
        f"File: {kb(size)} (UTF-8 with BOM, `;`, CRLF, the 10 fields of the national pupil base). "
        f"The HTTP body cap is 1 MB (`MAX_BODY_BYTES`): a {num(args.lines)}-line file uses "
        f"{100 * size / 1048576:.0f}% of it (about {num(args.lines * 1048576 / size)} lines fit).",
        "",
        "| step | time | peak memory | peak / file size |",
        "|---|---|---|---|",
        f"| read + validate every line (`stream_rows` + `roster.check_lines`) | "
        f"{pure['seconds'] * 1000:.0f} ms | {kb(pure['peak'])} | {pure['peak'] / size:.1f}× |",
        f"| whole import, store in memory: first import ({num(mem['first'][0]['created'])} created) "
        f"| {mem['first'][1] * 1000:.0f} ms | {kb(mem['first'][2])} | {mem['first'][2] / size:.1f}× |",
        f"| whole import, store in memory: same file again ({num(mem['again'][0]['unchanged'])} "
        f"unchanged, 0 writes) | {mem['again'][1] * 1000:.0f} ms | {kb(mem['again'][2])} | "
        f"{mem['again'][2] / size:.1f}× |",
        f"| whole import against moto (in-process DynamoDB), first import | {moto['first'][1]:.1f} s "
        "| | |",
        f"| whole import against moto, same file again | {moto['again'][1]:.1f} s | | |",
        "",
        "What the memory is: the learners themselves as Python objects (about "
        f"{num(per_learner)} bytes per learner: a slotted dataclass and its 3-4 unique strings; "
        "values many lines share, such as division, MEF code or birth date, are kept once), "
        "plus the stored roster, also as plain learners, when re-importing. Never a copy of the "
        "file: the bytes are checked for UTF-8 in 64 KB chunks and `csv.reader` reads a "
        "`TextIOWrapper` over them line by line; learners are dropped as soon as a line is "
        "wrong (an invalid file writes nothing, so only the errors are kept, at most 200); "
        "records to write are built 25 at a time for `BatchWriteItem`. The ratio to the file "
        "size is of the order the reference platform reported for its SIECLE XML import (~10×, "
        "which crashed on large files); here it is the price of Python objects per learner, "
        "it grows linearly, and the 1 MB body cap bounds it to about "
        f"{num(mem['again'][2] / size)} MB: nothing near a Lambda's 512-1,024 MB.",
        "",
        "On AWS a first import of 5,000 learners is 200 `BatchWriteItem` calls of 25 items "
        "(about 10-25 ms each from Lambda: 2-5 s), all in the organisation's partition; at the "
        "1,000 WCU/s partition ceiling the writes need at least 5 s (PynamoDB retries "
        "unprocessed items): well inside one 28 s invocation. A re-import writes only the "
        "changed learners (usually a few dozen) and reads the roster with one Query (about "
        "2 MB, 2-3 pages of 1 MB, ~100 ms). moto's times are no guide to AWS: its Query scans "
        "and copies the whole table at each page (cProfile: 95% of the re-import is inside "
        "moto), which is also why the HTTP tests use files of a few lines and these figures "
        "come from this script.",
        "",
        f"## Campaign export: {num(args.participants)} shared results",
        "",
        f"Pages of 1,000 rows through `services.campaigns.results_csv` against moto: "
        f"{len(page_times)} pages, {min(page_times) * 1000:.0f}-{max(page_times) * 1000:.0f} ms "
        f"each, {kb(min(page_sizes))}-{kb(max(page_sizes))} each (16 competences × 2 columns); "
        f"{kb(sum(page_sizes))} in all. The pages concatenated parse as one CSV file "
        f"({num(args.participants)} rows + header, every participant once). Of a page, turning "
        f"1,000 stored results into CSV takes {moto['render'] * 1000:.0f} ms; the rest is the "
        "Query and PynamoDB's deserialisation.",
        "",
        "Each page is one Query on the campaign's `RESULT#` prefix (snapshots frozen at share), "
        "so a page costs the same at any campaign size: far from API Gateway's 29 s and "
        "Lambda's 6 MB response limit. moto scans its whole table at each Query (here "
        f"{num(args.lines + args.participants)} items), so these times are an upper bound.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
