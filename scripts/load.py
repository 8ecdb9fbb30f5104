"""`make load`: an exam week on this machine, then a check of every record.

Starts the real local stack with the pieces of `scripts/run_local.py`: moto's
server as DynamoDB in one process and `chalice local` in `--api-processes`
others (like Lambda instances; the scheduled job's timer runs in the first),
then plays N simulated candidates concurrently through the HTTP API, only to
127.0.0.1:

- accounts: candidates sign in (POST /auth/token) with accounts seeded in the
  store (one argon2 hash shared by all, so seeding is cheap), a share of them
  registers first (POST /users); `--accounts-share` lowers the share using the
  accounts routes at all, the others get access tokens minted with the run's
  JWT_SECRET (the secret this runner gives the stack);
- a certifiable profile is seeded in the store for each candidate (as
  tests/api/answers.py does); centres and sessions are created over HTTP with
  minted admin and centre-member tokens, candidates enrolled by CSV import;
- each session is a school class behind one address (the API sees the
  school's IP through a header only this runner's server honours, since
  chalice local reports 127.0.0.1 for everybody: per-address limits apply per
  school, as in production), with an invigilator polling the live view and
  authorising (again after a resume), a few clicks at a time;
- each candidate joins (access code + name + birth date; some mistype their
  name first), waits for the invigilator, then answers the items served, right
  with the 2PL probability of the item's calibration (a, b) at its own ability
  θ ~ N(0.5, 1.5²), with school-network behaviour: lost responses then the same
  answer sent again, double clicks (two concurrent identical answers), reloads,
  abandoned and resumed tests (rejoin, the invigilator re-authorises),
  candidates leaving for good (the invigilator ends their test), absentees,
  slow clients (think times, trickled request bodies);
- each centre finalises its session when its class is done; the job (timer in
  the stack, plus one overlapping run from this process) issues certificates;
  candidates read theirs and an employer verifies each code.

Then every candidate's stored record is checked against what was sent: no
answer lost, none counted twice, none invented, every finished test scored
(the score recomputed from the stored answers), every certificate issued
exactly once (one verification code each), none for absentees. Prints a table
(candidates, requests, errors by status, p50/p95/p99 per route, server time,
consistency); `--json` writes everything, including the write pattern per
partition key and second that `scripts/bench.py` turns into the hot-partition
analysis. moto is patched in the stack for per-item atomic writes and
item-level transaction rollback (scripts/moto_fidelity.py: without it moto
itself loses writes under concurrency).

`--dynamodb in-process` runs moto inside a single API process (called without
HTTP: ~1/4 of the CPU per DynamoDB call; still served on a port for this
driver): the CI test (tests/load/test_load_consistency.py) uses it, with most
candidates leaving after a few answers (`--full-share`).

Bounded: `--candidates` (default 1000) and `--duration` (seconds for the
candidates' part; after it the invigilators end the remaining tests, the
centres finalise, and the run waits at most `--grace` seconds for the job);
the server processes stop by themselves even if this one dies. Exit status 0
only when the records are consistent.

    .venv/bin/python scripts/load.py [--candidates 1000] [--duration 2100] [--json out/load.json]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import platform
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
PASSWORD = "Secret123"


# =============================================================================================
# The stack (child processes)
# =============================================================================================


def _wait_for_stop(max_seconds: float) -> None:
    """Until the parent closes our stdin (or says STOP), or the time bound."""
    done = threading.Event()

    def reader():
        try:
            for line in sys.stdin:
                if line.strip() == "STOP":
                    break
        finally:
            done.set()

    threading.Thread(target=reader, daemon=True).start()
    done.wait(max_seconds)


def serve_dynamodb(port: int, max_seconds: float) -> int:
    import moto_fidelity
    import run_local

    moto_fidelity.apply()  # per-item atomic writes, item-level transaction rollback
    run_local.silence_servers()
    db = moto_fidelity.KeepAliveMotoServer(HOST, port)  # moto's app, connections kept open
    db.start()
    print("READY", flush=True)
    _wait_for_stop(max_seconds)
    db.stop()
    return 0


class _Recorder:
    """Per request: route, status, wall time, CPU time, DynamoDB time and calls;
    per DynamoDB call: the partition keys read and written, per second."""

    def __init__(self, t0: float) -> None:
        self.lock = threading.Lock()
        self.local = threading.local()
        self.requests: list[tuple] = []
        self.writes_key_second: dict[tuple[int, str], list] = defaultdict(lambda: [0, 0.0])
        self.writes_second: dict[int, list] = defaultdict(lambda: [0, 0.0])
        self.reads_key_second: dict[tuple[int, str], float] = defaultdict(float)
        self.key_writers: dict[str, set] = defaultdict(set)
        self.key_totals: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])  # writes, wcu, rcu
        self.t0 = t0
        self.ddb_calls: Counter = Counter()
        self.ddb_failed: Counter = Counter()
        self.key_ops: Counter = Counter()  # (key prefix, operation, failed) -> writes

    def on_call(self, call) -> None:
        acc = getattr(self.local, "acc", None)
        if acc is not None:
            acc[0] += 1
            acc[1] += call.seconds
        sec = int(call.at - self.t0)
        actor = call.tag or "job"
        with self.lock:
            self.ddb_calls[call.op] += 1
            if call.failed:
                self.ddb_failed[call.op] += 1
            for pk in call.written:
                self.key_ops[(pk.split("#", 1)[0], call.op, call.failed)] += 1
            if call.written:
                # table units on the item's partition, index units on the index's partition
                share = (call.wcu - call.gsi_wcu) / len(call.written)
                for pk, units in [(pk, share) for pk in call.written] + list(call.index_written):
                    ks = self.writes_key_second[(sec, pk)]
                    ks[0] += 1
                    ks[1] += units
                    tot = self.key_totals[pk]
                    tot[0] += 1
                    tot[1] += units
                    if actor.startswith("cand:"):
                        self.key_writers[pk].add(actor)
                s = self.writes_second[sec]
                s[0] += len(call.written) + len(call.index_written)
                s[1] += call.wcu
            for pk, rcu in call.read_keys:
                self.reads_key_second[(sec, pk)] += rcu
                self.key_totals[pk][2] += rcu

    def dump(self) -> dict:
        """Raw aggregates; the parent merges those of every API process (`summarise`)."""
        return {"requests": self.requests,
                "wks": [[sec, pk, n, wcu] for (sec, pk), (n, wcu) in self.writes_key_second.items()],
                "ws": [[sec, n, wcu] for sec, (n, wcu) in self.writes_second.items()],
                "rks": [[sec, pk, rcu] for (sec, pk), rcu in self.reads_key_second.items()],
                "writers": {pk: sorted(a) for pk, a in self.key_writers.items()},
                "totals": self.key_totals, "ddb_calls": dict(self.ddb_calls),
                "ddb_failed": dict(self.ddb_failed),
                "key_ops": [[k, op, failed, n] for (k, op, failed), n in self.key_ops.items()]}


def summarise(dumps: list[dict]) -> dict:
    """Merge the API processes' raw aggregates into the write pattern per key and second."""
    wks: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    ws: dict[int, list] = defaultdict(lambda: [0, 0.0])
    rks: dict[tuple, float] = defaultdict(float)
    writers: dict[str, set] = defaultdict(set)
    totals: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])
    out: dict = {"requests": [], "ddb_calls": Counter(), "ddb_failed": Counter()}
    key_ops: Counter = Counter()
    for d in dumps:
        for k, op, failed, n in d.get("key_ops", []):
            key_ops[(k, op, failed)] += n
        out["requests"] += d["requests"]
        out["ddb_calls"].update(d["ddb_calls"])
        out["ddb_failed"].update(d["ddb_failed"])
        for sec, pk, n, wcu in d["wks"]:
            wks[(sec, pk)][0] += n
            wks[(sec, pk)][1] += wcu
        for sec, n, wcu in d["ws"]:
            ws[sec][0] += n
            ws[sec][1] += wcu
        for sec, pk, rcu in d["rks"]:
            rks[(sec, pk)] += rcu
        for pk, actors in d["writers"].items():
            writers[pk].update(actors)
        for pk, (n, wcu, rcu) in d["totals"].items():
            t = totals[pk]
            t[0] += n
            t[1] += wcu
            t[2] += rcu
    per_key_max: dict[str, list] = defaultdict(lambda: [0, 0.0])
    by_second_max: dict[int, tuple] = {}
    for (sec, pk), (n, wcu) in wks.items():
        m = per_key_max[pk]
        m[0] = max(m[0], n)
        m[1] = max(m[1], wcu)
        best = by_second_max.get(sec)
        if best is None or n > best[0]:
            by_second_max[sec] = (n, wcu, pk)
    per_key_read_max: dict[str, float] = defaultdict(float)
    for (sec, pk), rcu in rks.items():
        per_key_read_max[pk] = max(per_key_read_max[pk], rcu)
    seconds = []
    for sec, (n, wcu) in sorted(ws.items()):
        top = by_second_max.get(sec, (0, 0.0, ""))
        seconds.append({"second": sec, "writes": n, "wcu": round(wcu, 1), "top_key": top[2],
                        "top_key_writes": top[0], "top_key_wcu": round(top[1], 1)})
    keys = []
    for pk, (n, wcu, rcu) in totals.items():
        keys.append({"key": pk, "writes": n, "wcu": round(wcu, 1), "rcu": round(rcu, 1),
                     "candidates_writing": len(writers.get(pk, ())),
                     "max_writes_per_s": per_key_max[pk][0], "max_wcu_per_s": round(per_key_max[pk][1], 1),
                     "max_rcu_per_s": round(per_key_read_max.get(pk, 0.0), 1)})
    out.update(seconds=seconds, keys=keys, ddb_calls=dict(out["ddb_calls"]),
               ddb_failed=dict(out["ddb_failed"]),
               key_ops=[[k, op, failed, n] for (k, op, failed), n in sorted(key_ops.items())])
    return out


def serve_api(port: int, dynamodb_port: int, job_interval: float, stats_file: str,
              max_seconds: float, embedded: bool = False, t0: float = 0.0) -> int:
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # one JSON line per request is too much here
    # a bigger botocore pool: chalice local runs one thread per connection, while a
    # Lambda instance serves one request at a time (not a change of the app)
    settings_file = Path(stats_file).with_suffix(".pynamodb_settings.py")
    settings_file.write_text("max_pool_connections = 64\n")
    os.environ["PYNAMODB_CONFIG"] = str(settings_file)
    import run_local

    if embedded:
        # moto inside this process: the app calls it in-process (no HTTP hop), and
        # its server on `dynamodb_port` shares the same tables (the driver's access)
        import moto_fidelity

        moto_fidelity.apply()
        db = run_local.start_dynamodb(dynamodb_port)
        run_local.configure_environment(None, jwt_secret=os.environ["JWT_SECRET"])
        from moto import mock_aws

        mock = mock_aws()
        mock.start()
    else:
        _wait_port(dynamodb_port, 60)  # started at the same time by the parent
        run_local.configure_environment(f"http://{HOST}:{dynamodb_port}",
                                        jwt_secret=os.environ["JWT_SECRET"])
    for attempt in range(20):  # several API processes may create the tables at once
        try:
            app, config = run_local.load_app()
            break
        except Exception:  # noqa: BLE001 - "table already exists": the other process won
            if attempt == 19:
                raise
            time.sleep(0.3)
    if not embedded:
        _patient_connections()
    import ddb_meter
    from chalice.local import ChaliceRequestHandler, LambdaEventConverter, LocalGateway, ThreadedHTTPServer
    from http.server import BaseHTTPRequestHandler

    from chalicelib.bank.loader import get_bank

    get_bank()
    meter = ddb_meter.install(ddb_meter.Meter(keep_calls=False), peek=False)
    recorder = _Recorder(t0 or time.time())
    meter.listeners.append(recorder.on_call)

    def timing(event, get_response):
        started, cpu0 = time.perf_counter(), time.thread_time()
        actor = (event.headers or {}).get("x-load-actor")
        meter.set_tag(actor)
        recorder.local.acc = [0, 0.0]
        try:
            response = get_response(event)
        finally:
            acc = recorder.local.acc
            recorder.local.acc = None
            meter.set_tag(None)
        route = (event.context or {}).get("resourcePath", event.path)
        with recorder.lock:
            recorder.requests.append((f"{event.method} {route}", response.status_code,
                                      round((time.perf_counter() - started) * 1000, 2),
                                      round((time.thread_time() - cpu0) * 1000, 2),
                                      round(acc[1] * 1000, 2), acc[0]))
        return response

    app.register_middleware(timing, "http")

    class SourceIpConverter(LambdaEventConverter):
        def create_lambda_event(self, method, path, headers, body=None):
            event = super().create_lambda_event(method, path, headers, body)
            ip = event["headers"].get("x-load-source-ip")
            if ip:
                event["requestContext"]["identity"]["sourceIp"] = ip
            return event

    class SourceIpHandler(ChaliceRequestHandler):
        def __init__(self, request, client_address, server, app_object, config):
            self.local_gateway = LocalGateway(app_object, config)
            self.local_gateway.event_converter.__class__ = SourceIpConverter
            BaseHTTPRequestHandler.__init__(self, request, client_address, server)

        def log_message(self, *args):  # no access log
            pass

    class Server(ThreadedHTTPServer):
        request_queue_size = 2048

    server = run_local.create_server(app, config, HOST, port, handler_cls=SourceIpHandler,
                                     server_cls=Server)
    stop = run_local.start_schedules(app, job_interval) if job_interval > 0 else threading.Event()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    print("READY", flush=True)
    _wait_for_stop(max_seconds)
    stop.set()
    server.shutdown()
    Path(stats_file).write_text(json.dumps(recorder.dump()))
    settings_file.unlink(missing_ok=True)
    if embedded:
        db.stop()
    print("STOPPED", flush=True)
    return 0


def _patient_connections() -> None:
    """A saturated local moto answers in seconds where DynamoDB answers in
    milliseconds: with the app's 5 s read timeout (right for AWS behind a 29 s
    gateway) a load run would measure moto's collapse (timeouts, botocore
    retries, then more load). The load stack's API processes wait up to 60 s."""
    from pynamodb.models import Model

    from chalicelib.store.tables import ALL_TABLES

    for table in ALL_TABLES:
        table.Meta.read_timeout_seconds = 60
        table.Meta.connect_timeout_seconds = 10
    pending = list(Model.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if "_connection" in vars(model):
            model._connection = None


def _wait_port(port: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Stack:
    """The server processes: moto's server (unless in-process) and `api_processes`
    chalice local servers (like Lambda instances; the job's timer runs in the
    first). `stop()` collects the API processes' stats."""

    def __init__(self, job_interval: float, max_seconds: float, workdir: Path,
                 dynamodb: str = "server", api_processes: int = 1) -> None:
        self.dynamodb = dynamodb
        if dynamodb == "in-process":
            api_processes = 1  # moto lives in that one process
        self.db_port = _free_port()
        self.api_ports = [_free_port() for _ in range(api_processes)]
        self.jwt_secret = secrets.token_urlsafe(48)
        self.t0 = time.time()
        self.stats_files = [workdir / f"load-stats-{os.getpid()}-{i}.json" for i in range(api_processes)]
        env = {**os.environ, "JWT_SECRET": self.jwt_secret, "PYTHONUNBUFFERED": "1"}
        env.pop("DYNAMODB_ENDPOINT", None)
        me = [sys.executable, str(Path(__file__).resolve())]
        bound = str(max_seconds)
        self.log_path = workdir / "load-stack.log"
        self.log = open(self.log_path, "w")
        self._next = 0
        self.db = None
        if dynamodb == "server":
            self.db = subprocess.Popen(me + ["--serve-dynamodb", str(self.db_port), "--max-seconds", bound],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                       text=True, env=env)
        self.apis = []
        for i, port in enumerate(self.api_ports):
            self.apis.append(subprocess.Popen(
                me + ["--serve-api", str(port), "--dynamodb-port", str(self.db_port),
                      "--job-interval", str(job_interval if i == 0 else 0), "--stats-file",
                      str(self.stats_files[i]), "--max-seconds", bound, "--t0", repr(self.t0)]
                + (["--embedded-dynamodb"] if dynamodb == "in-process" else []),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True, env=env))

    def next_port(self) -> int:
        """Round-robin over the API processes, one choice per connection."""
        self._next += 1
        return self.api_ports[self._next % len(self.api_ports)]

    def wait_ready(self) -> None:
        if self.db is not None:
            self._ready(self.db, "DynamoDB (moto)")
        for api in self.apis:
            self._ready(api, "API (chalice local)")

    @property
    def procs(self) -> list:
        return self.apis + ([self.db] if self.db is not None else [])

    def cpu_seconds(self) -> dict:
        """CPU seconds used so far by each server process (Linux /proc)."""
        out = {}
        tick = os.sysconf("SC_CLK_TCK")
        named = [(f"api {i} (chalice local{' + job' if i == 0 else ''}"
                  f"{' + moto' if self.dynamodb == 'in-process' else ''})", p) for i, p in enumerate(self.apis)]
        if self.db is not None:
            named.append(("dynamodb (moto server)", self.db))
        for name, proc in named:
            try:
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[name] = round((int(fields[11]) + int(fields[12])) / tick, 1)
            except (OSError, IndexError, ValueError):
                pass
        return out

    @staticmethod
    def _ready(proc, name: str) -> None:
        line = proc.stdout.readline()
        if line.strip() != "READY":
            proc.kill()
            raise RuntimeError(f"{name} did not start: {line!r} (see out/load-stack.log)")

    def stop(self) -> dict:
        cpu = self.cpu_seconds()
        for proc in self.procs:
            try:
                proc.stdin.write("STOP\n")
                proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        dumps = []
        for f in self.stats_files:
            if f.exists():
                dumps.append(json.loads(f.read_text()))
                f.unlink()
        self.log.close()
        stats = summarise(dumps)
        stats["cpu_seconds"] = cpu
        return stats

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()


# =============================================================================================
# HTTP client (asyncio, keep-alive, one connection per simulated browser)
# =============================================================================================


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter] = defaultdict(Counter)
        self.codes: Counter = Counter()
        self.requests = 0
        self.lost_responses = 0
        self.double_clicks = 0

    def add(self, route: str, status: int, seconds: float, body: bytes | None) -> None:
        self.requests += 1
        self.latency[route].append(seconds)
        self.status[route][status] += 1
        if status >= 400 or status == 0:
            code = "connection" if status == 0 else "?"
            if body:
                try:
                    code = json.loads(body)["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    pass
            self.codes[(status, code)] += 1


class Http:
    def __init__(self, port: int, stats: Stats, ip: str, actor: str) -> None:
        self.port, self.stats, self.ip, self.actor = port, stats, ip, actor
        self.reader = self.writer = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        self.reader = self.writer = None

    async def request(self, method: str, path: str, route: str, body=None, token: str | None = None,
                      content_type: str = "application/json", lose_response: bool = False,
                      trickle: float = 0.0, timeout: float = 120.0):
        """(status, json or None); status 0 = connection failure; None = response dropped on purpose."""
        payload = b""
        if body is not None:
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}",
                f"Content-Length: {len(payload)}", f"X-Load-Source-Ip: {self.ip}",
                f"X-Load-Actor: {self.actor}"]
        if body is not None:
            head.append(f"Content-Type: {content_type}")
        if token:
            head.append(f"Authorization: Bearer {token}")
        raw_head = ("\r\n".join(head) + "\r\n\r\n").encode()
        started = time.perf_counter()
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            if trickle and payload:
                self.writer.write(raw_head + payload[: len(payload) // 2])
                await self.writer.drain()
                await asyncio.sleep(trickle)
                self.writer.write(payload[len(payload) // 2:])
            else:
                self.writer.write(raw_head + payload)
            await self.writer.drain()
            if lose_response:
                # the school proxy drops the response: the server did the work, the browser never knows
                await asyncio.sleep(0.05)
                await self.close()
                self.stats.lost_responses += 1
                return None, None
            status, data = await asyncio.wait_for(self._read(), timeout)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
            await self.close()
            self.stats.add(route, 0, time.perf_counter() - started, None)
            return 0, None
        self.stats.add(route, status, time.perf_counter() - started, data)
        try:
            return status, (json.loads(data) if data else None)
        except ValueError:
            return status, None

    async def _read(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value.strip())
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, data


# =============================================================================================
# The simulation
# =============================================================================================


@dataclass
class Candidate:
    idx: int
    session: "Session"
    user_id: str
    email: str
    first_name: str
    last_name: str
    birth_date: str
    theta: float
    auth: str                 # register | signin | mint
    absent: bool
    typo: bool
    abandon_at: int | None    # answer index where the browser dies, then resumes
    quit_at: int | None       # answer index where the candidate leaves for good
    speed: float
    slow_network: bool
    candidate_id: str = ""
    course_id: str = ""
    token: str = ""
    refresh: str = ""         # the sign-in's refresh token (the web front refreshes on a 401)
    refreshes: int = 0
    state: str = "planned"    # planned | joined | testing | completed | quit | absent | failed
    sent: list = field(default_factory=list)      # [(item_id, expected_status)]
    acked: set = field(default_factory=set)
    resumes: int = 0
    certificate: dict | None = None
    verified: dict | None = None
    errors: list = field(default_factory=list)


@dataclass
class Session:
    idx: int
    ip: str
    centre_id: str = ""
    staff_token: str = ""
    session_id: str = ""
    access_code: str = ""
    invigilator_password: str = ""
    candidates: list = field(default_factory=list)
    finalised: bool = False
    finalise_error: str | None = None


class Simulation:
    def __init__(self, args, stack: Stack) -> None:
        self.args, self.stack = args, stack
        self.rng = random.Random(args.seed)
        self.stats = Stats()
        self.deadline = 0.0
        from chalicelib.bank.loader import get_bank

        self.bank = get_bank()

    # --- planning and seeding -------------------------------------------------------------

    def plan(self) -> list[Session]:
        a = self.args
        rng = self.rng
        run = secrets.token_hex(3)
        sessions = [Session(i, f"10.{(i >> 8) & 255}.{i & 255}.1")
                    for i in range(math.ceil(a.candidates / a.session_size))]
        for i in range(a.candidates):
            s = sessions[i // a.session_size]
            uses_accounts = rng.random() < a.accounts_share
            auth = "mint"
            if uses_accounts:
                auth = "register" if rng.random() < a.register_share else "signin"
            birth = dt.date(2007, 9, 1) + dt.timedelta(days=rng.randrange(0, 700))
            quit_at = rng.randrange(3, 24) if rng.random() < a.p_quit else None
            if quit_at is None and rng.random() >= a.full_share:
                quit_at = rng.randrange(3, max(4, a.short_length + 1))  # CI-sized: leaves early
            last = quit_at if quit_at is not None else 28
            abandon = rng.randrange(1, last) if rng.random() < a.p_abandon else None
            c = Candidate(
                idx=i, session=s, user_id=f"load{run}{i:05d}", email=f"cand{i}.{run}@example.org",
                first_name=rng.choice(FIRST_NAMES), last_name=f"{rng.choice(LAST_NAMES)}-{_letters(i)}",
                birth_date=birth.isoformat(), theta=rng.gauss(0.5, 1.5), auth=auth,
                absent=rng.random() < a.p_absent, typo=rng.random() < a.p_typo,
                abandon_at=abandon, quit_at=quit_at, speed=math.exp(rng.gauss(0, 0.5)),
                slow_network=rng.random() < a.p_slow_network)
            s.candidates.append(c)
        return sessions

    def seed(self, sessions: list[Session]) -> None:
        """Accounts (one shared argon2 hash) and certifiable profiles, straight into the store."""
        from chalicelib.services import passwords
        from chalicelib.store import accounts as account_store

        from chalicelib.domain.accounts import Account

        password_hash = passwords.hash_password(PASSWORD)
        now = int(time.time())
        everyone = [c for s in sessions for c in s.candidates]
        account_store.seed_accounts(Account(
            user_id=c.user_id, login=c.email, username=None, first_name=c.first_name,
            last_name=c.last_name, email=c.email, birth_date=dt.date.fromisoformat(c.birth_date),
            password_hash=password_hash, terms_version="2026-09", terms_accepted_at=now,
            guardian_consent=False, created_by_org=None, created_at=now)
            for c in everyone if c.auth == "signin")
        seed_certifiable([c.user_id for c in everyone if c.auth != "register"], self.bank)

    # --- actors -----------------------------------------------------------------------------

    async def setup_session(self, s: Session, admin: str) -> None:
        from chalicelib.services import tokens

        http = Http(self.stack.next_port(), self.stats, s.ip, f"staff:{s.idx}")
        if s.idx % self.args.sessions_per_centre == 0 or not s.centre_id:
            status, body = await self._call(http, "POST", "/centres", "POST /centres", admin, {
                "name": f"Lycée de charge n°{s.idx}", "type": "school",
                "uai": f"{7500000 + s.idx:07d}{chr(65 + s.idx % 26)}"}, expect=(201,))
            s.centre_id = body["centre_id"]
        s.staff_token = tokens.access_token(f"staff-{s.centre_id}", is_admin=False, organizations={},
                                            centres=[s.centre_id])
        status, body = await self._call(http, "POST", f"/centres/{s.centre_id}/sessions",
                                        "POST /centres/{centre_id}/sessions", s.staff_token, {
                                            "date": dt.date.today().isoformat(), "time": "09:00",
                                            "address": "1 rue de l'École", "room": f"Salle {s.idx}",
                                            "examiner": "Mme Martin"}, expect=(201,))
        s.session_id, s.access_code = body["session_id"], body["access_code"]
        s.invigilator_password = body["invigilator_password"]
        rows = ["prénom;nom;date de naissance"] + [
            f"{c.first_name};{c.last_name};{dt.date.fromisoformat(c.birth_date):%d/%m/%Y}"
            for c in s.candidates]
        status, body = await self._call(
            http, "POST", f"/centres/{s.centre_id}/sessions/{s.session_id}/candidates/import",
            "POST /centres/{centre_id}/sessions/{session_id}/candidates/import", s.staff_token,
            ("\n".join(rows) + "\n").encode("utf-8"), content_type="text/csv", expect=(201,))
        for c, row in zip(s.candidates, body["candidates"]):
            assert row["last_name"] == c.last_name
            c.candidate_id = row["candidate_id"]
        await http.close()

    async def _call(self, http: Http, method, path, route, token, body=None, expect=(200,),
                    content_type="application/json", tries: int = 30, cand: "Candidate | None" = None,
                    **kw):
        """A request retried on connection failures, 429 and 5xx (backoff up to 8 s, as the
        web front's apiRetry and a patient pupil would), within the run's time bound. With
        `cand`, its current access token is used and renewed on a 401 (as web/api.js does:
        an access token lives 20 min, a certification up to 1 h 45)."""
        delay = 0.5
        for attempt in range(tries):
            if cand is not None:
                token = cand.token
            status, data = await http.request(method, path, route, body, token, content_type, **kw)
            if status == 401 and cand is not None and attempt < tries - 1 \
                    and (data or {}).get("error", {}).get("code") == "token_expired":
                await self._renew(cand, http)
                continue
            if status in expect or (status and status < 500 and status != 429):
                return status, data
            if time.monotonic() > self.hard_deadline:
                break
            await asyncio.sleep(delay * (0.5 + self.rng.random()))
            delay = min(delay * 2, 8)
        return status, data

    async def candidate(self, c: Candidate) -> None:
        a = self.args
        await asyncio.sleep(self.rng.random() * a.ramp)
        if c.absent:
            c.state = "absent"
            return
        http = Http(self.stack.next_port(), self.stats, c.session.ip, f"cand:{c.idx}")
        try:
            await self._candidate(c, http)
        except _GiveUp as err:
            c.state = "failed" if c.state != "quit" else c.state
            c.errors.append(str(err))
        except asyncio.CancelledError:
            c.state = "failed" if c.state not in ("completed", "quit") else c.state
            c.errors.append("stopped by the time bound")
        except Exception as err:  # noqa: BLE001 - e.g. the driver's own store access timed out
            c.state = "failed" if c.state not in ("completed", "quit") else c.state
            c.errors.append(repr(err))
        finally:
            await http.close()

    async def _candidate(self, c: Candidate, http: Http) -> None:
        from chalicelib.services import tokens

        if c.auth == "register":
            status, body = await self._call(http, "POST", "/users", "POST /users", None, {
                "first_name": c.first_name, "last_name": c.last_name, "email": c.email,
                "password": PASSWORD, "birth_date": c.birth_date, "accepted_terms": True},
                expect=(201,))
            # 409 email_taken: the first attempt went through but its response was lost
            if status != 201 and not (status == 409 and body and body["error"]["code"] == "email_taken"):
                raise _GiveUp(f"registration {status}")
            await self._think(c, 0.3)
        if c.auth in ("register", "signin"):
            status, body = await self._call(http, "POST", "/auth/token", "POST /auth/token", None,
                                            {"login": c.email, "password": PASSWORD})
            if status != 200:
                raise _GiveUp(f"sign-in {status}")
            c.token, c.refresh = body["access_token"], body["refresh_token"]
            c.user_id = body["user_id"]
            if c.auth == "register":  # positioning done meanwhile: seeded, as in the tests
                for attempt in range(5):
                    try:
                        await asyncio.to_thread(seed_certifiable, [c.user_id], self.bank)
                        break
                    except Exception:  # noqa: BLE001 - the local DynamoDB is overloaded: again
                        if attempt == 4:
                            raise
                        await asyncio.sleep(2 ** attempt)
        else:
            c.token = tokens.access_token(c.user_id, is_admin=False, organizations={}, centres=[])
        await self._think(c, 0.3)  # types the access code
        view = await self._join(c, http, typo=c.typo)
        c.state = "joined"
        answered = 0
        while True:
            view = await self._wait_authorised(c, http, view)
            if view is None or view["status"] != "started":
                break
            c.state = "testing"
            if c.quit_at is not None and answered >= c.quit_at:
                c.state = "quit"  # leaves the room: the invigilator ends the test
                return
            if c.abandon_at is not None and answered >= c.abandon_at and c.resumes == 0:
                c.resumes += 1
                await http.close()  # the browser crashes
                await asyncio.sleep(self.rng.uniform(1.0, 4.0) * self.args.think)
                view = await self._join(c, http, typo=False)  # back: the invigilator must re-authorise
                continue
            item_id = view["item"]["id"]
            if self.rng.random() < self.args.p_reload:
                status, fresh = await self._call(http, "GET", f"/me/certification-courses/{c.course_id}",
                                                 "GET /me/certification-courses/{course_id}", c.token, cand=c)
                if status == 200:
                    view = fresh
                    if not view.get("item") or view["item"]["id"] != item_id:
                        continue
            item = self.bank.items[item_id]
            correct = self.rng.random() < _p_correct(item, c.theta)
            await self._think(c, 1.0, limit=0.6 * item.timer if item.timer else None)
            view = await self._answer(c, http, view["item"], correct)
            answered += 1
        c.state = "completed" if view is not None and view["status"] == "completed" else c.state

    async def _renew(self, c: Candidate, http: Http) -> None:
        from chalicelib.services import tokens

        c.refreshes += 1
        if c.refresh:
            status, body = await self._call(http, "POST", "/auth/refresh", "POST /auth/refresh", None,
                                            {"refresh_token": c.refresh})
            if status == 200:
                c.token, c.refresh = body["access_token"], body["refresh_token"]
                return
            c.errors.append(f"refresh {status} {((body or {}).get('error') or {}).get('code')}: signed in again")
            if c.auth in ("register", "signin"):  # the web front sends the pupil to the sign-in page
                status, body = await self._call(http, "POST", "/auth/token", "POST /auth/token", None,
                                                {"login": c.email, "password": PASSWORD})
                if status == 200:
                    c.token, c.refresh = body["access_token"], body["refresh_token"]
                    return
            raise _GiveUp(f"refresh then sign-in {status}")
        c.token = tokens.access_token(c.user_id, is_admin=False, organizations={}, centres=[])

    async def _think(self, c: Candidate, scale: float, limit: float | None = None) -> None:
        """A timed item shows its countdown: the pupil answers within it."""
        pause = self.rng.uniform(0.3, 2.0) * c.speed * self.args.think * scale
        await asyncio.sleep(min(pause, limit) if limit is not None else pause)

    async def _join(self, c: Candidate, http: Http, typo: bool) -> dict:
        body = {"access_code": c.session.access_code.lower(), "first_name": c.first_name,
                "last_name": c.last_name, "birth_date": c.birth_date}
        if typo:
            wrong = dict(body, last_name=c.last_name[:-1] + ("x" if c.last_name[-1] != "x" else "y"))
            await self._call(http, "POST", "/certification/join", "POST /certification/join", c.token, wrong,
                             cand=c)
            await self._think(c, 0.5)
        status, view = await self._call(http, "POST", "/certification/join", "POST /certification/join",
                                        c.token, body, cand=c)
        if status != 200:
            raise _GiveUp(f"join {status} {view}")
        c.course_id = view["course_id"]
        return view

    async def _wait_authorised(self, c: Candidate, http: Http, view: dict | None) -> dict | None:
        path = f"/me/certification-courses/{c.course_id}"
        while view is not None and view["status"] in ("waiting", "started") and not view.get("item"):
            await asyncio.sleep(self.args.poll * (0.5 + self.rng.random()))
            status, fresh = await self._call(http, "GET", path, "GET /me/certification-courses/{course_id}",
                                             c.token, cand=c)
            if status == 200:
                view = fresh
            if time.monotonic() > self.deadline:
                raise _GiveUp("still waiting for authorisation at the time bound")
        return view

    async def _answer(self, c: Candidate, http: Http, served: dict, correct: bool) -> dict | None:
        from tests.api.answers import correct_answer, wrong_answer

        item_id = served["id"]
        body = {"item_id": item_id, "answer": correct_answer(served) if correct else wrong_answer(served)}
        c.sent.append((item_id, "ok" if correct else "ko"))
        path = f"/me/certification-courses/{c.course_id}/answers"
        route = "POST /me/certification-courses/{course_id}/answers"
        net = min(1.0, self.args.think)  # network-level pauses do not grow with thinking
        trickle = self.rng.uniform(0.2, 1.5) * net if c.slow_network else 0.0
        roll = self.rng.random()
        if roll < self.args.p_lost:
            await http.request("POST", path, route, body, c.token, lose_response=True, trickle=trickle)
            await asyncio.sleep(self.rng.uniform(1.0, 5.0) * net)  # then the pupil clicks again
        elif roll < self.args.p_lost + self.args.p_double:
            self.stats.double_clicks += 1
            other = Http(self.stack.next_port(), self.stats, c.session.ip, f"cand:{c.idx}")
            results = await asyncio.gather(
                http.request("POST", path, route, body, c.token),
                other.request("POST", path, route, body, c.token))
            await other.close()
            ok = [data for status, data in results if status == 200]
            if ok:
                c.acked.add(item_id)
                return ok[0]["course"]
        for _ in range(12):
            status, data = await self._call(http, "POST", path, route, c.token, body, trickle=trickle, cand=c)
            if status == 200:
                c.acked.add(item_id)
                return data["course"]
            code = (data or {}).get("error", {}).get("code")
            if status == 403 and code == "awaiting_authorisation":
                # de-authorised meanwhile (cannot happen without a rejoin): wait, then resend
                await asyncio.sleep(self.args.poll)
                continue
            if status == 409 and code == "concurrent_answer":
                continue
            raise _GiveUp(f"answer {status} {code}")
        raise _GiveUp("answer never accepted")

    async def invigilator(self, s: Session) -> None:
        http = Http(self.stack.next_port(), self.stats, s.ip, f"inv:{s.idx}")
        status, body = await self._call(http, "POST", "/invigilation/token", "POST /invigilation/token",
                                        None, {"session_id": s.session_id, "password": s.invigilator_password})
        if status != 200:
            s.finalise_error = f"invigilator sign-in {status}"
            return
        token = body["access_token"]
        live_path = f"/sessions/{s.session_id}/invigilation"
        # the invigilator's page fires clicks without waiting for each answer: a few at a time
        clicks = [Http(self.stack.next_port(), self.stats, s.ip, f"inv:{s.idx}") for _ in range(4)]

        async def click_all(action: str, ids: list[str]) -> None:
            route = "POST /sessions/{session_id}/candidates/{candidate_id}/" + action

            async def worker(conn: Http, mine: list[str]) -> None:
                for cid in mine:
                    await self._call(conn, "POST", f"/sessions/{s.session_id}/candidates/{cid}/{action}",
                                     route, token)
            await asyncio.gather(*(worker(conn, ids[k::len(clicks)]) for k, conn in enumerate(clicks)))

        while True:
            status, live = await self._call(http, "GET", live_path, "GET /sessions/{session_id}/invigilation", token)
            if status == 200:
                await click_all("authorise", [row["candidate_id"] for row in live["candidates"]
                                              if row["state"] in ("waiting_authorisation", "waiting_resume")])
            settled = all(c.state in ("completed", "quit", "absent", "failed") for c in s.candidates)
            if settled or time.monotonic() > self.deadline:
                break
            await asyncio.sleep(self.args.invigilator_poll * (0.75 + 0.5 * self.rng.random()))
        # end of the session: tests still open (left for good, stopped) are ended by the invigilator
        status, live = await self._call(http, "GET", live_path, "GET /sessions/{session_id}/invigilation", token)
        await click_all("end", [row["candidate_id"] for row in (live or {}).get("candidates", [])
                                if row["state"] in ("testing", "waiting_resume", "waiting_authorisation")])
        for conn in clicks:
            await conn.close()
        from chalicelib.services import tokens

        s.staff_token = tokens.access_token(f"staff-{s.centre_id}", is_admin=False, organizations={},
                                            centres=[s.centre_id])  # the centre signs in again
        report = []
        for c in s.candidates:
            incidents = [{"category": "left_early", "description": "Parti avant la fin"}] if c.state == "quit" else []
            if c.resumes:
                incidents.append({"category": "technical_problem", "description": "Navigateur fermé, reprise"})
            report.append({"candidate_id": c.candidate_id, "present": c.state != "absent", "incidents": incidents})
        status, body = await self._call(
            http, "POST", f"/centres/{s.centre_id}/sessions/{s.session_id}/finalise",
            "POST /centres/{centre_id}/sessions/{session_id}/finalise", s.staff_token,
            {"comment": "RAS", "candidates": report})
        s.finalised = status == 200
        if not s.finalised:
            s.finalise_error = f"finalise {status} {body}"
        await http.close()

    async def results(self, c: Candidate) -> None:
        """After publication: the candidate reads the certificate, an employer verifies the code."""
        if c.state not in ("completed", "quit") or not c.token:
            return
        if (c.idx * 7919 % 1000) / 1000 >= self.args.results_share:
            return
        http = Http(self.stack.next_port(), self.stats, c.session.ip, f"cand:{c.idx}")
        status, body = await self._call(http, "GET", "/me/certificates", "GET /me/certificates", c.token,
                                        cand=c)
        await http.close()
        if status == 200 and body["certificates"]:
            c.certificate = body["certificates"][0]
            code = c.certificate.get("verification_code")
            if code and c.certificate.get("status") == "validated":
                employer = Http(self.stack.next_port(), self.stats,
                                f"100.{64 + (c.idx >> 16)}.{(c.idx >> 8) & 255}.{c.idx & 255}", "employer")
                status, body = await self._call(employer, "GET", f"/certificates/{code}",
                                                "GET /certificates/{code}", None)
                await employer.close()
                c.verified = body if status == 200 else {"status": status}

    # --- the run ------------------------------------------------------------------------------

    async def run(self) -> dict:
        a = self.args
        from chalicelib.services import tokens

        t0 = time.monotonic()
        self.deadline = t0 + a.duration
        self.hard_deadline = self.deadline + a.grace
        sessions = self.plan()
        await asyncio.to_thread(self.seed, sessions)
        seeded = time.monotonic()
        admin = tokens.access_token("load-admin", is_admin=True, organizations={}, centres=[])
        for i in range(0, len(sessions), a.sessions_per_centre):  # one centre, then its sessions
            group = sessions[i:i + a.sessions_per_centre]
            await self.setup_session(group[0], admin)
            for s in group[1:]:
                s.centre_id = group[0].centre_id
            await asyncio.gather(*(self.setup_session(s, admin) for s in group[1:]))
        ready = time.monotonic()
        everyone = [c for s in sessions for c in s.candidates]

        async def progress() -> None:
            while True:
                await asyncio.sleep(a.progress)
                states = Counter(c.state for c in everyone)
                print(f"  {time.monotonic() - t0:5.0f} s: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items()))
                      + f"; {self.stats.requests} requests, sessions finalised "
                      f"{sum(s.finalised for s in sessions)}/{len(sessions)}", flush=True)
        reporter = asyncio.create_task(progress()) if a.progress > 0 else None
        tasks = [asyncio.create_task(self.candidate(c)) for c in everyone]
        invigilators = [asyncio.create_task(self.invigilator(s)) for s in sessions]
        overlap = None
        timeout = max(1.0, self.deadline - time.monotonic())
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        tested = time.monotonic()
        await asyncio.wait(invigilators, timeout=max(30.0, a.grace / 2))
        finalised = time.monotonic()
        # one job run from here, overlapping the stack's timer: each certificate still once
        overlap = asyncio.create_task(asyncio.to_thread(_job_run))
        published = await asyncio.to_thread(_wait_published, [s.session_id for s in sessions if s.finalised],
                                            self.hard_deadline)
        overlap_report = await overlap
        issued = time.monotonic()
        for c, outcome in zip(everyone, await asyncio.gather(*(self.results(c) for c in everyone),
                                                              return_exceptions=True)):
            if isinstance(outcome, BaseException):  # one reader's failure must not end the run
                c.errors.append(f"results: {outcome!r}")
        ended = time.monotonic()
        if reporter is not None:
            reporter.cancel()
        consistency = await asyncio.to_thread(check, sessions, self.bank)
        return {"sessions": sessions, "consistency": consistency, "overlap_job": overlap_report,
                "published": published,
                "timings": {"seed": seeded - t0, "setup": ready - seeded, "tests": tested - ready,
                            "finalise": finalised - tested, "issuance": issued - finalised,
                            "results": ended - issued, "total": ended - t0}}


class _GiveUp(Exception):
    pass


def _letters(i: int) -> str:
    out = ""
    i += 26 * 26
    while i:
        i, r = divmod(i, 26)
        out = chr(97 + r) + out
    return out.capitalize()


FIRST_NAMES = ["Léa", "Lucas", "Chloé", "Hugo", "Inès", "Nathan", "Manon", "Louis", "Jade", "Gabriel",
               "Camille", "Adam", "Zoé", "Raphaël", "Lina", "Arthur", "Sarah", "Noah", "Emma", "Yanis"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
              "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "García", "N'Diaye", "Nguyen", "Da Silva"]


def _p_correct(item, theta: float) -> float:
    cal = item.calibration
    return 1.0 / (1.0 + math.exp(-cal.a * (theta - cal.b)))


def _batch_save(records: list) -> None:
    by_type: dict[type, list] = defaultdict(list)
    for r in records:
        by_type[type(r)].append(r)
    for model, items in by_type.items():
        with model.batch_write() as batch:
            for r in items:
                batch.save(r)


def seed_certifiable(user_ids: list[str], bank) -> None:
    """The state tests/api/answers.py:make_certifiable stores, written in batches."""
    from chalicelib.store import assessments
    from tests.api.answers import certifiable_states

    records = []
    for user_id in user_ids:
        for state in certifiable_states(user_id):
            rec = assessments._record(state, bank.version)
            rec.version = 1
            records.append(rec)
    _batch_save(records)


def _job_run() -> dict:
    from chalicelib.jobs import issue_certificates

    return issue_certificates.run(time.monotonic() + 120).as_dict()


def _wait_published(session_ids: list[str], hard_deadline: float) -> dict:
    from chalicelib.store import certification as store

    pending = set(session_ids)
    started = time.monotonic()
    while pending and time.monotonic() < hard_deadline:
        for sid in list(pending):
            rec = store.session(sid)
            if rec is not None and rec.status in ("processed", "published"):
                pending.discard(sid)
        if pending:
            time.sleep(1.0)
    return {"waited_s": round(time.monotonic() - started, 1), "not_processed": sorted(pending)}


# =============================================================================================
# The check: every stored record against what was sent
# =============================================================================================


def check(sessions: list[Session], bank) -> dict:
    from chalicelib.domain.answers import AnswerStatus
    from chalicelib.domain.certification import CertificationAnswer, score_certification, version_named
    from chalicelib.domain.certification.jury import ending_of
    from chalicelib.store import certification as store
    from chalicelib.store.assessments import StoredAnswer

    out = Counter()
    problems: list[str] = []
    verify_codes: Counter = Counter()
    cert_ids = set()
    for rec in store.VerificationRecord.scan(store.VerificationRecord.pk.startswith("VERIFY#")):
        verify_codes[rec.certificate_id] += 1
    for rec in store.CertificateRecord.scan(store.CertificateRecord.pk.startswith("CERT#")):
        cert_ids.add(rec.certificate_id)
    out["certificates_in_table"] = len(cert_ids)
    out["verification_codes_in_table"] = sum(verify_codes.values())
    expected_certs = set()
    for s in sessions:
        session = store.session(s.session_id) if s.session_id else None
        reports = store.finalisation_reports(session) if session is not None else {}
        if session is not None and session.status in ("processed", "published"):
            out["sessions_processed"] += 1
        for c in s.candidates:
            out["candidates"] += 1
            out[f"state_{c.state}"] += 1
            if c.resumes:
                out["resumed_after_abandon"] += 1
            if not c.course_id and c.candidate_id:
                cand = store.candidate(s.session_id, c.candidate_id)
                if cand is not None and cand.course_id:
                    c.course_id = cand.course_id  # joined, the answer never reached the browser
            if not c.course_id:
                if f"{s.session_id}-{c.candidate_id}" in cert_ids:
                    problems.append(f"certificate for a candidate who never joined: {c.idx}")
                continue
            course = store.course(c.course_id)
            if course is None:
                problems.append(f"candidate {c.idx}: course {c.course_id} missing")
                out["courses_missing"] += 1
                continue
            stored = [StoredAnswer.decode(a) for a in course.answers or []]
            stored_ids = [a.item_id for a in stored]
            out["answers_sent"] += len(c.sent)
            out["answers_acknowledged"] += len(c.acked)
            out["answers_stored"] += len(stored)
            dupes = len(stored_ids) - len(set(stored_ids))
            out["answers_counted_twice"] += dupes
            lost = [i for i in c.acked if i not in set(stored_ids)]
            out["answers_lost"] += len(lost)
            sent_ids = [i for i, _ in c.sent]
            unexpected = [i for i in stored_ids if i not in set(sent_ids)]
            out["answers_unexpected"] += len(unexpected)
            sent_unique = list(dict.fromkeys(sent_ids))
            in_flight = [i for i in sent_unique if i not in c.acked and i not in set(stored_ids)]
            out["answers_unacknowledged_not_stored"] += len(in_flight)
            if [i for i in stored_ids] != [i for i in sent_unique if i in set(stored_ids)]:
                out["answers_out_of_order"] += 1
            expected_status = dict(c.sent)
            for a in stored:
                want = expected_status.get(a.item_id)
                if want is not None and a.status != want:
                    timed = bank.items[a.item_id].timer is not None
                    out["status_differs_timed" if timed else "status_differs"] += 1
            if dupes or lost or unexpected:
                problems.append(f"candidate {c.idx}: lost {len(lost)}, twice {dupes}, unexpected {len(unexpected)}")
            finished = course.status in ("completed", "ended")
            report = reports.get(c.candidate_id, {})
            if finished and report.get("present", True) and session is not None \
                    and session.status in ("processed", "published"):
                expected_certs.add(c.course_id)
                out["finished_tests"] += 1
                cert = store.certificate(c.course_id)
                if cert is None:
                    problems.append(f"candidate {c.idx}: finished test without certificate")
                    out["finished_not_scored"] += 1
                    continue
                incidents = {i.get("category") for i in report.get("incidents", [])}
                result = score_certification(
                    bank, [CertificationAnswer(a.item_id, AnswerStatus(a.status)) for a in stored],
                    version=version_named(course.certification_version),
                    neutralised=set(course.neutralised or []),
                    ending=ending_of(course.ended_by, incidents))
                if cert.certification_version != course.certification_version:
                    out["versions_differ"] += 1
                    problems.append(f"candidate {c.idx}: certificate under version "
                                    f"{cert.certification_version}, course taken under "
                                    f"{course.certification_version}")
                if int(cert.global_score) != int(result.global_score or 0) or cert.status != result.status:
                    out["scores_differ"] += 1
                    problems.append(f"candidate {c.idx}: stored score {cert.global_score}/{cert.status}, "
                                    f"recomputed {result.global_score}/{result.status}")
                else:
                    out["scores_match"] += 1
                n_codes = verify_codes.get(c.course_id, 0)
                if n_codes != 1:
                    out["certificates_not_once"] += 1
                    problems.append(f"candidate {c.idx}: {n_codes} verification codes")
                if c.verified is not None:
                    if c.verified.get("global_score") == int(cert.global_score):
                        out["verified_over_http"] += 1
                    else:
                        out["verify_mismatch"] += 1
                        problems.append(f"candidate {c.idx}: verification answered {c.verified}")
            elif finished:
                out["finished_session_not_processed"] += 1
    extra = cert_ids - expected_certs
    out["certificates_unexpected"] = len(extra)
    if extra:
        problems.append(f"{len(extra)} certificates nobody should have: {sorted(extra)[:5]}")
    ok = not problems and out["answers_lost"] == 0 and out["answers_counted_twice"] == 0
    return {"ok": ok, "counts": dict(out), "problems": problems[:50]}


# =============================================================================================
# Report
# =============================================================================================


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))
    return s[k]


def machine() -> str:
    from machine_info import cpu_model

    return f"{os.cpu_count()} CPU ({cpu_model()}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def report(args, result: dict, stats: Stats, server: dict) -> tuple[str, dict]:
    sessions = result["sessions"]
    cons = result["consistency"]
    counts = cons["counts"]
    t = result["timings"]
    lines = []
    total = t["total"]
    lines.append(f"Load run: {args.candidates} candidates in {len(sessions)} sessions of {args.session_size} "
                 f"(seed {args.seed}); {machine()}")
    lines.append(f"Phases (s): seed {t['seed']:.1f} | setup {t['setup']:.1f} | tests {t['tests']:.1f} | "
                 f"finalise {t['finalise']:.1f} | issuance {t['issuance']:.1f} | results {t['results']:.1f} | "
                 f"total {total:.1f}")
    states = ", ".join(f"{k[6:]} {v}" for k, v in sorted(counts.items()) if k.startswith("state_"))
    lines.append(f"Candidates: {counts.get('candidates', 0)} ({states}); resumed after abandon "
                 f"{counts.get('resumed_after_abandon', 0)}")
    test_span = max(t["tests"], 1e-9)
    cpu = dict(server.get("cpu_seconds", {}))
    import resource

    cpu["driver (this process)"] = round(sum(getattr(resource.getrusage(resource.RUSAGE_SELF), f)
                                             for f in ("ru_utime", "ru_stime")), 1)
    lines.append("CPU seconds: " + ", ".join(f"{k} {v}" for k, v in cpu.items())
                 + f"; DynamoDB calls {sum(server.get('ddb_calls', {}).values())}, failed (conditions, "
                 f"moto errors) {server.get('ddb_failed', {})}")
    lines.append(f"Requests: {stats.requests} ({stats.requests / total:.0f}/s over the run, "
                 f"{stats.requests / test_span:.0f}/s during the tests); responses dropped on purpose "
                 f"{stats.lost_responses} (then resent), double clicks {stats.double_clicks}, access tokens renewed "
                 f"{sum(c.refreshes for s in sessions for c in s.candidates)}")
    errors = Counter()
    for (status, code), n in stats.codes.items():
        errors[(status, code)] += n
    if errors:
        lines.append("Errors by status: " + "; ".join(
            f"{status or 'conn'} {code} ×{n}" for (status, code), n in sorted(errors.items(), key=lambda kv: (kv[0][0], -kv[1]))))
    else:
        lines.append("Errors by status: none")
    lines.append("")
    server_by_route: dict[str, list] = defaultdict(list)
    for route, status, wall, cpu, ddb_ms, ddb_calls in server.get("requests", []):
        server_by_route[route].append((wall, cpu, ddb_ms, ddb_calls))
    lines.append("| route | requests | statuses | p50 ms | p95 ms | p99 ms | server p50 ms | server CPU p50 ms | DynamoDB calls/req |")
    lines.append("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    routes = {}
    for route in sorted(stats.latency, key=lambda r: -len(stats.latency[r])):
        lat = [x * 1000 for x in stats.latency[route]]
        st = ", ".join(f"{k or 'conn'}×{v}" for k, v in sorted(stats.status[route].items()))
        srv = server_by_route.get(route, [])
        srv_wall = statistics.median([x[0] for x in srv]) if srv else float("nan")
        srv_cpu = statistics.median([x[1] for x in srv]) if srv else float("nan")
        calls = statistics.mean([x[3] for x in srv]) if srv else float("nan")
        routes[route] = {"n": len(lat), "p50": _pct(lat, .5), "p95": _pct(lat, .95), "p99": _pct(lat, .99),
                         "statuses": dict(stats.status[route]), "server_p50": srv_wall, "server_cpu_p50": srv_cpu,
                         "ddb_calls": calls}
        lines.append(f"| {route} | {len(lat)} | {st} | {_pct(lat, .5):.0f} | {_pct(lat, .95):.0f} | "
                     f"{_pct(lat, .99):.0f} | {srv_wall:.1f} | {srv_cpu:.1f} | {calls:.1f} |")
    lines.append("")
    c = counts
    lines.append(
        f"Consistency: answers sent {c.get('answers_sent', 0)} (distinct acknowledged {c.get('answers_acknowledged', 0)}), "
        f"stored {c.get('answers_stored', 0)}; lost {c.get('answers_lost', 0)}, counted twice "
        f"{c.get('answers_counted_twice', 0)}, stored but never sent {c.get('answers_unexpected', 0)}, "
        f"order differs {c.get('answers_out_of_order', 0)}, judged otherwise than sent "
        f"{c.get('status_differs', 0)} (timed items answered late: {c.get('status_differs_timed', 0)})")
    lines.append(
        f"Finished tests {c.get('finished_tests', 0)}: certificates {c.get('certificates_in_table', 0)} in the table "
        f"(unexpected {c.get('certificates_unexpected', 0)}), verification codes {c.get('verification_codes_in_table', 0)}, "
        f"not exactly once {c.get('certificates_not_once', 0)}, not scored {c.get('finished_not_scored', 0)}, "
        f"score recomputed = stored {c.get('scores_match', 0)} (differs {c.get('scores_differ', 0)}), "
        f"verified over HTTP {c.get('verified_over_http', 0)}; sessions processed "
        f"{c.get('sessions_processed', 0)}/{len(sessions)}; overlapping job run: {result['overlap_job']}")
    reasons = Counter(e.split(" ")[0] + " " + (e.split(" ")[1] if len(e.split(" ")) > 1 else "")
                      for s in sessions for c in s.candidates for e in c.errors[:1])
    if reasons:
        lines.append("Candidates with a problem (given up, stopped by the time bound, signed in again), first one: "
                     + "; ".join(f"{r.strip()} ×{n}" for r, n in reasons.most_common(8)))
    for p in cons["problems"][:10]:
        lines.append(f"  problem: {p}")
    lines.append(f"RESULT: {'CONSISTENT' if cons['ok'] else 'INCONSISTENT'}")
    data = {"args": vars(args), "machine": machine(), "timings": t, "cpu_seconds": cpu,
            "ddb_calls": server.get("ddb_calls", {}), "ddb_failed": server.get("ddb_failed", {}), "counts": counts, "ok": cons["ok"],
            "problems": cons["problems"], "requests": stats.requests,
            "give_up_reasons": dict(reasons), "lost_responses": stats.lost_responses,
            "double_clicks": stats.double_clicks,
            "errors": [{"status": s, "code": code, "n": n} for (s, code), n in errors.items()],
            "routes": routes, "published": result["published"], "overlap_job": result["overlap_job"],
            "write_pattern": {"seconds": server.get("seconds", []), "keys": server.get("keys", []),
                              "key_ops": server.get("key_ops", [])}}
    return "\n".join(lines), data


# =============================================================================================
# main
# =============================================================================================


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--candidates", type=int, default=1000)
    p.add_argument("--duration", type=float, default=2100.0,
                   help="seconds for the candidates' part (then open tests are ended)")
    p.add_argument("--grace", type=float, default=300.0, help="extra seconds for finalisation and the job")
    p.add_argument("--session-size", type=int, default=30)
    p.add_argument("--sessions-per-centre", type=int, default=3)
    p.add_argument("--ramp", type=float, default=240.0, help="arrivals spread over this many seconds")
    p.add_argument("--think", type=float, default=20.0,
                   help="scale of think times and pauses (0 = none); a question takes ~1.3 × this in seconds")
    p.add_argument("--poll", type=float, default=2.0, help="candidate's polling while waiting (s)")
    p.add_argument("--invigilator-poll", type=float, default=4.0, help="invigilator's live-view refresh (s)")
    p.add_argument("--accounts-share", type=float, default=1.0,
                   help="share of candidates going through sign-in (the rest: minted tokens)")
    p.add_argument("--register-share", type=float, default=0.1, help="of those, share registering first")
    p.add_argument("--p-lost", type=float, default=0.04, help="per answer: response lost, answer resent")
    p.add_argument("--p-double", type=float, default=0.02, help="per answer: double click")
    p.add_argument("--p-reload", type=float, default=0.05, help="per answer: page reload first")
    p.add_argument("--p-abandon", type=float, default=0.05, help="per candidate: browser dies, resumes")
    p.add_argument("--p-quit", type=float, default=0.01, help="per candidate: leaves for good")
    p.add_argument("--p-absent", type=float, default=0.02, help="per candidate: never comes")
    p.add_argument("--p-typo", type=float, default=0.05, help="per candidate: mistypes the name first")
    p.add_argument("--p-slow-network", type=float, default=0.1, help="per candidate: trickled request bodies")
    p.add_argument("--full-share", type=float, default=1.0,
                   help="share of candidates taking the whole test; the others leave after a few answers "
                        "(--short-length) and the invigilator ends their test (CI-sized runs)")
    p.add_argument("--short-length", type=int, default=8)
    p.add_argument("--results-share", type=float, default=1.0,
                   help="share of candidates reading their certificate (and having it verified) over HTTP "
                        "after publication; the check reads every record from the store anyway")
    p.add_argument("--job-interval", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--progress", type=float, default=30.0, help="seconds between progress lines (0: none)")
    p.add_argument("--json", type=Path, help="write the figures (and the write pattern) there")
    p.add_argument("--markdown", type=Path, help="write the table there")
    p.add_argument("--serve-dynamodb", type=int, help=argparse.SUPPRESS)
    p.add_argument("--serve-api", type=int, help=argparse.SUPPRESS)
    p.add_argument("--dynamodb-port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--stats-file", help=argparse.SUPPRESS)
    p.add_argument("--max-seconds", type=float, default=3600, help=argparse.SUPPRESS)
    p.add_argument("--embedded-dynamodb", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--t0", type=float, default=0.0, help=argparse.SUPPRESS)
    p.add_argument("--api-processes", type=int, default=2,
                   help="chalice local processes (like Lambda instances; server mode only)")
    p.add_argument("--dynamodb", choices=("server", "in-process"), default="server",
                   help="server: moto's server in its own process, as `make run` (default); in-process: "
                        "moto inside the API process, called without HTTP (the CI test: ~6x less CPU "
                        "per DynamoDB call), still served on a port for this driver's checks")
    args = p.parse_args(argv)

    if args.serve_dynamodb:
        return serve_dynamodb(args.serve_dynamodb, args.max_seconds)
    if args.serve_api:
        return serve_api(args.serve_api, args.dynamodb_port, args.job_interval, args.stats_file,
                         args.max_seconds, args.embedded_dynamodb, args.t0)

    workdir = ROOT / "out"
    workdir.mkdir(exist_ok=True)
    bound = args.duration + args.grace + 600  # the children stop by themselves even if we die
    print(f"Starting the local stack ({'moto server + ' + str(args.api_processes) if args.dynamodb == 'server' else 'moto inside 1'} chalice local process(es)) for {args.candidates} candidates...",
          flush=True)
    stack = Stack(args.job_interval, bound, workdir, args.dynamodb, args.api_processes)
    server_stats: dict = {}
    try:
        import run_local

        run_local.configure_environment(f"http://{HOST}:{stack.db_port}", jwt_secret=stack.jwt_secret)
        _patient_connections()
        sim = Simulation(args, stack)  # loads the item bank while the servers start
        stack.wait_ready()
        result = asyncio.run(sim.run())
        server_stats = stack.stop()
    except BaseException:
        stack.kill()
        raise
    text, data = report(args, result, sim.stats, server_stats)
    print(text, flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=1, default=str))
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n")
    return 0 if data["ok"] else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    raise SystemExit(main())
