"""requirements.lock is what `make` (hence CI) installs, with `--require-hashes`:
it must pin every requirement of requirements.txt and requirements-dev.txt to
a version they allow, each with the hashes of its files. A requirement edited
without `make lock` fails here rather than at CI's install, and two clones
can no longer install different code."""
from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _requirements(name: str) -> list[Requirement]:
    out = []
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            out.append(Requirement(line))
    return out


def _locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) from the lock."""
    text = (ROOT / "requirements.lock").read_text()
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if match:
            pins[canonicalize_name(match.group(1))] = (match.group(2),
                                                       len(re.findall(r"--hash=sha256:[0-9a-f]{64}", block)))
    return pins


def test_the_lock_pins_every_requirement_within_its_range_with_hashes():
    locked = _locked()
    requirements = _requirements("requirements.txt") + _requirements("requirements-dev.txt")
    assert len(requirements) >= 25
    for req in requirements:
        name = canonicalize_name(req.name)
        assert name in locked, f"{req} is not in requirements.lock: run `make lock`"
        version, hashes = locked[name]
        assert req.specifier.contains(version, prereleases=True), \
            f"requirements.lock has {name}=={version}, outside {req}: run `make lock`"
    assert all(hashes >= 1 for _, hashes in locked.values())
    # every line of the lock is a pin, a hash, or a comment: pip --require-hashes refuses anything else
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        assert re.match(r"^([A-Za-z0-9_.\[\],-]+==\S+ \\|    --hash=sha256:[0-9a-f]{64}( \\)?|\s*#.*|)$",
                        line), line


def test_make_installs_the_lock_with_hashes_only():
    makefile = (ROOT / "Makefile").read_text()
    installs = [line.strip() for line in makefile.splitlines() if "/bin/pip install" in line
                and "$(VENV)" in line]
    assert installs == ["$(VENV)/bin/pip install -q --require-hashes -r requirements.lock"]
    assert re.search(r"^\$\(STAMP\): requirements\.lock$", makefile, re.M)
