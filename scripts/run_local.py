"""`make run`: the whole platform on this machine, in one process group.

Starts moto's server as the embedded DynamoDB, creates the tables, serves the
API with `chalice local` on 127.0.0.1:8000 and fires the scheduled job(s) on a
timer (chalice local never runs schedules). Ctrl-C stops everything.
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--dynamodb-port", type=int,
                        default=int(os.environ.get("DYNAMODB_PORT", "8766")))
    parser.add_argument("--job-interval", type=float,
                        default=float(os.environ.get("JOB_INTERVAL", "30")))
    args = parser.parse_args()

    for noisy in ("werkzeug", "moto", "botocore"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    from moto.server import ThreadedMotoServer

    db = ThreadedMotoServer(ip_address="127.0.0.1", port=args.dynamodb_port, verbose=False)
    db.start()
    endpoint = f"http://127.0.0.1:{args.dynamodb_port}"
    os.environ.update({
        "DYNAMODB_ENDPOINT": endpoint,
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-3"),
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
        "JWT_SECRET": os.environ.get("JWT_SECRET") or secrets.token_urlsafe(48),
        "TABLE_PREFIX": "pix-local",
    })
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server

    factory = CLIFactory(str(ROOT))
    config = factory.create_config_obj("local")
    for key, value in config.environment_variables.items():
        os.environ.setdefault(key, value)

    from chalicelib.store.tables import create_tables

    create_tables()
    app = factory.load_chalice_app()
    from chalicelib.bank.loader import get_bank

    bank = get_bank()
    stop = threading.Event()
    timer = threading.Thread(target=_run_schedules, args=(app, args.job_interval, stop), daemon=True)
    timer.start()

    server = create_local_server(app, config, args.host, args.port)
    print(f"Embedded DynamoDB (moto) : {endpoint}", flush=True)
    print(f"Item bank               : version {bank.version}, {len(bank.served_items())} items", flush=True)
    print(f"API                     : http://{args.host}:{args.port}  (try /health, /openapi.json)", flush=True)
    print(f"Scheduled jobs          : {', '.join(_schedules(app)) or 'none'} every {args.job_interval:g} s", flush=True)
    print("Ctrl-C stops everything.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server.shutdown() if hasattr(server, "server") else None
        db.stop()
        print("Stopped.", flush=True)
    return 0


def _schedules(app) -> list[str]:
    from chalice.app import EventSourceHandler  # noqa: F401

    return [s.name for s in getattr(app, "event_sources", []) if type(s).__name__ == "CloudWatchEventConfig"]


def _scheduled_event() -> dict:
    import datetime as dt
    import uuid

    return {"version": "0", "account": "000000000000", "region": os.environ["AWS_DEFAULT_REGION"],
            "detail": {}, "detail-type": "Scheduled Event", "source": "aws.events",
            "time": dt.datetime.now(dt.timezone.utc).isoformat(), "id": str(uuid.uuid4()),
            "resources": []}


def _run_schedules(app, interval: float, stop: threading.Event) -> None:
    log = logging.getLogger("pix.scheduler")
    while not stop.wait(interval):
        for name in _schedules(app):
            try:
                app.handler_map[name](_scheduled_event(), None)
            except Exception:  # keep the timer alive; the job is resumable
                log.exception("scheduled job %s failed", name)


if __name__ == "__main__":
    raise SystemExit(main())
