"""Page weight and time to usable content on a 3G profile (issue 20).

The local stack (moto's server as DynamoDB, `chalice local`) is served twice
from one process: as API Gateway sends it with `minimum_compression_size`
(gzip, scripts/run_local.py `compressed`), and as before that setting (plain
bytes). Debian's Chromium loads each page in a fresh context (empty cache)
under Chrome DevTools' "Fast 3G" profile (562.5 ms round trip, 180,000 B/s
down, 84,375 B/s up) and reports:

- bytes on the wire (`encodedDataLength` of every response, headers
  included) and the number of requests;
- time to usable content: from the navigation start until the element a
  person uses is on screen (the form, the profile map filled from the API,
  the question or its warning), API calls included.

The median of `--runs` loads per page and server, the two servers in turn.
Timings include the server's own time, so they are only comparable on an
idle machine; bytes do not depend on it. A measure, not a test:
run it by hand (`make bench` does not), write the table into
docs/benchmarks.md.

    .venv/bin/python scripts/bench_pages.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import threading
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.pop("DYNAMODB_ENDPOINT", None)
os.environ.setdefault("JWT_SECRET", "bench-secret-not-for-production-0123456789abcdef")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}
# (name, path, signed in, selector of the usable content)
PAGES = [
    ("accueil", "/", False, "main h1"),
    ("connexion", "/connexion", False, "main form button[type=submit]"),
    ("inscription", "/inscription", False, "main form button[type=submit]"),
    ("profil", "/profil", True, ".map-row"),
    ("positionnement", "/positionnement?competence=1.1", True, "form.question, [data-warning]"),
    ("vérification", "/verification", False, "main form button[type=submit]"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_servers():
    """Two servers over one app and one moto: compressed, and plain."""
    import run_local
    from chalice.local import ChaliceRequestHandler, LocalDevServer

    db_port = _free_port()
    db = run_local.start_dynamodb(db_port)
    run_local.configure_environment(f"http://127.0.0.1:{db_port}", jwt_secret=os.environ["JWT_SECRET"])
    os.environ["MAILER"] = "log"
    app, config = run_local.load_app()
    from chalicelib.bank.loader import get_bank

    get_bank()
    ports = {"gzip": _free_port(), "plain": _free_port()}
    os.environ["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{ports['gzip']}"
    servers = {"gzip": run_local.create_server(app, config, "127.0.0.1", ports["gzip"])}
    # the app is already chalice local's class: the second server only wraps it
    servers["plain"] = LocalDevServer(app, config, "127.0.0.1", ports["plain"], handler_cls=ChaliceRequestHandler)
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return {k: f"http://127.0.0.1:{p}" for k, p in ports.items()}, db


def learner(base: str) -> dict:
    """A registered, signed-in learner (what the sign-in page keeps in sessionStorage)."""
    def post(path, body):
        request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as r:
            return json.loads(r.read())

    user = post("/users", {"first_name": "Camille", "last_name": "Martin", "email": "banc@example.org",
                           "birth_date": "2000-03-15", "password": "Bonjour2026", "accepted_terms": True})
    tokens = post("/auth/token", {"login": "banc@example.org", "password": "Bonjour2026"})
    return {"access": tokens["access_token"], "refresh": None, "userId": tokens["user_id"]}


def load(browser, base: str, path: str, session: dict | None, ready: str) -> dict:
    context = browser.new_context(base_url=base, locale="fr-FR", viewport={"width": 1280, "height": 800})
    if session:
        context.add_init_script(f"sessionStorage.setItem('auth.user', {json.dumps(json.dumps(session))})")
    page = context.new_page()
    page.on("pageerror", lambda e: print(f"{path}: {e}", file=sys.stderr))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", FAST_3G)
    wire = {"bytes": 0, "requests": 0, "pending": set()}

    def finished(event):
        wire["bytes"] += event["encodedDataLength"]
        wire["requests"] += 1
        wire["pending"].discard(event["requestId"])

    cdp.on("Network.requestWillBeSent", lambda e: wire["pending"].add(e["requestId"]))
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", lambda e: wire["pending"].discard(e["requestId"]))
    page.goto(path, wait_until="commit", timeout=120_000)
    page.wait_for_selector(ready, state="visible", timeout=120_000)
    usable = page.evaluate("performance.now()")
    for _ in range(300):  # then every request the page made, counted once finished
        if not wire["pending"]:
            break
        page.wait_for_timeout(100)
    context.close()
    return {"bytes": wire["bytes"], "requests": wire["requests"], "usable_ms": usable}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", nargs="*", help="only these pages (names of PAGES)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    bases, db = start_servers()
    session = learner(bases["gzip"])
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for name, path, signed, ready in [p for p in PAGES if not args.pages or p[0] in args.pages]:
            row = {"page": name}
            runs = {"plain": [], "gzip": []}
            for _ in range(args.runs):  # interleaved: a change of load on the machine hits both alike
                for kind in runs:
                    runs[kind].append(load(browser, bases[kind], path, session if signed else None, ready))
            for kind, measured in runs.items():
                row[kind] = {k: statistics.median(r[k] for r in measured) for k in ("bytes", "requests", "usable_ms")}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        browser.close()
    db.stop()
    print(f"Fast 3G (562.5 ms RTT, 180,000 B/s down), Chromium, cold cache, median of {args.runs} loads\n")
    print("| page | requests | bytes on the wire, plain | gzip | usable after, plain | gzip |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['page']} | {r['gzip']['requests']:.0f} | {r['plain']['bytes'] / 1000:.1f} kB "
              f"| {r['gzip']['bytes'] / 1000:.1f} kB | {r['plain']['usable_ms']:.0f} ms | {r['gzip']['usable_ms']:.0f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
