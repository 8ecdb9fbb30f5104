"""Browser tests: Playwright for Python driving Debian's Chromium against the
local stack (moto server + chalice local on free 127.0.0.1 ports).

Skipped, with the reason, when Chromium or Playwright is missing. Never runs
`playwright install`: the browser is the system's (`apt-get install chromium`).
Screenshots and axe reports go to test-artifacts/browser/ (gitignored).
"""
from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.flows import ARTIFACTS, stack_gar

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-renderer-backgrounding",
                 "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]

HERE = Path(__file__).resolve().parent


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need the `playwright` package (requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    if reason:
        for item in items:
            if HERE in Path(str(item.fspath)).resolve().parents:
                item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    base_url: str
    process: subprocess.Popen

    def command(self, *words: str) -> dict:
        """Run a command inside the stack process (see tests/browser/stack.py)."""
        self.process.stdin.write(" ".join(words) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        assert answer.get("ok"), answer
        return answer

    def api(self, method: str, path: str, body=None, token: str | None = None,
            expect: int | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        payload = json.loads(raw) if raw else None
        if expect is not None:
            assert status == expect, (method, path, status, payload)
        return payload


@pytest.fixture(scope="session")
def artifacts():
    """Fresh for a plain run; under xdist each worker runs this fixture, so
    none wipes the folder another is writing into (make test uses -n auto)."""
    if ARTIFACTS.exists() and "PYTEST_XDIST_WORKER" not in os.environ:
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _first_line(process: subprocess.Popen, timeout: float) -> str:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    return process.stdout.readline() if ready else ""


@pytest.fixture(scope="session")
def stack(artifacts):
    port, db_port = _free_port(), _free_port()
    log = open(ARTIFACTS / "stack.log", "w")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # JWT_SECRET: the one tests/conftest.py set
    env.update(stack_gar().environment())          # the test GAR (test_gar_sign_in.py)
    env.pop("DYNAMODB_ENDPOINT", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.stack", "--port", str(port),
         "--dynamodb-port", str(db_port)],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = _first_line(process, timeout=90)
        if line.strip() != "READY":
            raise RuntimeError(f"stack did not start ({line!r}); see {ARTIFACTS / 'stack.log'}")
        yield Stack(f"http://127.0.0.1:{port}", process)
    finally:
        try:
            process.stdin.close()
            process.wait(timeout=10)
        except Exception:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Pages:
    """New browser contexts (one per person: learner, invigilator...), each
    page collecting its console errors and failed requests."""

    def __init__(self, browser, stack):
        self.browser, self.stack, self.contexts, self.errors = browser, stack, [], []

    def new(self, width: int = 1100, height: int = 900):
        context = self.browser.new_context(base_url=self.stack.base_url, locale="fr-FR",
                                           viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: self.errors.append(f"{page.url}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture()
def pages(browser, stack):
    p = Pages(browser, stack)
    yield p
    p.close()
    # the API answers 4xx on purpose in some steps (wrong code...): those show in
    # the console as failed resources; script errors never should
    script_errors = [e for e in p.errors if "Failed to load resource" not in e]
    assert not script_errors, script_errors
