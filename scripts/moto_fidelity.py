"""Make moto's DynamoDB behave like DynamoDB under concurrency (load runs, benches).

moto 5.2 was written for sequential tests. Under concurrent requests two of
its shortcuts change the results, so the load runner and the bench apply this
patch to the moto they start (never to the application, never in `make run`
or the test suite's in-process mock):

1. No per-item atomicity: a conditional PutItem/UpdateItem checks the condition
   then writes without a lock, so two racing conditional writes can both
   pass. DynamoDB serialises writes per item. Here every call into the
   DynamoDB backend takes one lock (moto runs under the GIL anyway, so the lock
   costs little throughput).
2. TransactWriteItems deep-copies every table it touches, once per item,
   before applying (O(table size): 163 ms per transaction at 5,000 items,
   stack notes), and rolls back a failed transaction by putting those copies
   back: any write another thread made to the table in between is lost, and
   copying a table while another thread inserts crashes ("dictionary changed
   size during iteration"). Here a transaction snapshots only the items it
   touches and restores only them: O(items in the transaction), nothing else
   lost, same all-or-nothing result.

`apply()` is idempotent.

3. A Query on a table (not an index) reads every item of the table to find
   the partition's (O(table): 59 ms at 10,000 items, stack notes); DynamoDB
   reads only the partition. Here it reads only the partition (index queries
   still scan: moto keeps no index structures).

`KeepAliveMotoServer` serves moto's WSGI application like its
ThreadedMotoServer but keeps HTTP/1.1 connections open: werkzeug's development
server closes every connection, so each DynamoDB call opened a TCP connection
and a thread, and under a few hundred calls per second the accept loop starved
(connect timeouts on the app's side, measured by scripts/load.py).
"""
from __future__ import annotations

import copy
import functools
import threading

_LOCK = threading.RLock()
_STATE = threading.local()
_applied = False


class _CopyShim:
    """Stands for the `copy` module inside moto's DynamoDB models: the table
    copies of a transaction become no-ops (items are snapshotted instead)."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        from moto.dynamodb.models.table import Table

        if getattr(_STATE, "in_transaction", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def apply() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend

    models.copy = _CopyShim()

    def locked(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            with _LOCK:
                return method(self, *args, **kwargs)
        return wrapper

    for name in ("get_item", "put_item", "update_item", "delete_item", "query", "scan"):
        setattr(DynamoDBBackend, name, locked(getattr(DynamoDBBackend, name)))

    original = DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self, transact_items):
        with _LOCK:
            snapshots = []
            for entry in transact_items:
                if len(entry) != 1:
                    break  # moto refuses it before writing anything
                (_, op), = entry.items()
                table_name = op.get("TableName")
                if table_name not in self.tables:
                    continue
                table = self.tables[table_name]
                if "Key" in op:
                    key = op["Key"]
                else:
                    item = op.get("Item", {})
                    key = {table.hash_key_attr: item.get(table.hash_key_attr)}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = item.get(table.range_key_attr)
                try:
                    current = self.get_item(table_name, key)
                except Exception:  # noqa: BLE001 - invalid key: moto raises below, nothing written
                    continue
                snapshots.append((table, key, copy.deepcopy(current)))
            _STATE.in_transaction = True
            try:
                return original(self, transact_items)
            except BaseException:
                for table, key, before in reversed(snapshots):
                    hash_value, range_value = self.get_keys_value(table, key)
                    if before is None:
                        table.delete_item(hash_value, range_value)
                    else:
                        table.put_item(before.to_json()["Attributes"])
                raise
            finally:
                _STATE.in_transaction = False

    DynamoDBBackend.transact_write_items = transact_write_items

    import inspect

    from moto.dynamodb.models.table import Table

    table_query = Table.query
    signature = inspect.signature(table_query)

    @functools.wraps(table_query)
    def partition_query(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        hash_key = bound.arguments.get("hash_key")
        if bound.arguments.get("index_name") or hash_key is None or self.range_key_attr is None:
            return table_query(self, *args, **kwargs)
        partition = list(self.items.get(hash_key, {}).values())
        self.all_items = lambda: iter(partition)  # shadows the method for this call (under _LOCK)
        try:
            return table_query(self, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = partition_query
    _applied = True


class KeepAliveMotoServer:
    """moto's server (same WSGI application) on a keep-alive threaded HTTP server."""

    def __init__(self, ip_address: str = "127.0.0.1", port: int = 5000) -> None:
        self.address = (ip_address, port)
        self._server = None
        self._thread = None

    def start(self) -> None:
        import io
        import sys
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        app = DomainDispatcherApplication(create_backend_app)
        host, port = self.address

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True   # no 40 ms stall between header and body segments
            wbufsize = 64 * 1024             # one send per response (flushed after each request)

            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                environ = {
                    "REQUEST_METHOD": self.command, "SCRIPT_NAME": "", "PATH_INFO": path,
                    "QUERY_STRING": query, "SERVER_NAME": host, "SERVER_PORT": str(port),
                    "SERVER_PROTOCOL": self.request_version, "REMOTE_ADDR": self.client_address[0],
                    "CONTENT_LENGTH": str(length), "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
                    "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False,
                    "wsgi.run_once": False,
                }
                for name, value in self.headers.items():
                    key = "HTTP_" + name.upper().replace("-", "_")
                    if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                        environ[key] = value
                state = {}

                def start_response(status, headers, exc_info=None):
                    state["status"], state["headers"] = status, headers
                    return lambda data: None

                result = app(environ, start_response)
                try:
                    data = b"".join(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
                code, _, reason = state["status"].partition(" ")
                self.send_response(int(code), reason)
                for name, value in state["headers"]:
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 4096

        self._server = Server(self.address, Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
