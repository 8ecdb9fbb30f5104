"""`make package`: the deployable artefacts in out/ (sam.json + deployment.zip).

Runs `chalice package` with the merged template that declares the tables, then
checks the zip carries the item bank (shipped through `vendor/item_bank`, a
link to the top-level `item_bank/`).
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    with zipfile.ZipFile(out / "deployment.zip") as z:
        names = z.namelist()
    if not any(n.startswith("item_bank/competences/") for n in names):
        raise SystemExit("deployment.zip has no item bank")
    if "chalicelib/web/index.html" not in names:  # the web front ships inside chalicelib/
        raise SystemExit("deployment.zip has no web front")
    return out / "sam.json"


if __name__ == "__main__":
    target = ROOT / "out"
    print(package(target))
    size = (target / "deployment.zip").stat().st_size
    print(f"deployment.zip: {size / 1e6:.1f} MB")
