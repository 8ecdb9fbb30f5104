"""DynamoDB faults, injected where moto answers: botocore receives a real
HTTP error response (or a dropped connection) and handles it exactly as it
would from AWS, retries and backoff included. Nothing in the code under test
is patched.

    faults = DynamoFaults(monkeypatch)
    faults.add("GetItem", "throttle", times=2)        # 2 throttled answers, then normal
    faults.add("UpdateItem", "lost_ack")              # the write lands, its answer is a 500
    faults.add("TransactWriteItems", "kill", nth=1)   # the process dies before the call
    faults.add("*", "kill", nth=7, after=True)        # ... or right after the 7th call

Every DynamoDB call is recorded (`faults.calls`), and so is every backoff
sleep botocore asks for (`faults.sleeps`, nothing actually sleeps).
"""
from __future__ import annotations

import json
import types
from dataclasses import dataclass

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems",
                    "BatchWriteItem"})

_ERRORS = {
    # kind: (HTTP status, DynamoDB error type)
    "throttle": (400, "ProvisionedThroughputExceededException"),
    "throttling": (400, "ThrottlingException"),
    "server_error": (500, "InternalServerError"),
    "unavailable": (503, "ServiceUnavailable"),
    "lost_ack": (500, "InternalServerError"),
    "validation": (400, "ValidationException"),   # not transient: a bug, must stay a 500
}


class LambdaKilled(BaseException):
    """The function's process dies (timeout, out of memory, redeploy): a
    BaseException, so no `except Exception` in the code under test stops it."""


@dataclass
class Rule:
    operation: str          # DynamoDB operation name, "*" or "write"
    kind: str               # a key of _ERRORS, "connection", "cancel_throttled" or "kill"
    times: int | None       # how many matching calls fail (None: all of them)
    nth: int | None = None  # only the nth matching call (1-based), if set
    after: bool = False     # the call reaches moto first (the write lands), then the fault
    seen: int = 0
    fired: int = 0

    def matches(self, operation: str) -> bool:
        if self.operation == "*":
            return True
        if self.operation == "write":
            return operation in WRITES
        return self.operation == operation

    def fires(self) -> bool:
        self.seen += 1
        if self.nth is not None:
            return self.seen == self.nth
        return self.times is None or self.fired < self.times


class DynamoFaults:
    def __init__(self, monkeypatch):
        from moto.core.botocore_stubber import BotocoreStubber

        self.rules: list[Rule] = []
        self.calls: list[tuple[str, str]] = []   # (operation, "ok" | fault kind)
        self.sleeps: list[float] = []
        original = BotocoreStubber.process_request
        faults = self

        def process_request(stubber, request):
            operation = _operation(request)
            if operation is None:
                return original(stubber, request)
            return faults._handle(operation, lambda: original(stubber, request))

        monkeypatch.setattr(BotocoreStubber, "process_request", process_request)
        import botocore.endpoint
        import time

        monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(
            sleep=self.sleeps.append, time=time.time, monotonic=time.monotonic))
        # botocore's retry quota (standard mode) lives as long as a client, i.e.
        # the process: keep it full so each test sees the same 1 + 4 attempts,
        # whatever earlier tests spent.
        from botocore.retries.quota import RetryQuota

        monkeypatch.setattr(RetryQuota, "acquire", lambda quota, amount: True)

    def add(self, operation: str, kind: str, *, times: int | None = 1, nth: int | None = None,
            after: bool = False) -> "DynamoFaults":
        self.rules.append(Rule(operation, kind, times, nth, after or kind == "lost_ack"))
        return self

    def clear(self) -> None:
        """No more faults; what was recorded stays."""
        self.rules.clear()

    def reset(self) -> None:
        """No faults, nothing recorded: as new."""
        self.rules.clear()
        self.calls.clear()
        self.sleeps.clear()

    def count(self, operation: str | None = None, outcome: str | None = None) -> int:
        return sum(1 for op, out in self.calls if (operation in (None, op))
                   and (outcome in (None, out)))

    def _handle(self, operation, send):
        rule = next((r for r in self.rules if r.matches(operation) and r.fires()), None)
        if rule is None:
            self.calls.append((operation, "ok"))
            return send()
        rule.fired += 1
        self.calls.append((operation, rule.kind))
        if rule.after:
            send()  # moto applies the request: only its answer is lost
        if rule.kind == "kill":
            raise LambdaKilled(f"killed {'after' if rule.after else 'before'} {operation}")
        if rule.kind == "connection":
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url="https://dynamodb.eu-west-3.amazonaws.com")
        if rule.kind == "cancel_throttled":
            return _error(400, "TransactionCanceledException",
                          "Transaction cancelled, please refer cancellation reasons for specific "
                          "reasons [ThrottlingError]",
                          CancellationReasons=[{"Code": "ThrottlingError",
                                                "Message": "Throughput exceeds the limit"}])
        status, code = _ERRORS[rule.kind]
        return _error(status, code, f"injected {rule.kind}")


def _operation(request) -> str | None:
    target = request.headers.get("X-Amz-Target") or request.headers.get("x-amz-target")
    if not target:
        return None
    if isinstance(target, bytes):
        target = target.decode()
    return target.rsplit(".", 1)[-1] if target.startswith("DynamoDB_") else None


def _error(status: int, code: str, message: str, **extra):
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message, **extra}
    return status, {"Content-Type": "application/x-amz-json-1.0",
                    "x-amzn-RequestId": "injected-fault"}, json.dumps(body)
