"""The local stack for the browser tests, in its own process.

    python -m tests.browser.stack --port P --dynamodb-port D

Started by the `stack` fixture (conftest.py) with the pieces of
`scripts/run_local.py` (moto's server as DynamoDB, `chalice local`). It runs in
a child process because PynamoDB binds its models to an endpoint at import
time, and the test process already bound them to in-process moto.

It prints READY when it serves, then reads one command per line on stdin and
answers one JSON line on stdout, for what a test needs inside the stack:

    seed <user_id> <code> [<code> ...]   completed positioning (tests/api/answers.make_certifiable)
    job                                  run the certificate issuance job once
    mail <address>                       the last e-mail sent to that address (dev mailer),
                                         after draining the mail queue into its consumer
    serve <user_id> <code> <item_id>     make <item_id> the current, not yet started, item of that
                                         positioning test (a timed item behind its warning)

End of stdin stops everything.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dynamodb-port", type=int, required=True)
    args = parser.parse_args()
    # answers go to the original stdout; everything else printed (logs) to stderr,
    # which the fixture sends to a file, so a full pipe can never block the server
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.path.insert(0, str(ROOT / "scripts"))
    sys.path.insert(0, str(ROOT))
    import run_local

    db = run_local.start_dynamodb(args.dynamodb_port)
    run_local.configure_environment(f"http://127.0.0.1:{args.dynamodb_port}",
                                    jwt_secret=os.environ.get("JWT_SECRET"))
    os.environ["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{args.port}"
    os.environ["MAILER"] = "log"
    app, config = run_local.load_app()
    _STACK["app"] = app
    from chalicelib.bank.loader import get_bank

    get_bank()
    server = run_local.create_server(app, config, "127.0.0.1", args.port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("READY", file=answers, flush=True)
    try:
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(_command(line.split()), default=_plain), file=answers, flush=True)
    finally:
        server.server.shutdown() if hasattr(server, "server") else None
        db.stop()
    return 0


_STACK: dict = {}


def _plain(value):
    return sorted(value) if isinstance(value, (set, frozenset)) else str(value)


def _command(words: list[str]) -> dict:
    try:
        if words[0] == "seed":
            from tests.api.answers import make_certifiable

            make_certifiable(words[1], tuple(words[2:]))
            return {"ok": True}
        if words[0] == "job":
            from chalicelib.jobs import issue_certificates

            return {"ok": True, **issue_certificates.run().as_dict()}
        if words[0] == "serve":
            from chalicelib.store.assessments import PositioningRecord

            rec = PositioningRecord.get(f"USER#{words[1]}", f"COMP#{words[2]}")
            rec.update(actions=[PositioningRecord.current_item_id.set(words[3]),
                                PositioningRecord.served_at.remove()])
            return {"ok": True}
        if words[0] == "mail":
            import run_local

            from chalicelib.services import mailer

            run_local.drain_queues(_STACK["app"])
            sent = [m for m in mailer.outbox() if m.to == words[1]]
            return {"ok": bool(sent), "body": sent[-1].body if sent else None}
        return {"ok": False, "error": f"unknown command {words[0]}"}
    except Exception as err:  # the test reads it and fails with the reason
        return {"ok": False, "error": f"{type(err).__name__}: {err}"}


if __name__ == "__main__":
    raise SystemExit(main())
