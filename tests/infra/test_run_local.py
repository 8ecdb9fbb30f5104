"""`make run` as a newcomer uses it: `PORT` honoured wherever a URL is written,
and the local signing keys kept across restarts (a credential issued before a
restart still verifies after it)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_and_read_key(state_dir, port: int) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PUBLIC_BASE_URL", "JWT_SECRET", "BADGE_PRIVATE_KEY", "DYNAMODB_ENDPOINT")}
    env.update({"PORT": str(port), "DYNAMODB_PORT": str(_free_port()), "LOCAL_STATE_DIR": str(state_dir),
                "JOB_INTERVAL": "3600"})
    proc = subprocess.Popen([sys.executable, "scripts/run_local.py"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(600):  # a ceiling, not a target: readiness is polled
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/.well-known/badge-key", timeout=5) as r:
                    return json.loads(r.read())
            except OSError:
                time.sleep(0.2)
        pytest.fail("make run never served")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_make_run_writes_its_own_port_into_urls_and_keeps_its_keys_across_restarts(tmp_path):
    port = _free_port()
    first = _serve_and_read_key(tmp_path, port)
    assert first["id"].startswith(f"http://127.0.0.1:{port}/"), first["id"]
    assert all(m["controller"].startswith(f"http://127.0.0.1:{port}") for m in first["verificationMethod"])
    second = _serve_and_read_key(tmp_path, _free_port())
    key = lambda doc: [m.get("publicKeyMultibase") for m in doc["verificationMethod"]]  # noqa: E731
    assert key(first) == key(second)  # same signing key after a restart
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0  # readable by its owner only


def test_the_local_server_compresses_as_api_gateway_does():
    """gzip only when accepted, from config.json's minimum_compression_size
    (the setting `chalice package` writes as the API's MinimumCompressionSize),
    for text types, never twice."""
    import gzip

    sys.path.insert(0, str(ROOT / "scripts"))
    from run_local import compressed

    size = json.loads((ROOT / ".chalice" / "config.json").read_text())["minimum_compression_size"]
    assert size == 1024
    page = ("<p>Compétences numériques</p>" * 100).encode()
    cases = [  # body, content type, Accept-Encoding, headers before, compressed?
        (page, "text/html; charset=utf-8", "gzip, deflate, br", {}, True),
        (page, "application/json", "br;q=1, gzip;q=0.8", {"Vary": "Origin"}, True),
        (page, "text/javascript", "deflate", {}, False),             # gzip not accepted
        (page[:size - 1], "application/json", "gzip", {}, False),    # under the minimum
        (page, "application/pdf", "gzip", {}, False),                # compressed already
        (page, "application/json", "gzip", {"content-encoding": "br"}, False),
    ]
    for body, kind, accept, headers, expected in cases:
        out = compressed(body, kind, accept, headers, size)
        assert (out != body) is expected, (kind, accept, headers)
        if expected:
            assert gzip.decompress(out) == body and len(out) < len(body) / 5
            assert headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert compressed(page, "text/html", "gzip", {}, None) == page  # no setting: like API Gateway, never
