"""DynamoDB capacity meter: the read and write units of every call the store makes.

moto answers `ReturnConsumedCapacity` with fixed numbers (0.5 or 1 whatever
the item), so the units are computed here from the items themselves, with
DynamoDB's published rules (on-demand bills request units by the same rules):

- item size: attribute names + values (UTF-8 strings; numbers ~1 byte per two
  significant digits + 1; booleans/null 1; lists and maps 3 bytes + their
  elements; sets the sum of their elements);
- reads: GetItem ceil(size / 4 KB) units (minimum 1, also for a missing item),
  half for an eventually consistent read; BatchGetItem the same per key;
  Query/Scan the summed size of the items returned, rounded up once per page;
  reads through a GSI are always eventually consistent;
- writes: PutItem/UpdateItem ceil(max(old, new) / 1 KB) (minimum 1), DeleteItem
  the old item; a write whose condition fails still costs the existing item's
  size; TransactWriteItems twice that per item (failed transactions too);
  BatchWriteItem like single puts/deletes;
- global secondary indexes (all ALL-projected here): a write that adds,
  changes or removes an item in an index also writes the index: 1 unit per
  KB of the indexed item, 2 writes when an index key changes.

`install(meter, peek=True)` wraps PynamoDB's `Connection._make_api_call`; with
`peek` the old image of every written item is read first (with the original,
unmetered call), so the units are exact; without it (load runs, where an extra
call per write would distort the stack) the new image stands for the old one.
Every call is recorded with its operation, table, partition keys written,
units and duration.
"""
from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

KB = 1024


# --- item sizes ---------------------------------------------------------------------------


def _number_size(raw: str) -> int:
    digits = raw.strip().lstrip("+-")
    if "e" in digits.lower():
        digits = format(Decimal(digits), "f")
    digits = digits.replace(".", "").strip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def value_size(value: dict) -> int:
    (kind, v), = value.items()
    if kind == "S":
        return len(v.encode("utf-8"))
    if kind == "N":
        return _number_size(v)
    if kind == "B":
        return len(v) if isinstance(v, (bytes, bytearray)) else len(v.encode())
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(value_size(x) for x in v)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(x) for k, x in v.items())
    if kind == "SS":
        return sum(len(x.encode("utf-8")) for x in v)
    if kind == "NS":
        return sum(_number_size(x) for x in v)
    if kind == "BS":
        return sum(len(x) for x in v)
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / KB))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / (4 * KB)))
    return units if consistent else units / 2


# --- the meter --------------------------------------------------------------------------------


@dataclass
class Call:
    op: str
    table: str
    rcu: float = 0.0
    wcu: float = 0.0           # table + index write units
    gsi_wcu: float = 0.0       # of which index writes
    written: list = field(default_factory=list)   # partition keys written
    read_keys: list = field(default_factory=list)  # (partition key, read units)
    index_written: list = field(default_factory=list)  # ("<index>:<index partition key>", units)
    max_item: int = 0          # largest item read or written (bytes)
    seconds: float = 0.0       # the call itself
    overhead: float = 0.0      # metering (peeks at old images): subtract from handler times
    failed: bool = False
    at: float = 0.0
    tag: str | None = None     # who made it (set by the caller, e.g. a candidate)


@dataclass
class Totals:
    calls: int = 0
    rcu: float = 0.0
    wcu: float = 0.0
    gsi_wcu: float = 0.0
    seconds: float = 0.0
    ops: dict = field(default_factory=lambda: defaultdict(int))
    max_item: int = 0

    def add(self, call: Call) -> None:
        self.calls += 1
        self.rcu += call.rcu
        self.wcu += call.wcu
        self.gsi_wcu += call.gsi_wcu
        self.seconds += call.seconds
        self.ops[call.op] += 1
        self.max_item = max(self.max_item, call.max_item)


class Meter:
    """Collects calls; `scope(name)` attributes the calls of a block to a name."""

    def __init__(self, keep_calls: bool = True) -> None:
        self.keep_calls = keep_calls
        self.calls: list[Call] = []
        self.by_scope: dict[str, Totals] = defaultdict(Totals)
        self._lock = threading.Lock()
        self._local = threading.local()
        self.listeners: list = []

    # scopes are per thread: concurrent requests are attributed correctly
    def scope(self, name: str):
        meter = self

        class _Scope:
            def __enter__(self_inner):
                self_inner.previous = getattr(meter._local, "scope", None)
                meter._local.scope = name
                return meter.by_scope[name]

            def __exit__(self_inner, *exc):
                meter._local.scope = self_inner.previous
                return False

        return _Scope()

    def set_tag(self, tag: str | None) -> None:
        self._local.tag = tag

    def record(self, call: Call) -> None:
        call.tag = getattr(self._local, "tag", None)
        name = getattr(self._local, "scope", None)
        with self._lock:
            if self.keep_calls:
                self.calls.append(call)
            if name is not None:
                self.by_scope[name].add(call)
            for listener in self.listeners:
                listener(call)

    def totals(self, calls: list[Call] | None = None) -> Totals:
        out = Totals()
        for c in self.calls if calls is None else calls:
            out.add(c)
        return out

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.by_scope.clear()


# --- table schemas (keys, indexes) --------------------------------------------------------


def _schemas() -> dict[str, dict]:
    """table name -> {"keys": [hash, range], "indexes": [(name, hash, range)]}"""
    from chalicelib.store.tables import ALL_TABLES

    out = {}
    for model in ALL_TABLES:
        schema = model._get_schema()
        keys = [k["AttributeName"] for k in sorted(schema["key_schema"], key=lambda k: k["KeyType"] != "HASH")]
        indexes = []
        for gsi in schema.get("global_secondary_indexes", []):
            ks = sorted(gsi["key_schema"], key=lambda k: k["KeyType"] != "HASH")
            indexes.append((gsi["index_name"], ks[0]["AttributeName"],
                            ks[1]["AttributeName"] if len(ks) > 1 else None))
        out[model.Meta.table_name] = {"keys": keys, "indexes": indexes}
    return out


# --- installation -----------------------------------------------------------------------------


_installed: dict = {}


def schemas_cache() -> dict:
    if "schemas" not in _installed:
        _installed["schemas"] = _schemas()
    return _installed["schemas"]


def install(meter: Meter, *, peek: bool = True) -> Meter:
    """Meter every DynamoDB call PynamoDB makes in this process (idempotent:
    a second install replaces the meter)."""
    from pynamodb.connection.base import Connection

    schemas = schemas_cache()
    if "original" not in _installed:
        _installed["original"] = Connection._make_api_call
    original = _installed["original"]

    def metered(conn, operation_name, operation_kwargs):
        return _metered_call(meter, schemas, peek, original, conn, operation_name, operation_kwargs)

    Connection._make_api_call = metered
    _installed["meter"] = meter
    return meter


def uninstall() -> None:
    from pynamodb.connection.base import Connection

    if "original" in _installed:
        Connection._make_api_call = _installed.pop("original")
        _installed.pop("meter", None)


def _key_of(item: dict, keys: list[str]) -> dict:
    return {k: item[k] for k in keys if k in item}


def _pk_value(key: dict, keys: list[str]) -> str:
    v = key.get(keys[0], {})
    return next(iter(v.values())) if v else "?"


def _gsi_writes(schema: dict, old: dict | None, new: dict | None, out: list | None = None) -> int:
    """Index write units of one item write; `out` receives ("<index>:<partition>", units)."""
    units = 0
    for name, hk, rk in schema["indexes"]:
        def key(img):
            if not img or hk not in img or (rk and rk not in img):
                return None
            return (str(img[hk]), str(img.get(rk)) if rk else None)

        def part(img):
            return f"{name}:{next(iter(img[hk].values()))}"
        k_old, k_new = key(old), key(new)
        if k_old is None and k_new is None:
            continue
        writes = []
        if k_old is None:
            writes.append((part(new), write_units(item_size(new))))
        elif k_new is None:
            writes.append((part(old), write_units(item_size(old))))
        elif k_old == k_new:
            writes.append((part(new), write_units(item_size(new))))
        else:
            writes += [(part(old), write_units(item_size(old))), (part(new), write_units(item_size(new)))]
        units += sum(u for _, u in writes)
        if out is not None:
            out.extend(writes)
    return units


def _metered_call(meter, schemas, peek, original, conn, op, kwargs):
    started = time.perf_counter()
    table = kwargs.get("TableName", "")
    schema = schemas.get(table, {"keys": ["pk", "sk"], "indexes": []})

    def get_old(tbl: str, key: dict) -> dict | None:
        if not peek:
            return None
        try:
            data = original(conn, "GetItem", {"TableName": tbl, "Key": key, "ConsistentRead": True})
        except Exception:  # noqa: BLE001 - metering must never change behaviour
            return None
        return data.get("Item")

    pre: dict = {}
    if op in ("PutItem", "UpdateItem", "DeleteItem"):
        key = kwargs.get("Key") or _key_of(kwargs.get("Item", {}), schema["keys"])
        pre["old"] = get_old(table, key)
        pre["key"] = key
    elif op == "TransactWriteItems":
        pre["items"] = []
        for entry in kwargs.get("TransactItems", []):
            (kind, spec), = entry.items()
            sch = schemas.get(spec["TableName"], schema)
            key = spec.get("Key") or _key_of(spec.get("Item", {}), sch["keys"])
            pre["items"].append((kind, spec, sch, key, get_old(spec["TableName"], key)))
    elif op == "BatchWriteItem":
        pre["items"] = []
        for tbl, requests in kwargs.get("RequestItems", {}).items():
            sch = schemas.get(tbl, schema)
            for req in requests:
                if "PutRequest" in req:
                    item = req["PutRequest"]["Item"]
                    key = _key_of(item, sch["keys"])
                    pre["items"].append((tbl, sch, key, get_old(tbl, key), item))
                else:
                    key = req["DeleteRequest"]["Key"]
                    pre["items"].append((tbl, sch, key, get_old(tbl, key), None))
    t0 = time.perf_counter()
    error = None
    data = None
    try:
        data = original(conn, op, kwargs)
    except Exception as err:  # noqa: BLE001 - re-raised below
        error = err
    seconds = time.perf_counter() - t0
    call = Call(op=op, table=table, seconds=seconds, at=time.time(), failed=error is not None)
    try:
        _charge(call, op, kwargs, data, error, pre, schema, peek, original, conn)
    except Exception:  # noqa: BLE001 - metering must never change behaviour
        pass
    call.overhead = (time.perf_counter() - started) - seconds
    meter.record(call)
    if error is not None:
        raise error
    return data


def _code(error) -> str:
    response = getattr(error, "response", None) or {}
    return (response.get("Error") or {}).get("Code", "") or getattr(error, "cause_response_code", "") or ""


def _charge(call, op, kwargs, data, error, pre, schema, peek, original, conn) -> None:
    keys = schema["keys"]
    if op == "GetItem":
        item = (data or {}).get("Item")
        call.max_item = item_size(item)
        call.rcu = read_units(call.max_item, bool(kwargs.get("ConsistentRead")))
        call.read_keys = [(_pk_value(kwargs.get("Key", {}), keys), call.rcu)]
    elif op == "BatchGetItem":
        for tbl, req in kwargs.get("RequestItems", {}).items():
            consistent = bool(req.get("ConsistentRead"))
            returned = (data or {}).get("Responses", {}).get(tbl, [])
            sizes = [item_size(i) for i in returned]
            missing = max(0, len(req.get("Keys", [])) - len(returned))
            units = sum(read_units(s, consistent) for s in sizes) + missing * read_units(0, consistent)
            call.rcu += units
            call.max_item = max([call.max_item] + sizes)
            sch = schemas_cache().get(tbl, schema)
            requested = req.get("Keys", [])
            call.read_keys += [(_pk_value(k, sch["keys"]), units / len(requested)) for k in requested]
        call.table = ",".join(kwargs.get("RequestItems", {}))
    elif op in ("Query", "Scan"):
        items = (data or {}).get("Items", [])
        sizes = [item_size(i) for i in items]
        consistent = bool(kwargs.get("ConsistentRead")) and not kwargs.get("IndexName")
        call.rcu = read_units(sum(sizes), consistent)
        call.max_item = max(sizes, default=0)
        if kwargs.get("IndexName"):
            call.op = f"{op}({kwargs['IndexName']})"
        if op == "Query":
            value = (kwargs.get("ExpressionAttributeValues") or {}).get(":0", {})
            pk = next(iter(value.values()), "?") if value else "?"
            index = kwargs.get("IndexName")
            call.read_keys = [(f"{index}:{pk}" if index else pk, call.rcu)]
    elif op in ("PutItem", "UpdateItem", "DeleteItem"):
        old = pre.get("old")
        if op == "PutItem":
            new = kwargs.get("Item")
        elif op == "UpdateItem":
            new = (data or {}).get("Attributes")
            if new is None and peek and error is None:
                new = original(conn, "GetItem", {"TableName": call.table, "Key": pre["key"],
                                                 "ConsistentRead": True}).get("Item")
        else:
            new = None
        if not peek and old is None and op != "PutItem":
            old = new  # load mode: the new image stands for the old one
        size = max(item_size(old), item_size(new))
        call.max_item = size
        call.wcu = write_units(size)
        if error is None:
            call.gsi_wcu = _gsi_writes(schema, old, new, call.index_written)
            call.wcu += call.gsi_wcu
        call.written = [_pk_value(pre["key"], keys)]
    elif op == "TransactWriteItems":
        for kind, spec, sch, key, old in pre["items"]:
            if kind == "Put":
                new = spec["Item"]
            elif kind == "Update" and error is None and peek:
                new = original(conn, "GetItem", {"TableName": spec["TableName"], "Key": key,
                                                 "ConsistentRead": True}).get("Item")
            elif kind == "Update":
                new = old
            else:
                new = None
            size = max(item_size(old), item_size(new))
            call.max_item = max(call.max_item, size)
            call.wcu += 2 * write_units(size)
            if error is None and kind != "ConditionCheck":
                gsi = _gsi_writes(sch, old, new, call.index_written)
                call.gsi_wcu += gsi
                call.wcu += gsi
            if kind != "ConditionCheck":
                call.written.append(_pk_value(key, sch["keys"]))
        call.table = ",".join(sorted({s["TableName"] for _, s, *_ in pre["items"]}))
    elif op == "BatchWriteItem":
        for tbl, sch, key, old, new in pre["items"]:
            size = max(item_size(old), item_size(new))
            call.max_item = max(call.max_item, size)
            gsi = _gsi_writes(sch, old, new, call.index_written) if error is None else 0
            call.wcu += write_units(size) + gsi
            call.gsi_wcu += gsi
            call.written.append(_pk_value(key, sch["keys"]))
        call.table = ",".join(kwargs.get("RequestItems", {}))
    if error is not None and _code(error) not in ("ConditionalCheckFailedException",
                                                  "TransactionCanceledException"):
        call.rcu = call.wcu = call.gsi_wcu = 0.0  # a refused request (validation) costs nothing
