"""`make package`: the deployable artefacts in out/ (sam.json + deployment.zip).

Runs `chalice package` with the merged template that declares the tables, then
finishes the zip for cold starts (`finish_zip`) and checks what it carries:

- bytecode: Lambda's /var/task is read-only, so a zip without `.pyc` makes
  every new instance compile every module it imports, on every cold start.
  Each `.py` gets its `__pycache__/*.cpython-311.pyc`, compiled by this
  interpreter, which must be the runtime's version (`Runtime` in sam.json,
  python3.11: chalice takes it from the interpreter that packages). The
  bytecode is hash-based and unchecked: the zip's file times (1980-01-01) and
  whatever times the extraction gives cannot invalidate it.
- the AWS SDK: boto3/botocore stay bundled (the versions the tests ran with,
  not whatever the runtime ships that month), but botocore's models are kept
  only for the services the code calls (`SDK_SERVICES`): the 450 other
  services' models were 16.5 MB of the 44 MB zip and are never read.
- the item bank and the web front are inside, and the zip stays under
  `MAX_ZIP_MB` (Lambda's direct upload limit is 50 MB).
"""
from __future__ import annotations

import json
import os
import py_compile
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# botocore service models kept in the zip: PynamoDB (dynamodb), secrets (ssm), mail (sesv2, sqs queue).
# tests/infra/test_cold_start.py fails when the code creates a client not listed here.
SDK_SERVICES = ("dynamodb", "ssm", "sesv2", "sqs", "s3")  # s3: the answer export
# 28 MB: 24.9 MB before the GAR signature check; signxml + lxml (lxml.etree alone 5.3 MB
# unzipped) brought it to 27.9 MB after the drops below, 28.0 MB by December; 26.8 MB without rapidfuzz's
# AVX2 builds. Lambda's direct upload limit is 50 MB.
MAX_ZIP_MB = 28.0
# Files the Lambda never needs (6 MB zipped). Pillow's AVIF and WebP codecs and its FreeType text
# rendering (PIL.ImageFont) with their shared libraries: fpdf2 embeds the QR code's PNG through
# PIL.Image and subsets the font with fontTools, never through them (AvifImagePlugin and
# WebPImagePlugin read as unsupported without their module). fontTools' optional Cython
# accelerators and their generated C: fontTools falls back to the same algorithms in the .py
# modules shipped beside them. Type stubs. The Lambda-like probe of `scripts/bench.py coldstart` renders an attestation from the
# finished zip, so a file an attestation needs cannot be dropped unnoticed.
DROPPED_PREFIXES = ("PIL/_avif.", "pillow.libs/libavif-", "PIL/_webp.", "pillow.libs/libwebp",
                    "pillow.libs/libsharpyuv-", "PIL/_imagingft.", "pillow.libs/libfreetype-",
                    "pillow.libs/libharfbuzz-", "pillow.libs/libpng16-", "pillow.libs/libbrotli",
                    # lxml, for signxml (GAR SAML) which imports lxml.etree and its ElementPath only:
                    # its C headers, lxml.html (with its compiled diff), ISO Schematron and
                    # lxml.objectify (2.9 MB unzipped) are never imported here
                    "lxml/includes/", "lxml/html/", "lxml/isoschematron/", "lxml/objectify.",
                    # rapidfuzz's AVX2 builds (1.2 MB zipped): each import falls back, under
                    # contextlib.suppress(ImportError), to the baseline build shipped beside it,
                    # which every Lambda CPU runs; answers are a few words, the speed-up is nil
                    "rapidfuzz/fuzz_cpp_avx2.", "rapidfuzz/distance/metrics_cpp_avx2.",
                    "rapidfuzz/process_cpp_avx2.", "rapidfuzz/utils_cpp_avx2.")
# type stubs (read by type checkers) and Cython/C sources and headers (read by compilers):
# never by the interpreter
DROPPED_SUFFIXES = (".pyi", ".pyx", ".pxd", ".pxi", ".h")
# pip's install manifests (`<dist>.dist-info/RECORD`, 0.14 MB zipped): read by pip to uninstall
# and by importlib.metadata.files(), which nothing calls at run time (versions come from METADATA,
# kept with the licences).
DROPPED_DIST_INFO = ("RECORD",)

# What serving the routes imports: `import app`, the item bank, an attestation PDF, an
# Open Badge credential and the AWS clients. Only these modules get bytecode: compiling the
# whole zip would add 7.7 MB (fontTools alone 2.3 MB) for modules that are never imported,
# and a module outside this set still works (compiled in memory on first import).
_IN_USE_PROBE = r"""
import json, os, sys
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")
import app
from chalicelib.bank.loader import get_bank
get_bank()
from chalicelib.documents.attestation_pdf import render_attestation
from chalicelib.documents.open_badge import build_credential, public_key_document
from chalicelib.domain.certificate import Certificate
from chalicelib.domain.framework import COMPETENCES
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
cert = Certificate(certificate_id="c-1", verification_code="P-B2C3D4F6", first_name="Anaïs",
                   last_name="Lefèvre", birth_date="1998-03-01", session_date="2026-06-15",
                   centre_name="Lycée", global_score=547, level_label="Avancé 5", level=5,
                   competence_levels={c.code: 3 for c in COMPETENCES}, certification_version="v3",
                   issued_at="2026-06-20T09:30:00+00:00")
render_attestation(cert, "https://example.invalid/verification/P-B2C3D4F6")
key = Ed25519PrivateKey.generate()
build_credential(cert, issuer_url="https://example.invalid", verify_url="https://example.invalid/v", key=key)
public_key_document("https://example.invalid", key=key)
import boto3
for service in sys.argv[1:]:
    boto3.client(service, region_name="eu-west-3")
roots = sorted({os.path.abspath(p or os.getcwd()) for p in sys.path if os.path.isdir(p or ".")}, key=len, reverse=True)
files = set()
for module in list(sys.modules.values()):
    path = getattr(module, "__file__", None) or ""
    if path.endswith(".py"):
        for root in roots:
            if path.startswith(root + os.sep):
                files.add(os.path.relpath(path, root).replace(os.sep, "/"))
                break
print(json.dumps(sorted(files)))
"""


def modules_in_use() -> set[str]:
    """Archive names (`pkg/mod.py`) of the modules imported while serving the routes."""
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-west-3", "AWS_ACCESS_KEY_ID": "packaging",
           "AWS_SECRET_ACCESS_KEY": "packaging", "JWT_SECRET": "packaging-only-" + "x" * 32}
    out = subprocess.run([sys.executable, "-c", _IN_USE_PROBE, *SDK_SERVICES], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def _runtime_of(sam: Path) -> str:
    """The Lambda runtime chalice wrote into the template (the same for every function)."""
    runtimes = {res.get("Properties", {}).get("Runtime")
                for res in json.loads(sam.read_text())["Resources"].values()} - {None}
    if len(runtimes) != 1:
        raise SystemExit(f"sam.json: expected one Lambda runtime, found {sorted(runtimes)}")
    return runtimes.pop()


def _kept(name: str) -> bool:
    """False for the files the Lambda never reads, and for bytecode the packager's tree carried
    (chalice copies `chalicelib/__pycache__/` as it finds it: timestamp-checked, maybe stale)."""
    if name.startswith("__pycache__/") or "/__pycache__/" in name:
        return False
    base = name.rsplit("/", 1)[-1]
    if name.startswith(DROPPED_PREFIXES) or name.endswith(DROPPED_SUFFIXES):
        return False
    if base in DROPPED_DIST_INFO and name.count("/") == 1 and name.split("/")[0].endswith(".dist-info"):
        return False
    if name.startswith("fontTools/") and (base.endswith(".c") or ".cpython-" in base and base.endswith(".so")):
        return False
    parts = name.split("/")
    if parts[:2] != ["botocore", "data"] or len(parts) < 4:
        return True  # everything outside botocore/data/<service>/, and botocore/data/*.json
    return parts[2] in SDK_SERVICES


def finish_zip(raw: Path, out: Path, runtime: str, compile_only: set[str] | None = None) -> dict:
    """Copy `raw` to `out` without the files the Lambda never reads (`_kept`), adding
    unchecked-hash bytecode for `runtime` to the `.py` files of `compile_only` (all if None)."""
    here = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    if runtime != here:
        raise SystemExit(f"bytecode compiled by {here} would be ignored by the {runtime} runtime: "
                         f"package with a {runtime} interpreter")
    dropped = pyc = 0
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(raw) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        tmpdir = Path(tmp)
        sources = []
        for info in src.infolist():
            if not _kept(info.filename):
                dropped += 1
                continue
            data = src.read(info)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
            if info.filename.endswith(".py") and (compile_only is None or info.filename in compile_only):
                (tmpdir / info.filename).parent.mkdir(parents=True, exist_ok=True)
                (tmpdir / info.filename).write_bytes(data)
                sources.append(info.filename)
        for name in sources:
            cfile = Path(tmpdir / name).parent / "__pycache__" / (
                Path(name).stem + f".{sys.implementation.cache_tag}.pyc")
            try:
                py_compile.compile(str(tmpdir / name), cfile=str(cfile), dfile=name, doraise=True,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            except py_compile.PyCompileError:
                continue  # e.g. a library's Python 2 example file: never imported, shipped as it is
            arcname = cfile.relative_to(tmpdir).as_posix()
            info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            dst.writestr(info, cfile.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
            pyc += 1
    return {"pyc": pyc, "dropped_files": dropped, "runtime": runtime}


def check_zip(path: Path) -> None:
    """What a deployable zip must carry; raises SystemExit naming what is wrong."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
    tag = sys.implementation.cache_tag
    if not any(n.startswith("item_bank/competences/") for n in names):
        raise SystemExit("deployment.zip has no item bank")
    if "chalicelib/web/index.html" not in names:  # the web front ships inside chalicelib/
        raise SystemExit("deployment.zip has no web front")
    for module in ("app.py", "chalicelib/services/tokens.py", "pynamodb/models.py", "botocore/client.py"):
        cached = f"{os.path.dirname(module) + '/' if '/' in module else ''}__pycache__/" \
                 f"{Path(module).stem}.{tag}.pyc"
        if cached not in names:
            raise SystemExit(f"deployment.zip has no bytecode for {module} ({cached})")
    for service in SDK_SERVICES:
        if not any(n.startswith(f"botocore/data/{service}/") for n in names):
            raise SystemExit(f"deployment.zip has no botocore model for {service}")
    size_mb = path.stat().st_size / 1e6
    if size_mb > MAX_ZIP_MB:
        raise SystemExit(f"deployment.zip is {size_mb:.1f} MB, over the {MAX_ZIP_MB:g} MB budget")


def package(out: Path, stage: str = "prod") -> Path:
    sys.path.insert(0, str(ROOT))
    from chalicelib.bank.loader import write_validation_stamp

    write_validation_stamp()  # full validation now, so cold starts can skip it
    import json

    stage_env = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][stage].get(
        "environment_variables", {})
    # app.py names the mail queue after the stage's table prefix
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-3"),
           "TABLE_PREFIX": stage_env.get("TABLE_PREFIX", "pix-prod")}
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template",
                    "infra/resources.json", str(out)], cwd=ROOT, env=env, check=True)
    raw = out / "deployment.raw.zip"  # chalice's own zip, kept for comparison (scripts/bench.py coldstart)
    os.replace(out / "deployment.zip", raw)
    report = finish_zip(raw, out / "deployment.zip", _runtime_of(out / "sam.json"), modules_in_use())
    print(f"bytecode for {report['runtime']}: {report['pyc']} .pyc; "
          f"{report['dropped_files']} files the Lambda never reads left out")
    check_zip(out / "deployment.zip")
    return out / "sam.json"


if __name__ == "__main__":
    target = ROOT / "out"
    print(package(target))
    for name in ("deployment.raw.zip", "deployment.zip"):
        print(f"{name}: {(target / name).stat().st_size / 1e6:.1f} MB")
