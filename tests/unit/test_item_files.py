"""Issue 14, point 6: illustrations and attachments of items.

The loader refuses a file that is missing, of the wrong type, too big, not
what its extension says, an unsafe SVG, or an illustration without a real
text alternative; the route serves files by content hash only, immutable,
with a French 404 JSON, and nothing served tells the item or its answer.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.bank import assets
from chalicelib.bank.loader import BankError, get_bank, load_bank
from chalicelib.domain.candidate_view import candidate_view
from chalicelib.domain.choice_ids import ChoiceIds
from tests.unit.test_loader import REAL_ROOT, errors_of, qcu, write_bank

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<rect width="10" height="10" fill="#000"/></svg>')
ALT = "Un carré noir de dix pixels de côté sur fond blanc"


def bank_with(tmp_path: Path, files: dict[str, bytes], **item_fields) -> Path:
    (tmp_path / "assets").mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (tmp_path / "assets" / name).write_bytes(body)
    return write_bank(tmp_path, {"1.1": {"competence": "1.1", "tubes": [
        {"name": "@moteur", "title": "Moteurs", "items": [qcu("c11-moteur-1a", 1, **item_fields)]}]}})


def test_an_item_with_an_illustration_and_an_attachment_loads(tmp_path):
    root = bank_with(tmp_path, {"carre.svg": SVG, "donnees.csv": "Nom;Note\r\nAda;12\r\n".encode()},
                     illustration={"file": "assets/carre.svg", "alt": ALT},
                     attachment={"file": "assets/donnees.csv", "title": "Notes du groupe"})
    item = load_bank(root).items["c11-moteur-1a"]
    assert item.illustration.name == hashlib.sha256(SVG).hexdigest()[:20] + ".svg"
    assert item.illustration.text == ALT and item.illustration.media_type == "image/svg+xml"
    assert item.attachment.label == "CSV" and item.attachment.size == 18


@pytest.mark.parametrize("fields, files, expected", [
    ({"illustration": {"file": "assets/absent.svg", "alt": ALT}}, {}, "fichier introuvable"),
    ({"illustration": {"file": "assets/carre.svg"}}, {"carre.svg": SVG}, "obligatoire"),
    ({"illustration": {"file": "assets/carre.svg", "alt": "carre.svg"}}, {"carre.svg": SVG},
     "texte alternatif trop pauvre"),
    ({"illustration": {"file": "assets/carre.svg", "alt": "Image"}}, {"carre.svg": SVG},
     "texte alternatif trop pauvre"),
    ({"illustration": {"file": "assets/faux.png", "alt": ALT}}, {"faux.png": b"GIF89a"}, "pas un PNG"),
    ({"illustration": {"file": "assets/s.svg", "alt": ALT}},
     {"s.svg": SVG.replace(b"<rect", b"<script>alert(1)</script><rect")}, "SVG refusé"),
    ({"illustration": {"file": "assets/s.svg", "alt": ALT}},
     {"s.svg": SVG.replace(b"<rect", b"<!-- bonne reponse : B --><rect")}, "SVG refusé"),
    ({"illustration": {"file": "assets/s.svg", "alt": ALT}},
     {"s.svg": SVG.replace(b"<rect", b'<image href="https://evil.example/x.png"/><rect')},
     "référence externe"),
    ({"attachment": {"file": "assets/gros.csv", "title": "Données"}}, {"gros.csv": b"a;b\r\n" * 30_000},
     "trop gros"),
    ({"attachment": {"file": "assets/faux.docx", "title": "Rapport"}}, {"faux.docx": b"PK\x03\x04oops"},
     "invalide"),
    ({"attachment": {"file": "assets/vide.pdf", "title": "Guide"}}, {"vide.pdf": b""}, "vide"),
    ({"attachment": {"file": "assets/page.html", "title": "Page"}}, {"page.html": b"<p>x</p>"},
     "format invalide"),
    ({"attachment": {"file": "assets/../schema.json", "title": "Schéma"}}, {}, "format invalide"),
])
def test_a_bad_file_is_refused_by_item_and_field(tmp_path, fields, files, expected):
    errors = errors_of(bank_with(tmp_path, files, **fields))
    assert any(expected in e and "c11-moteur-1a" in e for e in errors), errors


def test_a_stamp_does_not_hide_a_file_changed_after_validation(tmp_path):
    from chalicelib.bank.loader import write_validation_stamp

    root = bank_with(tmp_path, {"carre.svg": SVG}, illustration={"file": "assets/carre.svg", "alt": ALT})
    write_validation_stamp(root)
    (root / "assets" / "carre.svg").write_bytes(b"<svg><script>x</script></svg>")
    with pytest.raises(BankError, match="SVG refusé"):
        load_bank(root)


def test_the_shipped_files_are_what_the_generator_builds():
    """scripts/item_assets.py is the source of every asset: a hand-edited
    file (or a stale one) would make the item and its data disagree."""
    result = subprocess.run([sys.executable, "scripts/item_assets.py", "--check"],
                            cwd=REAL_ROOT.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_bank_uses_files_and_every_one_is_reachable():
    bank = get_bank()
    used = [i for i in bank.served_items() if i.illustration or i.attachment]
    assert len(used) >= 15
    on_disk = {p.name for p in (REAL_ROOT / "assets").iterdir()}
    sources = {f.source.removeprefix("assets/") for i in used for f in (i.illustration, i.attachment) if f}
    assert sources <= on_disk


def test_the_view_names_a_file_by_its_hash_only():
    item = next(i for i in get_bank().served_items() if i.attachment and i.type.is_choice)
    view = candidate_view(item, ChoiceIds(b"k" * 32, "test-1"))
    text = json.dumps(view, ensure_ascii=False)
    assert view["attachment"]["url"] == "pj/" + item.attachment.name
    assert re.fullmatch(r"pj-[0-9a-f]{8}\.\w+", view["attachment"]["filename"])
    stem = item.attachment.source.removeprefix("assets/").rsplit(".", 1)[0]
    assert stem not in text and item.id not in view["attachment"]["url"]


# --------------------------------------------------------------------- route

def served(bank=None):
    bank = bank or get_bank()
    return {f.name: f for f in bank.files.values()}


def test_files_are_served_immutable_with_their_type(client):
    files = served()
    image = next(f for f in files.values() if f.media_type == "image/svg+xml")
    response = client.http.get(f"/pj/{image.name}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.body == (REAL_ROOT / image.source).read_bytes()
    again = client.http.get(f"/pj/{image.name}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_an_attachment_downloads_under_a_neutral_name(client):
    sheet = next(f for f in served().values() if f.name.endswith(".ods"))
    response = client.http.get(f"/pj/{sheet.name}", headers={"Accept": "*/*"})  # as browsers send
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="pj-{sheet.name[:8]}.ods"'
    assert response.body[:2] == b"PK"


@pytest.mark.parametrize("name", ["0123456789abcdef0123.csv", "ventes-mars.csv", "assets%2Fventes-mars.csv",
                                  "..%2Fschema.json", "c13-trier-3b"])
def test_unknown_files_are_a_french_json_404(client, name):
    response = client.http.get(f"/pj/{name}")
    assert response.status_code == 404
    body = json.loads(response.body)
    assert body["error"]["code"] == "file_not_found" and body["error"]["message"] == "Fichier introuvable."


def test_files_of_unpublished_items_are_not_served(tmp_path):
    root = bank_with(tmp_path, {"carre.svg": SVG}, status="draft",
                     illustration={"file": "assets/carre.svg", "alt": ALT})
    bank = load_bank(root)
    assert bank.items["c11-moteur-1a"].illustration is not None
    assert bank.files == {}


def test_public_names_are_content_hashes():
    for name, item_file in get_bank().files.items():
        assert assets.PUBLIC_NAME.match(name)
        body = (REAL_ROOT / item_file.source).read_bytes()
        assert name.startswith(hashlib.sha256(body).hexdigest()[:20])
