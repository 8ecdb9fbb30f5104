"""`make run`: the whole platform on this machine, in one process group.

Starts moto's server as the embedded DynamoDB, SQS and S3, creates the tables,
the mail queue and the answer export's bucket, serves the API with `chalice local` on 127.0.0.1:8000, fires
the scheduled job(s) on a timer and drains the mail queue into its consumer
every second (chalice local runs neither schedules nor SQS event sources).
Ctrl-C stops everything.

The pieces (`start_dynamodb`, `configure_environment`, `load_app`,
`create_server`, `start_schedules`) are importable: `scripts/load.py` starts
the same stack with them.
"""
from __future__ import annotations

import argparse
import gzip
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
    parser.add_argument("--queue-interval", type=float,
                        default=float(os.environ.get("QUEUE_INTERVAL", "1")))
    args = parser.parse_args()

    db = start_dynamodb(args.dynamodb_port)
    endpoint = f"http://127.0.0.1:{args.dynamodb_port}"
    # every URL the stack writes (credentials, key ids, the PDF's QR code) names the port it serves on
    os.environ.setdefault("PUBLIC_BASE_URL", f"http://{args.host}:{args.port}")
    kept = local_secrets(Path(os.environ.get("LOCAL_STATE_DIR") or ROOT / ".local"))
    os.environ.setdefault("BADGE_PRIVATE_KEY", kept["badge_private_key"])
    configure_environment(endpoint, jwt_secret=kept["jwt_secret"])
    app, config = load_app()
    from chalicelib.bank.loader import get_bank

    bank = get_bank()
    stop = start_schedules(app, args.job_interval)
    start_queue_consumers(app, args.queue_interval, stop)

    server = create_server(app, config, args.host, args.port)
    print(f"Embedded DynamoDB (moto) : {endpoint}", flush=True)
    print(f"Item bank               : version {bank.version}, {len(bank.served_items())} items", flush=True)
    print(f"API                     : http://{args.host}:{args.port}  (try /health, /openapi.json)", flush=True)
    print(f"Scheduled jobs          : {', '.join(_schedules(app)) or 'none'} every {args.job_interval:g} s", flush=True)
    print(f"Public URLs             : {os.environ['PUBLIC_BASE_URL']} (PUBLIC_BASE_URL)", flush=True)
    print(f"Platform admin          : DYNAMODB_ENDPOINT={endpoint} .venv/bin/python scripts/create_admin.py "
          "--email you@example.org --first-name Ada --last-name Lovelace --birth-date 1990-01-01", flush=True)
    print(f"Queue consumers         : {', '.join(_consumers(app)) or 'none'} every {args.queue_interval:g} s (moto SQS)", flush=True)
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


# --- the pieces ------------------------------------------------------------------------


def silence_servers() -> None:
    for noisy in ("werkzeug", "moto", "botocore"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def start_dynamodb(port: int, host: str = "127.0.0.1"):
    """moto's server as the embedded DynamoDB, started in this process (threads)."""
    silence_servers()
    from moto.server import ThreadedMotoServer

    db = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    db.start()
    return db


def local_secrets(folder: Path) -> dict:
    """The local stage's JWT secret and badge signing key, kept in an ignored folder
    (`.local/secrets.json`) so that a restart of `make run` neither signs everybody out
    nor makes yesterday's credentials stop verifying. Created on first use."""
    import base64
    import json

    path = folder / "secrets.json"
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept.get("jwt_secret") and kept.get("badge_private_key"):
            return kept
    except (OSError, ValueError):
        pass
    kept = {"jwt_secret": secrets.token_urlsafe(48),
            "badge_private_key": base64.b64encode(secrets.token_bytes(32)).decode()}
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kept), encoding="utf-8")
    path.chmod(0o600)
    return kept


def configure_environment(dynamodb_endpoint: str | None, *, jwt_secret: str | None = None) -> None:
    """The environment of the `local` stage, set before anything reads settings.
    `dynamodb_endpoint` None: PynamoDB's default endpoint (moto's in-process mock)."""
    if dynamodb_endpoint is None:
        os.environ.pop("DYNAMODB_ENDPOINT", None)
    else:
        os.environ["DYNAMODB_ENDPOINT"] = dynamodb_endpoint
    os.environ.update({
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-3"),
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
        "JWT_SECRET": jwt_secret or os.environ.get("JWT_SECRET") or secrets.token_urlsafe(48),
        "TABLE_PREFIX": "pix-local",
    })
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)


def load_app():
    """(app, chalice config of the `local` stage), tables created."""
    silence_servers()
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(str(ROOT))
    config = factory.create_config_obj("local")
    for key, value in config.environment_variables.items():
        os.environ.setdefault(key, value)

    from chalicelib.services.mail_queue import create_queues
    from chalicelib.store.tables import create_tables

    from chalicelib.store.object_store import create_bucket

    create_tables()
    create_queues()
    create_bucket()
    return factory.load_chalice_app(), config


# What API Gateway compresses when the client accepts it (text, JSON, scripts,
# SVG); PDFs, PNGs and zips are compressed already.
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/ld+json",
                "application/xml", "image/svg+xml")


def compressed(body: bytes, content_type: str, accept_encoding: str, headers: dict,
               min_size: int | None) -> bytes:
    """The body as API Gateway would send it with `MinimumCompressionSize`
    = `min_size` (config.json's `minimum_compression_size`): gzip when the
    client accepts it, the body is at least `min_size` bytes and of a text
    type, and nothing encoded it already; `headers` gains Content-Encoding and
    Vary then. None (no setting): never, as API Gateway."""
    accepted = {part.split(";")[0].strip().lower() for part in accept_encoding.split(",")}
    kind = content_type.split(";")[0].strip().lower()
    if (min_size is None or len(body) < min_size or "gzip" not in accepted
            or not kind.startswith(COMPRESSIBLE)
            or any(k.lower() == "content-encoding" for k in headers)):
        return body
    headers["Content-Encoding"] = "gzip"
    vary = next((k for k in headers if k.lower() == "vary"), None)
    headers[vary or "Vary"] = f"{headers[vary]}, Accept-Encoding" if vary else "Accept-Encoding"
    return gzip.compress(body, compresslevel=6)


def compressing_handler(base_cls):
    """`base_cls` (chalice local's request handler) answering compressed like
    the deployed API: the local stack and the browser bench see the same bytes
    on the wire as a learner's browser does behind API Gateway."""

    class CompressingRequestHandler(base_cls):
        def __init__(self, request, client_address, server, app_object, config):
            self._min_compression = config.minimum_compression_size
            super().__init__(request, client_address, server, app_object, config)

        def _send_http_response_with_body(self, code, headers, body):
            raw = body if isinstance(body, bytes) else body.encode("utf-8")
            body = compressed(raw, headers.get("Content-Type", "application/json"),
                              self.headers.get("Accept-Encoding", ""), headers, self._min_compression)
            super()._send_http_response_with_body(code, headers, body)

    return CompressingRequestHandler


def create_server(app, config, host: str, port: int, *, handler_cls=None, server_cls=None):
    """`chalice local`'s server, answering compressed as API Gateway does;
    `handler_cls`/`server_cls` let a caller adjust it (the load runner: source
    IP per simulated school, larger backlog)."""
    from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer, \
        ThreadedHTTPServer

    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, host, port,
                          handler_cls=compressing_handler(handler_cls or ChaliceRequestHandler),
                          server_cls=server_cls or ThreadedHTTPServer)


def start_schedules(app, interval: float) -> threading.Event:
    """Fire every `@app.schedule` function every `interval` seconds from a
    daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    timer = threading.Thread(target=_run_schedules, args=(app, interval, stop), daemon=True)
    timer.start()
    return stop


def _schedules(app) -> list[str]:
    # chalice 1.34 records `@app.schedule` as ScheduledEventConfig (older: CloudWatchEventConfig)
    kinds = ("ScheduledEventConfig", "CloudWatchEventConfig")
    return [s.name for s in getattr(app, "event_sources", []) if type(s).__name__ in kinds]


def _scheduled_event() -> dict:
    import datetime as dt
    import uuid

    return {"version": "0", "account": "000000000000", "region": os.environ["AWS_DEFAULT_REGION"],
            "detail": {}, "detail-type": "Scheduled Event", "source": "aws.events",
            "time": dt.datetime.now(dt.timezone.utc).isoformat(), "id": str(uuid.uuid4()),
            "resources": []}


def run_schedules_once(app) -> None:
    log = logging.getLogger("pix.scheduler")
    for name in _schedules(app):
        try:
            app.handler_map[name](_scheduled_event(), None)
        except Exception:  # keep the timer alive; the job is resumable
            log.exception("scheduled job %s failed", name)


def _run_schedules(app, interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        run_schedules_once(app)


def _consumers(app) -> list[str]:
    return [s.name for s in getattr(app, "event_sources", []) if type(s).__name__ == "SQSEventConfig"]


def drain_queues(app, *, visibility_timeout: int | None = None) -> int:
    """Hand every waiting message of the mail queue to its consumer, one per
    invocation as Lambda's event source mapping does (batch size 1): deleted
    when the consumer returns, left for redelivery when it raises (moto
    moves it to the dead-letter queue after its maxReceiveCount). Returns
    the number of messages delivered. `visibility_timeout` 0 lets a test see
    a failed message again at once."""
    from chalicelib.services import mail_queue

    log = logging.getLogger("pix.queues")
    delivered = 0
    for name in _consumers(app):
        while True:
            records = mail_queue.receive(visibility_timeout=visibility_timeout)
            if not records:
                break
            failed = 0
            for record in records:
                try:
                    app.handler_map[name]({"Records": [record]}, None)
                except Exception:  # noqa: BLE001 - SQS retries it; keep draining the others
                    log.exception("queue consumer %s failed", name)
                    failed += 1
                    continue
                mail_queue.delete(record)
                delivered += 1
            if failed == len(records) and visibility_timeout != 0:
                break  # only failures left: they come back after their visibility timeout
    return delivered


def start_queue_consumers(app, interval: float, stop: threading.Event) -> None:
    """Drain the queues every `interval` seconds from a daemon thread until `stop` is set."""
    def loop() -> None:
        while not stop.wait(interval):
            try:
                drain_queues(app)
            except Exception:  # noqa: BLE001 - moto stopping at Ctrl-C; the next tick retries
                logging.getLogger("pix.queues").exception("draining the queues failed")

    threading.Thread(target=loop, daemon=True).start()


if __name__ == "__main__":
    raise SystemExit(main())
