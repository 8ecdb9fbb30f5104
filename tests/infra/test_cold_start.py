"""Cold start: what `import app` may load, and what `make package` ships.

Every Lambda instance pays `import app` before its first response. Heavy
libraries (the PDF stack fpdf2 + Pillow + fontTools, the QR encoder, the
Open Badge signature's `cryptography`, RSA included; the XML parsers of roster
imports and GAR sign-in, defusedxml, signxml and lxml; rapidfuzz, needed only
to mark a typo-tolerant answer) belong to the few routes that use them and are
imported there; this test fails as soon as a top-level
import brings one back into the wiring. It runs `import app` in a fresh
interpreter (the test process itself has imported everything already).
"""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import package  # noqa: E402  (scripts/package.py)

HEAVY = ("fpdf", "PIL", "fontTools", "segno", "cryptography",
         "cryptography.hazmat.primitives.asymmetric.rsa", "rfc8785", "jsonschema",
         "defusedxml", "signxml", "lxml", "rapidfuzz")


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-west-3", "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_import_app_loads_no_heavy_module():
    loaded = _modules_after("import app")
    assert "app" in loaded and "jwt" in loaded  # the probe really imported the app and PyJWT
    assert sorted(m for m in HEAVY if m in loaded) == []


def test_the_pdf_and_badge_routes_still_import_their_libraries():
    """The other side: lazy imports happen where needed (and PyJWT still signs HS256)."""
    loaded = _modules_after(
        "import app\n"
        "from chalicelib.documents.attestation_pdf import render_attestation\n"
        "from chalicelib.documents.open_badge import build_credential\n"
        "import fpdf\n"
        "from chalicelib.services.jwt_hmac import jwt\n"
        "assert jwt.decode(jwt.encode({'a': 1}, 'k' * 32, algorithm='HS256'), 'k' * 32, algorithms=['HS256']) == {'a': 1}\n"
        "from chalicelib.domain.matching import text_matches\n"
        "assert text_matches('ordinatuer', 'ordinateur', frozenset({'t3'}))\n"
        "from chalicelib.domain.roster_files import read_siecle_xml\n"
        "from chalicelib.domain.errors import InvalidInput\n"
        "try:\n    read_siecle_xml(b'<!DOCTYPE x [<!ENTITY a \"b\">]><BEE_ELEVES/>', uai=None, max_rows=5)\n"
        "except InvalidInput as err:\n    assert err.code == 'forbidden_xml', err.code\n"
        "from chalicelib.domain import saml\n"
        "try:\n    saml.read_response(b'<x', idp_entity_id='i', idp_certificate='c', sp_entity_id='s', acs_url='a', now=0)\n"
        "except saml.SamlRefused:\n    pass\n")
    assert {"fpdf", "cryptography", "rapidfuzz", "defusedxml"} <= loaded


def test_hs256_pyjwt_refuses_asymmetric_algorithms_without_cryptography():
    """Loaded without cryptography, PyJWT knows HMAC only: an RS256 token is refused, never verified."""
    loaded = _modules_after(
        "from chalicelib.services.jwt_hmac import jwt\n"
        "import jwt.algorithms as a\n"
        "assert a.has_crypto is False\n"
        "tok = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ.c2ln'\n"
        "try:\n    jwt.decode(tok, 'k' * 32, algorithms=['HS256'])\nexcept jwt.InvalidAlgorithmError:\n    pass\n"
        "else:\n    raise SystemExit('RS256 token accepted')\n")
    assert "cryptography" not in loaded


def test_every_aws_client_the_code_creates_is_kept_in_the_trimmed_sdk():
    """package.py keeps only SDK_SERVICES' botocore models: a new boto3.client('x') must be listed there."""
    used = {"dynamodb"}  # PynamoDB's client
    for path in list((ROOT / "chalicelib").rglob("*.py")) + [ROOT / "app.py"]:
        used |= set(re.findall(r"""\bclient\(\s*["']([a-z0-9-]+)["']""", path.read_text()))
    assert used == {"dynamodb", "ssm", "sesv2", "sqs", "s3"}
    assert used <= set(package.SDK_SERVICES)


def _write_zip(path: Path, files: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)


def test_finish_zip_compiles_bytecode_and_trims_the_sdk(tmp_path):
    raw, done = tmp_path / "raw.zip", tmp_path / "done.zip"
    _write_zip(raw, {
        "app.py": "VALUE = 41 + 1\n",
        "chalicelib/__init__.py": "",
        "chalicelib/mod.py": "def f():\n    return 'ok'\n",
        "chalicelib/__pycache__/old.cpython-311.pyc": "stale bytecode from the packager's tree",
        "pkg/py2_only.py": "print 'legacy'\n",  # a file that does not compile is shipped as it is
        "botocore/data/endpoints.json": "{}",
        "botocore/data/dynamodb/2012-08-10/service-2.json.gz": "x",
        "botocore/data/ec2/2016-11-15/service-2.json.gz": "x",
        "item_bank/competences/1.1.yaml": "a: 1\n",
        "fontTools/misc/bezierTools.py": "",
        "fontTools/misc/bezierTools.c": "/* generated */",
        "fontTools/misc/bezierTools.cpython-311-x86_64-linux-gnu.so": "ELF",
        "PIL/_avif.cpython-311-x86_64-linux-gnu.so": "ELF",
        "pkg/types.pyi": "x: int\n",
    })
    report = package.finish_zip(raw, done, runtime="python3.11" if sys.version_info[:2] == (3, 11)
                                else f"python{sys.version_info[0]}.{sys.version_info[1]}")
    with zipfile.ZipFile(done) as z:
        names = set(z.namelist())
        tag = sys.implementation.cache_tag
        pyc = z.read(f"chalicelib/__pycache__/mod.{tag}.pyc")
    assert {"app.py", f"__pycache__/app.{tag}.pyc", "botocore/data/endpoints.json",
            "botocore/data/dynamodb/2012-08-10/service-2.json.gz", "item_bank/competences/1.1.yaml",
            "pkg/py2_only.py"} <= names
    assert "botocore/data/ec2/2016-11-15/service-2.json.gz" not in names
    assert not any(n.startswith("pkg/__pycache__/") for n in names)
    assert "chalicelib/__pycache__/old.cpython-311.pyc" not in names
    assert names.isdisjoint({"fontTools/misc/bezierTools.c", "fontTools/misc/bezierTools.cpython-311-x86_64-linux-gnu.so",
                             "PIL/_avif.cpython-311-x86_64-linux-gnu.so", "pkg/types.pyi"})
    assert "fontTools/misc/bezierTools.py" in names  # the pure-Python fallback stays
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, unchecked: valid whatever the file times
    assert report["pyc"] == 4 and report["dropped_files"] == 6

    # Python really uses them: extracted read-only like /var/task, imported with writing disabled.
    task = tmp_path / "task"
    with zipfile.ZipFile(done) as z:
        z.extractall(task)
    (task / "chalicelib" / "mod.py").write_text("def f():\n    return 'source was read'\n")
    out = subprocess.run([sys.executable, "-B", "-S", "-c",
                          f"import sys; sys.path.insert(0, {str(task)!r}); import chalicelib.mod as m; print(m.f())"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "ok"  # the unchecked .pyc was executed, not the (edited) source


def test_finish_zip_refuses_bytecode_for_another_python(tmp_path):
    raw = tmp_path / "raw.zip"
    _write_zip(raw, {"app.py": "x = 1\n"})
    with pytest.raises(SystemExit, match="python3.99"):
        package.finish_zip(raw, tmp_path / "done.zip", runtime="python3.99")
